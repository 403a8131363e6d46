//! Queries about the job the author said (`dictation::job`): a second patient, priorities
//! that disagree, a date of birth after the dictation, a stated age the date of birth
//! contradicts, a field that could not be read or was heard with low confidence, and the
//! wrong-patient guard: the spoken patient against the patient the job is attached to.
//!
//! A job query has no span in the letter's text (start = end = 0) unless it is about words
//! of the body (a stated age); `field` names what it is about and `time` where it was said.
//! Only reads; never changes the job or the text.

use chrono::{Datelike, NaiveDate};

use super::align::Alignment;
use super::text::Doc;
use super::{Finding, FindingKind, Severity, ages};
use crate::dictation::job::{Doubt, Heard, Patient, Reading};
use crate::transcript::Transcript;

/// Fields heard below this confidence are queried: a wrong date of birth or record number
/// is worse than a wrong word in the body, so the bar is higher than the body's.
pub const FIELD_CONFIDENCE: f32 = 0.5;

fn query(
    kind: FindingKind,
    severity: Severity,
    field: &str,
    text: &str,
    message: String,
) -> Finding {
    Finding {
        kind,
        severity,
        text: text.to_string(),
        start: 0,
        end: 0,
        message,
        suggestions: vec![],
        time: None,
        field: Some(field.to_string()),
    }
}

fn label(field: &str) -> &'static str {
    match field {
        "patient.dob" => "date of birth",
        "patient.mrn" => "record number",
        "patient.name" | "patient" => "patient's name",
        "recipient" => "recipient",
        "author" => "author",
        "cc" => "copies",
        "priority" => "priority",
        "instructions" => "instruction",
        _ => "field",
    }
}

/// Written the way a letter shows a date of birth: "3 March 1958".
pub fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// Age in whole years on `on`.
pub fn age_on(dob: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - dob.year();
    if (on.month(), on.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years
}

/// The queries on what `read` found in `raw`; `text` is the letter's text (the formatted
/// body) the char offsets of an age query refer to; `today` the dictation's date.
pub fn findings(r: &Reading, raw: &str, text: &str, today: NaiveDate) -> Vec<Finding> {
    let job = &r.job;
    let mut out = Vec::new();
    for d in &r.doubts {
        out.push(match d {
            Doubt::TwoPatients { second } => query(
                FindingKind::Inconsistency,
                Severity::High,
                "patient",
                second,
                format!(
                    "Two patients named: {} and {second}. The job is for {} — check which \
                     patient this dictation is about",
                    job.patient.name.as_deref().unwrap_or("the first"),
                    job.patient.name.as_deref().unwrap_or("the first"),
                ),
            ),
            Doubt::ConflictingPriority { said } => {
                let said: Vec<&str> = said.iter().map(|p| p.as_str()).collect();
                query(
                    FindingKind::Inconsistency,
                    Severity::Medium,
                    "priority",
                    &said.join(" / "),
                    format!(
                        "The priority was said as {}: none is set — ask the author which",
                        said.join(" and ")
                    ),
                )
            }
            Doubt::UnannouncedDate { heard } => query(
                FindingKind::UnclearField,
                Severity::High,
                "patient.dob",
                heard,
                format!(
                    "A date (\"{heard}\") was said in the preamble but not heard as the date \
                     of birth — listen: is it the patient's date of birth?"
                ),
            ),
            Doubt::Unreadable { field, heard } => query(
                FindingKind::UnclearField,
                Severity::High,
                field,
                heard,
                format!(
                    "The {} was said but could not be read (heard \"{heard}\") — listen and \
                     type it, or ask the author",
                    label(field)
                ),
            ),
        });
    }
    if let Some(dob) = job.patient.dob {
        if dob > today {
            out.push(query(
                FindingKind::Inconsistency,
                Severity::High,
                "patient.dob",
                &long_date(dob),
                format!(
                    "The date of birth {} is after the dictation ({}) — check it",
                    long_date(dob),
                    long_date(today)
                ),
            ));
        } else {
            for &(a, b) in &r.preamble {
                let said = raw.get(a..b).unwrap_or_default();
                out.extend(ages_in_text(dob, said, today).into_iter().map(|f| Finding {
                    start: 0,
                    end: 0,
                    ..f
                }));
            }
            out.extend(ages_in_text(dob, text, today));
        }
    }
    out
}

/// The patient's ages stated in `text` that the date of birth contradicts on `today`, as
/// queries on those words.
pub fn ages_in_text(dob: NaiveDate, text: &str, today: NaiveDate) -> Vec<Finding> {
    let age = age_on(dob, today);
    let mut out = Vec::new();
    let doc = Doc::new(text);
    for (said, s, e) in ages::present_years(&doc) {
        if said != age {
            let start = text[..s].chars().count();
            let span = &text[s..e];
            out.push(Finding {
                start,
                end: start + span.chars().count(),
                ..query(
                    FindingKind::Inconsistency,
                    Severity::Medium,
                    "patient.dob",
                    span,
                    age_message(said, age, dob, today),
                )
            });
        }
    }
    out
}

fn age_message(said: i32, age: i32, dob: NaiveDate, today: NaiveDate) -> String {
    format!(
        "The patient is said to be {said}, but born {} makes them {age} on {} — check the age \
         and the date of birth",
        long_date(dob),
        long_date(today)
    )
}

/// Fields taken from words Whisper was unsure of, and the audio time of every job query.
/// `raw` is Whisper's own transcript (its text is the text `read` was given).
pub fn heard_findings(r: &Reading, raw: &Transcript, findings: &mut Vec<Finding>) {
    let aligned = Alignment::new(raw);
    let chars = |b: usize| raw.text.get(..b).map_or(0, |s| s.chars().count());
    let span = |h: &Heard| (chars(h.start), chars(h.end));
    for h in &r.heard {
        let (s, e) = span(h);
        let already = findings
            .iter()
            .any(|f| f.field.as_deref() == Some(h.field) && f.kind == FindingKind::UnclearField);
        if already {
            continue;
        }
        if let Some(c) = aligned
            .min_confidence(s, e)
            .filter(|c| *c < FIELD_CONFIDENCE)
        {
            let heard = raw.text.get(h.start..h.end).unwrap_or_default();
            let mut f = query(
                FindingKind::UnclearField,
                Severity::Medium,
                h.field,
                heard,
                format!(
                    "Whisper was unsure of the {} (confidence {:.0}%): \"{heard}\" — listen \
                     and check it",
                    label(h.field),
                    (c * 100.0).clamp(0.0, 100.0)
                ),
            );
            f.time = aligned.time(s, e);
            findings.push(f);
        }
    }
    for f in findings
        .iter_mut()
        .filter(|f| f.field.is_some() && f.time.is_none())
    {
        let field = f.field.as_deref().unwrap_or_default();
        let top = field.split('.').next().unwrap_or_default();
        let h = r
            .heard
            .iter()
            .find(|h| h.field == field)
            .or_else(|| r.heard.iter().find(|h| h.field.starts_with(top)));
        if let Some(h) = h {
            let (s, e) = span(h);
            f.time = aligned.time(s, e);
        }
    }
}

/// The wrong-patient guard: the patient said in the dictation against the patient the job is
/// attached to (`--data`, `--set`, the service's fields). One High query per field that
/// disagrees, naming both; nothing when either side is silent on a field.
pub fn patient_mismatch(said: &Patient, record: &Patient) -> Vec<Finding> {
    let mut out = Vec::new();
    if let (Some(a), Some(b)) = (&said.name, &record.name)
        && !same_person(a, b)
    {
        out.push(mismatch("patient.name", a, b, a, b));
    }
    if let (Some(a), Some(b)) = (said.dob, record.dob)
        && a != b
    {
        let (a, b) = (long_date(a), long_date(b));
        out.push(mismatch(
            "patient.dob",
            &a,
            &b,
            &format!("born {a}"),
            &format!("born {b}"),
        ));
    }
    if let (Some(a), Some(b)) = (&said.mrn, &record.mrn)
        && normal_mrn(a) != normal_mrn(b)
    {
        out.push(mismatch("patient.mrn", a, b, a, b));
    }
    out
}

fn mismatch(field: &str, said: &str, record: &str, said_as: &str, record_as: &str) -> Finding {
    query(
        FindingKind::PatientMismatch,
        Severity::High,
        field,
        said,
        format!(
            "Wrong patient? dictated: {said_as}; record: {record_as} (the job's {}: {record}) — \
             check with the author before anything is sent",
            label(field)
        ),
    )
}

fn normal_mrn(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Names agree when the surnames do and any given names both sides have agree; titles and
/// case are ignored ("Mrs Margaret Ellison" = "Margaret Ellison" = "Mrs M Ellison").
fn same_person(a: &str, b: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| c.is_whitespace() || c == ',')
            .map(|w| w.trim_matches('.').to_lowercase())
            .filter(|w| {
                !w.is_empty()
                    && !matches!(
                        w.as_str(),
                        "mr" | "mrs"
                            | "ms"
                            | "miss"
                            | "master"
                            | "dr"
                            | "rev"
                            | "mx"
                            | "sir"
                            | "dame"
                            | "professor"
                            | "prof"
                    )
            })
            .collect()
    };
    let (a, b) = (words(a), words(b));
    let (Some(sa), Some(sb)) = (a.last(), b.last()) else {
        return true;
    };
    if sa != sb {
        return false;
    }
    match (a.first(), b.first()) {
        (Some(fa), Some(fb)) if a.len() > 1 && b.len() > 1 => {
            fa == fb
                || (fa.len() == 1 && fb.starts_with(fa.as_str()))
                || (fb.len() == 1 && fa.starts_with(fb.as_str()))
        }
        _ => true,
    }
}

/// The patient a job is filed under, from its `patient` fields (`{"name", "dob", "mrn"}` as
/// typed in `--data`, `--set` or the service), for `patient_mismatch`.
pub fn record_patient(fields: &serde_json::Value) -> Patient {
    let field = |k: &str| {
        fields
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let today = chrono::Local::now().date_naive();
    Patient {
        name: field("name").map(str::to_string),
        dob: field("dob").and_then(|d| written_date(d, today)),
        mrn: field("mrn").map(str::to_string),
    }
}

/// A date as typed into a record: "1958-03-03", "03/03/1958", "3 March 1958".
pub fn written_date(s: &str, today: NaiveDate) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .or_else(|| crate::dictation::spoken_date::parse(s, today, false))
}
