//! The JSON the API answers with (DESIGN.md "The service"): a worklist row, a dictation with
//! its transcript, and each finding with its stable id and the decision on it.
//!
//! Plain functions from store records to `serde_json::Value`; no I/O.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::store::{Dictation, DictationList, FindingDecision, rfc3339};
use crate::transcript::Transcript;
use crate::workflow::{FindingState, finding_ids};

pub fn list_row(d: &DictationList) -> Value {
    json!({
        "id": d.id,
        "status": d.status.as_str(),
        "priority": d.priority.as_str(),
        "author": d.author,
        "title": d.title,
        "patient": d.patient,
        "duration": d.duration,
        "created": rfc3339(d.created),
        "due": d.due.map(rfc3339),
        "template": d.template,
        "locked_by": d.locked_by,
        "error": d.error,
        "updated": rfc3339(d.updated),
    })
}

/// Each finding's id and state, by position in `t.findings`.
pub fn finding_states(
    t: &Transcript,
    decisions: &[FindingDecision],
) -> Vec<(String, FindingState)> {
    let by_id: HashMap<&str, &FindingDecision> = decisions
        .iter()
        .map(|d| (d.finding_id.as_str(), d))
        .collect();
    finding_ids(&t.findings)
        .into_iter()
        .map(|id| {
            let state = by_id
                .get(id.as_str())
                .map(|d| d.state)
                .unwrap_or(FindingState::Open);
            (id, state)
        })
        .collect()
}

/// How many findings still need attention (open or asked).
pub fn pending_count(t: Option<&Transcript>, decisions: &[FindingDecision]) -> usize {
    t.map(|t| {
        finding_states(t, decisions)
            .iter()
            .filter(|(_, s)| s.is_pending())
            .count()
    })
    .unwrap_or(0)
}

/// The transcript JSON with `id`, `state`, `note` and `answer` on every finding.
pub fn transcript(t: &Transcript, decisions: &[FindingDecision]) -> Value {
    let by_id: HashMap<&str, &FindingDecision> = decisions
        .iter()
        .map(|d| (d.finding_id.as_str(), d))
        .collect();
    let mut v = serde_json::to_value(t).unwrap_or(Value::Null);
    // The text's words with their audio times, as [start, end, from, to] (chars, seconds;
    // from/to null for a word an edit changed): what the review page highlights.
    let timed: Vec<Value> = crate::check::timed_words(t)
        .iter()
        .map(|w| json!([w.start, w.end, w.time.map(|x| x[0]), w.time.map(|x| x[1])]))
        .collect();
    if let Some(obj) = v.as_object_mut() {
        obj.insert("timed".into(), Value::Array(timed));
        obj.insert(
            "revision".into(),
            json!(crate::workflow::text_revision(&t.text)),
        );
    }
    let ids = finding_ids(&t.findings);
    if let Some(list) = v.get_mut("findings").and_then(Value::as_array_mut) {
        for (f, id) in list.iter_mut().zip(ids) {
            let d = by_id.get(id.as_str());
            if let Some(obj) = f.as_object_mut() {
                let state = d.map(|d| d.state).unwrap_or(FindingState::Open);
                obj.insert("state".into(), json!(state.as_str()));
                obj.insert(
                    "note".into(),
                    json!(d.map(|d| d.note.as_str()).unwrap_or("")),
                );
                obj.insert(
                    "answer".into(),
                    json!(d.map(|d| d.answer.as_str()).unwrap_or("")),
                );
                obj.insert("id".into(), json!(id));
            }
        }
    }
    v
}

pub fn dictation(d: &Dictation, decisions: &[FindingDecision]) -> Value {
    json!({
        "id": d.id,
        "status": d.status.as_str(),
        "attempts": d.attempts,
        "error": d.error,
        "author": d.author,
        "priority": d.priority.as_str(),
        "title": d.title,
        "template": d.template,
        "due": d.due.map(rfc3339),
        "patient": d.patient,
        "recipient": d.recipient,
        "fields": d.fields,
        "note": d.note,
        "duration": d.duration,
        "audio": {"type": d.audio_type, "bytes": d.audio_bytes},
        "locked_by": d.locked_by.as_ref().map(|(_, n)| n),
        "created": rfc3339(d.created),
        "updated": rfc3339(d.updated),
        "transcript": d.transcript.as_ref().map(|t| transcript(t, decisions)),
    })
}
