//! Clinical written forms of numbers: spoken numbers become digits where a
//! transcriptionist would type digits (doses, vitals, ages, durations, lab values),
//! units take their written form ("milligrams" → "mg", "percent" → "%"), blood pressure
//! "one thirty two over eighty four" → "132/84", ages "54-year-old".
//!
//! It must never alter a value, only how it is written: "0.5" gets its leading zero, a
//! dose loses a trailing zero ("5.0 mg" → "5 mg"), and nothing else is computed. Numbers
//! outside a clinical context ("one of the", "no one", "at one point") are left alone.

use super::tokens::{Tok, listed, word_at};

/// A parsed number: its integer part as it will be written, fraction digits, whether it
/// was spoken in words, and the index after it.
#[derive(Debug, Clone)]
struct Num {
    int: String,
    value: u64,
    frac: String,
    spoken: bool,
    end: usize,
}

impl Num {
    /// Written form; doses drop trailing zeros after the point.
    fn written(&self, dose: bool) -> String {
        let int = if self.int.is_empty() {
            "0"
        } else {
            self.int.as_str()
        };
        let frac = if dose {
            self.frac.trim_end_matches('0')
        } else {
            self.frac.as_str()
        };
        if frac.is_empty() {
            int.to_string()
        } else {
            format!("{int}.{frac}")
        }
    }

    fn is_one(&self) -> bool {
        self.value == 1 && self.frac.trim_end_matches('0').is_empty()
    }
}

pub(super) const ONES: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
pub(super) const TEENS: &[&str] = &[
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
pub(super) const TENS: &[&str] = &[
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

fn index_of(list: &[&str], w: &str) -> Option<u64> {
    list.iter()
        .position(|x| x.eq_ignore_ascii_case(w))
        .map(|p| p as u64)
}

fn digit_word(w: &str) -> Option<char> {
    match w.to_lowercase().as_str() {
        "zero" | "oh" | "nought" => Some('0'),
        l => index_of(ONES, l).and_then(|v| char::from_digit(v as u32 + 1, 10)),
    }
}

/// The next word at `j`, stepping over a '-' joiner inside a number ("fifty-four").
fn next_word(toks: &[Tok], j: usize) -> Option<(&str, usize)> {
    match toks.get(j) {
        Some(Tok::Word(w)) => Some((w.as_str(), j + 1)),
        Some(Tok::P('-')) => word_at(toks, j + 1).map(|w| (w, j + 2)),
        _ => None,
    }
}

fn is_word(toks: &[Tok], j: usize, w: &str) -> Option<usize> {
    next_word(toks, j)
        .filter(|(x, _)| x.eq_ignore_ascii_case(w))
        .map(|(_, k)| k)
}

/// 0..=99 in words at `i`. Only the first word may be reached without a joiner check.
fn below_hundred(toks: &[Tok], i: usize, first: bool) -> Option<(u64, usize)> {
    let (w, j) = if first {
        word_at(toks, i).map(|w| (w, i + 1))?
    } else {
        next_word(toks, i)?
    };
    if let Some(t) = index_of(TENS, w) {
        let tens = (t + 2) * 10;
        if let Some((o, k)) =
            next_word(toks, j).and_then(|(x, k)| index_of(ONES, x).map(|o| (o, k)))
        {
            return Some((tens + o + 1, k));
        }
        return Some((tens, j));
    }
    if let Some(t) = index_of(TEENS, w) {
        return Some((t + 10, j));
    }
    if let Some(o) = index_of(ONES, w) {
        return Some((o + 1, j));
    }
    if w.eq_ignore_ascii_case("zero") {
        return Some((0, j));
    }
    None
}

/// 0..=9999 in words: "five hundred and twenty", "twelve hundred", and, when `compact`,
/// the way vitals are spoken: "one thirty two" (132), "one oh five" (105).
fn below_thousand(toks: &[Tok], i: usize, first: bool, compact: bool) -> Option<(u64, usize)> {
    let (v, j) = below_hundred(toks, i, first)?;
    if v == 0 {
        return Some((v, j));
    }
    if let Some(k) = is_word(toks, j, "hundred") {
        let base = v * 100;
        if let Some(k2) = is_word(toks, k, "and")
            && let Some((r, k3)) = below_hundred(toks, k2, false)
        {
            return Some((base + r, k3));
        }
        if let Some((r, k2)) = below_hundred(toks, k, false).filter(|(r, _)| *r > 0) {
            return Some((base + r, k2));
        }
        return Some((base, k));
    }
    if compact && v <= 9 {
        if let Some(k) = is_word(toks, j, "oh").or_else(|| is_word(toks, j, "zero"))
            && let Some((o, k2)) =
                next_word(toks, k).and_then(|(x, k2)| index_of(ONES, x).map(|o| (o, k2)))
        {
            return Some((v * 100 + o + 1, k2));
        }
        if let Some((r, k)) = below_hundred(toks, j, false).filter(|(r, _)| *r >= 10) {
            return Some((v * 100 + r, k));
        }
    }
    Some((v, j))
}

/// A whole number in words, up to the thousands.
fn spoken_int(toks: &[Tok], i: usize, compact: bool) -> Option<(u64, usize)> {
    let (v, j) = below_thousand(toks, i, true, compact)?;
    if v > 0
        && v < 1000
        && let Some(k) = is_word(toks, j, "thousand")
    {
        let base = v * 1000;
        let after_and = is_word(toks, k, "and").unwrap_or(k);
        if let Some((r, k2)) = below_thousand(toks, after_and, false, false).filter(|(r, _)| *r > 0)
        {
            return Some((base + r, k2));
        }
        return Some((base, k));
    }
    Some((v, j))
}

/// "point five", "point two five" → "5", "25".
fn spoken_fraction(toks: &[Tok], j: usize) -> Option<(String, usize)> {
    let mut k = is_word(toks, j, "point")?;
    let mut frac = String::new();
    if let Some(w) =
        word_at(toks, k).filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_digit()))
    {
        return Some((w.to_string(), k + 1));
    }
    while let Some((d, k2)) = next_word(toks, k).and_then(|(w, k2)| digit_word(w).map(|d| (d, k2)))
    {
        frac.push(d);
        k = k2;
    }
    (!frac.is_empty()).then_some((frac, k))
}

/// A number written in digits: "72", "2.5", ".5", "1,000".
fn digits(w: &str) -> Option<(String, u64, String)> {
    let (int, frac) = w.split_once('.').unwrap_or((w, ""));
    let plain: String = int.chars().filter(|c| *c != ',').collect();
    let grouped_ok = !int.contains(',')
        || int.split(',').enumerate().all(|(n, g)| {
            (if n == 0 {
                (1..=3).contains(&g.len())
            } else {
                g.len() == 3
            }) && g.chars().all(|c| c.is_ascii_digit())
        });
    if !grouped_ok
        || !plain.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || (plain.is_empty() && frac.is_empty())
        || (w.contains('.') && frac.is_empty())
    {
        return None;
    }
    let value = plain.parse::<u64>().unwrap_or(0);
    Some((int.to_string(), value, frac.to_string()))
}

fn parse_num(toks: &[Tok], i: usize, compact: bool) -> Option<Num> {
    let w = word_at(toks, i)?;
    if let Some((int, value, frac)) = digits(w) {
        return Some(Num {
            int,
            value,
            frac,
            spoken: false,
            end: i + 1,
        });
    }
    if let Some((frac, end)) = spoken_fraction(toks, i) {
        return Some(Num {
            int: String::new(),
            value: 0,
            frac,
            spoken: true,
            end,
        });
    }
    let (value, j) = spoken_int(toks, i, compact)?;
    let (frac, end) = spoken_fraction(toks, j).unwrap_or_default();
    let end = if frac.is_empty() { j } else { end };
    Some(Num {
        int: value.to_string(),
        value,
        frac,
        spoken: true,
        end,
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A dose unit: abbreviated, trailing zeros dropped.
    Dose,
    /// A measurement unit: abbreviated.
    Measure,
    /// Written straight after the number: "%", "°C".
    Attached,
    /// Time: the words stay, the number becomes digits unless it is "one".
    Time,
    /// The words stay as dictated; the number becomes digits.
    Keep,
}

/// Spoken unit phrases, longest first, and their written form.
const UNITS: &[(&[&str], &str, Kind)] = &[
    (&["milligrams", "per", "kilogram"], "mg/kg", Kind::Dose),
    (&["milligram", "per", "kilogram"], "mg/kg", Kind::Dose),
    (
        &["micrograms", "per", "kilogram"],
        "micrograms/kg",
        Kind::Dose,
    ),
    (&["milligrams", "per", "decilitre"], "mg/dL", Kind::Measure),
    (&["milligrams", "per", "deciliter"], "mg/dL", Kind::Measure),
    (&["millimoles", "per", "litre"], "mmol/L", Kind::Measure),
    (&["millimoles", "per", "liter"], "mmol/L", Kind::Measure),
    (&["micromoles", "per", "litre"], "micromol/L", Kind::Measure),
    (&["micromoles", "per", "liter"], "micromol/L", Kind::Measure),
    (&["grams", "per", "litre"], "g/L", Kind::Measure),
    (&["grams", "per", "liter"], "g/L", Kind::Measure),
    (&["grams", "per", "decilitre"], "g/dL", Kind::Measure),
    (&["grams", "per", "deciliter"], "g/dL", Kind::Measure),
    (&["litres", "per", "minute"], "L/min", Kind::Measure),
    (&["liters", "per", "minute"], "L/min", Kind::Measure),
    (&["millimetres", "of", "mercury"], "mmHg", Kind::Measure),
    (&["millimeters", "of", "mercury"], "mmHg", Kind::Measure),
    (&["degrees", "celsius"], "°C", Kind::Attached),
    (&["degrees", "centigrade"], "°C", Kind::Attached),
    (&["degrees", "fahrenheit"], "°F", Kind::Attached),
    (&["beats", "per", "minute"], "", Kind::Keep),
    (&["breaths", "per", "minute"], "", Kind::Keep),
    (&["per", "cent"], "%", Kind::Attached),
    (&["percent"], "%", Kind::Attached),
    (&["milligrams"], "mg", Kind::Dose),
    (&["milligram"], "mg", Kind::Dose),
    (&["mg"], "mg", Kind::Dose),
    (&["micrograms"], "micrograms", Kind::Dose),
    (&["microgram"], "microgram", Kind::Dose),
    (&["mcg"], "mcg", Kind::Dose),
    (&["grams"], "g", Kind::Dose),
    (&["gram"], "g", Kind::Dose),
    (&["g"], "g", Kind::Dose),
    (&["kilograms"], "kg", Kind::Measure),
    (&["kilogram"], "kg", Kind::Measure),
    (&["kilos"], "kg", Kind::Measure),
    (&["kg"], "kg", Kind::Measure),
    (&["millilitres"], "mL", Kind::Dose),
    (&["milliliters"], "mL", Kind::Dose),
    (&["millilitre"], "mL", Kind::Dose),
    (&["milliliter"], "mL", Kind::Dose),
    (&["ml"], "mL", Kind::Dose),
    (&["mls"], "mL", Kind::Dose),
    (&["litres"], "L", Kind::Measure),
    (&["liters"], "L", Kind::Measure),
    (&["litre"], "L", Kind::Measure),
    (&["liter"], "L", Kind::Measure),
    (&["units"], "units", Kind::Dose),
    (&["unit"], "unit", Kind::Dose),
    (&["millimoles"], "mmol", Kind::Dose),
    (&["mmol"], "mmol", Kind::Dose),
    (&["centimetres"], "cm", Kind::Measure),
    (&["centimeters"], "cm", Kind::Measure),
    (&["centimetre"], "cm", Kind::Measure),
    (&["centimeter"], "cm", Kind::Measure),
    (&["millimetres"], "mm", Kind::Measure),
    (&["millimeters"], "mm", Kind::Measure),
    (&["millimetre"], "mm", Kind::Measure),
    (&["millimeter"], "mm", Kind::Measure),
    (&["degrees"], "", Kind::Keep),
    (&["seconds"], "", Kind::Time),
    (&["minutes"], "", Kind::Time),
    (&["hours"], "", Kind::Time),
    (&["hour"], "", Kind::Time),
    (&["days"], "", Kind::Time),
    (&["weeks"], "", Kind::Time),
    (&["week"], "", Kind::Time),
    (&["months"], "", Kind::Time),
    (&["month"], "", Kind::Time),
    (&["years"], "", Kind::Time),
];

fn unit_at(toks: &[Tok], j: usize) -> Option<(&'static str, Kind, usize)> {
    if toks.get(j) == Some(&Tok::P('-')) {
        return None; // "2-week" stays glued as dictated
    }
    UNITS.iter().find_map(|(phrase, written, kind)| {
        let mut k = j;
        for w in *phrase {
            k = word_at(toks, k)
                .filter(|x| x.eq_ignore_ascii_case(w))
                .map(|_| k + 1)?;
        }
        (toks.get(k) != Some(&Tok::P('-'))).then_some((*written, *kind, k))
    })
}

/// Words after which a bare number is a clinical value ("pulse seventy two").
const CONTEXT: &str = "pressure bp pulse rate hr temperature temp saturations saturation sats \
    saturating systolic diastolic weight weighs weighing height bmi gcs glucose \
    sugar sugars haemoglobin hemoglobin hb hba1c a1c sodium potassium creatinine \
    urea egfr gfr inr crp esr wcc platelets troponin lactate bilirubin albumin alt \
    ferritin tsh psa cholesterol magnesium calcium phosphate fraction score aged age \
    ph";

/// Words that may sit between a context word and its value ("pulse was 72").
const LINKS: &str = "of is was were at about around approximately";

/// The context word before the number, skipping link words and ':' / '='.
fn context_before(out: &[Tok]) -> Option<String> {
    for t in out.iter().rev().take(4) {
        match t {
            Tok::P(':' | '=') => {}
            Tok::Word(w) => {
                let l = w.to_lowercase();
                if !listed(LINKS, &l) {
                    return Some(l);
                }
            }
            _ => return None,
        }
    }
    None
}

fn words(ws: &[&str]) -> Vec<Tok> {
    ws.iter().map(|w| Tok::Word((*w).to_string())).collect()
}

/// Try to rewrite the number starting at `i`; returns replacement tokens and the index
/// after what they replace.
fn rewrite_at(toks: &[Tok], i: usize, out: &[Tok]) -> Option<(Vec<Tok>, usize)> {
    // A number glued to a word before it ("COVID-19", "and/or 2") is part of that word.
    if matches!(out.last(), Some(Tok::P('-' | '/'))) {
        return None;
    }
    parse_num(toks, i, false)?; // cheap test first: most words are not numbers
    let ctx = context_before(out);
    let in_context = ctx.as_deref().is_some_and(|c| listed(CONTEXT, c));
    let n = parse_num(toks, i, in_context)?;

    // Age: "fifty four year old" → "54-year-old".
    for unit in ["year", "month", "week", "day"] {
        if n.frac.is_empty()
            && let Some(k) = is_word(toks, n.end, unit)
            && let Some(k2) = is_word(toks, k, "old")
        {
            let mut r = vec![Tok::Word(n.written(false)), Tok::P('-')];
            r.extend(words(&[unit]));
            r.push(Tok::P('-'));
            r.extend(words(&["old"]));
            return Some((r, k2));
        }
    }

    // Compound durations: "a two day history" → "a 2-day history".
    for unit in ["day", "week", "month", "year", "hour", "minute"] {
        if n.frac.is_empty()
            && let Some(k) = is_word(toks, n.end, unit)
            && word_at(toks, k).is_some_and(|w| listed("history course supply", &w.to_lowercase()))
        {
            return Some((
                vec![
                    Tok::Word(n.written(false)),
                    Tok::P('-'),
                    Tok::Word(unit.into()),
                ],
                k,
            ));
        }
    }

    // Blood pressure: "one thirty two over eighty four" → "132/84".
    let bp = ctx.as_deref().is_some_and(|c| c == "pressure" || c == "bp");
    if bp
        && let Some(x) = parse_num(toks, i, true)
        && let Some(k) = is_word(toks, x.end, "over")
        && let Some(y) = parse_num(toks, k, true)
        && x.frac.is_empty()
        && y.frac.is_empty()
    {
        let mut r = vec![Tok::Word(format!(
            "{}/{}",
            x.written(false),
            y.written(false)
        ))];
        let mut end = y.end;
        if let Some(("mmHg", _, k2)) = unit_at(toks, end) {
            r.extend(words(&["mmHg"]));
            end = k2;
        }
        return Some((r, end));
    }

    // Ranges: "five to ten milligrams" → "5 to 10 mg".
    let range = ["to", "or"]
        .iter()
        .find_map(|w| is_word(toks, n.end, w).map(|k| (*w, k)))
        .map(|(w, k)| (Tok::Word(w.to_string()), k))
        .or_else(|| (toks.get(n.end) == Some(&Tok::P('-'))).then_some((Tok::P('-'), n.end + 1)))
        .and_then(|(sep, k)| parse_num(toks, k, false).map(|m| (sep, m)));
    let (second, unit_from) = match &range {
        Some((sep, m)) if unit_at(toks, m.end).is_some() => (Some((sep.clone(), m.clone())), m.end),
        _ => (None, n.end),
    };
    if let Some((written, kind, k)) = unit_at(toks, unit_from) {
        let dose = kind == Kind::Dose;
        if kind == Kind::Time && second.is_none() && n.is_one() {
            return None;
        }
        let mut r = vec![Tok::Word(n.written(dose))];
        let mut last = n.written(dose);
        if let Some((sep, m)) = &second {
            r.push(sep.clone());
            last = m.written(dose);
            r.push(Tok::Word(last.clone()));
        }
        match kind {
            Kind::Attached => {
                r.pop();
                r.push(Tok::Word(format!("{last}{written}")));
            }
            Kind::Time | Kind::Keep => r.extend(toks[unit_from..k].iter().cloned()),
            Kind::Dose | Kind::Measure => r.push(Tok::Word(written.to_string())),
        }
        return Some((r, k));
    }

    // A bare value after a clinical word: "pulse seventy two", "GCS fifteen out of fifteen".
    if in_context
        && let Some(x) = Some(n)
        && x.spoken
        && is_word(toks, x.end, "of").is_none()
    {
        if let Some(k) = is_word(toks, x.end, "out")
            && let Some(k2) = is_word(toks, k, "of")
            && let Some(y) = parse_num(toks, k2, false)
        {
            return Some((
                vec![Tok::Word(format!(
                    "{}/{}",
                    x.written(false),
                    y.written(false)
                ))],
                y.end,
            ));
        }
        return Some((vec![Tok::Word(x.written(false))], x.end));
    }
    None
}

/// Split "500mg" into "500 mg" so the unit rules apply.
fn split_glued_unit(t: &Tok) -> Option<[Tok; 2]> {
    let Tok::Word(w) = t else { return None };
    let cut = w.find(|c: char| c.is_ascii_alphabetic())?;
    let (num, unit) = w.split_at(cut);
    let known = ["mg", "mcg", "g", "kg", "ml", "mL", "mmol"];
    (digits(num).is_some() && known.contains(&unit))
        .then(|| [Tok::Word(num.to_string()), Tok::Word(unit.to_string())])
}

/// Rewrite numbers into their clinical written forms.
pub(crate) fn apply(toks: Vec<Tok>) -> Vec<Tok> {
    let toks: Vec<Tok> = toks
        .into_iter()
        .flat_map(|t| match split_glued_unit(&t) {
            Some(pair) => pair.to_vec(),
            None => vec![t],
        })
        .collect();
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        if let Some((repl, j)) = rewrite_at(&toks, i, &out)
            && j > i
        {
            out.extend(repl);
            i = j;
            continue;
        }
        if let Some(t) = toks.get(i) {
            out.push(t.clone());
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tokens::{render, tokenize};
    use super::*;

    fn num(s: &str) -> String {
        render(&apply(tokenize(s)))
    }

    #[test]
    fn clinical_number_forms() {
        let cases = [
            // doses
            ("five hundred milligrams twice a day", "500 mg twice a day"),
            (
                "metformin 1000 milligrams twice a day",
                "metformin 1000 mg twice a day",
            ),
            ("two point five milligrams", "2.5 mg"),
            ("point five milligrams", "0.5 mg"),
            ("0.5 milligrams", "0.5 mg"),
            (".5 mg", "0.5 mg"),
            ("5.0 mg", "5 mg"),
            ("five point zero milligrams", "5 mg"),
            ("2.50 mg", "2.5 mg"),
            ("five hundred and twenty five milligrams", "525 mg"),
            ("one thousand milligrams", "1000 mg"),
            ("fifteen hundred milligrams", "1500 mg"),
            ("one gram", "1 g"),
            ("seventy five micrograms", "75 micrograms"),
            ("one microgram", "1 microgram"),
            ("100 mcg", "100 mcg"),
            ("ten millilitres", "10 mL"),
            ("ten milliliters", "10 mL"),
            ("5 ml", "5 mL"),
            ("500mg", "500 mg"),
            ("ten units of insulin", "10 units of insulin"),
            ("one unit", "1 unit"),
            ("twenty millimoles", "20 mmol"),
            ("one milligram per kilogram", "1 mg/kg"),
            ("five to ten milligrams", "5 to 10 mg"),
            ("one or two milligrams", "1 or 2 mg"),
            ("5-10 mg", "5-10 mg"),
            ("twenty-five milligrams", "25 mg"),
            // vitals and labs
            (
                "blood pressure one thirty two over eighty four",
                "blood pressure 132/84",
            ),
            ("BP was one twenty over eighty", "BP was 120/80"),
            (
                "blood pressure 140 over 90 millimetres of mercury",
                "blood pressure 140/90 mmHg",
            ),
            ("pulse seventy two", "pulse 72"),
            ("heart rate of one oh five", "heart rate of 105"),
            ("temperature thirty seven point two", "temperature 37.2"),
            ("thirty seven point five degrees", "37.5 degrees"),
            ("thirty eight degrees celsius", "38°C"),
            (
                "saturations ninety eight percent on air",
                "saturations 98% on air",
            ),
            ("98 per cent", "98%"),
            ("respiratory rate sixteen", "respiratory rate 16"),
            ("sodium one thirty five", "sodium 135"),
            ("potassium four point two", "potassium 4.2"),
            (
                "haemoglobin one twenty grams per litre",
                "haemoglobin 120 g/L",
            ),
            ("GCS fifteen out of fifteen", "GCS 15/15"),
            ("weight eighty two kilograms", "weight 82 kg"),
            ("flexion to ninety degrees", "flexion to 90 degrees"),
            ("pulse eighty beats per minute", "pulse 80 beats per minute"),
            // ages and durations
            ("a fifty four year old man", "a 54-year-old man"),
            ("a fifty-four-year-old man", "a 54-year-old man"),
            ("a 54 year old man", "a 54-year-old man"),
            ("a two month old", "a 2-month-old"),
            ("fifty four years old", "54 years old"),
            ("aged sixty", "aged 60"),
            ("for two weeks", "for 2 weeks"),
            ("three days ago", "3 days ago"),
            ("over twenty four hours", "over 24 hours"),
            ("a two day history", "a 2-day history"),
            ("a two-week history", "a 2-week history"),
            ("a seven day course", "a 7-day course"),
            ("one to two weeks", "1 to 2 weeks"),
            ("pH seven point four zero", "pH 7.40"),
        ];
        for (spoken, want) in cases {
            assert_eq!(num(spoken), want, "{spoken}");
        }
    }

    #[test]
    fn prose_numbers_left_alone() {
        let cases = [
            "one of the tablets",
            "no one was with her",
            "at one point she fell",
            "one day she fell",
            "for one week",
            "two or three times a day",
            "twice a day",
            "one twenty milligram tablet",
            "pulse one of the",
            "one over the other",
            "COVID-19 vaccine",
            "milligrams",
            "point of care",
        ];
        for s in cases {
            let want = if s == "one twenty milligram tablet" {
                "one 20 mg tablet"
            } else {
                s
            };
            assert_eq!(num(s), want, "{s}");
        }
    }
}
