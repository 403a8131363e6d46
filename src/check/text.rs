//! Shared text plumbing for the checks: word tokens and sentences with byte spans, and the
//! conversion of byte-offset hits into char-offset `Finding`s.
//!
//! Never changes the text; every span it hands out lies on char boundaries of the input.

use std::sync::OnceLock;

use regex::Regex;

use super::{Finding, FindingKind, Severity};

/// A word token: letters/digits with inner apostrophes or hyphens ("X-ray", "don't").
#[derive(Debug, Clone, Copy)]
pub struct Tok<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
    /// Index of the sentence holding this token.
    pub sent: usize,
}

/// One query found by a check, in byte offsets (converted to chars at the end).
#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: FindingKind,
    pub severity: Severity,
    pub start: usize,
    pub end: usize,
    pub message: String,
    pub suggestions: Vec<String>,
}

/// The checked text, cut once into sentences and tokens for all checks.
pub struct Doc<'a> {
    pub text: &'a str,
    pub sentences: Vec<(usize, usize)>,
    pub toks: Vec<Tok<'a>>,
}

fn word_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"[\p{L}\p{N}]+(?:['’\-][\p{L}\p{N}]+)*").expect("constant regex is valid")
    })
}

impl<'a> Doc<'a> {
    pub fn new(text: &'a str) -> Doc<'a> {
        let sentences = sentences(text);
        let mut toks = Vec::new();
        let mut s = 0;
        for m in word_re().find_iter(text) {
            while s + 1 < sentences.len() && m.start() >= sentences[s].1 {
                s += 1;
            }
            toks.push(Tok {
                start: m.start(),
                end: m.end(),
                text: m.as_str(),
                sent: s,
            });
        }
        Doc {
            text,
            sentences,
            toks,
        }
    }

    /// The text between two byte offsets, or "" if they are not valid.
    pub fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or("")
    }

    /// The tokens of sentence `sent` (none for an index out of range).
    pub fn sentence_toks(&self, sent: usize) -> &[Tok<'a>] {
        let Some(&(s, e)) = self.sentences.get(sent) else {
            return &[];
        };
        &self.toks
            [self.toks.partition_point(|t| t.start < s)..self.toks.partition_point(|t| t.start < e)]
    }

    /// Byte span of the sentence holding byte offset `at`.
    pub fn sentence_at(&self, at: usize) -> (usize, usize) {
        let i = self.sentences.partition_point(|s| s.1 <= at);
        self.sentences
            .get(i)
            .copied()
            .unwrap_or((0, self.text.len()))
    }
}

/// Sentence spans (bytes): split after . ! ? followed by whitespace, and at line breaks.
fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let next = it.peek().map(|&(_, n)| n);
        let end = match c {
            '\n' | '\r' => Some(i),
            '.' | '!' | '?' if next.is_none_or(char::is_whitespace) => Some(i + c.len_utf8()),
            _ => None,
        };
        if let Some(e) = end {
            if text[start..e].trim().chars().any(char::is_alphanumeric) {
                out.push(trim_span(text, start, e));
            }
            start = e;
        }
    }
    if text[start..].trim().chars().any(char::is_alphanumeric) {
        out.push(trim_span(text, start, text.len()));
    }
    if out.is_empty() {
        out.push((0, text.len()));
    }
    out
}

fn trim_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    (start + lead, (end - trail).max(start + lead))
}

/// Byte-offset hits → char-offset findings, sorted by start, duplicates dropped.
pub fn finalize(text: &str, mut hits: Vec<Hit>) -> Vec<Finding> {
    hits.retain(|h| h.start <= h.end && text.get(h.start..h.end).is_some());
    hits.sort_by_key(|h| (h.start, h.end, h.kind));
    hits.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.kind == b.kind);
    // Sweep once over the text converting sorted byte offsets to char offsets.
    let mut offsets: Vec<usize> = hits.iter().flat_map(|h| [h.start, h.end]).collect();
    offsets.sort_unstable();
    offsets.dedup();
    let mut map = std::collections::HashMap::with_capacity(offsets.len());
    let mut chars = 0;
    let mut bytes = 0;
    for off in offsets {
        if let Some(part) = text.get(bytes..off) {
            chars += part.chars().count();
            bytes = off;
        }
        map.insert(off, chars);
    }
    hits.into_iter()
        .map(|h| Finding {
            kind: h.kind,
            severity: h.severity,
            text: text[h.start..h.end].to_string(),
            start: map.get(&h.start).copied().unwrap_or(0),
            end: map.get(&h.end).copied().unwrap_or(0),
            message: h.message,
            suggestions: h.suggestions,
            time: None,
            field: None,
        })
        .collect()
}

/// "hydralazine" → "Hydralazine".
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
