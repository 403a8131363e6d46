//! The Transcript: what Whisper heard, as plain data (DESIGN.md "A transcript JSON").
//!
//! Produced by `asr`, read by `dictation`, `check` and `document`. Plain serde data only:
//! this module must never depend on Whisper or do I/O, so every stage can use it.

use serde::{Deserialize, Serialize};

use crate::check::Finding;
use crate::dictation::job::Job;

/// One recognised word with its audio time (seconds) and Whisper's confidence (0..1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub start: f64,
    pub end: f64,
    pub confidence: f32,
}

/// A stretch of speech Whisper decoded as one unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub start: f64,
    pub end: f64,
    pub text: String,
    #[serde(default)]
    pub words: Vec<Word>,
}

/// A whole dictation. `text` is the formatted text the findings' offsets refer to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    pub text: String,
    pub duration: f64,
    pub model: String,
    pub segments: Vec<Segment>,
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// What the author said about the job in the preamble (absent when nothing was said);
    /// the preamble itself is not in `text`.
    #[serde(default, skip_serializing_if = "Job::is_empty")]
    pub job: Job,
}
