//! The job as the author said it: "This is Dr Marsh dictating a referral letter to Dr Anjali
//! Patel, cardiology, Riverside General, regarding Mr Harold Whitcombe, date of birth 3rd of
//! March 1958, hospital number RMC 0048213. Urgent please. Copy to the patient."
//!
//! `read` takes raw Whisper text and returns the fields said (template, priority, author,
//! patient, recipient, copies, enclosures, instructions to the secretary), the text with the
//! preamble and the addressed sentences taken out (the letter's body), and what needs asking
//! (two patients, priorities that disagree, a date or number that could not be read). A
//! secretary would never type the preamble into the letter, and neither does this.
//!
//! It never invents a field: what was not said stays empty, and what was said but could not
//! be read is a doubt, not a guess. Plain data in and out; no I/O.

mod people;
mod reader;
mod record_number;
mod said;
mod words;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::workflow::Priority;

/// The patient as the author named them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Patient {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mrn: Option<String>,
}

/// Who the letter goes to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Recipient {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// Everything said about the job (DESIGN.md, transcript JSON `"job"`). Fields not said are
/// absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Job {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Patient::is_empty")]
    pub patient: Patient,
    #[serde(default, skip_serializing_if = "Recipient::is_empty")]
    pub recipient: Recipient,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enclosures: Vec<String>,
    /// Notes for the secretary ("please pull the last clinic letter"); never printed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instructions: Vec<String>,
}

impl Patient {
    pub fn is_empty(&self) -> bool {
        self == &Patient::default()
    }
}

impl Recipient {
    pub fn is_empty(&self) -> bool {
        self == &Recipient::default()
    }
}

impl Job {
    pub fn is_empty(&self) -> bool {
        self == &Job::default()
    }
}

/// Something said about the job that needs the author: plain data; `check::job` words it.
#[derive(Debug, Clone, PartialEq)]
pub enum Doubt {
    /// A second patient was named; the first is kept.
    TwoPatients { second: String },
    /// Priorities said that disagree, with no "actually" between them; none is kept.
    ConflictingPriority { said: Vec<Priority> },
    /// A field was announced but what followed is not one ("hospital number for ate to won").
    Unreadable { field: &'static str, heard: String },
    /// A date was said in the preamble but not announced as the date of birth, and no date
    /// of birth was read: most likely "date of birth" itself was misheard ("Vaita Mirth III
    /// of March 1958").
    UnannouncedDate { heard: String },
}

/// Where in the raw text a field was heard (bytes), so its words' confidence and audio time
/// can be found.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    pub field: &'static str,
    pub start: usize,
    pub end: usize,
}

/// What `read` found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    pub job: Job,
    /// The raw text without the preamble and the sentences addressed to the secretary.
    pub body: String,
    pub doubts: Vec<Doubt>,
    pub heard: Vec<Heard>,
    /// Byte ranges of the raw text read as the preamble (a stated age in it, "an
    /// 82-year-old lady", is checked against the date of birth).
    pub preamble: Vec<(usize, usize)>,
}

/// Read the job from raw Whisper text. `today` is the dictation's date (two-digit years,
/// ages). Never panics, for any input; text with no preamble gives an empty job and the text
/// unchanged as the body.
pub fn read(raw: &str, today: NaiveDate) -> Reading {
    reader::read(raw, today)
}

#[cfg(test)]
mod tests;
