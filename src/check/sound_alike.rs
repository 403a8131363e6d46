//! sound_alike: a drug from a confused-name pair (hydralazine/hydroxyzine, Celexa/Celebrex …)
//! dictated for an indication of its partner and none of its own ("hydralazine … for itching").
//!
//! A plain mention, or one with a fitting indication, raises nothing. Never changes the drug.

use super::text::{Doc, Hit, Tok, capitalise};
use super::{FindingKind, Severity};
use crate::vocab::Vocab;

/// Number of `stems` that start a word in `context` (lowercase). A stem of 3 letters or
/// fewer ("hiv", "flu", "uti") must be the whole word, or its plural, so "hiv" never
/// matches "hives".
fn matches(context: &str, stems: &[String]) -> usize {
    stems
        .iter()
        .filter(|s| {
            context.match_indices(s.as_str()).any(|(i, _)| {
                let starts = context[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric());
                let rest = &context[i + s.len()..];
                let rest = rest.strip_prefix('s').unwrap_or(rest);
                let whole = rest.chars().next().is_none_or(|c| !c.is_alphanumeric());
                starts && (s.len() > 3 || whole) && !negated(&context[..i])
            })
        })
        .count()
}

/// How far (bytes) either side of a drug its indication is looked for when the nearby
/// sentences name none: about a letter.
const NEARBY: usize = 3000;

/// Whether the clause after the drug says it is for one of `theirs` ("Cozaar 40 mg at night
/// for his cholesterol").
fn said_for(doc: &Doc, tok: &Tok, theirs: &[String]) -> bool {
    let sent_end = doc.sentence_at(tok.start).1.max(tok.end);
    let clause_end = doc
        .slice(tok.end, sent_end)
        .find([',', ';', '.'])
        .map_or(sent_end, |k| tok.end + k);
    doc.slice(tok.end, clause_end)
        .to_lowercase()
        .split_once(" for ")
        .is_some_and(|(_, what)| matches(what, theirs) > 0)
}

/// Whether one of the three words before a stem denies it ("He is not diabetic", "no
/// history of seizures"): a denied problem is no indication.
fn negated(before: &str) -> bool {
    before
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .rev()
        .take(3)
        .any(|w| {
            matches!(
                w,
                "no" | "not" | "non" | "without" | "denies" | "nil" | "never"
            )
        })
}

pub fn check(doc: &Doc, vocab: &Vocab, hits: &mut Vec<Hit>) {
    let ix = &vocab.index;
    // Drugs already dictated with their own indication: later mentions ("reduce the
    // tramadol") are the same drug.
    let mut settled: Vec<String> = Vec::new();
    for (i, tok) in doc.toks.iter().enumerate() {
        let name = tok.text.to_lowercase();
        let Some(partners) = ix.partners.get(&name) else {
            continue;
        };
        if settled.contains(&name) {
            continue;
        }
        // Context: this drug's sentence, cut at the neighbouring drug names; when that names
        // no indication at all, the sentences either side too ("She has had hives for a
        // month. We started hydralazine."), again cut at other drugs.
        let is_drug = |t: &&super::text::Tok| ix.drug_names.contains(&t.text.to_lowercase());
        let window = |sent: usize, lo: usize, hi: usize| -> String {
            let (s_start, s_end) = doc.sentences.get(sent).copied().unwrap_or((0, 0));
            let prev = doc.toks[..lo]
                .iter()
                .enumerate()
                .rev()
                .take_while(|(_, t)| t.sent == sent)
                .find(|(_, t)| is_drug(t));
            // "HbA1c 74 on metformin alone, so we have added Reminyl": the drug before
            // failed for the same problem, so its indication is this drug's too.
            let failed = prev.is_some_and(|(k, t)| {
                let lead = doc.toks[k.saturating_sub(2)..k]
                    .iter()
                    .any(|u| matches!(u.text.to_lowercase().as_str(), "despite" | "on"));
                let between = doc.slice(t.end, doc.toks.get(lo).map_or(t.end, |u| u.start));
                lead && between
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| matches!(w.to_lowercase().as_str(), "so" | "therefore" | "hence"))
            });
            let left = match prev {
                Some((_, t)) if !failed => t.end,
                _ => s_start,
            };
            // A drug given "with" or "plus" another shares its indication ("hydralazine 50 mg
            // with isosorbide mononitrate for heart failure"): no cut there.
            let right = doc.toks[hi..]
                .iter()
                .enumerate()
                .take_while(|(_, t)| t.sent == sent)
                .find(|&(k, t)| {
                    let joined = k > 0
                        && matches!(
                            doc.toks[hi + k - 1].text.to_lowercase().as_str(),
                            "with" | "plus"
                        );
                    is_drug(&t) && !joined
                })
                .map_or(s_end, |(_, t)| t.start);
            let mid = if lo < hi {
                (doc.toks[lo].start, doc.toks[hi - 1].end)
            } else {
                (right, right)
            };
            format!(
                "{} {}",
                doc.slice(left, mid.0),
                doc.slice(mid.1, right.max(mid.1))
            )
            .to_lowercase()
        };
        let own: &[String] = ix.indications.get(&name).map_or(&[], |v| v.as_slice());
        let theirs: Vec<String> = partners
            .iter()
            .flat_map(|p| p.indications.iter().filter(|s| !own.contains(s)).cloned())
            .collect();
        let mut context = window(tok.sent, i, i + 1);
        // Whether a context names this drug's own indications, and its partners'.
        let named = |ctx: &str| (matches(ctx, own) > 0, matches(ctx, &theirs) > 0);
        let (mut own_named, theirs_named) = named(&context);
        // The drug's own indication in the sentence either side clears it too ("after
        // clipping of a ruptured aneurysm. She remains on nimodipine ... blood pressure").
        // Not when the dictation says what it is for ("Cozaar 40 mg at night for his
        // cholesterol"): that is the slip this check is for.
        if !own_named && theirs_named && !said_for(doc, tok, &theirs) {
            let near = |sent: usize| {
                let (s, e) = doc.sentences.get(sent).copied().unwrap_or((0, 0));
                doc.slice(s, e).to_lowercase()
            };
            let either_side = format!(
                "{} {}",
                tok.sent.checked_sub(1).map(near).unwrap_or_default(),
                near(tok.sent + 1)
            );
            if matches(&either_side, own) > 0 {
                continue;
            }
        }
        if (own_named, theirs_named) == (false, false) {
            let before = doc.toks[..i].iter().rev().find(|t| t.sent + 1 == tok.sent);
            let after = doc.toks[i..].iter().find(|t| t.sent == tok.sent + 1);
            if let Some(b) = before {
                // The previous sentence after its last drug name.
                let end = doc.toks.partition_point(|t| t.start <= b.start);
                context.push(' ');
                context.push_str(&window(b.sent, end, end));
            }
            if let Some(a) = after {
                let start = doc.toks.partition_point(|t| t.start < a.start);
                context.push(' ');
                context.push_str(&window(a.sent, start, start));
            }
            // Still nothing either way: the problem may be stated once at the top of the
            // letter ("osteoarthritis of the right knee ... injected Depo-Provera into the
            // joint"). Read up to a letter's length either side, so a long text stays linear.
            if named(&context) == (false, false) {
                let from = doc
                    .text
                    .floor_char_boundary(tok.start.saturating_sub(NEARBY));
                let to = doc.text.floor_char_boundary(tok.end + NEARBY);
                context.push(' ');
                context.push_str(&doc.slice(from, to).to_lowercase());
            }
            own_named = matches(&context, own) > 0;
        }
        if own_named {
            settled.push(name);
            continue;
        }
        let mut best: Option<(&str, usize)> = None;
        for p in partners {
            let only_theirs: Vec<String> = p
                .indications
                .iter()
                .filter(|s| !own.contains(s))
                .cloned()
                .collect();
            let n = matches(&context, &only_theirs);
            if n > 0 && best.is_none_or(|(_, b)| n > b) {
                best = Some((&p.name, n));
            }
        }
        if let Some((other, _)) = best {
            let other = capitalise(other);
            hits.push(Hit {
                kind: FindingKind::SoundAlike,
                severity: Severity::High,
                start: tok.start,
                end: tok.end,
                message: format!(
                    "{} is easily confused with {other}, and the stated indication fits {other} \
                     better — check which drug is meant",
                    tok.text
                ),
                suggestions: vec![other],
            });
        }
    }
}
