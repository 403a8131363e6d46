//! Aligns Whisper's timed words to the (formatted) transcript text, to give findings an audio
//! time and to raise `low_confidence` on words Whisper was unsure of.
//!
//! Matching is in order, case- and punctuation-insensitive; words that cannot be found near the
//! current position (the text was reformatted) are skipped and their spans keep `time: None`.
//! Never changes the text or the transcript.

use super::{Finding, FindingKind, Severity};
use crate::transcript::Transcript;

/// Words below this confidence are queried. Whisper's token probabilities for clearly heard
/// words are mostly above 0.8; below 0.25 (tiny.en on the sample dictation) the word was wrong more often than right,
/// while 0.25-0.5 held mostly correct words: querying those buried the real queries.
pub const LOW_CONFIDENCE: f32 = 0.25;

/// How many text tokens ahead to look for the next word before giving up on it.
const WINDOW: usize = 8;

struct TextTok {
    start: usize,
    end: usize,
    norm: String,
    time: Option<(f64, f64, f32)>,
    /// The Whisper word (index over all segments' words) this text word was matched to.
    heard: Option<usize>,
}

/// A word of the checked text (a run of letters and digits) and where it is in the audio.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedWord {
    /// Char offsets (Unicode scalar values) into the text.
    pub start: usize,
    pub end: usize,
    /// Seconds, when the word was matched to one Whisper heard.
    pub time: Option<[f64; 2]>,
}

pub struct Alignment {
    toks: Vec<TextTok>,
}

/// Lowercase alphanumeric runs of `s` with char offsets.
fn runs(s: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    let mut n = 0;
    for (i, c) in s.chars().enumerate() {
        n = i + 1;
        if c.is_alphanumeric() {
            let lc: String = c.to_lowercase().collect();
            match &mut cur {
                Some((_, w)) => w.push_str(&lc),
                None => cur = Some((i, lc)),
            }
        } else if let Some((st, w)) = cur.take() {
            out.push((st, i, w));
        }
    }
    if let Some((st, w)) = cur {
        out.push((st, n, w));
    }
    out
}

impl Alignment {
    pub fn new(t: &Transcript) -> Alignment {
        let mut toks: Vec<TextTok> = runs(&t.text)
            .into_iter()
            .map(|(start, end, norm)| TextTok {
                start,
                end,
                norm,
                time: None,
                heard: None,
            })
            .collect();
        let mut p = 0;
        // A word split into pieces ("lis" + "inopril") is gathered until it spells the token.
        let mut acc: Option<(usize, String, f64, f32)> = None;
        for (k, w) in t.segments.iter().flat_map(|s| &s.words).enumerate() {
            let norm: String = runs(&w.text).into_iter().map(|r| r.2).collect();
            if norm.is_empty() || !w.start.is_finite() || !w.end.is_finite() {
                continue;
            }
            if let Some((q, mut so_far, t0, conf)) = acc.take() {
                so_far.push_str(&norm);
                if let Some(tok) = toks.get_mut(q) {
                    if tok.norm == so_far {
                        tok.time = Some((t0, w.end, conf.min(w.confidence)));
                        tok.heard = Some(k);
                        p = q + 1;
                        continue;
                    } else if tok.norm.starts_with(&so_far) {
                        acc = Some((q, so_far, t0, conf.min(w.confidence)));
                        continue;
                    }
                }
            }
            let end = (p + WINDOW).min(toks.len());
            if let Some(q) = (p..end).find(|&q| toks[q].norm == norm) {
                toks[q].time = Some((w.start, w.end, w.confidence));
                toks[q].heard = Some(k);
                p = q + 1;
            } else if let Some(q) = (p..end).find(|&q| toks[q].norm.starts_with(&norm)) {
                acc = Some((q, norm, w.start, w.confidence));
            } else if let Some(q) = (p..end).find(|&q| norm.starts_with(&toks[q].norm)) {
                // One word covering several text tokens ("x-ray" vs "x", "ray").
                let mut joined = String::new();
                let mut last = q;
                while last < toks.len() && norm.starts_with(&(joined.clone() + &toks[last].norm)) {
                    joined.push_str(&toks[last].norm);
                    last += 1;
                    if joined == norm {
                        break;
                    }
                }
                if joined == norm {
                    for tok in &mut toks[q..last] {
                        tok.time = Some((w.start, w.end, w.confidence));
                        tok.heard = Some(k);
                    }
                    p = last;
                }
            }
        }
        Alignment { toks }
    }

    /// Each word of the text: its char span and, when aligned, Whisper's time.
    pub fn words(&self) -> Vec<TimedWord> {
        self.toks
            .iter()
            .map(|t| TimedWord {
                start: t.start,
                end: t.end,
                time: t.time.map(|(a, b, _)| [a, b]),
            })
            .collect()
    }

    /// Audio time of a char span, when its first and last words were aligned.
    pub fn time(&self, start: usize, end: usize) -> Option<[f64; 2]> {
        if end <= start {
            return None;
        }
        let first = self.toks.iter().find(|t| t.end > start && t.start < end)?;
        let last = self
            .toks
            .iter()
            .rev()
            .find(|t| t.end > start && t.start < end)?;
        let (a, _, _) = first.time?;
        let (_, b, _) = last.time?;
        (b >= a).then_some([a, b])
    }

    /// The char span of the text words matched to Whisper's words `first..first + n` (over
    /// all segments), when any of them is still in the text.
    pub fn span_of_heard(&self, first: usize, n: usize) -> Option<(usize, usize)> {
        let hit = |t: &&TextTok| t.heard.is_some_and(|k| k >= first && k < first + n);
        let a = self.toks.iter().find(hit)?;
        let b = self.toks.iter().rev().find(hit)?;
        Some((a.start, b.end))
    }

    /// Whisper's lowest confidence over the aligned words of a char span.
    pub fn min_confidence(&self, start: usize, end: usize) -> Option<f32> {
        self.toks
            .iter()
            .filter(|t| t.end > start && t.start < end)
            .filter_map(|t| t.time.map(|(_, _, c)| c))
            .reduce(f32::min)
    }

    /// One finding per run of adjacent aligned words below `LOW_CONFIDENCE`.
    pub fn low_confidence(&self, text: &str) -> Vec<Finding> {
        let mut out: Vec<Finding> = Vec::new();
        let mut run: Option<(usize, usize, f32)> = None;
        let flush = |run: &mut Option<(usize, usize, f32)>, out: &mut Vec<Finding>| {
            if let Some((s, e, c)) = run.take() {
                let span: String = text.chars().skip(s).take(e - s).collect();
                out.push(Finding {
                    kind: FindingKind::LowConfidence,
                    severity: Severity::Low,
                    text: span,
                    start: s,
                    end: e,
                    message: format!(
                        "Whisper was unsure of this (confidence {:.0}%) — listen to check",
                        (c * 100.0).clamp(0.0, 100.0)
                    ),
                    suggestions: vec![],
                    time: None,
                    field: None,
                });
            }
        };
        for tok in &self.toks {
            match tok.time {
                Some((_, _, c)) if c < LOW_CONFIDENCE => {
                    run = Some(match run {
                        Some((s, _, rc)) => (s, tok.end, rc.min(c)),
                        None => (tok.start, tok.end, c),
                    });
                }
                _ => flush(&mut run, &mut out),
            }
        }
        flush(&mut run, &mut out);
        out
    }
}
