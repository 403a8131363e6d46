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
    /// normal", "no left hydronephrosis"): never queried, and not counted as a side.
    normal: bool,
    /// A heading ("Left foot: intact skin"): the document describes each side in turn.
    heading: bool,
    /// What is left of a pair ("solitary right kidney", "remaining left eye").
    remnant: bool,
    /// An operation or procedure on the part ("left phacoemulsification", "right knee
    /// replacement", "left carpal tunnel release").
    procedure: bool,
    /// Names the part's removal ("right nephrectomy", not "partial nephrectomy").
    removal: bool,
    /// A removal in the past ("had a right nephrectomy in 2016"): the other side is what is
    /// left, so mentions of it are expected.
    gone: bool,
}

/// Words after a part that make its mention a procedure.
const PROCEDURES: [&str; 16] = [
    "replacement",
    "arthroplasty",
    "excision",
    "repair",
    "surgery",
    "operation",
    "injection",
    "block",
    "biopsy",
    "fixation",
    "release",
    "decompression",
    "reconstruction",
    "implant",
    "procedure",
    "wound",
];

/// Words before a side that say the other one of the pair is gone.
const REMNANT: [&str; 5] = ["solitary", "remaining", "only", "single", "residual"];

/// Words that say a part is being compared or declared normal rather than treated.
const NORMAL: [&str; 10] = [
    "normal",
    "normally",
    "intact",
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
    let between = doc.slice(a.end.min(b.end), a.start.max(b.start));
    let operations = (is_operation(&a.word), is_operation(&b.word));
    (a.measured && b.measured)
        || (a.word != b.word && operations == (true, true))
        // Two findings named differently in one clause run ("his right hand ..., and an
        // early cord in the left palm"); a semicolon parts two statements.
        || (a.word != b.word && operations == (false, false) && !between.contains(';'))
        || sentence_compares(doc, a.sent)
        || !between.contains([',', ';'])
}

/// Whether a word names taking the whole part away ("nephrectomy", "mastectomy"; not
/// "endarterectomy" or "microdiscectomy", which leave the part in place). An amputation
/// leaves a stump on the same side, so it is not one.
fn removal(word: &str) -> bool {
    [
        "nephrectomy",
        "nephroureterectomy",
        "orchidectomy",
        "orchiectomy",
        "mastectomy",
        "pneumonectomy",
        "oophorectomy",
        "adrenalectomy",
        "enucleation",
        "evisceration",
    ]
    .iter()
    .any(|r| word.ends_with(r))
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
    // Bare sides straight after a measurement, by sentence.
    let mut measured_sides: Vec<(usize, bool)> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let Some(side) = side(t.text) else {
            continue;
        };
        // The body-part words within 4 words, same sentence, no punctuation or other side
        // between: "right radical inguinal orchidectomy" is the right groin and right testis,
        // "left arm and leg" the left arm and left leg.
        let mut found = Vec::new();
        for (j, u) in toks.iter().enumerate().skip(i + 1).take(4) {
            let gap = doc.slice(toks[j - 1].end, u.start);
            // "both sides of each digit": "of" after "both" ends the phrase.
            let of_after_both = side.is_none() && u.text.eq_ignore_ascii_case("of");
            if u.sent != t.sent
                || !gap.chars().all(|c| c.is_whitespace() || c == '/')
                || self::side(u.text).is_some()
                || of_after_both
            {
                break;
            }
            // "neck of femur", "bladder neck of": the neck of something else.
            let of_follows = toks.get(j + 1).is_some_and(|n| n.text == "of");
            if let Some(p) = body_part(vocab, u.text).filter(|_| !(of_follows && u.text == "neck"))
            {
                // One mention per part, to its last word: "left carotid endarterectomy",
                // "right L5/S1"; the word kept is a removal if there is one ("right
                // nephrectomy for renal ...").
                let word = u.text.to_lowercase();
                match found
                    .iter_mut()
                    .find(|f: &&mut (&str, usize, String)| f.0 == p)
                {
                    Some(f) => {
                        f.1 = u.end;
                        if removal(&word) {
                            f.2 = word;
                        }
                    }
                    None => found.push((p, u.end, word)),
                }
            }
        }
        if found.is_empty() {
            // "on the left", "to the right": a side set against another in the sentence.
            let placed = i
                .checked_sub(1)
                .is_some_and(|p| toks[p].text.eq_ignore_ascii_case("the"));
            if let (Some(right), true) = (side, placed) {
                loose_sides.push((t.sent, right));
            }
            // "6/12 right, 6/9 left": a measurement given for each side.
            let after_number = i.checked_sub(1).is_some_and(|p| {
                toks[p].sent == t.sent && toks[p].text.starts_with(|c: char| c.is_ascii_digit())
                    || doc.slice(toks[p].end, t.start).trim() == "mmHg"
            });
            if let (Some(right), true) = (side, after_number) {
                measured_sides.push((t.sent, right));
            }
            continue;
        }
        let contrasted = toks[..i]
            .iter()
            .rev()
            .take_while(|p| p.sent == t.sent)
            .any(|p| CONTRAST.contains(&p.text.to_lowercase().as_str()));
        let near = |k: &usize| toks.get(*k).is_some_and(|u| u.sent == t.sent);
        let negation = |u: &&super::text::Tok| {
            matches!(
                u.text.to_lowercase().as_str(),
                "not" | "no" | "never" | "without" | "nil"
            )
        };
        let prev_word = i
            .checked_sub(1)
            .map(|p| toks[p].text.to_lowercase())
            .unwrap_or_default();
        // A past event: "had", "underwent", "previous", "post", or a year in the sentence.
        let sent_end = doc.sentence_at(t.start).1;
        let past = doc.sentence_toks(t.sent).iter().any(|u| {
            matches!(
                u.text.to_lowercase().as_str(),
                "had" | "underwent" | "previous" | "prior" | "post" | "history" | "status"
            ) || (u.text.len() == 4
                && u.text.starts_with(['1', '2'])
                && u.text.chars().all(|c| c.is_ascii_digit()))
        });
        for (part, end, word) in found {
            let removes = removal(&word) && prev_word != "partial";
            let part_tok = toks.partition_point(|u| u.end < end);
            let procedure = is_operation(&word)
                || word.ends_with("emulsification")
                || toks.get(part_tok + 1).is_some_and(|n| {
                    n.sent == t.sent && PROCEDURES.contains(&n.text.to_lowercase().as_str())
                });
            let measured = (i.saturating_sub(5)..=part_tok + 5)
                .filter(near)
                .any(|k| toks[k].text.chars().any(|c| c.is_ascii_digit()));
            let sent_end = sent_end.max(end);
            let clause_end = doc.text[end..sent_end]
                .find([',', ';', '.'])
                .map_or(sent_end, |k| end + k);
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
                    heading: doc.text[end..].starts_with(':'),
                    remnant: REMNANT.contains(&prev_word.as_str()),
                    removal: removes,
                    procedure,
                    gone: removes && past,
                }),
                None => bilateral.push((t.sent, part)),
            }
        }
    }
    // A bare procedure ("right wide local excision", "the right stent") belongs to the
    // sided part named last before it, or else to the document's only sided part.
    let named: HashSet<&str> = mentions
        .iter()
        .map(|m| m.part)
        .filter(|p| *p != "*")
        .collect();
    let only = (named.len() == 1)
        .then(|| named.iter().next().copied())
        .flatten();
    let mut parts: HashMap<&str, Vec<Mention>> = HashMap::new();
    let mut last_named: Option<&str> = None;
    for mut m in mentions {
        if m.part == "*" {
            let Some(p) = last_named.or(only) else {
                continue;
            };
            m.part = p;
        } else {
            last_named = Some(m.part);
        }
        parts.entry(m.part).or_default().push(m);
    }
    // A sentence measuring each side in turn ("acuity 6/12 right and 6/7.5 left"): the
    // document examines both sides, so a finding on each is expected; an operation on the odd
    // side is still queried.
    let examined = measured_sides
        .iter()
        .any(|&(s, r)| r && measured_sides.iter().any(|&(s2, r2)| s2 == s && !r2));
    for (part, ms) in parts {
        remnants(doc, part, &ms, hits);
        let gone = ms.iter().any(|m| m.gone);
        let ms: Vec<&Mention> = ms.iter().filter(|m| !m.normal && !m.remnant).collect();
        // Each side under its own heading, or one side removed in the past (after a right
        // nephrectomy the left kidney is the one to talk about): both sides are expected.
        if gone || ms.iter().any(|m| m.heading) || bilateral.iter().any(|&(_, p)| p == part) {
            continue;
        }
        conflicts(doc, part, &ms, &loose_sides, examined, hits);
    }
}

/// "solitary right kidney" after a right nephrectomy: the remaining one of a pair on the side
/// that was removed.
fn remnants(doc: &Doc, part: &str, ms: &[Mention], hits: &mut Vec<Hit>) {
    for m in ms.iter().filter(|m| m.remnant) {
        let Some(removed) = ms
            .iter()
            .find(|r| r.start < m.start && r.right == m.right && r.removal)
        else {
            continue;
        };
        let side = if m.right { "right" } else { "left" };
        let removed = doc.slice(removed.start, removed.end);
        query_side(doc, m, hits, |said| {
            format!(
                "{said} — but the {side} {part} was removed earlier (\"{removed}\"); check the side"
            )
        });
    }
}

/// One laterality query on mention `m`, suggesting the other side; `message` gets the
/// mention as said, capitalised.
fn query_side(doc: &Doc, m: &Mention, hits: &mut Vec<Hit>, message: impl Fn(&str) -> String) {
    let said = doc.slice(m.start, m.end);
    let other = if m.right { "left" } else { "right" };
    hits.push(Hit {
        kind: FindingKind::Laterality,
        severity: Severity::High,
        start: m.start,
        end: m.end,
        message: message(&capitalise(said)),
        suggestions: vec![format!(
            "{other}{}",
            said.trim_start_matches(|c: char| c.is_alphabetic())
        )],
    });
}

/// Both sides of one part in a document, not on purpose: the odd side is queried.
fn conflicts(
    doc: &Doc,
    part: &str,
    ms: &[&Mention],
    loose_sides: &[(usize, bool)],
    examined: bool,
    hits: &mut Vec<Hit>,
) {
    let rights = ms.iter().filter(|m| m.right).count();
    let lefts = ms.len() - rights;
    if rights == 0 || lefts == 0 {
        return;
    }
    // Both sides of this part in one sentence, on purpose: compared ("6/12 in the left
    // eye and 6/6 in the right eye", "larger on the right than the left"), different
    // things done to each ("left orchiectomy, right orchidopexy"), or joined in one
    // phrase ("the right renal as an island and the left renal as a graft"). Not so
    // "biometry of the right eye was repeated, and consent taken for surgery on the left
    // eye", where a comma parts two statements.
    // Mentions grouped by sentence, so only pairs within one sentence are compared.
    let mut by_sent: HashMap<usize, Vec<&Mention>> = HashMap::new();
    for m in ms {
        by_sent.entry(m.sent).or_default().push(m);
    }
    let compared = by_sent.values().any(|same| {
        same.iter().any(|a| {
            same.iter()
                .any(|b| a.right && !b.right && deliberate_pair(doc, a, b))
        })
    });
    if compared {
        return;
    }
    // A mention of this part beside a loose mention of the other side: compared on purpose.
    if ms.iter().any(|m| {
        loose_sides
            .iter()
            .any(|&(s, r)| s == m.sent && r != m.right)
    }) {
        return;
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
        .filter(|m| m.right == flag_right && !m.contrasted && (m.procedure || !examined))
    {
        let times = if n_other == 1 { "once" } else { "more often" };
        query_side(doc, m, hits, |said| {
            format!(
                "{said} — elsewhere this document says {other} {part} ({times}); check the side"
            )
        });
    }
}
