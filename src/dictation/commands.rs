//! Spoken dictation commands: punctuation ("full stop", "comma", "open bracket"), layout
//! ("new paragraph", "new line") and corrections ("scratch that").
//!
//! A command is only obeyed where the words cannot be ordinary speech: at a clause end
//! for "full stop"/"period", never after "a", "the", "her", ... ("had a full stop at the
//! junction", "her period was late" stay as dictated). It must never rewrite words that
//! are not a command; when in doubt the words are left for the secretary.

use super::headings;
use super::tokens::{Tok, is_clause_punct, is_sentence_end, listed, match_phrase, word_at};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cmd {
    Punct(char),
    Open,
    Close,
    Join(char),
    Para,
    Line,
    Scratch,
}

/// When a phrase counts as a command.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    /// After a word (not "a", "the", ...) and at a clause end.
    ClauseEnd,
    /// Only after Whisper's own punctuation and at a clause end ("pain, period.").
    AfterPunct,
    /// After a word that is not a determiner or preposition.
    AfterWord,
    /// Only after a heading phrase at the start of a sentence ("Plan colon ...").
    Label,
    /// Between two words ("and slash or").
    Between,
    /// Not after a determiner; anywhere else.
    Anywhere,
    /// At a clause end, not after a determiner.
    Boundary,
}

const SPECS: &[(&[&str], Cmd, Rule)] = &[
    (&["full", "stop"], Cmd::Punct('.'), Rule::ClauseEnd),
    (&["fullstop"], Cmd::Punct('.'), Rule::ClauseEnd),
    (&["period"], Cmd::Punct('.'), Rule::AfterPunct),
    (&["comma"], Cmd::Punct(','), Rule::AfterWord),
    (&["semicolon"], Cmd::Punct(';'), Rule::AfterWord),
    (&["semi", "colon"], Cmd::Punct(';'), Rule::AfterWord),
    (&["colon"], Cmd::Punct(':'), Rule::Label),
    (&["question", "mark"], Cmd::Punct('?'), Rule::ClauseEnd),
    (&["exclamation", "mark"], Cmd::Punct('!'), Rule::ClauseEnd),
    (&["exclamation", "point"], Cmd::Punct('!'), Rule::ClauseEnd),
    (&["open", "bracket"], Cmd::Open, Rule::Anywhere),
    (&["open", "brackets"], Cmd::Open, Rule::Anywhere),
    (&["open", "parenthesis"], Cmd::Open, Rule::Anywhere),
    (&["open", "parentheses"], Cmd::Open, Rule::Anywhere),
    (&["open", "paren"], Cmd::Open, Rule::Anywhere),
    (&["close", "bracket"], Cmd::Close, Rule::AfterWord),
    (&["close", "brackets"], Cmd::Close, Rule::AfterWord),
    (&["closed", "bracket"], Cmd::Close, Rule::AfterWord),
    (&["closed", "brackets"], Cmd::Close, Rule::AfterWord),
    (&["close", "parenthesis"], Cmd::Close, Rule::AfterWord),
    (&["close", "parentheses"], Cmd::Close, Rule::AfterWord),
    (&["close", "paren"], Cmd::Close, Rule::AfterWord),
    (&["hyphen"], Cmd::Join('-'), Rule::Between),
    (&["forward", "slash"], Cmd::Join('/'), Rule::Between),
    (&["slash"], Cmd::Join('/'), Rule::Between),
    (&["new", "paragraph"], Cmd::Para, Rule::Anywhere),
    (&["next", "paragraph"], Cmd::Para, Rule::Anywhere),
    (&["new", "line"], Cmd::Line, Rule::Boundary),
    (&["next", "line"], Cmd::Line, Rule::Boundary),
    (&["scratch", "that"], Cmd::Scratch, Rule::Boundary),
    (&["delete", "that"], Cmd::Scratch, Rule::Boundary),
    (&["strike", "that"], Cmd::Scratch, Rule::Boundary),
];

/// A command phrase right after one of these words is ordinary speech
/// ("a full stop", "her period", "the next line", "to scratch that").
const NOT_AFTER: &str = "a an the this that these those her his my your their our its no any each every \
    some another to of in on at for with from by into during last first same whole \
    entire complete sudden abrupt menstrual would could will did";

/// "slash" before these is a wound, not a command.
const SLASH_NOUNS: &str = "wound wounds injury injuries mark marks laceration lacerations cut cuts";

/// Is the raw token at `j` a clause end: punctuation, a break, the end, a capitalised
/// word (Whisper started a new sentence) or another layout command?
fn boundary_after(toks: &[Tok], j: usize) -> bool {
    match toks.get(j) {
        None | Some(Tok::Para | Tok::Line | Tok::Heading { .. }) => true,
        Some(Tok::P(c)) => is_clause_punct(*c) || *c == ')',
        Some(Tok::Word(w)) => {
            let starts_upper = w.chars().next().is_some_and(char::is_uppercase);
            (starts_upper && w != "I")
                || [["new", "paragraph"], ["next", "paragraph"], ["new", "line"]]
                    .iter()
                    .any(|p| match_phrase(toks, j, p).is_some())
        }
    }
}

/// What precedes the command in the output so far.
struct Before<'a> {
    /// The word directly before (no punctuation between), if any.
    adjacent: Option<&'a str>,
    /// Whisper punctuation sits between the command and the last word.
    punct_between: bool,
    /// Some word precedes in the current paragraph.
    any_word: bool,
}

fn before(out: &[Tok]) -> Before<'_> {
    let mut k = out.len();
    let mut punct_between = false;
    while k > 0 {
        match &out[k - 1] {
            Tok::P(c) if is_clause_punct(*c) => punct_between = true,
            _ => break,
        }
        k -= 1;
    }
    let mut any_word = false;
    for t in out[..k].iter().rev() {
        match t {
            Tok::Word(_) => {
                any_word = true;
                break;
            }
            Tok::Para | Tok::Line | Tok::Heading { .. } => break,
            _ => {}
        }
    }
    let adjacent = if punct_between {
        None
    } else {
        word_at(out, out.len().wrapping_sub(1))
    };
    Before {
        adjacent,
        punct_between,
        any_word,
    }
}

fn not_blocked(b: &Before) -> bool {
    b.adjacent
        .is_none_or(|w| !listed(NOT_AFTER, &w.to_lowercase()))
}

/// Words from the start of the current sentence in `out` (ignoring trailing commas)
/// form a heading phrase: "Plan colon ..." → "Plan:".
fn heading_label_before(out: &[Tok]) -> bool {
    let mut k = out.len();
    while k > 0 && out[k - 1] == Tok::P(',') {
        k -= 1;
    }
    let mut words = Vec::new();
    let end = k;
    while k > 0 && end - k < 12 {
        match &out[k - 1] {
            Tok::Word(w) => words.push(w.as_str()),
            Tok::P('-') => {}
            t if is_sentence_end(t) => break,
            _ => return false,
        }
        k -= 1;
    }
    if k > 0 && !is_sentence_end(&out[k - 1]) {
        return false;
    }
    words.reverse();
    !words.is_empty() && headings::heading_for(&words.join(" ")).is_some()
}

fn recognise(toks: &[Tok], i: usize, out: &[Tok]) -> Option<(Cmd, usize)> {
    word_at(toks, i)?;
    for (phrase, cmd, rule) in SPECS {
        let Some(j) = match_phrase(toks, i, phrase) else {
            continue;
        };
        let b = before(out);
        let ok = match rule {
            Rule::ClauseEnd => b.any_word && not_blocked(&b) && boundary_after(toks, j),
            Rule::AfterPunct => b.any_word && b.punct_between && boundary_after(toks, j),
            Rule::AfterWord => b.any_word && not_blocked(&b),
            Rule::Label => heading_label_before(out),
            Rule::Between => {
                let next = word_at(toks, j).map(str::to_lowercase);
                b.any_word && not_blocked(&b) && next.is_some_and(|n| !listed(SLASH_NOUNS, &n))
            }
            Rule::Anywhere => not_blocked(&b),
            Rule::Boundary => not_blocked(&b) && boundary_after(toks, j),
        };
        if ok && (*cmd != Cmd::Close || has_open_bracket(out)) {
            return Some((*cmd, j));
        }
    }
    None
}

/// An unclosed '(' earlier in this paragraph (looking back at most 200 tokens).
fn has_open_bracket(out: &[Tok]) -> bool {
    let mut depth = 0i32;
    for t in out.iter().rev().take(200) {
        match t {
            Tok::P('(') => depth += 1,
            Tok::P(')') => depth -= 1,
            Tok::Para | Tok::Heading { .. } => break,
            _ => {}
        }
        if depth > 0 {
            return true;
        }
    }
    false
}

fn pop_punct(out: &mut Vec<Tok>, which: &[char]) {
    while matches!(out.last(), Some(Tok::P(c)) if which.contains(c)) {
        out.pop();
    }
}

/// Remove the previous sentence (back to the last sentence end); if the last thing was a
/// layout command, undo that instead.
fn scratch(out: &mut Vec<Tok>) {
    pop_punct(out, &[',', ';', ':', '.', '?', '!', '…']);
    if matches!(out.last(), Some(Tok::Para | Tok::Line)) {
        out.pop();
        return;
    }
    while let Some(t) = out.last() {
        if is_sentence_end(t) || (*t == Tok::P(':') && heading_label_before(&out[..out.len() - 1]))
        {
            break;
        }
        out.pop();
    }
}

/// Obey spoken commands; everything else passes through unchanged.
pub(crate) fn apply(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let Some((cmd, mut j)) = recognise(&toks, i, &out) else {
            if let Some(t) = toks.get(i) {
                out.push(t.clone());
            }
            i += 1;
            continue;
        };
        // Whisper's own punctuation after the command is dropped, except after ')'.
        let mut drop_after: &[char] = &[',', ';', ':', '.', '?', '!', '…'];
        match cmd {
            Cmd::Punct(c) => {
                pop_punct(&mut out, &[',', ';', ':', '.', '…']);
                if out.last().is_some_and(|t| !is_sentence_end(t)) {
                    out.push(Tok::P(c));
                }
            }
            Cmd::Open => {
                pop_punct(&mut out, &[',']);
                out.push(Tok::P('('));
            }
            Cmd::Close => {
                pop_punct(&mut out, &[',', ';', ':']);
                out.push(Tok::P(')'));
                drop_after = &[];
            }
            Cmd::Join(c) => {
                pop_punct(&mut out, &[',']);
                out.push(Tok::P(c));
            }
            Cmd::Para => out.push(Tok::Para),
            Cmd::Line => out.push(Tok::Line),
            Cmd::Scratch => scratch(&mut out),
        }
        while matches!(toks.get(j), Some(Tok::P(c)) if drop_after.contains(c)) {
            j += 1;
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tokens::{render, tokenize};
    use super::*;

    fn cmd(s: &str) -> String {
        render(&apply(tokenize(s)))
    }

    #[test]
    fn full_stop() {
        assert_eq!(cmd("chest pain, full stop."), "chest pain.");
        assert_eq!(
            cmd("chest pain full stop He is well"),
            "chest pain. He is well"
        );
        assert_eq!(cmd("chest pain. Full stop. New paragraph."), "chest pain.");
        assert_eq!(cmd("chest pain full-stop"), "chest pain.");
    }

    #[test]
    fn full_stop_in_prose_kept() {
        assert_eq!(
            cmd("She had a full stop at the junction."),
            "She had a full stop at the junction."
        );
        assert_eq!(
            cmd("The car came to a full stop."),
            "The car came to a full stop."
        );
    }

    #[test]
    fn period() {
        assert_eq!(cmd("No chest pain, period."), "No chest pain.");
        assert_eq!(
            cmd("No chest pain. Period. He is well."),
            "No chest pain. He is well."
        );
    }

    #[test]
    fn period_in_prose_kept() {
        assert_eq!(cmd("Her period was late."), "Her period was late.");
        assert_eq!(
            cmd("Pain in the recovery period."),
            "Pain in the recovery period."
        );
        assert_eq!(cmd("She missed a period, and"), "She missed a period, and");
        assert_eq!(cmd("Period of observation."), "Period of observation.");
    }

    #[test]
    fn comma_semicolon_colon() {
        assert_eq!(cmd("He is well comma apyrexial"), "He is well, apyrexial");
        assert_eq!(cmd("He is well, comma, apyrexial"), "He is well, apyrexial");
        assert_eq!(cmd("stable semicolon no change"), "stable; no change");
        assert_eq!(cmd("stable semi colon no change"), "stable; no change");
        assert_eq!(cmd("Plan colon start ramipril"), "Plan: start ramipril");
    }

    #[test]
    fn colon_the_organ_kept() {
        assert_eq!(
            cmd("Polyp in the sigmoid colon."),
            "Polyp in the sigmoid colon."
        );
        assert_eq!(
            cmd("Biopsies from the colon. Colon was otherwise normal."),
            "Biopsies from the colon. Colon was otherwise normal."
        );
        assert_eq!(
            cmd("Stomach, colon, and small bowel."),
            "Stomach, colon, and small bowel."
        );
    }

    #[test]
    fn question_and_exclamation() {
        assert_eq!(cmd("Is he compliant question mark"), "Is he compliant?");
        assert_eq!(cmd("Urgent exclamation mark."), "Urgent!");
        assert_eq!(
            cmd("There is a question mark over compliance."),
            "There is a question mark over compliance."
        );
        assert_eq!(
            cmd("There is question mark of sepsis."),
            "There is question mark of sepsis."
        );
    }

    #[test]
    fn brackets() {
        assert_eq!(
            cmd("aspirin, open bracket, 75 mg, close bracket, daily"),
            "aspirin (75 mg), daily"
        );
        assert_eq!(
            cmd("aspirin open parenthesis 75 mg close parenthesis."),
            "aspirin (75 mg)."
        );
        assert_eq!(
            cmd("The door was close bracket"),
            "The door was close bracket"
        );
    }

    #[test]
    fn hyphen_and_slash() {
        assert_eq!(cmd("non hyphen smoker"), "non-smoker");
        assert_eq!(cmd("and slash or"), "and/or");
        assert_eq!(cmd("and forward slash or"), "and/or");
        assert_eq!(cmd("He had slash wounds."), "He had slash wounds.");
        assert_eq!(cmd("He has a hyphen."), "He has a hyphen.");
    }

    #[test]
    fn layout() {
        assert_eq!(
            cmd("chest pain. New paragraph. He takes"),
            "chest pain.\n\nHe takes"
        );
        assert_eq!(
            cmd("chest pain. Next paragraph he takes"),
            "chest pain.\n\nhe takes"
        );
        assert_eq!(
            cmd("Dear Dr Smith, new line. Thank you"),
            "Dear Dr Smith,\nThank you"
        );
        assert_eq!(
            cmd("Dear Dr Smith. Next line. Thank you"),
            "Dear Dr Smith.\nThank you"
        );
    }

    #[test]
    fn layout_words_in_prose_kept() {
        assert_eq!(cmd("A new line was inserted."), "A new line was inserted.");
        assert_eq!(cmd("New line inserted today."), "New line inserted today.");
        assert_eq!(cmd("Start a new paragraph."), "Start a new paragraph.");
    }

    #[test]
    fn scratch_that_removes_previous_sentence() {
        assert_eq!(
            cmd("He is well. He takes metformin 500 mg. Scratch that. He takes metformin 1000 mg."),
            "He is well. He takes metformin 1000 mg."
        );
        assert_eq!(
            cmd("He is well. Dose 500, delete that, 1000 mg."),
            "He is well. 1000 mg."
        );
        assert_eq!(
            cmd("He is well. New paragraph. Scratch that. Next."),
            "He is well. Next."
        );
        assert_eq!(cmd("Strike that."), "");
    }

    #[test]
    fn scratch_that_at_start_does_not_panic() {
        assert_eq!(cmd("Scratch that. He is well."), "He is well.");
        assert_eq!(cmd("scratch that"), "");
        assert_eq!(cmd(", scratch that ,"), "");
    }

    #[test]
    fn scratch_in_prose_kept() {
        assert_eq!(
            cmd("Told not to scratch that area."),
            "Told not to scratch that area."
        );
    }

    #[test]
    fn scratch_keeps_inline_heading() {
        assert_eq!(cmd("Plan: start aspirin, scratch that."), "Plan:");
    }
}
