//! unknown_term, where it matters most: the words right before a dose ("rampro 5 mg",
//! "met for me 500 mg", "aburrastatin 200 mg") should name a drug. When they name none,
//! the last 1-6 of them are matched against every drug name with a looser edit budget than
//! `unknown_term` can afford on free text, because the dose says a drug belongs there; if no
//! drug is close, against any term that sounds the same (`Index::sound_match`).
//!
//! Runs before `unknown_term`, which then leaves these words alone. Only suggests; never
//! replaces a word, and stays quiet when any of the words before the dose is a known drug.

use super::dose::dose_re;
use super::text::{Doc, Hit, Tok};
use super::{FindingKind, Severity};
use crate::vocab::Vocab;
use crate::vocab::phonetic::{levenshtein, one_deletion_apart, skeleton, sound_key};

/// Words that end a drug-name run: "increased to 20 mg", "reduced from 40 mg".
const NOT_A_DRUG: [&str; 44] = [
    "to",
    "from",
    "of",
    "by",
    "at",
    "on",
    "and",
    "or",
    "with",
    "then",
    "than",
    "dose",
    "doses",
    "take",
    "takes",
    "taking",
    "taken",
    "given",
    "increase",
    "increased",
    "reduce",
    "reduced",
    "start",
    "started",
    "plus",
    "also",
    "add",
    "added",
    "adding",
    "prescribe",
    "prescribed",
    "commenced",
    "continue",
    "continued",
    "stop",
    "stopped",
    "switch",
    "switched",
    "change",
    "changed",
    "use",
    "using",
    "is",
    "was",
];

/// A word that may be (part of) a misheard drug name: letters only, a capital only first.
fn piece(t: &Tok) -> Option<String> {
    let mut chars = t.text.chars();
    let head = chars.next()?;
    // A lone capital is a letter, not a piece of a name ("vitamin K 10 mg").
    let lone_capital = head.is_ascii_uppercase() && t.text.len() == 1;
    let ok = head.is_ascii_alphabetic() && !lone_capital && chars.all(|c| c.is_ascii_lowercase());
    let l = t.text.to_ascii_lowercase();
    (ok && !NOT_A_DRUG.contains(&l.as_str())).then_some(l)
}

/// The drug name closest to `joined`, if within budget: 30% of the name's length for a
/// word nobody knows, 25% (and at most 2 edits) for a run of ordinary English words, and up
/// to half the name, or a quarter of its sound key, when the consonants sound alike
/// ("clopped a grill": clopidogrel; "mirror tazza peen": mirtazapine).
fn closest<'v>(
    names: &'v [(String, String, String)],
    joined: &str,
    english_run: bool,
) -> Option<(&'v str, usize)> {
    let mut best: Option<(&str, usize)> = None;
    let key = skeleton(joined);
    let sound = sound_key(joined);
    for (name, name_key, name_sound) in names {
        let name = name.as_str();
        // One consonant apart at most ("rampro": rmpr, ramipril: rmprl).
        let sounds_alike = key.len() >= 4 && one_deletion_apart(name_key, &key);
        let limit = if sounds_alike {
            name.len() / 2
        } else if english_run {
            (name.len() / 4).min(2)
        } else {
            name.len() * 3 / 10
        };
        let mut d = levenshtein(joined, name, limit);
        if d > limit && sounds_alike {
            let sound_limit = name_sound.len() / 4;
            if levenshtein(&sound, name_sound, sound_limit) <= sound_limit {
                d = limit; // accepted at the edge of the budget: exact spellings rank first
            }
        }
        if d <= limit && best.is_none_or(|(b, bd)| d < bd || d == bd && name < b) {
            best = Some((name, d));
        }
    }
    best
}

pub fn check(doc: &Doc, vocab: &Vocab, hits: &mut Vec<Hit>) {
    let ix = &vocab.index;
    for m in dose_re().find_iter(doc.text) {
        let (sent_start, _) = doc.sentence_at(m.start());
        let before = doc.toks.partition_point(|t| t.end <= m.start());
        // Up to 6 letter-only words straight before the dose, in the same sentence.
        let mut run: Vec<(usize, String)> = Vec::new();
        for i in (before.saturating_sub(6)..before).rev() {
            let t = &doc.toks[i];
            let gap = doc.slice(
                t.end,
                run.last().map_or(m.start(), |&(j, _)| doc.toks[j].start),
            );
            if t.start < sent_start || !gap.trim().is_empty() {
                break;
            }
            match piece(t) {
                Some(p) => run.push((i, p)),
                None => break,
            }
        }
        run.reverse();
        let is_drug = |w: &str| ix.drug_names.contains(w) || ix.drugs.contains_key(w);
        if run.is_empty() || run.iter().any(|(_, w)| is_drug(w) || ix.never.contains(w)) {
            continue;
        }
        // The runs ending at the dose, longest first: "x amlodi pine", "amlodi pine", "pine".
        let mut best: Option<(usize, &str)> = None; // (first token, name)
        for k in 0..run.len() {
            let words = &run[k..];
            let joined: String = words.iter().map(|(_, w)| w.as_str()).collect();
            if joined.len() < 5 {
                continue;
            }
            let english_run = words.iter().all(|(_, w)| ix.is_known(w));
            if words.len() == 1 && english_run {
                continue; // "paracetamol. Daily 10 mg" — a plain word is not a drug slip
            }
            // A drug we hold doses for, else any term that sounds the same (drugs missing
            // from the dose table are still in the medical term list).
            let found = closest(&ix.drug_keys, &joined, english_run).or_else(|| {
                (words.len() >= 2 || !english_run)
                    .then(|| ix.sound_match(&joined))
                    .flatten()
            });
            // The longest run that matches wins: every odd word before the dose is
            // usually part of the drug ("mirror tazza peen", not "tazza peen").
            if let Some((name, _)) = found {
                best = Some((words[0].0, name));
                break;
            }
        }
        let Some((first, name)) = best else {
            continue;
        };
        let (start, end) = (doc.toks[first].start, doc.toks[before - 1].end);
        hits.push(Hit {
            kind: FindingKind::UnknownTerm,
            severity: Severity::High,
            start,
            end,
            message: format!(
                "\"{}\" is dosed like a drug but is not a known drug name — did you mean {name}?",
                doc.slice(start, end)
            ),
            suggestions: vec![name.to_string()],
        });
    }
}
