//! The life of a dictation in a department, as plain rules: statuses and who may move a
//! dictation between them, priorities, and stable ids for queries so that a secretary's
//! decisions on them survive re-checking after an edit.
//!
//! Plain data and pure functions: the service (`store/`, `jobs/`, `server/`) applies these
//! rules; this module never touches a database, a request or a session.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::check::{self, Finding};
use crate::dictation::job::Job;
use crate::transcript::Transcript;
use crate::vocab::Vocab;

/// Where a dictation is in its life (DESIGN.md "Statuses").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Queued,
    Transcribing,
    Review,
    Queried,
    Approved,
    Sent,
    Failed,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Queued,
        Status::Transcribing,
        Status::Review,
        Status::Queried,
        Status::Approved,
        Status::Sent,
        Status::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Transcribing => "transcribing",
            Status::Review => "review",
            Status::Queried => "queried",
            Status::Approved => "approved",
            Status::Sent => "sent",
            Status::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Who someone is in the department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Secretary,
    Author,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Secretary => "secretary",
            Role::Author => "author",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Admin, Role::Secretary, Role::Author]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// How soon the letter is needed; orders the pool (stat first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    #[default]
    Routine,
    Urgent,
    Stat,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Routine => "routine",
            Priority::Urgent => "urgent",
            Priority::Stat => "stat",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        [Priority::Routine, Priority::Urgent, Priority::Stat]
            .into_iter()
            .find(|p| p.as_str() == s)
    }

    /// Sort key: smaller is more pressing.
    pub fn rank(self) -> i64 {
        match self {
            Priority::Stat => 0,
            Priority::Urgent => 1,
            Priority::Routine => 2,
        }
    }
}

/// Why a status change was refused, in words for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a dictation cannot go from {from} to {to}")]
    NotAllowed {
        from: &'static str,
        to: &'static str,
    },
    #[error("only {who} may move a dictation from {from} to {to}")]
    WrongRole {
        who: &'static str,
        from: &'static str,
        to: &'static str,
    },
    #[error("{0} quer{1} still open; resolve, dismiss or answer them first")]
    OpenQueries(usize, &'static str),
}

/// Whether `role` may move a dictation from `from` to `to` by hand, given how many of its
/// queries are still open or waiting for the author. Moves the workers make (queued →
/// transcribing → review | failed) and query-driven moves (review ↔ queried) are not
/// requested by hand, except that a failed dictation may be queued again.
pub fn check_transition(
    role: Role,
    from: Status,
    to: Status,
    open_queries: usize,
) -> Result<(), TransitionError> {
    use Status::*;
    let refuse = || TransitionError::NotAllowed {
        from: from.as_str(),
        to: to.as_str(),
    };
    let wrong_role = |who| TransitionError::WrongRole {
        who,
        from: from.as_str(),
        to: to.as_str(),
    };
    match (from, to) {
        (Failed, Queued) => match role {
            Role::Author => Err(wrong_role("secretaries and admins")),
            _ => Ok(()),
        },
        (Review, Approved) => {
            if role == Role::Secretary {
                return Err(wrong_role("the author or an admin"));
            }
            if open_queries > 0 {
                let plural = if open_queries == 1 { "y is" } else { "ies are" };
                return Err(TransitionError::OpenQueries(open_queries, plural));
            }
            Ok(())
        }
        (Approved, Review) => Ok(()),
        (Approved, Sent) => match role {
            Role::Author => Err(wrong_role("secretaries and admins")),
            _ => Ok(()),
        },
        _ => Err(refuse()),
    }
}

/// What has been decided about one query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingState {
    Open,
    Resolved,
    Dismissed,
    Asked,
}

impl FindingState {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingState::Open => "open",
            FindingState::Resolved => "resolved",
            FindingState::Dismissed => "dismissed",
            FindingState::Asked => "asked",
        }
    }

    pub fn parse(s: &str) -> Option<FindingState> {
        [
            FindingState::Open,
            FindingState::Resolved,
            FindingState::Dismissed,
            FindingState::Asked,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// Still needs someone's attention before the letter can be final.
    pub fn is_pending(self) -> bool {
        matches!(self, FindingState::Open | FindingState::Asked)
    }
}

/// A stable id for each finding: the kind, the queried words (case-folded) and which
/// occurrence of that pair it is. Editing text elsewhere leaves the id unchanged, so a
/// decision on a query follows it through re-checks; editing the queried words themselves
/// makes it a different query.
pub fn finding_ids(findings: &[Finding]) -> Vec<String> {
    let mut seen: Vec<(String, usize)> = Vec::new();
    findings
        .iter()
        .map(|f| {
            let key = format!("{}\u{1f}{}", f.kind.as_str(), f.text.to_lowercase());
            let n = match seen.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    seen.push((key.clone(), 0));
                    0
                }
            };
            let digest = Sha256::digest(format!("{key}\u{1f}{n}").as_bytes());
            digest[..6].iter().map(|b| format!("{b:02x}")).collect()
        })
        .collect()
}

/// A short fingerprint of a transcript's text: an editor sends the one it started from, and
/// an edit made on a text that has changed since is refused instead of overwriting it.
pub fn text_revision(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The transcript with its text replaced by a secretary's edit and re-checked. Whisper's
/// timed words are kept: the checker's alignment matches them to the new text in order, so
/// words the edit did not touch keep their audio times and edited words lose theirs.
pub fn edit_transcript(t: &Transcript, new_text: &str, vocab: &Vocab) -> Transcript {
    let mut edited = Transcript {
        text: new_text.to_string(),
        findings: Vec::new(),
        ..t.clone()
    };
    // Queries on what the preamble said have no span in the text: an edit keeps them. The
    // stated ages in the text are checked against the spoken date of birth again.
    let mut findings: Vec<Finding> = t
        .findings
        .iter()
        .filter(|f| f.is_job_query())
        .cloned()
        .collect();
    if let Some(dob) = t.job.patient.dob {
        findings.extend(check::job::ages_in_text(
            dob,
            new_text,
            chrono::Local::now().date_naive(),
        ));
    }
    findings.extend(check::check_transcript(&edited, vocab));
    edited.findings = findings;
    edited
}

/// A dictation's record fields that the spoken job can fill.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub patient: serde_json::Value,
    pub recipient: serde_json::Value,
    /// "" is the default template.
    pub template: String,
    pub priority: Priority,
}

/// Fills what the uploader left empty from what the author said (a patient or recipient
/// key with no value, no template: `template` is the template for the work type said, see
/// `document::template_for_work_type`) and raises the priority to a more pressing one said;
/// never overwrites a value someone typed (a disagreement is a `patient_mismatch` query
/// instead). Returns the names of the record fields changed.
pub fn fill_from_job(r: &mut Record, job: &Job, template: Option<&str>) -> Vec<&'static str> {
    let said = crate::document::Fields::from_job(job);
    let mut changed = Vec::new();
    for (key, slot) in [("patient", &mut r.patient), ("recipient", &mut r.recipient)] {
        let Some(serde_json::Value::Object(from)) = said.get(key) else {
            continue;
        };
        if !slot.is_object() {
            *slot = serde_json::Value::Object(Default::default());
        }
        let Some(to) = slot.as_object_mut() else {
            continue;
        };
        let mut filled = false;
        for (k, v) in from {
            let empty = to
                .get(k)
                .is_none_or(|x| x.is_null() || x.as_str().is_some_and(|s| s.trim().is_empty()));
            if empty {
                to.insert(k.clone(), v.clone());
                filled = true;
            }
        }
        if filled {
            changed.push(key);
        }
    }
    if r.template.is_empty()
        && let Some(t) = template
    {
        r.template = t.to_string();
        changed.push("template");
    }
    if let Some(p) = job.priority
        && p.rank() < r.priority.rank()
    {
        r.priority = p;
        changed.push("priority");
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{FindingKind, Severity};

    fn finding(kind: FindingKind, text: &str, start: usize) -> Finding {
        Finding {
            kind,
            severity: Severity::High,
            text: text.into(),
            start,
            end: start + text.chars().count(),
            message: String::new(),
            suggestions: vec![],
            time: None,
            field: None,
        }
    }

    #[test]
    fn finding_ids_survive_edits_elsewhere_and_tell_repeats_apart() {
        let before = [
            finding(FindingKind::SoundAlike, "Zantac", 10),
            finding(FindingKind::Abbreviation, "QD", 40),
            finding(FindingKind::Abbreviation, "QD", 70),
        ];
        let after = [
            finding(FindingKind::SoundAlike, "Zantac", 25),
            finding(FindingKind::Abbreviation, "qd", 55),
            finding(FindingKind::Abbreviation, "QD", 85),
        ];
        let (a, b) = (finding_ids(&before), finding_ids(&after));
        assert_eq!(a, b);
        assert_ne!(a[1], a[2]);
        assert_eq!(a[0].len(), 12);
        let other = finding_ids(&[finding(FindingKind::SoundAlike, "Xanax", 10)]);
        assert_ne!(other[0], a[0]);
    }

    #[test]
    fn transitions_follow_roles_and_open_queries() {
        use Status::*;
        assert!(check_transition(Role::Author, Review, Approved, 0).is_ok());
        assert!(matches!(
            check_transition(Role::Author, Review, Approved, 2),
            Err(TransitionError::OpenQueries(2, _))
        ));
        assert!(matches!(
            check_transition(Role::Secretary, Review, Approved, 0),
            Err(TransitionError::WrongRole { .. })
        ));
        assert!(check_transition(Role::Secretary, Approved, Sent, 0).is_ok());
        assert!(check_transition(Role::Author, Approved, Sent, 0).is_err());
        assert!(check_transition(Role::Secretary, Failed, Queued, 0).is_ok());
        assert!(check_transition(Role::Admin, Queued, Sent, 0).is_err());
        assert!(check_transition(Role::Admin, Review, Sent, 0).is_err());
    }

    #[test]
    fn the_spoken_job_fills_only_what_was_left_empty() {
        use crate::dictation::job::{Job, Patient};
        let job = Job {
            template: Some("gp-letter".into()),
            priority: Some(Priority::Urgent),
            patient: Patient {
                name: Some("Mr John Smith".into()),
                dob: chrono::NaiveDate::from_ymd_opt(1958, 3, 3),
                mrn: Some("RMC0048213".into()),
            },
            ..Job::default()
        };
        let mut r = Record {
            patient: serde_json::json!({"name": "John Smith", "mrn": ""}),
            recipient: serde_json::json!({}),
            template: String::new(),
            priority: Priority::Routine,
        };
        let changed = fill_from_job(&mut r, &job, Some("clinic-letter"));
        assert_eq!(changed, ["patient", "template", "priority"]);
        assert_eq!(
            r.patient["name"], "John Smith",
            "a typed value is never overwritten"
        );
        assert_eq!(r.patient["mrn"], "RMC0048213");
        assert_eq!(r.patient["dob"], "3 March 1958");
        assert_eq!(r.template, "clinic-letter");
        assert_eq!(r.priority, Priority::Urgent);
        // Said again: nothing left to fill, and a less pressing priority never lowers it.
        let routine = Job {
            priority: Some(Priority::Routine),
            ..job.clone()
        };
        assert!(fill_from_job(&mut r, &routine, Some("clinic-letter")).is_empty());
        assert_eq!(r.priority, Priority::Urgent);
    }
}
