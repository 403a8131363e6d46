//! `GET /api/dictations/{id}/letter?format=docx|md[&final=true]`: the dictation merged into
//! its template by the library, with the queries still open as Word comments. A final
//! letter is refused (409, with the open queries) while any query is open or waiting for
//! the author, or a required field is missing, and until the author has approved it.
//! Also `GET /api/templates`, the templates a letter may use.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::CurrentUser;
use super::dictations::visible;
use super::{AppState, Error, view};
use crate::document::{self, Fields};
use crate::workflow::Status;
use crate::{check, dictation};

/// The template a dictation uses when none was chosen.
pub const DEFAULT_TEMPLATE: &str = "clinic-letter";

#[derive(Deserialize)]
pub struct LetterQuery {
    format: Option<String>,
    #[serde(rename = "final")]
    final_: Option<bool>,
    /// The review page's live preview (Markdown): shown, not exported, so not audited as an
    /// export (opening the dictation is audited as a view).
    preview: Option<bool>,
}

/// Field data for a dictation's letter: what the author said about the job (copies,
/// enclosures, urgency, recipient), then the author's account name and the day it was
/// dictated, then its other fields, patient and recipient as set on the dictation.
fn fields(d: &crate::store::Dictation, author: Option<&crate::store::User>) -> Fields {
    let mut f = d
        .transcript
        .as_ref()
        .map_or_else(Fields::new, |t| Fields::from_job(&t.job));
    let signed = author.map(|a| a.signing_name()).unwrap_or(&d.author);
    f.set("author.name", signed);
    // The day it was dictated, in the server's time zone (the department's).
    if let Some(day) = chrono::DateTime::from_timestamp_millis(d.created) {
        let local = day.with_timezone(&chrono::Local);
        f.set("clinic.date", &local.format("%-d %B %Y").to_string());
    }
    if let Value::Object(map) = &d.fields {
        for (k, v) in map {
            if let Value::String(s) = v {
                f.set(k, s);
            }
        }
    }
    for (prefix, obj) in [("patient", &d.patient), ("recipient", &d.recipient)] {
        if let Value::Object(map) = obj {
            for (k, v) in map {
                if let Value::String(s) = v
                    && !s.trim().is_empty()
                {
                    f.set(&format!("{prefix}.{k}"), s);
                }
            }
        }
    }
    f
}

pub async fn letter(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<LetterQuery>,
) -> Result<Response, Error> {
    let format = q.format.as_deref().unwrap_or("docx");
    if !matches!(format, "docx" | "md") {
        return Err(Error::Invalid(format!(
            "unknown format {format:?}; use docx or md"
        )));
    }
    let final_ = q.final_.unwrap_or(false);
    let d = visible(&state, &u, &id).await?;
    let Some(t) = d.transcript.clone() else {
        return Err(Error::Conflict(format!(
            "there is no transcript yet (the dictation is {})",
            d.status.as_str()
        )));
    };
    let name = if d.template.is_empty() {
        DEFAULT_TEMPLATE
    } else {
        &d.template
    };
    let template = document::load_template(&state.config.templates_dir, name)
        .map_err(|e| Error::Internal(format!("template {name}: {e}")))?;
    let decisions = state.store.finding_decisions(&id).await?;
    let states = view::finding_states(&t, &decisions);
    // Only queries still pending go into the letter; decided ones are done with.
    let pending: Vec<check::Finding> = t
        .findings
        .iter()
        .zip(&states)
        .filter(|(_, (_, s))| s.is_pending())
        .map(|(f, _)| f.clone())
        .collect();
    let author = state.store.user_by_id(d.author_id).await?;
    let fields = fields(&d, author.as_ref());
    // Queries decided already stay decided if the text has to be checked again below.
    let decided: Vec<String> = states
        .iter()
        .filter(|(_, s)| !s.is_pending())
        .map(|(id, _)| id.clone())
        .collect();
    let vocab = state.vocab.clone();
    let rendered = tokio::task::spawn_blocking(move || {
        let draft = dictation::draft(&t.text);
        // Offsets must refer to the text being rendered: if drafting changed the text
        // (it normally does not, the transcript is already drafted), check again.
        let findings = if draft.text == t.text {
            pending
        } else {
            let fresh = check::check_text(&draft.text, &vocab);
            let ids = crate::workflow::finding_ids(&fresh);
            fresh
                .into_iter()
                .zip(ids)
                .filter(|(_, id)| !decided.contains(id))
                .map(|(f, _)| f)
                .collect()
        };
        document::render(&template, &fields, &draft, &findings)
    })
    .await
    .map_err(|e| Error::Internal(format!("rendering stopped: {e}")))?
    .map_err(|e| Error::Internal(format!("rendering failed: {e}")))?;
    let mut letter = rendered;
    if final_ {
        let open: Vec<Value> = letter
            .unresolved()
            .iter()
            .map(|f| json!({"kind": f.kind.as_str(), "text": f.text, "message": f.message}))
            .collect();
        if !open.is_empty() {
            return Err(Error::OpenQueries(open));
        }
        if !matches!(d.status, Status::Approved | Status::Sent) {
            return Err(Error::Conflict(format!(
                "a signed letter needs the author's approval, and this dictation is {}",
                d.status.as_str()
            )));
        }
        letter = letter
            .finalize()
            .map_err(|e| Error::Internal(format!("finalising failed: {e}")))?;
    }
    let preview = q.preview.unwrap_or(false) && format == "md" && !final_;
    if !preview {
        let detail = format!("{format}{}", if final_ { " final" } else { "" });
        state
            .store
            .audit(u.name(), "export", Some(&id), &detail)
            .await?;
    }
    let (bytes, mime) = match format {
        "md" => (
            letter.to_markdown().into_bytes(),
            "text/markdown; charset=utf-8",
        ),
        _ => (
            letter
                .to_docx_bytes()
                .map_err(|e| Error::Internal(format!("DOCX failed: {e}")))?,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    };
    let disposition = format!("attachment; filename=\"{id}.{format}\"");
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/templates`: the letter and note templates a dictation may use, with their fields.
pub async fn templates(
    State(state): State<AppState>,
    _u: CurrentUser,
) -> Result<Json<Value>, Error> {
    let dir = state.config.templates_dir.clone();
    let list = tokio::task::spawn_blocking(move || document::list_templates(&dir))
        .await
        .map_err(|e| Error::Internal(format!("reading templates stopped: {e}")))?
        .map_err(|e| Error::Internal(format!("templates: {e}")))?;
    let list: Vec<Value> = list
        .iter()
        .map(|t| {
            let fields: Vec<Value> = t
                .fields
                .iter()
                .map(|f| json!({"name": f.name, "description": f.description, "required": f.required}))
                .collect();
            json!({"name": t.name, "description": t.description, "fields": fields})
        })
        .collect();
    Ok(Json(json!({ "templates": list })))
}
