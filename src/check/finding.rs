//! The Finding: one query a careful medical secretary would raise (DESIGN.md contract).
//!
//! Plain data; `start`/`end` are offsets in Unicode scalar values (chars), not bytes,
//! into the text that was checked. Never holds more patient text than the queried span.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    LowConfidence,
    UnknownTerm,
    SoundAlike,
    DoseRange,
    Abbreviation,
    Laterality,
    Inconsistency,
    Artifact,
    MissingField,
    /// A job field the author said that could not be read, or was heard with low confidence.
    UnclearField,
    /// The patient the author named is not the patient the job is attached to.
    PatientMismatch,
    /// The recogniser found a medical reading of the audio nearly as likely as the words
    /// it wrote (`check::heard`).
    Misheard,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::LowConfidence => "low_confidence",
            FindingKind::UnknownTerm => "unknown_term",
            FindingKind::SoundAlike => "sound_alike",
            FindingKind::DoseRange => "dose_range",
            FindingKind::Abbreviation => "abbreviation",
            FindingKind::Laterality => "laterality",
            FindingKind::Inconsistency => "inconsistency",
            FindingKind::Artifact => "artifact",
            FindingKind::MissingField => "missing_field",
            FindingKind::UnclearField => "unclear_field",
            FindingKind::PatientMismatch => "patient_mismatch",
            FindingKind::Misheard => "misheard",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    /// The queried text, exactly `text[start..end]` in chars.
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// What a secretary reads: what looks wrong and what to check.
    pub message: String,
    pub suggestions: Vec<String>,
    /// Audio time `[start, end]` in seconds, when the text came from audio.
    pub time: Option<[f64; 2]>,
    /// The job field a query is about ("patient.dob", "priority"), for queries on what was
    /// said in the preamble; those have no span in the letter's text (start = end = 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
