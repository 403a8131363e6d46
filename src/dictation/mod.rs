//! Dictation formatting: raw Whisper text → the text a medical transcriptionist would
//! have typed, split into sections (`Draft`).
//!
//! Passes, in order: `tokens` (split), `commands` (spoken punctuation, layout, "scratch
//! that"), `numbers` (clinical written forms of numbers, doses and units), `headings`
//! (section headings), `layout` (capitals, punctuation tidy-up, sections). No pass may
//! change a drug name, a dose value or a side: only how it is written.

mod commands;
pub mod compounds;
mod draft;
mod headings;
pub mod job;
mod layout;
mod numbers;
pub mod spoken_date;
mod tokens;

pub use draft::{Draft, Section};

/// Format raw Whisper text into a `Draft`. Never panics, for any input.
pub fn draft(raw: &str) -> Draft {
    let toks = tokens::tokenize(raw);
    let toks = commands::apply(toks);
    let toks = numbers::apply(toks);
    let toks = headings::apply(toks);
    layout::build(toks)
}

#[cfg(test)]
mod tests;
