//! Convenience constructors for `Finding` used by other modules (e.g. the document module's
//! missing template fields). Plain data only; never touches text.

use super::{Finding, FindingKind, Severity};

impl Finding {
    /// A query on the job the author said (`check::job`) that has no place in the text: it
    /// is kept as it is when the text is edited or checked again, and a letter shows it on
    /// the reference line.
    pub fn is_job_query(&self) -> bool {
        self.field.is_some() && self.start == self.end
    }

    /// A `missing_field` finding: a template field with no value. It has no span in the
    /// dictation (start = end = 0); `text` is the placeholder the letter shows instead.
    pub fn missing_field(name: &str, placeholder: &str, message: &str) -> Finding {
        Finding {
            kind: FindingKind::MissingField,
            severity: Severity::Medium,
            text: placeholder.to_string(),
            start: 0,
            end: 0,
            message: if message.is_empty() {
                format!("The field \"{name}\" has no value — please fill it in")
            } else {
                message.to_string()
            },
            suggestions: vec![],
            time: None,
            field: None,
        }
    }
}
