//! inconsistency, ages: the patient's age stated twice with different values ("a 57-year-old
//! man ... this 75-year-old man", "9-month-old girl ... a healthy 9-year-old"), and an age at
//! a past event above the current age ("a 72-year-old ... diagnosed at the age of 80").
//!
//! Ages of other people ("her 45-year-old husband", "His daughter, Mrs Ellis, aged 59") and
//! plans ("screening until the age of 75") are left alone. Never edits text.

use std::sync::OnceLock;

use regex::{Captures, Regex};

use super::inconsistency::{THIRD_PARTY, names_other, query};
use super::text::{Doc, Hit};
use super::{FindingKind, Severity};

pub(super) fn age_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(\d{1,3})[- ](?:years?|yrs?)[- ]old\b|\baged (\d{1,3})\b|\b(\d{1,3}) ?y/?o\b|\b(\d{1,3}) years of age\b|\bage of (\d{1,3})\b|(?-i:\b(?:Mrs|Ms|Miss|Mr|Master)\.? [A-Z][a-z]+(?:[- ][A-Z][a-z]+)?, (\d{1,3}),)|\b(\d{1,3})[- ](months?|weeks?)[- ]old\b|\b(\d{1,3}) (months?|weeks?) of age\b",
        )
        .expect("constant regex is valid")
    })
}

/// An age as stated: the days it may cover (a 9-year-old is 9 to 10 years old) and how it
/// was said ("57", "9 months").
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Age {
    pub from_days: u32,
    pub to_days: u32,
    pub shown: String,
}

impl Age {
    fn new(n: u32, unit: &str) -> Age {
        let (per, label) = if unit.starts_with("week") {
            (7.0, " weeks")
        } else if unit.starts_with("month") {
            (30.44, " months")
        } else {
            (365.25, "")
        };
        let days = |k: u32| (f64::from(k) * per) as u32;
        Age {
            from_days: days(n),
            to_days: days(n + 1),
            shown: format!("{n}{label}"),
        }
    }

    /// Whole years, for a check against a date of birth; `None` for months and weeks.
    pub fn years(&self) -> Option<i32> {
        self.shown.parse().ok()
    }

    fn overlaps(&self, other: &Age) -> bool {
        self.from_days < other.to_days && other.from_days < self.to_days
    }
}

/// The age an `age_re` match states. "aged 18 months" is 18 months, not 18 years.
pub(super) fn stated_age(c: &Captures, text: &str) -> Option<Age> {
    let whole = c.get(0)?;
    if let Some((n, unit)) = [(7, 8), (9, 10)]
        .iter()
        .find_map(|&(n, u)| Some((c.get(n)?, c.get(u)?)))
    {
        return Some(Age::new(n.as_str().parse().ok()?, unit.as_str()));
    }
    let n: u32 = (1..=6).find_map(|i| c.get(i))?.as_str().parse().ok()?;
    let after = text.get(whole.end()..).unwrap_or("");
    let next: String = after.chars().take(7).collect::<String>().to_lowercase();
    let unit = [" month", " week"]
        .into_iter()
        .find(|u| next.starts_with(u))
        .map_or("year", str::trim);
    Some(Age::new(n, unit))
}

/// Words that make an age a plan or a rule rather than a past event.
const FUTURE: [&str; 8] = [
    "will",
    "would",
    "until",
    "should",
    "eligible",
    "screening",
    "offered",
    "invited",
];

/// Verbs that put "at 46 years of age he remains active" in the present: the age is now.
const PRESENT: [&str; 12] = [
    "is",
    "are",
    "remains",
    "continues",
    "lives",
    "works",
    "enjoys",
    "walks",
    "plays",
    "feels",
    "manages",
    "attends",
];

/// Verbs that make "at N" a past event ("at 62 he had a stroke").
const PAST: [&str; 20] = [
    "was",
    "were",
    "had",
    "did",
    "underwent",
    "developed",
    "presented",
    "began",
    "started",
    "diagnosed",
    "noticed",
    "became",
    "sustained",
    "suffered",
    "required",
    "received",
    "fractured",
    "lost",
    "moved",
    "retired",
];

/// How an age is used where it stands.
enum Use {
    /// The patient's age now ("a 57-year-old man").
    Now,
    /// The patient's age at a past event ("diagnosed at the age of 60").
    Event,
    /// Someone else's age, or a plan ("her 45-year-old husband", "screening until 75").
    Other,
}

/// Every age stated in the text, with its byte span and how it is used.
fn stated(doc: &Doc) -> Vec<(Age, usize, usize, Use)> {
    let mut out = Vec::new();
    for c in age_re().captures_iter(doc.text) {
        let (Some(whole), Some(age)) = (c.get(0), stated_age(&c, doc.text)) else {
            continue;
        };
        let (s, e) = doc.sentence_at(whole.start());
        let before = doc.slice(s, whole.start()).to_lowercase();
        let after = doc.slice(whole.end(), e).to_lowercase();
        let prev_word = before.split_whitespace().last().unwrap_or("");
        let next_words: Vec<&str> = after.split_whitespace().take(2).collect();
        let about_other = matches!(prev_word, "his" | "her" | "their" | "whose")
            || names_other(&before)
            || next_words
                .iter()
                .any(|w| THIRD_PARTY.contains(&w.trim_matches(|c: char| !c.is_alphanumeric())));
        let sentence = doc.slice(s, e).to_lowercase();
        let has = |list: &[&str]| {
            sentence
                .split(|c: char| !c.is_alphanumeric())
                .any(|x| list.contains(&x))
        };
        let now = prev_word == "at" && has(&PRESENT) && !has(&PAST) && !has(&FUTURE);
        let event = !now
            && (whole.as_str().to_lowercase().starts_with("age of")
                || matches!(
                    prev_word,
                    "since" | "until" | "at" | "from" | "when" | "by" | "before" | "after" | "the"
                ));
        // Plans and rules ("screening until the age of 75") are not past events.
        let use_ = if about_other {
            Use::Other
        } else if event {
            if !has(&FUTURE) && matches!(prev_word, "at" | "when" | "the") {
                Use::Event
            } else {
                Use::Other
            }
        } else {
            Use::Now
        };
        out.push((age, whole.start(), whole.end(), use_));
    }
    out
}

/// The patient's present age wherever the text states it, in whole years, with its byte span.
pub(super) fn present_years(doc: &Doc) -> Vec<(i32, usize, usize)> {
    stated(doc)
        .into_iter()
        .filter(|a| matches!(a.3, Use::Now))
        .filter_map(|(age, s, e, _)| Some((age.years()?, s, e)))
        .collect()
}

pub fn check(doc: &Doc, hits: &mut Vec<Hit>) {
    let mut first: Option<Age> = None;
    let mut events: Vec<(Age, usize, usize)> = Vec::new();
    for (age, start, end, use_) in stated(doc) {
        match use_ {
            Use::Other => continue,
            Use::Event => {
                events.push((age, start, end));
                continue;
            }
            Use::Now => {}
        }
        match &first {
            None => first = Some(age),
            Some(a) if !a.overlaps(&age) => hits.push(Hit {
                kind: FindingKind::Inconsistency,
                severity: Severity::Medium,
                start,
                end,
                message: format!(
                    "The patient's age is given as {} here but {} earlier — check",
                    age.shown, a.shown
                ),
                suggestions: vec![a.shown.clone()],
            }),
            Some(_) => {}
        }
    }
    if let Some(now) = first {
        for (age, start, end) in events.into_iter().filter(|e| e.0.from_days >= now.to_days) {
            query(
                hits,
                start,
                end,
                format!(
                    "An age of {} in the past does not fit a patient who is {} — check",
                    age.shown, now.shown
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_age(text: &str) -> Option<Age> {
        age_re()
            .captures_iter(text)
            .next()
            .and_then(|c| stated_age(&c, text))
    }

    #[test]
    fn ages_in_months_and_weeks_are_not_years() {
        for (text, shown) in [
            ("a 9-month-old girl", "9 months"),
            ("aged 18 months, she", "18 months"),
            ("a 6-week-old boy", "6 weeks"),
            ("Mr Lee, 64, has", "64"),
        ] {
            assert_eq!(
                first_age(text).map(|a| a.shown),
                Some(shown.into()),
                "{text}"
            );
        }
        let eighteen_months = first_age("aged 18 months").expect("an age");
        assert!(eighteen_months.overlaps(&first_age("aged 1 today").expect("an age")));
        assert!(!eighteen_months.overlaps(&first_age("a 2-year-old").expect("an age")));
        assert_eq!(eighteen_months.years(), None);
    }
}
