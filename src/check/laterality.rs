//! laterality: the same body part dictated as both left and right in one document; the
//! minority side (or, on a tie, the later side that conflicts with the first) is queried.
//!
//! Quiet when a sentence names both sides of that part ("left and right", "the right carotid
//! ... on the left"), when the part is said to be bilateral, when the sides belong to
//! different parts, or when the odd side is introduced as another finding ("there is also a
//! stone in the left kidney", "the other knee"). Never changes a side.

use std::collections::{HashMap, HashSet};

use super::text::{Doc, Hit, capitalise};
use super::{FindingKind, Severity};
use crate::vocab::Vocab;

/// The part a word names: `laterality.tsv`, or a spinal level ("L5", "C6", "S1").
fn body_part<'v>(vocab: &'v Vocab, word: &str) -> Option<&'v str> {
    let lower = word.to_lowercase();
    // "mid-axillary", "above-knee": the last part of a hyphenated word.
    let last = lower.rsplit('-').next().unwrap_or(&lower);
    let table = &vocab.index.sided_parts;
    if let Some(p) = table.get(&lower).or_else(|| table.get(last)) {
        return Some(p);
    }
    let mut chars = word.chars();
    let level = chars
        .next()
        .is_some_and(|c| matches!(c, 'C' | 'T' | 'L' | 'S'))
        && (2..=3).contains(&word.len())
        && chars.all(|c| c.is_ascii_digit());
    level.then_some("spinal level")
}

/// Words that introduce a further, separate finding rather than restate one, when they come
/// before the side in its sentence ("there is also ... on the left", "the other knee").
const CONTRAST: [&str; 9] = [
    "also",
    "other",
    "contralateral",
    "opposite",
    "additionally",
    "whereas",
    "both",
    "each",
    "too",
];

struct Mention<'v> {
    right: bool,
    part: &'v str,
    /// The word that named the part ("orchidopexy", "testicular").
    word: String,
    start: usize,
    end: usize,
    sent: usize,
    /// A contrast word comes earlier in the sentence.
    contrasted: bool,
    /// A measurement sits beside it ("6/12 in the left eye", "left kidney 11 cm").
    measured: bool,
    /// Its clause calls it normal, or a negation comes right before it ("the left hip is
    /// normal", "no left hydronephrosis"): never queried.
    normal: bool,
}

/// Words that say a part is being compared or declared normal rather than treated.
const NORMAL: [&str; 8] = [
    "normal",
    "unremarkable",
    "unaffected",
    "spared",
    "clear",
    "healthy",
    "preserved",
    "asymptomatic",
];

/// Words that make two sides in one sentence a deliberate comparison ("the right ... the left
/// was not").
const COMPARE: [&str; 12] = [
    "not",
    "no",
    "whereas",
    "while",
    "compared",
    "than",
    "versus",
    "vs",
    "respectively",
    "similar",
    "symmetrical",
    "equal",
];

/// Whether a right and a left mention of one part in one sentence are said on purpose.
fn deliberate_pair(doc: &Doc, a: &Mention, b: &Mention) -> bool {
    (a.measured && b.measured)
        || (a.word != b.word && is_operation(&a.word) && is_operation(&b.word))
        || sentence_compares(doc, a.sent)
        || !doc
            .slice(a.end.min(b.end), a.start.max(b.start))
            .contains([',', ';'])
}

/// Whether a word names an operation ("orchidopexy", "nephrectomy", "tympanoplasty").
fn is_operation(word: &str) -> bool {
    [
        "ectomy", "otomy", "ostomy", "pexy", "plasty", "scopy", "centesis", "desis", "rrhaphy",
    ]
    .iter()
    .any(|s| word.ends_with(s))
}

/// Whether sentence `sent` holds a comparison word.
fn sentence_compares(doc: &Doc, sent: usize) -> bool {
    doc.toks
        .iter()
        .filter(|t| t.sent == sent)
        .any(|t| COMPARE.contains(&t.text.to_lowercase().as_str()))
}

/// The side a word states: `Some(Some(right))`, `Some(None)` for both sides, `None` for none.
fn side(word: &str) -> Option<Option<bool>> {
    match word.to_lowercase().as_str() {
        "left" | "left-sided" | "left-hand" => Some(Some(false)),
        "right" | "right-sided" | "right-hand" => Some(Some(true)),
        "bilateral" | "bilaterally" | "both" => Some(None),
        _ => None,
    }
}

pub fn check(doc: &Doc, vocab: &Vocab, hits: &mut Vec<Hit>) {
    let toks = &doc.toks;
    let mut mentions: Vec<Mention> = Vec::new();
    let mut bilateral: Vec<(usize, &str)> = Vec::new();
    // Sentences with a side word after "the" that names no body part ("on the left"):
    // (sentence, right). "Right-sided weakness" is a symptom, not a side set against another.
    let mut loose_sides: Vec<(usize, bool)> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let Some(side) = side(t.text) else {
            continue;
        };
        // The first body-part word within 4 words, same sentence, no punctuation between.
        let mut found = None;
        for (j, u) in toks.iter().enumerate().skip(i + 1).take(4) {
            let gap = doc.slice(toks[j - 1].end, u.start);
            if u.sent != t.sent || !gap.chars().all(|c| c.is_whitespace() || c == '/') {
                break;
            }
            if let Some(p) = body_part(vocab, u.text) {
                found = Some((p, u.end, u.text.to_lowercase()));
                break;
            }
        }
        let Some((part, end, word)) = found else {
            // "on the left", "to the right": a side set against another in the sentence.
            let placed = i
                .checked_sub(1)
                .is_some_and(|p| toks[p].text.eq_ignore_ascii_case("the"));
            if let (Some(right), true) = (side, placed) {
                loose_sides.push((t.sent, right));
            }
            continue;
        };
        let contrasted = toks[..i]
            .iter()
            .rev()
            .take_while(|p| p.sent == t.sent)
            .any(|p| CONTRAST.contains(&p.text.to_lowercase().as_str()));
        let near = |k: &usize| toks.get(*k).is_some_and(|u| u.sent == t.sent);
        let part_tok = toks.partition_point(|u| u.end < end);
        let measured = (i.saturating_sub(5)..=part_tok + 5)
            .filter(near)
            .any(|k| toks[k].text.chars().any(|c| c.is_ascii_digit()));
        let sent_end = doc.sentence_at(t.start).1.max(end);
        let clause_end = doc.text[end..sent_end]
            .find([',', ';', '.'])
            .map_or(sent_end, |k| end + k);
        let negation = |u: &&super::text::Tok| {
            matches!(
                u.text.to_lowercase().as_str(),
                "not" | "no" | "never" | "without" | "nil"
            )
        };
        let normal = toks[part_tok + 1..]
            .iter()
            .take_while(|u| u.start < clause_end)
            .any(|u| NORMAL.contains(&u.text.to_lowercase().as_str()))
            || toks[i.saturating_sub(2)..i]
                .iter()
                .any(|u| u.sent == t.sent && negation(&u));
        match side {
            Some(right) => mentions.push(Mention {
                right,
                part,
                word,
                start: t.start,
                end,
                sent: t.sent,
                contrasted,
                measured,
                normal,
            }),
            None => bilateral.push((t.sent, part)),
        }
    }
    // A bare procedure ("right wide local excision") belongs to the document's only sided part.
    let named: HashSet<&str> = mentions
        .iter()
        .map(|m| m.part)
        .filter(|p| *p != "*")
        .collect();
    let only = (named.len() == 1)
        .then(|| named.iter().next().copied())
        .flatten();
    let mut parts: HashMap<&str, Vec<Mention>> = HashMap::new();
    for mut m in mentions {
        if m.part == "*" {
            let Some(p) = only else { continue };
            m.part = p;
        }
        parts.entry(m.part).or_default().push(m);
    }
    for (part, ms) in parts {
        let rights = ms.iter().filter(|m| m.right).count();
        let lefts = ms.len() - rights;
        if rights == 0 || lefts == 0 || bilateral.iter().any(|&(_, p)| p == part) {
            continue;
        }
        // Both sides of this part in one sentence, on purpose: compared ("6/12 in the left
        // eye and 6/6 in the right eye", "larger on the right than the left"), different
        // things done to each ("left orchiectomy, right orchidopexy"), or joined in one
        // phrase ("the right renal as an island and the left renal as a graft"). Not so
        // "biometry of the right eye was repeated, and consent taken for surgery on the left
        // eye", where a comma parts two statements.
        // Mentions grouped by sentence, so only pairs within one sentence are compared.
        let mut by_sent: HashMap<usize, Vec<&Mention>> = HashMap::new();
        for m in &ms {
            by_sent.entry(m.sent).or_default().push(m);
        }
        let compared = by_sent.values().any(|same| {
            same.iter().any(|a| {
                same.iter()
                    .any(|b| a.right && !b.right && deliberate_pair(doc, a, b))
            })
        });
        if compared {
            continue;
        }
        // A mention of this part beside a loose mention of the other side: compared on purpose.
        if ms.iter().any(|m| {
            loose_sides
                .iter()
                .any(|&(s, r)| s == m.sent && r != m.right)
        }) {
            continue;
        }
        let flag_right = match rights.cmp(&lefts) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Greater => false,
            std::cmp::Ordering::Equal => !ms.first().is_some_and(|m| m.right),
        };
        let (other, n_other) = if flag_right {
            ("left", lefts)
        } else {
            ("right", rights)
        };
        for m in ms
            .iter()
            .filter(|m| m.right == flag_right && !m.contrasted && !m.normal)
        {
            let said = doc.slice(m.start, m.end);
            let times = if n_other == 1 { "once" } else { "more often" };
            hits.push(Hit {
                kind: FindingKind::Laterality,
                severity: Severity::High,
                start: m.start,
                end: m.end,
                message: format!(
                    "{} — elsewhere this document says {other} {part} ({times}); check the side",
                    capitalise(said)
                ),
                suggestions: vec![format!(
                    "{other}{}",
                    said.trim_start_matches(|c: char| c.is_alphabetic())
                )],
            });
        }
    }
}
