//! artifact: things Whisper makes up — noise tags ("[BLANK_AUDIO]", "(upbeat music)"), silence
//! hallucinations ("Thank you for watching"), and loops (a sentence or phrase said again and
//! again, or a long sentence repeated verbatim).
//!
//! Never deletes anything; the secretary decides. Uses `vocab/artifacts.txt`.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

use super::text::{Doc, Hit};
use super::{FindingKind, Severity};
use crate::vocab::{Vocab, normalise_sentence};

fn tag_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"[\[(]([^\[\]()\n]{1,40})[\])]|\*([a-zA-Z][a-zA-Z ]{0,30})\*")
            .expect("constant regex is valid")
    })
}

/// Sounds a recogniser writes between asterisks ("*coughs*"); asterisks never appear in a
/// dictated letter, so any of these inside them is a tag.
const STAR_SOUNDS: [&str; 8] = [
    "cough", "sneez", "sigh", "laugh", "beep", "clears", "sniff", "breath",
];

const NOISE_WORDS: [&str; 8] = [
    "music",
    "applause",
    "laughter",
    "blank_audio",
    "inaudible",
    "silence",
    "noise",
    "no speech",
];

/// Words of online video captions that never belong in a clinical letter: a sentence holding
/// one is a hallucination even when it is not word for word on the list ("I'll see you in
/// the next video").
fn media_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(?:subscrib(?:e|ed|ing)|(?:my|our|the|this) channel|(?:next|this|last|previous) video|(?:for|of) watching|amara\.org|like button|notification bell)\b",
        )
        .expect("constant regex is valid")
    })
}

fn hit(hits: &mut Vec<Hit>, start: usize, end: usize, message: &str) {
    hits.push(Hit {
        kind: FindingKind::Artifact,
        severity: Severity::Low,
        start,
        end,
        message: message.to_string(),
        suggestions: vec![],
    });
}

pub fn check(doc: &Doc, vocab: &Vocab, hits: &mut Vec<Hit>) {
    let ix = &vocab.index;
    for c in tag_re().captures_iter(doc.text) {
        let star = c.get(2).is_some();
        let (Some(whole), Some(inner)) = (c.get(0), c.get(1).or_else(|| c.get(2))) else {
            continue;
        };
        let inner = inner.as_str().trim().to_lowercase();
        if ix.artifact_tags.contains(&inner)
            || NOISE_WORDS.iter().any(|w| inner.contains(w))
            || (star && STAR_SOUNDS.iter().any(|w| inner.contains(w)))
        {
            hit(
                hits,
                whole.start(),
                whole.end(),
                "Noise tag from the recogniser, not dictated text — remove or listen to check",
            );
        }
    }
    // Sentences: hallucinated phrases, runs of identical sentences, verbatim repeats.
    let norm: Vec<String> = doc
        .sentences
        .iter()
        .map(|&(s, e)| normalise_sentence(doc.slice(s, e)))
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut i = 0;
    while i < norm.len() {
        let mut j = i + 1;
        while j < norm.len() && norm[j] == norm[i] && !norm[i].is_empty() {
            j += 1;
        }
        let words = norm[i].split(' ').count();
        let (start, _) = doc.sentences[i];
        let (_, end) = doc.sentences[j - 1];
        // "Thank you." between findings is Whisper filling a pause; as the last sentence
        // it may be the author thanking the reader.
        let thanks_inside = matches!(
            norm[i].as_str(),
            "thank you" | "thanks" | "thank you very much"
        ) && i > 0
            && j < norm.len();
        if ix.artifact_sentences.contains(&norm[i])
            || media_re().is_match(doc.slice(start, end))
            || thanks_inside
        {
            hit(
                hits,
                start,
                end,
                "Whisper often invents this phrase during silence — probably not dictated; listen to check",
            );
        } else if j - i >= 3 || (j - i == 2 && words >= 4) {
            hit(
                hits,
                start,
                end,
                "The same sentence repeated — likely a recognition loop; listen to check",
            );
        } else if words >= 6 {
            if seen.contains_key(norm[i].as_str()) {
                hit(
                    hits,
                    start,
                    end,
                    "This sentence appears word for word earlier — possibly repeated by the recogniser; check",
                );
            } else {
                seen.insert(&norm[i], i);
            }
        }
        i = j;
    }
    // Word loops inside a sentence: a 1-4 word phrase repeated 4+ times in a row.
    let toks = &doc.toks;
    let lower: Vec<String> = toks.iter().map(|t| t.text.to_lowercase()).collect();
    let mut k = 0;
    while k < toks.len() {
        let mut advanced = false;
        for n in 1..=4 {
            let mut reps = 1;
            while k + (reps + 1) * n <= toks.len()
                && lower[k + reps * n..k + (reps + 1) * n] == lower[k..k + n]
            {
                reps += 1;
            }
            if reps >= 4 && toks[k].sent == toks[k + reps * n - 1].sent {
                hit(
                    hits,
                    toks[k].start,
                    toks[k + reps * n - 1].end,
                    "The same words repeated many times — likely a recognition loop; listen to check",
                );
                k += reps * n;
                advanced = true;
                break;
            }
        }
        if !advanced {
            k += 1;
        }
    }
}
