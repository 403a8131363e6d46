//! inconsistency, for dates: a stated age that a date of birth in the same text contradicts
//! ("Date of birth 12/09/1958 … this 38-year-old woman"). The age is worked out on the
//! latest other date in the text (the clinic date), else on today's date with room for a
//! dictation typed up late.
//!
//! Reads the text only; never edits it. Day/month order is ambiguous in numeric dates, so an
//! age that fits either reading is accepted.

use std::sync::OnceLock;

use regex::Regex;

use super::ages::{age_re, stated_age};
use super::inconsistency::names_other;
use super::text::{Doc, Hit};
use super::{FindingKind, Severity};

/// A date: "12/09/1958", "12.09.1958", "1958-09-12", "12 September 1958", "September 12, 1958".
fn date_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(?:(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})|(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})(?:st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(\d{4})|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}))\b",
        )
        .expect("constant regex is valid")
    })
}

fn birth_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)\b(?:date of birth|d\.?o\.?b\.?|born(?: on)?)\s*[:,-]?\s*$")
            .expect("constant regex is valid")
    })
}

/// (year, month, day).
type Date = (i32, u32, u32);

fn month(name: &str) -> Option<u32> {
    let m = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let key = name.get(..3)?.to_lowercase();
    m.iter().position(|x| *x == key).map(|i| i as u32 + 1)
}

fn valid(d: Date) -> Option<Date> {
    ((1..=12).contains(&d.1) && (1..=31).contains(&d.2) && (1880..=2200).contains(&d.0))
        .then_some(d)
}

/// The readings of one date match: numeric day/month dates give both orders.
fn readings(c: &regex::Captures) -> Vec<Date> {
    let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let mut out = Vec::new();
    if let (Some(a), Some(b), Some(y)) = (n(1), n(2), n(3)) {
        out.extend(valid((y as i32, b, a)));
        out.extend(valid((y as i32, a, b)));
    } else if let (Some(y), Some(m), Some(d)) = (n(4), n(5), n(6)) {
        out.extend(valid((y as i32, m, d)));
    } else if let (Some(d), Some(m), Some(y)) =
        (n(7), c.get(8).and_then(|m| month(m.as_str())), n(9))
    {
        out.extend(valid((y as i32, m, d)));
    } else if let (Some(m), Some(d), Some(y)) =
        (c.get(10).and_then(|m| month(m.as_str())), n(11), n(12))
    {
        out.extend(valid((y as i32, m, d)));
    }
    out.dedup();
    out
}

/// Whole years from `born` to `on`.
fn years(born: Date, on: Date) -> i32 {
    on.0 - born.0 - i32::from((on.1, on.2) < (born.1, born.2))
}

/// Today's date (UTC), from the system clock.
fn today() -> Date {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
    (y, m, d)
}

pub fn check(doc: &Doc, hits: &mut Vec<Hit>) {
    let mut birth: Vec<Date> = Vec::new();
    let mut others: Vec<Date> = Vec::new();
    for c in date_re().captures_iter(doc.text) {
        let Some(whole) = c.get(0) else { continue };
        let (s, _) = doc.sentence_at(whole.start());
        let lead = doc.slice(s, whole.start());
        let tail = lead.get(lead.len().saturating_sub(20)..).unwrap_or(lead);
        if birth.is_empty() && birth_re().is_match(tail) {
            birth = readings(&c);
        } else {
            others.extend(readings(&c));
        }
    }
    if birth.is_empty() {
        return;
    }
    // On a date in the text the age is exact; on today's date the letter may be older.
    let latest = others
        .iter()
        .copied()
        .filter(|d| birth.iter().all(|b| d > b))
        .max();
    let (on, slack_below) = latest.map_or((today(), 3), |d| (d, 0));
    let fits = |age: i32| {
        birth.iter().any(|&b| {
            let real = years(b, on);
            (real - slack_below..=real).contains(&age)
        })
    };
    for c in age_re().captures_iter(doc.text) {
        // "age of 40" is an event, and ages in months are babies': neither is checked here.
        let (Some(whole), Some(age)) = (
            c.get(0),
            c.get(5)
                .is_none()
                .then(|| stated_age(&c, doc.text).and_then(|a| a.years()))
                .flatten(),
        ) else {
            continue;
        };
        let (s, _) = doc.sentence_at(whole.start());
        let before = doc.slice(s, whole.start()).to_lowercase();
        if names_other(&before) || fits(age) {
            continue;
        }
        let real = birth.iter().map(|&b| years(b, on)).max().unwrap_or(0);
        hits.push(Hit {
            kind: FindingKind::Inconsistency,
            severity: Severity::Medium,
            start: whole.start(),
            end: whole.end(),
            message: format!(
                "An age of {age} does not fit the date of birth given (about {real}) — check"
            ),
            suggestions: vec![],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_years_and_today() {
        assert_eq!(years((1958, 9, 12), (2024, 6, 3)), 65);
        assert_eq!(years((1958, 6, 3), (2024, 6, 3)), 66);
        let (y, m, d) = today();
        assert!(y >= 2024 && (1..=12).contains(&m) && (1..=31).contains(&d));
    }
}
