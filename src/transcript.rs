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
    /// Other readings of the recording here that the recogniser found nearly as likely
    /// (`asr`'s second look), best first; absent when none was scored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Alternative>,
}

/// Another reading of the audio starting at a word: `text` in place of this word and the
/// `words - 1` after it, and how the decoder scored it on this audio against what it wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alternative {
    pub text: String,
    pub words: usize,
    /// log P(alternative) - log P(written words), in nats, each followed by the next token:
    /// 0 means equally likely; below -3 the recogniser heard the written words clearly.
    pub margin: f32,
}

/// A reading of some of a window's words to score against the audio (`asr`'s second look):
/// `text` in place of words `first..first + words`.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub first: usize,
    pub words: usize,
    pub text: String,
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
