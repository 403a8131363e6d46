//! Clarification checks: what a careful medical secretary would query before a letter goes
//! out (DESIGN.md). Each check kind lives in its own file and turns text into `Finding`s.
//!
//! Checks only read: they never change the text, never log patient text, never panic on any
//! input. Offsets are char offsets into the checked text; `Finding::text` is exactly that span.

mod abbreviation;
mod ages;
mod align;
mod artifact;
mod birth_date;
mod constructors;
mod dose;
mod drug_name;
mod finding;
pub mod heard;
mod inconsistency;
pub mod job;
mod laterality;
mod sound_alike;
mod text;
mod unknown_term;

pub use align::TimedWord;
pub use finding::{Finding, FindingKind, Severity};
pub use text::capitalise;

/// The words of a transcript's text with the audio times of those Whisper heard (what a
/// player highlights); words an edit changed have no time.
pub fn timed_words(t: &Transcript) -> Vec<TimedWord> {
    align::Alignment::new(t).words()
}

use crate::transcript::Transcript;
use crate::vocab::Vocab;

/// All text checks, findings sorted by start offset.
pub fn check_text(text: &str, vocab: &Vocab) -> Vec<Finding> {
    let doc = text::Doc::new(text);
    let mut hits = Vec::new();
    dose::check(&doc, vocab, &mut hits);
    sound_alike::check(&doc, vocab, &mut hits);
    abbreviation::check(&doc, vocab, &mut hits);
    laterality::check(&doc, vocab, &mut hits);
    inconsistency::check(&doc, &mut hits);
    ages::check(&doc, &mut hits);
    birth_date::check(&doc, &mut hits);
    artifact::check(&doc, vocab, &mut hits);
    drug_name::check(&doc, vocab, &mut hits);
    unknown_term::check(&doc, vocab, &mut hits);
    text::finalize(text, hits)
}

/// `check_text` on the transcript's text, plus `low_confidence` findings from Whisper's word
/// confidences, with audio times filled in wherever a finding's span aligns to the words.
pub fn check_transcript(t: &Transcript, vocab: &Vocab) -> Vec<Finding> {
    let mut findings = check_text(&t.text, vocab);
    let aligned = align::Alignment::new(t);
    findings.extend(aligned.low_confidence(&t.text));
    // What the recogniser heard: not where a text check already asks about the words, and
    // in place of a bare "unsure" on the same words.
    let heard = heard::findings(t, &aligned, &vocab.index);
    let overlaps = |a: &Finding, b: &Finding| a.start < b.end && b.start < a.end;
    let heard: Vec<Finding> = heard
        .into_iter()
        .filter(|h| {
            !findings
                .iter()
                .any(|f| f.kind == FindingKind::UnknownTerm && overlaps(f, h))
        })
        .collect();
    findings.retain(|f| {
        f.kind != FindingKind::LowConfidence
            || !heard.iter().any(|h| h.start <= f.start && f.end <= h.end)
    });
    findings.extend(heard);
    for f in &mut findings {
        f.time = aligned.time(f.start, f.end);
    }
    findings.sort_by_key(|f| (f.start, f.end, f.kind));
    findings
}

#[cfg(test)]
mod tests;
