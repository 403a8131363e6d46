//! Layout: tidy Whisper's punctuation, capitalise sentence starts and assemble the
//! `Draft` (text with heading lines, sections with char offsets of their bodies).
//!
//! It must never change a word other than capitalising the first letter of an
//! all-lowercase word that starts a sentence; body offsets always satisfy
//! `text.chars()[start..end] == body`.

use super::draft::{Draft, Section};
use super::tokens::{Tok, is_clause_punct, render};

/// Stronger punctuation wins when several meet ("pain, ." → "pain.").
fn rank(c: char) -> u8 {
    match c {
        '?' | '!' => 5,
        '.' => 4,
        ':' => 3,
        ';' => 2,
        ',' => 1,
        _ => 0,
    }
}

/// Collapse punctuation runs, drop punctuation that starts a paragraph or follows '(',
/// and drop a comma left before ')'. A comma before a break stays ("Dear Dr Smith,").
fn tidy(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    for t in toks {
        match t {
            Tok::P(c) if is_clause_punct(c) && c != '…' => match out.last() {
                None | Some(Tok::Para | Tok::Line | Tok::Heading { .. } | Tok::P('(')) => {}
                Some(Tok::P(p)) if rank(*p) > 0 => {
                    if rank(c) > rank(*p) {
                        out.pop();
                        out.push(Tok::P(c));
                    }
                }
                _ => out.push(Tok::P(c)),
            },
            Tok::P(')') => {
                while matches!(out.last(), Some(Tok::P(',' | ';' | ':'))) {
                    out.pop();
                }
                out.push(t);
            }
            _ => out.push(t),
        }
    }
    out
}

/// Capitalise an all-lowercase word at a sentence start ("he" → "He"; "eGFR", "mg"
/// with capitals elsewhere or digits are left alone).
fn capitalise(w: &str) -> Option<String> {
    let mut cs = w.chars();
    let first = cs.next()?;
    if !first.is_lowercase() || !w.chars().all(|c| c.is_lowercase() || c == '\'') {
        return None;
    }
    Some(first.to_uppercase().chain(cs).collect())
}

fn capitalise_sentences(toks: &mut [Tok]) {
    let mut start = true;
    for t in toks.iter_mut() {
        match t {
            Tok::Word(w) => {
                if start && let Some(c) = capitalise(w) {
                    *w = c;
                }
                start = false;
            }
            Tok::P('.' | '?' | '!') | Tok::Para | Tok::Line | Tok::Heading { .. } => start = true,
            Tok::P('(') => {}
            _ => start = false,
        }
    }
}

/// A heading as typed and its canonical key.
type HeadingLine = (String, Option<String>);

/// Build the Draft: text before the first heading is an unheaded section; each heading
/// starts a section laid out in `text` as "Heading:\n\nbody"; sections are separated by
/// a blank line. A heading with no body is just "Heading:".
pub(crate) fn build(toks: Vec<Tok>) -> Draft {
    let mut toks = tidy(toks);
    capitalise_sentences(&mut toks);

    let mut groups: Vec<(Option<HeadingLine>, Vec<Tok>)> = vec![(None, Vec::new())];
    for t in toks {
        match t {
            Tok::Heading { display, key } => groups.push((Some((display, key)), Vec::new())),
            other => {
                if let Some(g) = groups.last_mut() {
                    g.1.push(other);
                }
            }
        }
    }

    let mut text = String::new();
    let mut len = 0usize;
    let mut sections = Vec::new();
    let mut push = |text: &mut String, s: &str| {
        text.push_str(s);
        len += s.chars().count();
        len
    };
    for (heading, body_toks) in groups {
        let body = render(&body_toks);
        if heading.is_none() && body.is_empty() {
            continue;
        }
        if !text.is_empty() {
            push(&mut text, "\n\n");
        }
        if let Some((h, _)) = &heading {
            push(&mut text, h);
            push(&mut text, ":");
            if !body.is_empty() {
                push(&mut text, "\n\n");
            }
        }
        let start = push(&mut text, "");
        let end = push(&mut text, &body);
        let (heading, key) = match heading {
            Some((h, k)) => (Some(h), k),
            None => (None, None),
        };
        sections.push(Section {
            heading,
            key,
            body,
            start,
            end,
        });
    }
    Draft { text, sections }
}
