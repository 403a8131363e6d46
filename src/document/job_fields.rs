//! The job the author said (`dictation::job::Job`) as letter template fields, so a letter
//! needs no `--data` for what was dictated. `--data` and `--set` are merged over these and
//! win. Instructions to the secretary are never made fields: they must not be printed.

use serde_json::{Map, Value};

use super::Fields;
use crate::check::capitalise;
use crate::check::job::long_date;
use crate::dictation::job::Job;
use crate::workflow::Priority;

impl Fields {
    /// Template fields from what was said; nothing for what was not.
    pub fn from_job(job: &Job) -> Fields {
        let mut f = Fields::new();
        let p = &job.patient;
        if let Some(v) = &p.name {
            f.set("patient.name", v);
        }
        if let Some(d) = p.dob {
            f.set("patient.dob", &long_date(d));
        }
        if let Some(v) = &p.mrn {
            f.set("patient.mrn", v);
        }
        let r = &job.recipient;
        let role = r.role.as_deref().map(capitalise);
        let name = match (&r.name, &role) {
            (Some(n), Some(role)) => Some(format!("{n}, {role}")),
            (Some(n), None) => Some(n.clone()),
            (None, Some(role)) => Some(format!("The {role}")),
            (None, None) => None,
        };
        if let Some(n) = name {
            f.set("recipient.name", &n);
        }
        let address: Vec<String> = r
            .organisation
            .iter()
            .cloned()
            .chain(
                r.address
                    .iter()
                    .flat_map(|a| a.split(", ").map(str::to_string).collect::<Vec<_>>()),
            )
            .collect();
        if !address.is_empty() {
            f.set("recipient.address", &address.join("\n"));
        }
        if let Some(s) = r.name.as_deref().and_then(salutation) {
            f.set("recipient.salutation", &s);
        }
        if let Some(a) = &job.author {
            f.set("author.name", a);
        }
        if let Some(p @ (Priority::Urgent | Priority::Stat)) = job.priority {
            f.set("urgency", &capitalise(p.as_str()));
        }
        let list =
            |items: &[String]| Value::Array(items.iter().cloned().map(Value::String).collect());
        let mut extra = Map::new();
        if !job.cc.is_empty() {
            extra.insert("cc".into(), list(&job.cc));
        }
        if !job.enclosures.is_empty() {
            extra.insert("enclosures".into(), list(&job.enclosures));
        }
        f.merge(&Fields::from_value(Value::Object(extra)));
        f
    }
}

/// "Dr Anjali Patel" → "Dr Patel": how the letter greets them.
fn salutation(name: &str) -> Option<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    match words.as_slice() {
        [title, .., surname] if words.len() >= 2 => Some(format!("{title} {surname}")),
        _ => None,
    }
}
