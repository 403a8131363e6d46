//! heard: queries from what the recogniser heard, not only from what reads oddly.
//!
//! Text alone cannot tell "regular" from "irregular"; the audio can. This module has two
//! halves around `asr`'s second look at each decoded window:
//! - `propose` names, for words Whisper was not sure of, the medical words they sound like
//!   ("interior" → anterior, "regular" → irregular, "of normal" → abnormal). `asr` scores each
//!   proposal against the audio and keeps, on the word, those nearly as likely as what it wrote.
//! - `findings` turns those kept alternatives into queries that say what the recording may say
//!   and where to listen.
//!
//! Never changes the text, and never proposes a word that is not in the medical vocabulary.

use std::collections::HashMap;

use super::align::Alignment;
use super::{Finding, FindingKind, Severity};
use crate::dictation::spoken_date::MONTHS;
use crate::transcript::{Proposal, Transcript, Word};
use crate::vocab::{Index, SoundsLike, americanise};

/// Words at or above this confidence are taken as heard and get no proposal: each proposal
/// costs a few decoder steps.
pub const PROPOSE_BELOW: f32 = 0.8;

/// A written word that is itself medical is only given an alternative below this.
const MEDICAL_BELOW: f32 = 0.5;

/// Small words that may start a pair heard for one term ("of normal" → abnormal, "in
/// guinal" → inguinal); any other small word ends it.
const LEADS: [&str; 5] = ["a", "an", "of", "in", "per"];

/// An alternative whose score is within this many nats of the written words is queried.
pub const QUERY_WITHIN: f32 = 8.0;

/// The same for words Whisper wrote that are no word at all ("Ziffoid" → xiphoid at -11):
/// the decoder was already lost there, so a spelling of the right sound scores low.
pub const NONWORD_WITHIN: f32 = 20.0;

/// At most this many alternatives are proposed for one stretch of words; more for a word
/// that is no word, where the right one often ties on sound with odd entries ("Safoid": ceroid,
/// seaford, xiphoid) and the decoder, not the ranking, should choose.
const PER_SPAN: usize = 2;
const PER_NONWORD: usize = 4;

/// Titles before a name: the word after one is a name, not a misheard term.
const TITLES: [&str; 8] = [
    "dr",
    "mr",
    "mrs",
    "ms",
    "miss",
    "prof",
    "professor",
    "doctor",
];

/// A word's letters, lowercase, when it is a plain word (letters, inner hyphens or
/// apostrophes, edge punctuation); hyphens are dropped ("mid-line" → midline).
fn plain(w: &str) -> Option<String> {
    let core = w.trim_matches(|c: char| !c.is_alphanumeric());
    if core.is_empty()
        || !core
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '-' || c == '\'')
    {
        return None;
    }
    Some(
        core.chars()
            .filter(char::is_ascii_alphabetic)
            .map(|c| c.to_ascii_lowercase())
            .collect(),
    )
}

/// Medical readings of a window's words (Whisper's words, in order) worth scoring against
/// the audio: single words and pairs run together, when Whisper was below `PROPOSE_BELOW`
/// on one of them and the medical word sounds like them to one edit of their sound keys.
pub fn propose(words: &[Word], ix: &SoundsLike) -> Vec<Proposal> {
    let norm: Vec<Option<String>> = words.iter().map(|w| plain(&w.text)).collect();
    let mut out = Vec::new();
    for i in 0..words.len() {
        let after_title = i > 0 && norm[i - 1].as_deref().is_some_and(|p| TITLES.contains(&p));
        if after_title {
            continue;
        }
        for n in 1..=2 {
            let Some(span) = words.get(i..i + n) else {
                continue;
            };
            let Some(pieces) = norm[i..i + n].iter().cloned().collect::<Option<Vec<_>>>() else {
                continue;
            };
            // A word that is no word at all is worth a look however sure Whisper was.
            let unsure = span.iter().any(|w| w.confidence < PROPOSE_BELOW);
            let odd = n == 1 && nonword(&span[0].text, &|p| ix.is_word(p));
            if !(unsure || odd) {
                continue;
            }
            // Punctuation inside a pair ends a phrase: "record." + "Exam" is not one word.
            if n == 2 && words[i].text.ends_with(|c: char| !c.is_alphanumeric()) {
                continue;
            }
            let joined: String = pieces.concat();
            let least = span.iter().map(|w| w.confidence).fold(1.0, f32::min);
            if n == 1 && ix.is_medical(&joined) && least >= MEDICAL_BELOW {
                continue;
            }
            if n == 2
                && (pieces
                    .iter()
                    .all(|p| ix.is_medical(p) && !LEADS.contains(&p.as_str()))
                    || pieces[1].len() < 4
                    || (pieces[0].len() < 4 && !LEADS.contains(&pieces[0].as_str())))
            {
                continue;
            }
            for alt in ix
                .sounds_like(&joined)
                .into_iter()
                .filter(|a| !pieces.iter().any(|p| p == a || same_word(p, a)))
                .filter(|a| americanise(a) != americanise(&joined))
                .filter(|a| !hyphen_part(&span[n - 1].text, a))
                .take(if odd { PER_NONWORD } else { PER_SPAN })
            {
                out.push(Proposal {
                    first: i,
                    words: n,
                    text: alt.to_string(),
                });
            }
        }
    }
    out
}

/// Whether two words are forms of one word ("metastasis"/"metastases", "pelvis"/"pelvic"):
/// a reading that only changes the ending changes little a secretary must query.
fn same_word(a: &str, b: &str) -> bool {
    let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    common >= 4 && common + 2 >= a.len().min(b.len())
}

/// Whether `alt` is one of the hyphenated parts of `written` ("e-femoral" and femoral).
fn hyphen_part(written: &str, alt: &str) -> bool {
    written.contains('-')
        && written.split('-').any(|p| {
            p.trim_matches(|c: char| !c.is_alphanumeric())
                .eq_ignore_ascii_case(alt)
        })
}

/// Whether Whisper wrote something that is not a word: 5+ letters, not an abbreviation in
/// capitals, in no word list even without a common ending ("Ziffoid", "asticular").
fn nonword(written: &str, is_word: &impl Fn(&str) -> bool) -> bool {
    let core = written.trim_matches(|c: char| !c.is_alphanumeric());
    let letters = core.chars().filter(char::is_ascii_alphabetic).count();
    let caps = core.chars().filter(char::is_ascii_uppercase).count();
    let word = |p: &str| is_word(p) || DAYS.contains(&p) || MONTHS.contains(&p);
    letters >= 5
        && caps * 2 < letters
        && plain(core).is_some_and(|p| !p.is_empty() && !word(&p))
        && !core.split('-').all(|p| plain(p).is_some_and(|p| word(&p)))
}

/// Names the word lists leave out: the days (the months are in `spoken_date::MONTHS`).
const DAYS: [&str; 8] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "christmas",
];

/// "1:07" for 67.4 s.
fn clock(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// Queries from what the recogniser heard: an alternative it kept within `QUERY_WITHIN` of
/// the words it wrote, or within `NONWORD_WITHIN` when it wrote no word at all; and a word
/// it wrote that is no word, with no alternative near it. Only where those words are still
/// in the text, and never after a title (names).
pub(crate) fn findings(t: &Transcript, aligned: &Alignment, index: &Index) -> Vec<Finding> {
    let is_word = |p: &str| index.is_known(p) || index.sounds.is_word(p);
    let nonword = |w: &str| nonword(w, &is_word);
    let mut out = Vec::new();
    // Words queried with an alternative (lowercase) → that alternative and where first heard.
    let mut queried: HashMap<String, (String, f64)> = HashMap::new();
    let mut asked: Vec<usize> = Vec::new();
    let words: Vec<&Word> = t.segments.iter().flat_map(|s| &s.words).collect();
    for (k, w) in words.iter().enumerate() {
        let after_title =
            k > 0 && plain(&words[k - 1].text).is_some_and(|p| TITLES.contains(&p.as_str()));
        if after_title {
            continue;
        }
        let odd = nonword(&w.text);
        let best = w
            .alternatives
            .iter()
            .filter(|a| {
                let replaced = words.get(k..k + a.words.max(1)).unwrap_or_default();
                let limit = if replaced.iter().any(|r| nonword(&r.text)) {
                    NONWORD_WITHIN
                } else {
                    QUERY_WITHIN
                };
                a.margin >= -limit
            })
            .max_by(|a, b| a.margin.total_cmp(&b.margin));
        let (n, message, suggestions) = match best {
            Some(a) => (
                a.words.max(1),
                format!(
                    "the recording may say \"{}\" — listen at {}",
                    a.text,
                    clock(w.start)
                ),
                vec![a.text.clone()],
            ),
            None if odd => (
                1,
                format!(
                    "Whisper wrote a word that is in no word list — listen at {}",
                    clock(w.start)
                ),
                Vec::new(),
            ),
            None => continue,
        };
        if let Some(f) = finding(t, aligned, k, n, message, suggestions) {
            if n == 1
                && let (Some(p), Some(a)) = (plain(&w.text), f.suggestions.first())
            {
                queried.entry(p).or_insert((a.clone(), w.start));
            }
            asked.push(k);
            out.push(f);
        }
    }
    // Whisper writes a word it misheard the same way each time it hears it, the later times
    // often surer, with the first as prompt: the same query on the same word elsewhere.
    for (k, w) in words.iter().enumerate() {
        let Some((alt, at)) = plain(&w.text).and_then(|p| queried.get(&p)) else {
            continue;
        };
        if asked.contains(&k) {
            continue;
        }
        let message = format!(
            "the recording may say \"{alt}\" (as at {}) — listen at {}",
            clock(*at),
            clock(w.start)
        );
        out.extend(finding(t, aligned, k, 1, message, vec![alt.clone()]));
    }
    out
}

/// A misheard query on Whisper's words `k..k + n`, where they are still in the text.
fn finding(
    t: &Transcript,
    aligned: &Alignment,
    k: usize,
    n: usize,
    message: String,
    suggestions: Vec<String>,
) -> Option<Finding> {
    let (start, end) = aligned.span_of_heard(k, n)?;
    let text: String = t.text.chars().skip(start).take(end - start).collect();
    Some(Finding {
        kind: FindingKind::Misheard,
        severity: Severity::Medium,
        message,
        text,
        start,
        end,
        suggestions,
        time: None,
        field: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{Alternative, Segment};

    fn word(text: &str, confidence: f32) -> Word {
        Word {
            text: text.into(),
            start: 0.0,
            end: 0.0,
            confidence,
            alternatives: Vec::new(),
        }
    }

    fn proposals(words: &[(&str, f32)]) -> Vec<(String, String)> {
        let vocab = Vocab::bundled().expect("bundled vocabulary");
        let ws: Vec<Word> = words.iter().map(|(t, c)| word(t, *c)).collect();
        propose(&ws, &vocab.index.sounds)
            .into_iter()
            .map(|p| {
                let heard: Vec<&str> = ws[p.first..p.first + p.words]
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect();
                (heard.join(" "), p.text)
            })
            .collect()
    }

    use crate::vocab::Vocab;

    #[test]
    fn doubtful_words_get_the_medical_words_they_sound_like() {
        let got = proposals(&[("pulse", 0.95), ("regular", 0.6), ("and", 0.99)]);
        assert!(
            got.contains(&("regular".into(), "irregular".into())),
            "{got:?}"
        );
        let got = proposals(&[("was", 0.99), ("of", 0.5), ("normal", 0.9)]);
        assert!(
            got.contains(&("of normal".into(), "abnormal".into())),
            "{got:?}"
        );
        let got = proposals(&[("the", 0.99), ("interior", 0.7), ("wall", 0.9)]);
        assert!(
            got.contains(&("interior".into(), "anterior".into())),
            "{got:?}"
        );
    }

    #[test]
    fn sure_words_names_spellings_and_endings_get_none() {
        // Heard clearly.
        assert!(proposals(&[("regular", 0.95)]).is_empty());
        // A name after a title.
        assert!(proposals(&[("Dr", 0.99), ("Regular", 0.4)]).is_empty());
        // British and American spellings, other endings of the same word, a part of a
        // hyphenated word: nothing a secretary must query.
        let got = proposals(&[("anesthesia", 0.3), ("metastasis", 0.3), ("e-femoral", 0.2)]);
        assert!(
            !got.iter()
                .any(|(_, a)| a == "anaesthesia" || a == "metastases" || a == "femoral"),
            "{got:?}"
        );
        // A pair ending in a small word is a phrase, not a split term.
        assert!(
            !proposals(&[("sure", 0.4), ("he", 0.4)])
                .iter()
                .any(|(h, _)| h == "sure he")
        );
    }

    fn transcript(margin: f32) -> Transcript {
        let mut ws = vec![
            word("His", 0.99),
            word("pulse", 0.99),
            word("was", 0.99),
            word("regular.", 0.6),
        ];
        for (i, w) in ws.iter_mut().enumerate() {
            w.start = 60.0 + i as f64;
            w.end = w.start + 0.5;
        }
        ws[3].alternatives.push(Alternative {
            text: "irregular".into(),
            words: 1,
            margin,
        });
        Transcript {
            text: "His pulse was regular.".into(),
            duration: 65.0,
            model: "tiny.en".into(),
            segments: vec![Segment {
                start: 60.0,
                end: 64.0,
                text: "His pulse was regular.".into(),
                words: ws,
            }],
            findings: Vec::new(),
            job: Default::default(),
        }
    }

    #[test]
    fn a_close_alternative_is_a_query_on_the_words_with_where_to_listen() {
        let t = transcript(-1.5);
        let f = findings(
            &t,
            &Alignment::new(&t),
            &Vocab::bundled().expect("vocab").index,
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, FindingKind::Misheard);
        assert_eq!(f[0].text, "regular");
        assert_eq!((f[0].start, f[0].end), (14, 21));
        assert_eq!(f[0].suggestions, vec!["irregular".to_string()]);
        assert!(f[0].message.contains("\"irregular\""), "{}", f[0].message);
        assert!(f[0].message.contains("1:03"), "{}", f[0].message);
    }

    #[test]
    fn the_query_replaces_a_bare_unsure_on_the_same_word() {
        let mut t = transcript(-1.5);
        t.segments[0].words[3].confidence = 0.1;
        let vocab = Vocab::bundled().expect("vocab");
        let kinds: Vec<FindingKind> = crate::check::check_transcript(&t, &vocab)
            .into_iter()
            .map(|f| f.kind)
            .collect();
        assert_eq!(kinds, vec![FindingKind::Misheard]);
        // Without the alternative, Whisper's doubt is still a query.
        t.segments[0].words[3].alternatives.clear();
        let kinds: Vec<FindingKind> = crate::check::check_transcript(&t, &vocab)
            .into_iter()
            .map(|f| f.kind)
            .collect();
        assert_eq!(kinds, vec![FindingKind::LowConfidence]);
    }

    #[test]
    fn a_far_alternative_or_an_edited_word_is_not_queried() {
        let vocab = Vocab::bundled().expect("vocab");
        let queries = |t: &Transcript| findings(t, &Alignment::new(t), &vocab.index);
        assert!(queries(&transcript(-QUERY_WITHIN - 0.5)).is_empty());
        let mut t = transcript(-1.0);
        t.text = "His pulse was steady.".into();
        assert!(queries(&t).is_empty());
    }
}
