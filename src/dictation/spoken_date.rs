//! Dates as authors say them → calendar dates, for the spoken job preamble (dates of birth):
//! "the third of March fifty-eight", "March third 1958", "3rd of March 1958", "3/9/58",
//! "1.2.1949", "D O B twelve oh six eighty", "the first of the fourth sixty-two".
//!
//! Numeric forms are day first (UK). A two-digit year is 19xx unless that would make the
//! patient older than 110, or the patient is a child (`child`), when it is 20xx if that is
//! not in the future. Must never: guess a date from words that do not make one, or accept an
//! impossible date (31 February): both give `None`, and the caller queries.

use chrono::{Datelike, NaiveDate};

use super::numbers::{ONES, TEENS, TENS};

/// The months, lowercase, January first.
pub const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

const ORDINAL_UNITS: [&str; 20] = [
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
];
const ORDINAL_TENS: [&str; 4] = ["", "", "twentieth", "thirtieth"];

/// One spoken piece of a date.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// A number, with how many digits it was written or spoken with ("oh six" is 2).
    Number {
        value: u32,
        digits: usize,
    },
    Ordinal(u32),
    Month(u32),
}

/// The date in `phrase` (the words after "date of birth", "born on", "DOB"), if it is one.
pub fn parse(phrase: &str, today: NaiveDate, child: bool) -> Option<NaiveDate> {
    let pieces = pieces(phrase)?;
    let (day, month, year, year_digits) = match pieces.as_slice() {
        // 3/9/58, 1.2.1949, "twelve oh six eighty"
        [
            Piece::Number { value: d, .. },
            Piece::Number { value: m, .. },
            Piece::Number { value: y, digits },
        ] => (*d, *m, *y, *digits),
        // the third of March 1958, 3rd March fifty-eight, the first of the fourth sixty-two
        [
            Piece::Ordinal(d),
            Piece::Month(m) | Piece::Ordinal(m),
            Piece::Number { value: y, digits },
        ] => (*d, *m, *y, *digits),
        // March third 1958, March 3 1958
        [
            Piece::Month(m),
            Piece::Ordinal(d) | Piece::Number { value: d, .. },
            Piece::Number { value: y, digits },
        ] => (*d, *m, *y, *digits),
        // 3 March 1958
        [
            Piece::Number { value: d, .. },
            Piece::Month(m),
            Piece::Number { value: y, digits },
        ] => (*d, *m, *y, *digits),
        _ => return None,
    };
    // 04/18/1957: no month 18, so it was written month first.
    let (day, month) = if month > 12 && day <= 12 {
        (month, day)
    } else {
        (day, month)
    };
    let year = if year_digits <= 2 && year < 100 {
        century(year as i32, day, month, today, child)?
    } else {
        year as i32
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The date at the start of `text` and how many words it took: the longest run of at most
/// eight words that is a date ("3rd of March 1958 hospital number ..." gives 4 words).
pub fn parse_prefix(text: &str, today: NaiveDate, child: bool) -> Option<(NaiveDate, usize)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    (1..=words.len().min(8))
        .rev()
        .find_map(|k| parse(&words[..k].join(" "), today, child).map(|d| (d, k)))
}

/// 19yy, or 20yy for a child or when 19yy would make the patient older than 110 (never a
/// 20yy in the future).
fn century(yy: i32, day: u32, month: u32, today: NaiveDate, child: bool) -> Option<i32> {
    let (old, new) = (1900 + yy, 2000 + yy);
    let future = NaiveDate::from_ymd_opt(new, month, day).is_none_or(|d| d > today);
    let too_old = today.year() - old > 110;
    Some(if (child || too_old) && !future {
        new
    } else {
        old
    })
}

/// The phrase as date pieces, or `None` when a word is not part of a date.
fn pieces(phrase: &str) -> Option<Vec<Piece>> {
    let lower = phrase.to_lowercase();
    let cleaned: String = lower
        .chars()
        .map(|c| {
            if c == ',' || c == '\'' || c == '’' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let mut words: Vec<String> = Vec::new();
    for w in cleaned.split_whitespace() {
        let w = w.trim_end_matches('.');
        // 3/9/58, 1.2.1949, 23-9-1966 (but "fifty-eight" is words)
        if w.chars().any(|c| c.is_ascii_digit()) && w.contains(['/', '.', '-']) {
            words.extend(w.split(['/', '.', '-']).map(str::to_string));
        } else {
            words.extend(w.split('-').map(str::to_string));
        }
    }
    let mut out: Vec<Piece> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        if matches!(w, "the" | "of" | "on" | "" | "and") {
            i += 1;
            continue;
        }
        if let Some(m) = month(w) {
            out.push(Piece::Month(m));
            i += 1;
            continue;
        }
        if let Some(n) = digits_ordinal(w) {
            out.push(Piece::Ordinal(n));
            i += 1;
            continue;
        }
        if w.chars().all(|c| c.is_ascii_digit()) {
            out.push(Piece::Number {
                value: w.parse().ok()?,
                digits: w.len(),
            });
            i += 1;
            continue;
        }
        let (piece, used) = spoken(&words[i..])?;
        out.push(piece);
        i += used;
    }
    Some(out)
}

/// A month's name, or its first three (or more) letters ("sept", "feb").
fn month(w: &str) -> Option<u32> {
    MONTHS
        .iter()
        .position(|m| *m == w || (w.len() >= 3 && m.starts_with(w)))
        .map(|i| i as u32 + 1)
}

/// "3rd", "21st", "14th".
fn digits_ordinal(w: &str) -> Option<u32> {
    let n = w
        .strip_suffix("st")
        .or_else(|| w.strip_suffix("nd"))
        .or_else(|| w.strip_suffix("rd"))
        .or_else(|| w.strip_suffix("th"))?;
    n.parse().ok()
}

/// 0-19 spoken ("oh" is 0).
fn unit(w: &str) -> Option<u32> {
    match w {
        "oh" | "o" | "zero" => Some(0),
        _ => (ONES.iter().position(|u| *u == w).map(|i| i as u32 + 1))
            .or_else(|| TEENS.iter().position(|u| *u == w).map(|i| i as u32 + 10)),
    }
}

/// "twenty" → 2 ... "ninety" → 9.
fn tens(w: &str) -> Option<u32> {
    TENS.iter().position(|u| *u == w).map(|i| i as u32 + 2)
}

/// A spoken number or ordinal at the start of `words` and how many words it took:
/// "third", "twenty fifth", "fifty eight", "oh six", "nineteen fifty eight",
/// "two thousand and five", "twelve".
fn spoken(words: &[String]) -> Option<(Piece, usize)> {
    let w = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    // Ordinals: "third", "twenty fifth", "thirtieth".
    if let Some(n) = ORDINAL_UNITS.iter().position(|u| *u == w(0)) {
        return Some((Piece::Ordinal(n as u32), 1));
    }
    if let Some(n) = ORDINAL_TENS
        .iter()
        .position(|u| !u.is_empty() && *u == w(0))
    {
        return Some((Piece::Ordinal(n as u32 * 10), 1));
    }
    if let Some(t) = tens(w(0))
        && let Some(n) = ORDINAL_UNITS.iter().position(|u| *u == w(1))
        && (1..10).contains(&n)
    {
        return Some((Piece::Ordinal(t * 10 + n as u32), 2));
    }
    // "two thousand (and) five"
    if unit(w(0)) == Some(2) && w(1) == "thousand" {
        let rest = if w(2) == "and" { 3 } else { 2 };
        return match two_digit(&words[rest.min(words.len())..]) {
            Some((n, used)) => Some((number(2000 + n, 4), rest + used)),
            None => Some((number(2000, 4), 2)),
        };
    }
    // "oh six": a zero-led pair of digits.
    if unit(w(0)) == Some(0)
        && let Some(d) = unit(w(1)).filter(|d| *d < 10)
    {
        return Some((number(d, 2), 2));
    }
    let (first, used) = two_digit(words)?;
    // "nineteen fifty eight", "twenty twelve": a year in two halves.
    if (first == 19 || first == 20)
        && let Some((second, more)) = two_digit(&words[used..])
        && (second >= 10 || w(used) == "oh")
    {
        return Some((number(first * 100 + second, 4), used + more));
    }
    Some((number(first, if first >= 10 { 2 } else { 1 }), used))
}

fn number(value: u32, digits: usize) -> Piece {
    Piece::Number { value, digits }
}

/// 0-99 spoken: "five", "twelve", "fifty", "fifty eight", "oh five".
fn two_digit(words: &[String]) -> Option<(u32, usize)> {
    let w = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    if let Some(t) = tens(w(0)) {
        if let Some(u) = unit(w(1)).filter(|u| (1..10).contains(u)) {
            return Some((t * 10 + u, 2));
        }
        return Some((t * 10, 1));
    }
    if unit(w(0)) == Some(0) {
        let d = unit(w(1)).filter(|d| *d < 10)?;
        return Some((d, 2));
    }
    unit(w(0)).map(|u| (u, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn spoken_and_written_forms() {
        let cases = [
            ("3rd of March 1958", d(1958, 3, 3)),
            ("the third of March fifty-eight", d(1958, 3, 3)),
            ("March third 1958", d(1958, 3, 3)),
            ("3rd March 1958", d(1958, 3, 3)),
            ("3/9/58", d(1958, 9, 3)),
            ("1.2.1949", d(1949, 2, 1)),
            ("23-9-1966", d(1966, 9, 23)),
            ("07/10/1988", d(1988, 10, 7)),
            ("twelve oh six eighty", d(1980, 6, 12)),
            ("the first of the fourth sixty-two", d(1962, 4, 1)),
            ("the second of August nineteen forty-five", d(1945, 8, 2)),
            ("nineteenth of April nineteen sixty", d(1960, 4, 19)),
            ("twenty-fifth of December nineteen thirty", d(1930, 12, 25)),
            (
                "the ninth of September two thousand and five",
                d(2005, 9, 9),
            ),
            ("2nd of Feb 2001", d(2001, 2, 2)),
            ("sixth of October fifty-one", d(1951, 10, 6)),
            ("14th of July 1972", d(1972, 7, 14)),
            ("29th February 1964", d(1964, 2, 29)),
        ];
        for (phrase, want) in cases {
            assert_eq!(parse(phrase, today(), false), want, "{phrase}");
        }
    }

    #[test]
    fn two_digit_years_follow_age_and_childhood() {
        assert_eq!(parse("4/5/19", today(), true), d(2019, 5, 4), "a child");
        assert_eq!(
            parse("4/5/19", today(), false),
            d(1919, 5, 4),
            "107 is possible"
        );
        assert_eq!(
            parse("12/11/12", today(), false),
            d(2012, 11, 12),
            "1912 is too old"
        );
        assert_eq!(parse("5/1/27", today(), false), d(1927, 1, 5));
        assert_eq!(
            parse("5/1/27", today(), true),
            d(1927, 1, 5),
            "2027 is the future"
        );
    }

    #[test]
    fn a_date_at_the_start_of_a_run_on_phrase() {
        let (date, words) = parse_prefix(
            "3rd of March 1958 hospital number RMC 0048 610 urgent please",
            today(),
            false,
        )
        .unwrap();
        assert_eq!((Some(date), words), (d(1958, 3, 3), 4));
        assert_eq!(
            parse_prefix("3/9/58 hospital number 004 8213", today(), false),
            d(1958, 9, 3).map(|d| (d, 1))
        );
        assert_eq!(parse_prefix("was confirmed today", today(), false), None);
    }

    #[test]
    fn impossible_or_non_dates_are_none() {
        for phrase in [
            "31st of February 1961",
            "31/6/70",
            "was confirmed with the patient",
            "the patient",
            "",
            "13/13/13",
        ] {
            assert_eq!(parse(phrase, today(), false), None, "{phrase}");
        }
    }
}
