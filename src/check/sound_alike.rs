//! sound_alike: a drug from a confused-name pair (hydralazine/hydroxyzine, Celexa/Celebrex …)
//! dictated for an indication of its partner and none of its own ("hydralazine … for itching").
//!
//! A plain mention, or one with a fitting indication, raises nothing. Never changes the drug.

use super::text::{Doc, Hit, capitalise};
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
                starts && (s.len() > 3 || whole)
            })
        })
        .count()
}

pub fn check(doc: &Doc, vocab: &Vocab, hits: &mut Vec<Hit>) {
    let ix = &vocab.index;
    for (i, tok) in doc.toks.iter().enumerate() {
        let name = tok.text.to_lowercase();
        let Some(partners) = ix.partners.get(&name) else {
            continue;
        };
        // Context: this drug's sentence, cut at the neighbouring drug names.
        let (s_start, s_end) = doc.sentences.get(tok.sent).copied().unwrap_or((0, 0));
        let is_drug = |t: &&super::text::Tok| ix.drug_names.contains(&t.text.to_lowercase());
        let left = doc.toks[..i]
            .iter()
            .rev()
            .take_while(|t| t.sent == tok.sent)
            .find(is_drug)
            .map_or(s_start, |t| t.end);
        let right = doc.toks[i + 1..]
            .iter()
            .take_while(|t| t.sent == tok.sent)
            .find(is_drug)
            .map_or(s_end, |t| t.start);
        let context = format!(
            "{} {}",
            doc.slice(left, tok.start),
            doc.slice(tok.end, right.max(tok.end))
        )
        .to_lowercase();
        let own: &[String] = ix.indications.get(&name).map_or(&[], |v| v.as_slice());
        if matches(&context, own) > 0 {
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
