//! Tokens: the raw Whisper text split into words, punctuation and layout marks, and the
//! renderer that joins them back with a transcriptionist's spacing.
//!
//! Every later pass works on this token list. Tokenising must never lose or alter a word:
//! rendering an untouched token list gives back the words exactly as Whisper wrote them,
//! only with whitespace and punctuation spacing normalised.

/// One unit of dictated text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A word as Whisper wrote it (may hold digits, '/', '.', apostrophes, quotes).
    Word(String),
    /// Punctuation: `, . ; : ? !`, brackets `( )`, joiners `-` and `/` (no spaces either
    /// side), and `…` for an ellipsis (rendered "...").
    P(char),
    /// Paragraph break.
    Para,
    /// Line break.
    Line,
    /// A section heading (recognised by `headings`).
    Heading {
        display: String,
        key: Option<String>,
    },
}

/// Words whose trailing '.' belongs to the word, not the sentence.
const ABBREVIATIONS: &str = "dr mr mrs ms st vs approx etc prof sr jr no fig";

fn is_abbreviation(word: &str) -> bool {
    let lower = word.to_lowercase();
    if listed(ABBREVIATIONS, &lower) {
        // "no." is only an abbreviation before a number; at a sentence end it is "no".
        return lower != "no";
    }
    // "e.g", "i.e", "p.r.n", "a.m": letters with internal dots.
    word.contains('.') && word.chars().any(|c| c.is_alphabetic())
}

/// Split raw text into tokens. Blank lines become paragraph breaks; single newlines are
/// treated as spaces (Whisper segment joins).
pub(crate) fn tokenize(raw: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut pending_para = false;
    for line in raw.lines() {
        if line.trim().is_empty() {
            pending_para = true;
            continue;
        }
        if pending_para && !out.is_empty() {
            out.push(Tok::Para);
        }
        pending_para = false;
        for chunk in line.split_whitespace() {
            push_chunk(chunk, &mut out);
        }
    }
    out
}

fn push_chunk(chunk: &str, out: &mut Vec<Tok>) {
    let chars: Vec<char> = chunk.chars().collect();
    let mut s = 0;
    let mut e = chars.len();
    while s < e && matches!(chars[s], '(' | '[') {
        out.push(Tok::P('('));
        s += 1;
    }
    let mut trail = Vec::new();
    while e > s {
        let c = chars[e - 1];
        match c {
            ',' | ';' | ':' | '?' | '!' => trail.push(c),
            ')' | ']' => trail.push(')'),
            '…' => trail.push('…'),
            '.' => {
                let mut k = e;
                while k > s && chars[k - 1] == '.' {
                    k -= 1;
                }
                if e - k >= 2 {
                    trail.push('…');
                    e = k;
                    continue;
                }
                let word: String = chars[s..e - 1].iter().collect();
                if !word.is_empty() && is_abbreviation(&word) {
                    break;
                }
                trail.push('.');
            }
            _ => break,
        }
        e -= 1;
    }
    if s < e {
        let word: String = chars[s..e].iter().collect();
        push_word(&word, out);
    }
    for c in trail.into_iter().rev() {
        out.push(Tok::P(c));
    }
}

/// Push a word, splitting internal hyphens ("fifty-four", "follow-up") into joiners so
/// phrases can be matched word by word; the renderer joins them back without spaces.
fn push_word(word: &str, out: &mut Vec<Tok>) {
    let parts: Vec<&str> = word.split('-').collect();
    if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) {
        out.push(Tok::Word(word.to_string()));
        return;
    }
    for (n, p) in parts.iter().enumerate() {
        if n > 0 {
            out.push(Tok::P('-'));
        }
        out.push(Tok::Word((*p).to_string()));
    }
}

/// Is `word` one of the space-separated words in `list`?
pub(crate) fn listed(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|x| x == word)
}

/// Sentence-internal punctuation that Whisper adds and commands may replace.
pub(crate) fn is_clause_punct(c: char) -> bool {
    matches!(c, ',' | ';' | ':' | '.' | '?' | '!' | '…')
}

/// Sentence-ending punctuation.
pub(crate) fn is_sentence_end(t: &Tok) -> bool {
    matches!(
        t,
        Tok::P('.' | '?' | '!') | Tok::Para | Tok::Line | Tok::Heading { .. }
    )
}

/// The word at `i`, if that token is a word.
pub(crate) fn word_at(toks: &[Tok], i: usize) -> Option<&str> {
    match toks.get(i) {
        Some(Tok::Word(w)) => Some(w.as_str()),
        _ => None,
    }
}

/// Match `phrase` (lowercase words) case-insensitively at `i`; words may be separated by
/// nothing or a '-' joiner. Returns the index after the match.
pub(crate) fn match_words(toks: &[Tok], i: usize, phrase: &[&str]) -> Option<usize> {
    let mut j = i;
    for (n, w) in phrase.iter().enumerate() {
        if n > 0 && toks.get(j) == Some(&Tok::P('-')) {
            j += 1;
        }
        match word_at(toks, j) {
            Some(x) if x.eq_ignore_ascii_case(w) => j += 1,
            _ => return None,
        }
    }
    Some(j)
}

/// Like `match_words`, but the phrase must be whole: not glued by '-' to a word before
/// or after it ("full-stop-gap" does not contain the command "full stop").
pub(crate) fn match_phrase(toks: &[Tok], i: usize, phrase: &[&str]) -> Option<usize> {
    if i > 0 && toks.get(i - 1) == Some(&Tok::P('-')) {
        return None;
    }
    let j = match_words(toks, i, phrase)?;
    if toks.get(j) == Some(&Tok::P('-')) {
        return None;
    }
    Some(j)
}

/// Join tokens into text: no space before closing punctuation, none after '(' or around
/// joiners; paragraph and line breaks as "\n\n" and "\n". Headings render as nothing
/// (sections are assembled by the caller).
pub(crate) fn render(toks: &[Tok]) -> String {
    let mut out = String::new();
    let mut glue = true; // no space before the next word
    for t in toks {
        match t {
            Tok::Word(w) => {
                if !glue {
                    out.push(' ');
                }
                out.push_str(w);
                glue = false;
            }
            Tok::P('(') => {
                if !glue {
                    out.push(' ');
                }
                out.push('(');
                glue = true;
            }
            Tok::P(c @ ('-' | '/')) => {
                out.push(*c);
                glue = true;
            }
            Tok::P('…') => {
                out.push_str("...");
                glue = false;
            }
            Tok::P(c) => {
                out.push(*c);
                glue = false;
            }
            Tok::Para | Tok::Line => {
                let trimmed = out.trim_end_matches([' ', '\n']).len();
                let had_para = out[trimmed..].contains("\n\n");
                out.truncate(trimmed);
                if !out.is_empty() {
                    out.push_str(if had_para || *t == Tok::Para {
                        "\n\n"
                    } else {
                        "\n"
                    });
                }
                glue = true;
            }
            Tok::Heading { .. } => glue = true,
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(s: &str) -> String {
        render(&tokenize(s))
    }

    #[test]
    fn round_trip_keeps_words() {
        assert_eq!(
            round("He has  chest pain , (left sided) and a follow-up."),
            "He has chest pain, (left sided) and a follow-up."
        );
    }

    #[test]
    fn abbreviations_and_decimals_stay_whole() {
        let t = tokenize("Dr. Smith gave 2.5 mg e.g. daily.");
        assert_eq!(t[0], Tok::Word("Dr.".into()));
        assert_eq!(t[3], Tok::Word("2.5".into()));
        assert_eq!(t[5], Tok::Word("e.g.".into()));
        assert_eq!(t.last(), Some(&Tok::P('.')));
    }

    #[test]
    fn blank_lines_are_paragraphs() {
        assert_eq!(round("One.\n\n\nTwo.\nThree."), "One.\n\nTwo. Three.");
    }

    #[test]
    fn ellipsis_kept() {
        assert_eq!(round("He takes... metformin"), "He takes... metformin");
    }

    #[test]
    fn hyphen_phrase_matching() {
        let t = tokenize("full-stop full stop-gap");
        assert_eq!(match_phrase(&t, 0, &["full", "stop"]), Some(3));
        assert_eq!(match_phrase(&t, 3, &["full", "stop"]), None);
    }
}
