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

/// Words that make a short bracketed or starred phrase a sound or an action in the room
/// ("(laughs)", "[typing]", "*sighs*"), matched as whole words. Clinical words that also
/// name sounds ("cough", "breath", "noise") are left out: letters put those in brackets.
const SOUNDS: [&str; 32] = [
    "music",
    "applause",
    "laughter",
    "laughs",
    "laughing",
    "blank_audio",
    "inaudible",
    "indistinct",
    "unintelligible",
    "crosstalk",
    "chatter",
    "mumbling",
    "mumbles",
    "coughs",
    "sneezes",
    "sighs",
    "sighing",
    "sniffs",
    "sniffing",
    "exhales",
    "inhales",
    "clears",
    "beeping",
    "beeps",
    "bleeping",
    "knocking",
    "knocks",
    "footsteps",
    "typing",
    "clicking",
    "rustling",
    "buzzing",
];

/// Things that make a sound in a clinic room, a tag only with an action ("(door closes)",
/// "*phone ringing*"); "(telephone clinic)" is not one.
const SOURCES: [&str; 10] = [
    "door",
    "phone",
    "telephone",
    "pager",
    "bleep",
    "alarm",
    "siren",
    "bell",
    "dog",
    "baby",
];
const ACTIONS: [&str; 20] = [
    "rings", "ringing", "closes", "closing", "closed", "opens", "opening", "slams", "slamming",
    "beeps", "beeping", "buzzes", "buzzing", "goes", "going", "sounds", "barking", "barks",
    "crying", "cries",
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

/// Dictation left in the transcript: instructions to the recorder or the typist that are not
/// part of the letter ("I'll stop the recording now", "sorry, start again", "scratch that").
/// "Full stop" and "new paragraph" are layout commands, not chatter, and stay.
fn chatter_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(?:(?:stop|stopping|end|ending|pause|pausing|finish|finishing)\s+(?:the\s+|this\s+|my\s+)?(?:recording|dictation|tape)|end\s+of\s+(?:the\s+)?(?:dictation|recording|tape)|(?:start|starting|begin)\s+(?:that\s+|this\s+)?(?:again|over)|scratch\s+that|strike\s+that|delete\s+that|is\s+this\s+(?:thing\s+)?(?:on|recording)|testing,?\s+(?:one|1),?\s+(?:two|2)|(?:can|could)\s+you\s+(?:stop|pause|hold)\s+(?:it|that|there|the\s+recording)|(?:hold|hang)\s+on,?\s+(?:a|one)\s+(?:second|sec|moment|minute)|bear\s+with\s+me|where\s+was\s+i)\b",
        )
        .expect("constant regex is valid")
    })
}

/// Small words of French, Spanish, German and Italian that Whisper drifts into ("Untertitel
/// im Auftrag des ZDF", "Merci d'avoir regardé", "Bon, on passe au patient suivant").
const FOREIGN: [&str; 70] = [
    "de",
    "la",
    "le",
    "les",
    "des",
    "du",
    "et",
    "est",
    "une",
    "que",
    "qui",
    "pour",
    "avoir",
    "au",
    "aux",
    "avec",
    "dans",
    "sur",
    "nous",
    "vous",
    "je",
    "bon",
    "alors",
    "mais",
    "donc",
    "suivant",
    "merci",
    "oui",
    "très",
    "el",
    "los",
    "las",
    "por",
    "con",
    "para",
    "una",
    "gracias",
    "pero",
    "muy",
    "vamos",
    "siguiente",
    "hola",
    "bueno",
    "ahora",
    "usted",
    "der",
    "die",
    "das",
    "und",
    "ist",
    "nicht",
    "ein",
    "eine",
    "mit",
    "für",
    "im",
    "ich",
    "wir",
    "jetzt",
    "bitte",
    "danke",
    "auftrag",
    "gut",
    "il",
    "di",
    "che",
    "sono",
    "grazie",
    "della",
    "questo",
];

/// A sentence in another language: several words nobody knows in English or medicine, two
/// or more of them small words of another language, or any run of a non-Latin script.
fn foreign(sentence: &str, ix: &crate::vocab::Index) -> bool {
    let non_latin = sentence
        .chars()
        .filter(|c| {
            matches!(*c as u32,
                0x0400..=0x04FF | 0x0590..=0x06FF | 0x0900..=0x097F | 0x3040..=0x30FF
                | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF)
        })
        .count();
    if non_latin >= 3 {
        return true;
    }
    let words: Vec<String> = sentence
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.len() < 3 {
        return false;
    }
    let function = words
        .iter()
        .filter(|w| FOREIGN.contains(&w.as_str()))
        .count();
    function >= 2 && words.iter().filter(|w| !ix.is_known(w)).count() * 2 >= words.len()
}

/// A listed hallucination of 3+ words glued inside sentence `sent` ("... her headaches have
/// resolved. Sous-titrage Société Radio-Canada She is back at work"), as a byte span. `norm`
/// is the sentence normalised; a cheap substring test comes first.
fn glued_phrase(
    doc: &Doc,
    sent: usize,
    norm: &str,
    ix: &crate::vocab::Index,
) -> Option<(usize, usize)> {
    let padded = format!(" {norm} ");
    let (_, phrase) = ix
        .artifact_phrases
        .iter()
        .find(|(spaced, _)| padded.contains(spaced.as_str()))?;
    let toks = doc.sentence_toks(sent);
    // Each token's words as normalising splits them ("Radio-Canada": radio, canada).
    let parts: Vec<(String, usize)> = toks
        .iter()
        .enumerate()
        .flat_map(|(k, t)| {
            t.text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(move |w| (w.to_lowercase(), k))
        })
        .collect();
    let n = phrase.len();
    let at = parts
        .windows(n)
        .position(|w| w.iter().zip(phrase).all(|((a, _), b)| a == b))?;
    Some((toks[parts[at].1].start, toks[parts[at + n - 1].1].end))
}

/// Small words that are also parts of surnames.
const PARTICLES: [&str; 12] = [
    "de", "la", "le", "du", "des", "di", "da", "del", "van", "von", "der", "los",
];

/// A run of 4+ words in another language inside an English sentence ("... aciclovir
/// prophylaxis. Untertitel im Auftrag des ZDF, 2017 We will review him"): words nobody knows
/// or small foreign words, two or more of them foreign. Numbers inside the run are kept.
fn foreign_run(doc: &Doc, sent: usize, ix: &crate::vocab::Index) -> Option<(usize, usize)> {
    let (_, e) = *doc.sentences.get(sent)?;
    let toks = doc.sentence_toks(sent);
    // Cheap test first: two small foreign words at least.
    let small = toks
        .iter()
        .filter(|t| {
            let l = t.text.to_lowercase();
            FOREIGN.contains(&l.as_str()) && !PARTICLES.contains(&l.as_str())
        })
        .count();
    if small < 2 {
        return None;
    }
    let mut run: Vec<&super::text::Tok> = Vec::new();
    let mut best = None;
    for t in toks.iter().chain(std::iter::once(&super::text::Tok {
        start: e,
        end: e,
        text: "",
        sent,
    })) {
        let lower = t.text.to_lowercase();
        let number = !t.text.is_empty() && t.text.chars().all(|c| c.is_ascii_digit());
        let small = FOREIGN.contains(&lower.as_str());
        let odd = !t.text.is_empty() && (small || !ix.is_known(&lower));
        if odd || (number && !run.is_empty()) {
            run.push(t);
            continue;
        }
        let words = run
            .iter()
            .filter(|u| !u.text.starts_with(|c: char| c.is_ascii_digit()));
        // Name particles ("Maria de la Cruz Fernandez") do not count.
        let n_small = run
            .iter()
            .map(|u| u.text.to_lowercase())
            .filter(|w| FOREIGN.contains(&w.as_str()) && !PARTICLES.contains(&w.as_str()))
            .count();
        if words.count() >= 4 && n_small >= 2 {
            best = Some((run[0].start, run[run.len() - 1].end));
            break;
        }
        run.clear();
    }
    best
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
        let words: Vec<&str> = inner
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        // "[BLANK_AUDIO]", "(door closes)", "*phone ringing*": a listed tag, or a short one
        // describing a sound; any short plain words between asterisks, which no letter uses.
        let short = (1..=4).contains(&words.len());
        let plain = words
            .iter()
            .all(|w| w.chars().all(char::is_alphabetic) || *w == "blank_audio");
        let square = whole.as_str().starts_with('[');
        let upper_tag = square
            && short
            && whole.as_str().chars().any(char::is_alphabetic)
            && whole
                .as_str()
                .chars()
                .all(|c| !c.is_lowercase() && !c.is_ascii_digit());
        if ix.artifact_tags.contains(&inner)
            || upper_tag
            || (short && words.iter().any(|w| SOUNDS.contains(w)))
            || (short
                && words.iter().any(|w| SOURCES.contains(w))
                && words.iter().any(|w| ACTIONS.contains(w)))
            || (star && short && plain)
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
        } else if chatter_re().is_match(doc.slice(start, end)) {
            hit(
                hits,
                start,
                end,
                "Instructions to the recorder or typist, not part of the letter — remove or listen to check",
            );
        } else if let Some((s, e)) = glued_phrase(doc, i, &norm[i], ix) {
            hit(
                hits,
                s,
                e,
                "Whisper often invents this phrase during silence — probably not dictated; listen to check",
            );
        } else if let Some((s, e)) = foreign(doc.slice(start, end), ix)
            .then_some((start, end))
            .or_else(|| foreign_run(doc, i, ix))
        {
            hit(
                hits,
                s,
                e,
                "Not English — Whisper sometimes drifts into another language on noise; listen to check",
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
