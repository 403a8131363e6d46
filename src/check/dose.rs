//! dose_range: a drug followed by a dose outside the usual adult range (per dose or per day),
//! with a teen/ty ("15"/"50") or mg/mcg swap suggested when that would be in range.
//!
//! Queries only; never changes a dose. Uses `vocab/doses.tsv`.

use std::sync::OnceLock;

use regex::Regex;

use super::text::{Doc, Hit, capitalise};
use super::{FindingKind, Severity};
use crate::vocab::{DoseRange, DoseUnit, Vocab};

pub(super) fn dose_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(milligrams?|milligrammes?|mgs?|micrograms?|mcg|µg|μg|ug|grams?|grammes?|gm|g|units?|iu|u|ml|mls|millilit(?:re|er)s?)\b",
        )
        .expect("constant regex is valid")
    })
}

fn freq_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(?:(once (?:daily|a day)|daily|od|qd|q\.d\.|mane|nocte|at night|at bedtime|in the morning|every (?:morning|night|day))|(twice (?:daily|a day)|bd|bid|b\.i\.d\.|q12h|12[- ]hourly|every 12 hours)|(three times (?:daily|a day)|tds|tid|t\.i\.d\.|q8h|8[- ]hourly|every 8 hours)|(four times (?:daily|a day)|qds|qid|q\.i\.d\.|q6h|6[- ]hourly|every 6 hours)|(?:every (\d+) hours|q(\d+)h|(\d+)[- ]hourly)|(weekly|once a week|every week))\b",
        )
        .expect("constant regex is valid")
    })
}

/// Doses per day named in `s` (None: not stated, or weekly).
fn per_day(s: &str) -> Option<f64> {
    let c = freq_re().captures(s)?;
    let n = |i: usize| c.get(i).is_some();
    if n(1) {
        Some(1.0)
    } else if n(2) {
        Some(2.0)
    } else if n(3) {
        Some(3.0)
    } else if n(4) {
        Some(4.0)
    } else if n(8) {
        None
    } else {
        let h: f64 = [5, 6, 7]
            .iter()
            .find_map(|&i| c.get(i))
            .and_then(|m| m.as_str().parse().ok())?;
        (1.0..=24.0).contains(&h).then(|| (24.0 / h).floor())
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Unit {
    G,
    Mg,
    Mcg,
    Units,
    Ml,
}

fn unit_of(s: &str) -> Unit {
    let s = s.to_lowercase();
    if s.starts_with("ml") || s.starts_with("millil") {
        Unit::Ml
    } else if s.starts_with("mic") || s == "mcg" || s == "µg" || s == "μg" || s == "ug" {
        Unit::Mcg
    } else if s.starts_with('m') {
        Unit::Mg
    } else if s.starts_with('g') {
        Unit::G
    } else {
        Unit::Units
    }
}

/// Amount expressed in the row's unit, if comparable.
fn convert(amount: f64, unit: Unit, to: DoseUnit) -> Option<f64> {
    let mg = match unit {
        Unit::G => amount * 1000.0,
        Unit::Mg => amount,
        Unit::Mcg => amount / 1000.0,
        Unit::Units => return (to == DoseUnit::Units).then_some(amount),
        Unit::Ml => return (to == DoseUnit::Ml).then_some(amount),
    };
    match to {
        DoseUnit::Mg => Some(mg),
        DoseUnit::Mcg => Some(mg * 1000.0),
        DoseUnit::Units | DoseUnit::Ml => None,
    }
}

fn in_range(r: &DoseRange, dose: f64, per_day: Option<f64>) -> bool {
    let eps = 1e-9;
    dose + eps >= r.min_single
        && dose <= r.max_single + eps
        && per_day.is_none_or(|n| dose * n <= r.max_daily + eps)
}

fn fmt(x: f64) -> String {
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// 15↔50, 13↔30 … 19↔90 (also with trailing zeros: 150↔500).
fn teen_ty(n: f64) -> Option<f64> {
    if n.fract() != 0.0 || n <= 0.0 {
        return None;
    }
    let mut k = n as u64;
    let mut scale = 1;
    while k >= 100 && k.is_multiple_of(10) {
        k /= 10;
        scale *= 10;
    }
    let swapped = match k {
        13..=19 => (k - 10) * 10,
        30 | 40 | 50 | 60 | 70 | 80 | 90 => k / 10 + 10,
        _ => return None,
    };
    Some((swapped * scale) as f64)
}

pub fn check(doc: &Doc, vocab: &Vocab, hits: &mut Vec<Hit>) {
    let ix = &vocab.index;
    for c in dose_re().captures_iter(doc.text) {
        let (Some(num), Some(unit_m)) = (c.get(1), c.get(2)) else {
            continue;
        };
        let Ok(amount) = num.as_str().replace(',', "").parse::<f64>() else {
            continue;
        };
        let unit = unit_of(unit_m.as_str());
        let (sent_start, sent_end) = doc.sentence_at(num.start());
        // A concentration ("0.42 mg/L", "96 mg/mmol", "a level of 12 mg per litre") is a
        // result, not a dose.
        let after = doc
            .slice(unit_m.end(), sent_end.max(unit_m.end()))
            .to_lowercase();
        let lead = doc.slice(sent_start, num.start()).to_lowercase();
        let lead_words: Vec<&str> = lead.split_whitespace().rev().take(4).collect();
        if after.starts_with('/')
            || after.trim_start().starts_with("per l")
            || after.trim_start().starts_with("per d")
            // Weight-based doses ("15 mg per kg") are for the prescriber's sums, not a range.
            || after.trim_start().starts_with("per k")
            || lead_words
                .iter()
                .any(|w| matches!(*w, "level" | "levels" | "concentration" | "concentrations"))
        {
            continue;
        }
        // The drug: one of the 4 words before the number, in the same sentence, not beyond a
        // comma ("clozapine, start glycopyrrolate 1 mg") or a word we do not know, which is
        // probably another drug.
        let before = doc.toks.partition_point(|t| t.end <= num.start());
        let mut drug = None;
        for k in (before.saturating_sub(4)..before).rev() {
            let t = &doc.toks[k];
            let next_start = doc.toks.get(k + 1).map_or(num.start(), |n| n.start);
            let parted = k + 1 < before && doc.slice(t.end, next_start).contains([',', ';', ':']);
            if t.start < sent_start || parted || t.text.chars().any(|c| c.is_ascii_digit()) {
                break;
            }
            let key = t.text.to_lowercase();
            if let Some(rows) = ix.drugs.get(&key) {
                drug = Some((t, rows));
                break;
            }
            if key.len() >= 6 && !ix.is_known(&key) {
                break;
            }
        }
        let Some((drug_tok, rows)) = drug else {
            continue;
        };
        // Frequency: after the unit, up to the next number or the end of the sentence.
        let tail_end = doc.text[unit_m.end()..sent_end.max(unit_m.end())]
            .find(|c: char| c.is_ascii_digit() || c == ';')
            .map_or(sent_end, |i| unit_m.end() + i);
        let n_per_day = per_day(doc.slice(unit_m.end(), tail_end.max(unit_m.end())));
        let ranges: Vec<(&DoseRange, f64)> = rows
            .iter()
            .filter_map(|&i| vocab.doses.get(i))
            .filter_map(|r| convert(amount, unit, r.unit).map(|d| (r, d)))
            .collect();
        let Some(&(r, dose)) = ranges.first() else {
            continue;
        };
        if ranges.iter().any(|&(r, d)| in_range(r, d, n_per_day)) {
            continue;
        }
        let name = capitalise(drug_tok.text);
        let shown = format!("{} {}", num.as_str(), unit_m.as_str());
        let u = r.unit.as_str();
        let message = if dose < r.min_single {
            format!(
                "{name} {shown} is below the usual minimum dose of {} {u} — check dose",
                fmt(r.min_single)
            )
        } else if dose > r.max_daily {
            format!(
                "{name} {shown} exceeds the usual maximum of {} {u}/day — check dose",
                fmt(r.max_daily)
            )
        } else if dose > r.max_single {
            format!(
                "{name} {shown} exceeds the usual maximum single dose of {} {u} — check dose",
                fmt(r.max_single)
            )
        } else {
            let daily = dose * n_per_day.unwrap_or(1.0);
            format!(
                "{name} {shown} is {} {u}/day, above the usual maximum of {} {u}/day — check dose",
                fmt(daily),
                fmt(r.max_daily)
            )
        };
        let mut suggestions = Vec::new();
        if let Some(alt) = teen_ty(amount)
            && ranges.iter().any(|&(r, _)| {
                convert(alt, unit, r.unit).is_some_and(|d| in_range(r, d, n_per_day))
            })
        {
            suggestions.push(format!("{} {}", fmt(alt), unit_m.as_str()));
        }
        for (alt_unit, label) in [(Unit::Mcg, "mcg"), (Unit::Mg, "mg")] {
            if alt_unit != unit
                && !matches!(unit, Unit::Units | Unit::Ml)
                && ranges.iter().any(|&(r, _)| {
                    convert(amount, alt_unit, r.unit).is_some_and(|d| in_range(r, d, n_per_day))
                })
            {
                suggestions.push(format!("{} {label}", num.as_str()));
            }
        }
        hits.push(Hit {
            kind: FindingKind::DoseRange,
            severity: Severity::High,
            start: drug_tok.start,
            end: unit_m.end(),
            message,
            suggestions,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequency_words() {
        assert_eq!(per_day(" three times daily"), Some(3.0));
        assert_eq!(per_day(" BD"), Some(2.0));
        assert_eq!(per_day(" every 6 hours"), Some(4.0));
        assert_eq!(per_day(" weekly"), None);
        assert_eq!(per_day(" with food"), None);
    }

    #[test]
    fn teen_ty_swaps() {
        assert_eq!(teen_ty(15.0), Some(50.0));
        assert_eq!(teen_ty(50.0), Some(15.0));
        assert_eq!(teen_ty(300.0), Some(130.0));
        assert_eq!(teen_ty(12.0), None);
        assert_eq!(teen_ty(2.5), None);
    }
}
