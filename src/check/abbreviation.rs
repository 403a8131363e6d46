//! abbreviation: Joint Commission "Do Not Use" and ISMP error-prone abbreviations and dose
//! designations ("5000 U", "QD", "MgSO4", "5.0 mg", ".5 mg", "cc", "D/C" …) from `abbreviations.tsv`.
//!
//! Context rules keep ordinary words quiet ("U" only after a number, "MS" only next to a dose,
//! never inside a longer word). Never rewrites the text.

use std::sync::OnceLock;

use regex::Regex;

use super::text::{Doc, Hit};
use super::{FindingKind, Severity};
use crate::vocab::{AbbrevRule, Abbreviation, Vocab};

fn abbr_tok_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"[\p{L}\p{N}µμ]+(?:[./][\p{L}\p{N}µμ]+)*\.?").expect("constant regex is valid")
    })
}

fn zero_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)(?:^|[^\d.\w])((\d+\.0+)|(\.\d+))\s*(?:mg|mcg|micrograms?|milligrams?|g|grams?|ml|units?)\b",
        )
        .expect("constant regex is valid")
    })
}

const DOSE_WORDS: [&str; 16] = [
    "mg", "mcg", "g", "ml", "units", "unit", "drops", "drop", "gtt", "tablets", "tablet", "tabs",
    "puffs", "sulfate", "sulphate", "iu",
];

/// Words about the eye ("vision OS") and the ear ("AD ear drops"): OS/OU name eyes, AD/AS/AU
/// ears, so each is only read beside words about its own organ ("AD" is also Alzheimer's).
const EYE_WORDS: [&str; 15] = [
    "eye",
    "eyes",
    "vision",
    "visual",
    "acuity",
    "iop",
    "cataract",
    "lens",
    "pupil",
    "retina",
    "retinal",
    "cornea",
    "corneal",
    "glaucoma",
    "ophthalmic",
];
const EAR_WORDS: [&str; 8] = [
    "ear", "ears", "hearing", "otitis", "tympanic", "otic", "grommet", "wax",
];

/// Whether a word about the organ an eye (O…) or ear (A…) abbreviation names is within 3
/// tokens of token `k`.
fn near_site(toks: &[(usize, usize, &str)], k: usize) -> bool {
    let words: &[&str] = if toks[k].2.starts_with(['O', 'o']) {
        &EYE_WORDS
    } else {
        &EAR_WORDS
    };
    toks[k.saturating_sub(3)..(k + 4).min(toks.len())]
        .iter()
        .any(|t| words.contains(&t.2.trim_end_matches('.').to_lowercase().as_str()))
}

fn is_numberish(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_digit())
}

fn is_caps_word(s: &str) -> bool {
    s.chars().filter(|c| c.is_alphabetic()).count() > 1 && !s.chars().any(char::is_lowercase)
}

fn push(hits: &mut Vec<Hit>, a: &Abbreviation, start: usize, end: usize, shown: &str) {
    let list = match a.source.as_str() {
        "JC" => "Joint Commission Do Not Use list",
        "ISMP" => "ISMP error-prone abbreviation",
        other => other,
    };
    let mut message = format!("\"{shown}\": {} ({list})", a.problem);
    if !a.use_instead.is_empty() {
        message.push_str(&format!(" — write \"{}\"", a.use_instead));
    }
    hits.push(Hit {
        kind: FindingKind::Abbreviation,
        severity: Severity::Medium,
        start,
        end,
        message,
        suggestions: if a.use_instead.is_empty() {
            vec![]
        } else {
            vec![a.use_instead.clone()]
        },
    });
}

pub fn check(doc: &Doc, vocab: &Vocab, hits: &mut Vec<Hit>) {
    let ix = &vocab.index;
    let text = doc.text;
    let toks: Vec<(usize, usize, &str)> = abbr_tok_re()
        .find_iter(text)
        .map(|m| (m.start(), m.end(), m.as_str()))
        .collect();
    let lookup = |s: &str| -> Option<&Abbreviation> {
        ix.abbr_exact
            .get(s)
            .or_else(|| ix.abbr_ci.get(&s.to_lowercase()))
            .and_then(|&i| vocab.abbreviations.get(i))
    };
    let longest = vocab
        .abbreviations
        .iter()
        .map(|a| a.abbr.len())
        .max()
        .unwrap_or(0);
    let firsts: Vec<String> = vocab
        .abbreviations
        .iter()
        .filter_map(|a| a.abbr.split_once(' ').map(|(f, _)| f.to_lowercase()))
        .collect();
    for (k, &(start, end, raw)) in toks.iter().enumerate() {
        if raw.len() > longest + 8 {
            continue;
        }
        // Two-word abbreviations ("sub q", "per os").
        if firsts.iter().any(|f| f.eq_ignore_ascii_case(raw))
            && let Some(&(_, end2, raw2)) = toks.get(k + 1)
            && text.get(end..end2).is_some_and(|s| s.starts_with(' '))
        {
            let two = format!("{raw} {}", raw2.trim_end_matches('.'));
            if let Some(a) = lookup(&two) {
                let e = end2 - (raw2.len() - raw2.trim_end_matches('.').len());
                push(hits, a, start, e, &two);
                continue;
            }
        }
        // "5000U": number glued to the abbreviation.
        let digits = raw.len() - raw.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let (word, wstart) = if digits > 0 && digits < raw.len() {
            (&raw[digits..], start + digits)
        } else {
            (raw, start)
        };
        let mut hit = lookup(word).map(|a| (a, word));
        if hit.is_none() && word.len() > 1 && word.ends_with('.') {
            let w = &word[..word.len() - 1];
            hit = lookup(w).map(|a| (a, w));
        }
        // "25 µg/hour", "10 U/kg": the unit before a rate.
        if hit.is_none()
            && let Some((w, _)) = word.split_once('/')
        {
            hit = lookup(w).map(|a| (a, w));
        }
        let Some((a, shown)) = hit else {
            continue;
        };
        let prev = k.checked_sub(1).and_then(|i| toks.get(i)).map(|t| t.2);
        let next = toks.get(k + 1).map(|t| t.2);
        let after_number = digits > 0
            || prev.is_some_and(|p| {
                is_numberish(p)
                    && text
                        .get(..start)
                        .is_some_and(|b| b.trim_end().ends_with(|c: char| c.is_ascii_digit()))
            });
        let ok = match a.rule {
            AbbrevRule::Word | AbbrevRule::WordCi => true,
            AbbrevRule::AfterNumber => after_number,
            AbbrevRule::SiteContext if near_site(&toks, k) => true,
            AbbrevRule::DoseContext | AbbrevRule::SiteContext => {
                let heading = prev.is_some_and(is_caps_word) && next.is_none_or(is_caps_word);
                let near = |t: Option<&str>| {
                    t.is_some_and(|t| {
                        let l = t.trim_end_matches('.').to_lowercase();
                        is_numberish(t)
                            || DOSE_WORDS.contains(&l.as_str())
                            || ix.drugs.contains_key(&l)
                    })
                };
                !heading && (after_number || near(prev) || near(next))
            }
            AbbrevRule::TrailingZero | AbbrevRule::LeadingZero => false,
        };
        if ok {
            push(hits, a, wstart, wstart + shown.len(), shown);
        }
    }
    for c in zero_re().captures_iter(text) {
        let (Some(m), Some(whole)) = (c.get(1), c.get(0)) else {
            continue;
        };
        let rule = if c.get(2).is_some() {
            ix.abbr_trailing_zero
        } else {
            ix.abbr_leading_zero
        };
        if let Some(a) = rule.and_then(|i| vocab.abbreviations.get(i)) {
            let shown = &text[m.start()..whole.end()];
            push(hits, a, m.start(), whole.end(), shown);
        }
    }
}
