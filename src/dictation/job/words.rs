//! Words and sentences of raw Whisper text, with byte offsets back into it, for the job
//! reader. Only splits: it never changes the text.

/// One whitespace-separated word.
#[derive(Debug, Clone)]
pub(super) struct Tok<'a> {
    /// Byte range of the whole word (punctuation included) in the raw text.
    pub start: usize,
    pub end: usize,
    /// The word without leading or trailing punctuation, as written ("O'Neill", "3/9/58").
    pub core: &'a str,
    /// `core` lowercased, a trailing "." dropped ("dr." → "dr").
    pub low: String,
    /// The word ends a clause: a trailing ",", ";" or ":".
    pub comma: bool,
}

impl Tok<'_> {
    pub fn is(&self, w: &str) -> bool {
        self.low == w
    }

    pub fn capitalised(&self) -> bool {
        self.core.chars().next().is_some_and(char::is_uppercase)
    }

    pub fn is_letters(&self) -> bool {
        !self.core.is_empty()
            && self
                .core
                .chars()
                .all(|c| c.is_alphabetic() || c == '\'' || c == '’' || c == '-')
    }
}

/// A sentence: its words and the byte range it covers.
#[derive(Debug, Clone)]
pub(super) struct Sentence<'a> {
    pub start: usize,
    pub end: usize,
    pub toks: Vec<Tok<'a>>,
}

/// Abbreviations whose full stop does not end a sentence ("Dr. Ali", "Mrs. Dunn").
const ABBREVIATIONS: [&str; 11] = [
    "dr", "mr", "mrs", "ms", "st", "prof", "rev", "no", "vs", "revd", "mx",
];

fn tok(text: &str, start: usize, end: usize) -> Tok<'_> {
    let word = &text[start..end];
    let lead = word.len()
        - word
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .len();
    let core = word.trim_matches(|c: char| !c.is_alphanumeric());
    let after = word.get(lead + core.len()..).unwrap_or("");
    Tok {
        start,
        end,
        core,
        low: core.to_lowercase(),
        comma: after.contains([',', ';', ':']),
    }
}

/// Whether a word closes its sentence: a trailing ".", "?" or "!" that is not an
/// abbreviation's or a spelled letter's ("D. O. B.").
fn closes(t: &Tok, word: &str) -> bool {
    let trimmed = word.trim_end_matches(['"', '\'', ')', '’', '”']);
    if !trimmed.ends_with(['.', '?', '!']) {
        return false;
    }
    if trimmed.ends_with('.') {
        let single_letter = t.core.chars().count() == 1 && t.core.chars().all(char::is_alphabetic);
        if single_letter || ABBREVIATIONS.contains(&t.low.as_str()) {
            return false;
        }
    }
    true
}

/// The sentences of `text`, in order.
pub(super) fn sentences(text: &str) -> Vec<Sentence<'_>> {
    let mut out = Vec::new();
    let mut cur: Vec<Tok> = Vec::new();
    let mut pos = 0;
    // Where the current sentence started and ends, punctuation-only words ("!") included.
    let mut span: Option<(usize, usize)> = None;
    for word in text.split_whitespace() {
        let start = text[pos..].find(word).map_or(pos, |i| pos + i);
        let end = start + word.len();
        pos = end;
        span = Some((span.map_or(start, |s| s.0), end));
        let t = tok(text, start, end);
        let close = closes(&t, word);
        if !t.core.is_empty() {
            cur.push(t);
        }
        if close
            && !cur.is_empty()
            && let Some((a, b)) = span.take()
        {
            out.push(Sentence {
                start: a,
                end: b,
                toks: std::mem::take(&mut cur),
            });
        }
    }
    match (span, out.last_mut()) {
        (Some((a, b)), _) if !cur.is_empty() => out.push(Sentence {
            start: a,
            end: b,
            toks: cur,
        }),
        // Trailing punctuation after the last sentence belongs to it.
        (Some((_, b)), Some(last)) => last.end = b,
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_spelled_letters_do_not_end_sentences() {
        let s = sentences("This is Dr. Yusuf Ali, D. O. B. 1.2.1949. Dear Mrs. Dunn, hello! Next");
        let words: Vec<Vec<&str>> = s
            .iter()
            .map(|s| s.toks.iter().map(|t| t.core).collect())
            .collect();
        assert_eq!(words.len(), 3, "{words:?}");
        assert_eq!(words[0].last(), Some(&"1.2.1949"));
        assert_eq!(words[1], ["Dear", "Mrs", "Dunn", "hello"]);
        assert!(s[0].toks[4].comma, "Ali,");
        assert_eq!(s[0].toks[2].low, "dr");
    }
}
