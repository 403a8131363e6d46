//! The Draft: dictated text after spoken commands and clinical formatting, split into
//! sections. Plain data; `text` is the whole formatted dictation and each section's
//! `start`/`end` are char offsets of its body inside `text`, so findings (which carry
//! char offsets into `text`) can be placed inside sections by later stages.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// The heading as it should be typed, e.g. "History of Present Illness"; None for
    /// text before the first heading.
    pub heading: Option<String>,
    /// Canonical key templates map on: "history", "examination", "impression", "plan",
    /// "medications", "allergies", ... None when the heading is not a known one.
    pub key: Option<String>,
    /// Body text (paragraphs separated by "\n\n").
    pub body: String,
    /// Char offsets of `body` within `Draft::text`.
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub text: String,
    pub sections: Vec<Section>,
}
