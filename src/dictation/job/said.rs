//! The phrases that announce a job field: templates, priorities, copies, enclosures and
//! instructions to the secretary, as cues at a word position. Only recognises; the reader
//! decides what a cue means where it stands.

use super::people;
use super::words::Tok;
use crate::workflow::Priority;

/// Whether the words from `i` are `phrase` (lower case, one entry per word).
pub(super) fn starts(toks: &[Tok], i: usize, phrase: &[&str]) -> bool {
    phrase
        .iter()
        .enumerate()
        .all(|(k, w)| toks.get(i + k).is_some_and(|t| t.low == *w))
}

/// The first of `phrases` said at `i`, and how many words it takes.
pub(super) fn any(toks: &[Tok], i: usize, phrases: &[&[&str]]) -> Option<usize> {
    phrases.iter().find(|p| starts(toks, i, p)).map(|p| p.len())
}

/// Spoken work types and the template each one is. `letter to the GP` takes only "letter",
/// so that "to the GP" is read as the recipient.
const TEMPLATES: [(&[&str], &str, usize); 14] = [
    (&["referral", "letter"], "referral-letter", 2),
    (&["clinic", "letter"], "clinic-letter", 2),
    (&["clinic", "note"], "clinic-note", 2),
    (&["discharge", "summary"], "discharge-summary", 2),
    (&["discharge", "letter"], "discharge-summary", 2),
    (&["patient", "letter"], "patient-letter", 2),
    (&["letter", "to", "the", "patient"], "patient-letter", 4),
    (&["gp", "letter"], "gp-letter", 2),
    (&["letter", "to", "the", "gp"], "gp-letter", 1),
    (&["letter", "to", "the", "gp's"], "gp-letter", 1),
    (&["operative", "note"], "operative-note", 2),
    (&["op", "note"], "operative-note", 2),
    (&["soap", "note"], "soap-note", 2),
    (&["referral"], "referral-letter", 1),
];

/// The template said at `i` and how many words to take.
pub(super) fn template(toks: &[Tok], i: usize) -> Option<(&'static str, usize)> {
    TEMPLATES
        .iter()
        .find(|(p, _, _)| starts(toks, i, p))
        .map(|(_, t, n)| (*t, *n))
}

/// A priority said at `i` and how many words it takes.
pub(super) fn priority(toks: &[Tok], i: usize) -> Option<(Priority, usize)> {
    if let Some(n) = any(toks, i, &[&["not", "urgent"], &["non", "urgent"]]) {
        return Some((Priority::Routine, n));
    }
    if let Some(n) = any(
        toks,
        i,
        &[
            &["please", "type", "this", "today"],
            &["type", "this", "today"],
        ],
    ) {
        return Some((Priority::Urgent, n));
    }
    let p = match toks.get(i)?.low.as_str() {
        "urgent" => Priority::Urgent,
        "routine" => Priority::Routine,
        "stat" => Priority::Stat,
        _ => return None,
    };
    Some((p, 1))
}

/// Words that make a later priority a correction ("routine, actually no, make it urgent").
pub(super) const CORRECTING: [&str; 7] = [
    "actually",
    "no",
    "make",
    "change",
    "sorry",
    "instead",
    "correction",
];

/// "copy to", "cc", "please copy this to": the words the cue takes. "CC:" (a chief
/// complaint) and "10 cc" (a volume) are not copies.
pub(super) fn copies(toks: &[Tok], i: usize) -> Option<usize> {
    let at = toks.get(i)?;
    let volume = i > 0 && toks[i - 1].core.starts_with(|c: char| c.is_ascii_digit());
    if (at.is("cc") || at.is("c")) && (at.comma || volume) {
        return None;
    }
    any(
        toks,
        i,
        &[
            &["please", "copy", "this", "to"],
            &["please", "copy", "it", "to"],
            &["please", "copy", "to"],
            &["please", "cc"],
            &["copy", "this", "to"],
            &["copy", "it", "to"],
            &["copy", "the", "letter", "to"],
            &["copy", "to"],
            &["copies", "to"],
            &["send", "a", "copy", "to"],
            &["cc", "to"],
            &["cc"],
            &["c", "c"],
        ],
    )
}

/// "please enclose", "enclosures": the words the cue takes.
pub(super) fn enclosures(toks: &[Tok], i: usize) -> Option<usize> {
    any(
        toks,
        i,
        &[
            &["please", "enclose"],
            &["enclose"],
            &["enclosures"],
            &["enclosure"],
            &["enclosing"],
        ],
    )
}

/// What a secretary is asked to do, not what a letter says to its reader.
const SECRETARY_VERBS: [&str; 19] = [
    "pull", "book", "send", "fax", "print", "chase", "attach", "file", "post", "email", "e-mail",
    "ring", "phone", "call", "arrange", "check", "add", "dig", "request",
];

/// An instruction cue at `i`: the index where its "please ..." text starts and where the
/// instruction's own words start. `anywhere` is false in the body, where only an instruction
/// addressed to the secretary by name counts ("Secretary, please book ...").
pub(super) fn instruction(toks: &[Tok], i: usize, in_preamble: bool) -> Option<usize> {
    let mut j = i;
    let named = toks.get(j).is_some_and(|t| t.is("secretary"));
    if named {
        j += 1;
    }
    if let Some(n) = any(
        toks,
        j,
        &[
            &["could", "you", "please"],
            &["can", "you", "please"],
            &["would", "you", "please"],
            &["could", "you"],
            &["can", "you"],
        ],
    ) {
        j += n;
    } else if toks.get(j).is_some_and(|t| t.is("please")) {
        j += 1;
    } else if !named {
        return None;
    }
    let verb = toks.get(j)?;
    (named || in_preamble || matches!(verb.low.as_str(), "pull" | "fax" | "dig" | "chase"))
        .then_some(())?;
    (named || SECRETARY_VERBS.contains(&verb.low.as_str())).then_some(j)
}

/// A spoken list ("the GP and the parents", "Dr Lee, GP, and the patient") as items; a part
/// that is only a role stays with the name before it ("Dr Lee, GP").
pub(super) fn list(toks: &[Tok]) -> Vec<String> {
    let mut items: Vec<Vec<&Tok>> = vec![Vec::new()];
    for t in toks {
        if t.is("and") || t.is("please") {
            items.push(Vec::new());
            continue;
        }
        if let Some(last) = items.last_mut() {
            last.push(t);
        }
        if t.comma {
            items.push(Vec::new());
        }
    }
    let mut out: Vec<String> = Vec::new();
    for item in items.into_iter().filter(|i| !i.is_empty()) {
        let owned: Vec<Tok> = item.into_iter().cloned().collect();
        let role_only = owned.len() <= 2 && owned.iter().all(|t| t.is("gp") || !t.capitalised());
        let text = match people::person(&owned, 0) {
            Some((p, next)) if next == owned.len() => p.written(),
            _ => people::words(&owned),
        };
        match out.last_mut() {
            Some(prev) if role_only && !owned[0].is("the") => {
                prev.push_str(", ");
                prev.push_str(&text);
            }
            _ => out.push(text),
        }
    }
    out
}
