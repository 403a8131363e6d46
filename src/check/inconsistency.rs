//! inconsistency: facts about the patient that contradict each other — the stated sex
//! ("woman", "Mrs", "male") against he/she pronouns, and ages that disagree ("30-year-old" …
//! later "45-year-old").
//!
//! Third parties stay quiet: a pronoun in a sentence (or after one) that names a husband, wife,
//! mother, doctor … is not the patient's; neither is "her 45-year-old husband". Never edits text.

use std::sync::OnceLock;

use regex::Regex;

use super::text::{Doc, Hit};
use super::{FindingKind, Severity};

fn sex_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)(?:\b(?:\d+[- ](?:year|yr|month|week)s?[- ]old|y/?o|aged \d+|is an?|was an?|this|pleasant|elderly|young)\s+(?:[a-z]+\s+){0,3}?(woman|lady|female|girl|man|gentleman|male|boy)\b)|(?-i:\b(Mrs|Ms|Miss|Mr)\.?\s+[A-Z])|(?-i:\b\d+\s*(?:y/?o\s+)?(?:RH|LH)(F|M)\b)",
        )
        .expect("constant regex is valid")
    })
}

fn age_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(\d{1,3})[- ](?:years?|yrs?)[- ]old\b|\baged (\d{1,3})\b|\b(\d{1,3}) ?y/?o\b",
        )
        .expect("constant regex is valid")
    })
}

const THIRD_PARTY: [&str; 44] = [
    "husband",
    "wife",
    "son",
    "daughter",
    "father",
    "mother",
    "mom",
    "mum",
    "dad",
    "brother",
    "sister",
    "boyfriend",
    "girlfriend",
    "partner",
    "grandfather",
    "grandmother",
    "grandson",
    "granddaughter",
    "uncle",
    "aunt",
    "nephew",
    "niece",
    "friend",
    "dr",
    "doctor",
    "gp",
    "surgeon",
    "consultant",
    "physician",
    "colleague",
    "nurse",
    "baby",
    "child",
    "infant",
    "carer",
    "caregiver",
    "spouse",
    "sibling",
    "twin",
    "fiance",
    "fiancee",
    "neighbour",
    "neighbor",
    "cousin",
];

fn female(word: &str) -> Option<bool> {
    match word.to_lowercase().as_str() {
        "woman" | "lady" | "female" | "girl" | "mrs" | "ms" | "miss" | "f" => Some(true),
        "man" | "gentleman" | "male" | "boy" | "mr" | "m" => Some(false),
        _ => None,
    }
}

fn pronoun(word: &str) -> Option<bool> {
    match word {
        "she" | "She" | "her" | "Her" | "hers" | "herself" | "Herself" => Some(true),
        "he" | "He" | "him" | "Him" | "his" | "His" | "himself" | "Himself" => Some(false),
        _ => None,
    }
}

pub fn check(doc: &Doc, hits: &mut Vec<Hit>) {
    // Sentences mentioning someone other than the patient.
    let mut third = vec![false; doc.sentences.len()];
    for t in &doc.toks {
        if THIRD_PARTY.iter().any(|w| w.eq_ignore_ascii_case(t.text))
            && let Some(s) = third.get_mut(t.sent)
        {
            *s = true;
        }
    }
    let near_third = |sent: usize| {
        third.get(sent).copied().unwrap_or(false)
            || sent
                .checked_sub(1)
                .is_some_and(|p| third.get(p).copied().unwrap_or(false))
    };
    let stated = sex_re().captures_iter(doc.text).find_map(|c| {
        let m = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3))?;
        let whole = c.get(0)?;
        // "her husband, a 40-year-old man": not the patient.
        let (s, _) = doc.sentence_at(whole.start());
        let before = doc.slice(s, whole.start()).to_lowercase();
        let possessed = before
            .split_whitespace()
            .last()
            .is_some_and(|w| matches!(w, "his" | "her" | "their"));
        if possessed {
            return None;
        }
        female(m.as_str()).map(|f| (f, m.as_str().to_string()))
    });
    let pronouns: Vec<(&super::text::Tok, bool)> = doc
        .toks
        .iter()
        .filter_map(|t| pronoun(t.text).map(|f| (t, f)))
        .collect();
    let (patient_female, basis) = match stated {
        Some((f, word)) => (f, format!("the patient is described as \"{word}\"")),
        None => {
            let fem = pronouns.iter().filter(|p| p.1).count();
            let masc = pronouns.len() - fem;
            if fem >= 3 && masc == 1 {
                (true, "the patient is otherwise \"she\"".to_string())
            } else if masc >= 3 && fem == 1 {
                (false, "the patient is otherwise \"he\"".to_string())
            } else {
                (false, String::new())
            }
        }
    };
    if !basis.is_empty() {
        for (t, f) in &pronouns {
            if *f != patient_female && !near_third(t.sent) {
                hits.push(Hit {
                    kind: FindingKind::Inconsistency,
                    severity: Severity::Medium,
                    start: t.start,
                    end: t.end,
                    message: format!(
                        "\"{}\" does not match the patient's sex: {basis} — check",
                        t.text
                    ),
                    suggestions: vec![],
                });
            }
        }
    }
    // Ages: the first patient age against later ones.
    let mut first: Option<u32> = None;
    for c in age_re().captures_iter(doc.text) {
        let (Some(whole), Some(n)) = (c.get(0), c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3)))
        else {
            continue;
        };
        let Ok(age) = n.as_str().parse::<u32>() else {
            continue;
        };
        let (s, e) = doc.sentence_at(whole.start());
        let before = doc.slice(s, whole.start()).to_lowercase();
        let after = doc.slice(whole.end(), e).to_lowercase();
        let prev_word = before.split_whitespace().last().unwrap_or("");
        let next_words: Vec<&str> = after.split_whitespace().take(2).collect();
        let about_other = matches!(prev_word, "his" | "her" | "their" | "whose")
            || next_words
                .iter()
                .any(|w| THIRD_PARTY.contains(&w.trim_matches(|c: char| !c.is_alphanumeric())))
            || matches!(
                prev_word,
                "since" | "until" | "at" | "from" | "when" | "by" | "before" | "after"
            );
        if about_other {
            continue;
        }
        match first {
            None => first = Some(age),
            Some(a) if a != age => hits.push(Hit {
                kind: FindingKind::Inconsistency,
                severity: Severity::Medium,
                start: whole.start(),
                end: whole.end(),
                message: format!(
                    "The patient's age is given as {age} here but {a} earlier — check"
                ),
                suggestions: vec![a.to_string()],
            }),
            Some(_) => {}
        }
    }
}
