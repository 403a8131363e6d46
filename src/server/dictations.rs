//! `/api/dictations`: upload, worklist, one dictation, its audio, transcript edits, decisions
//! on queries, status changes and the secretary's lock.
//!
//! Who sees what: an author only their own dictations (another's is 404, as if it did not
//! exist); secretaries and admins the whole pool. A dictation a secretary has open is locked
//! to her: another secretary may read it but not change it until she releases it or goes
//! idle.

use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::CurrentUser;
use super::{AppState, Error, upload, view};
use crate::store::{Dictation, FieldChanges, NewDictation, random_hex};
use crate::workflow::{self, FindingState, Priority, Role, Status};

type Result<T> = std::result::Result<T, Error>;

const MAX_TEXT: usize = 2_000;
const MAX_TRANSCRIPT: usize = 500_000;

/// A dictation the user may see, or 404.
pub async fn visible(state: &AppState, u: &CurrentUser, id: &str) -> Result<Dictation> {
    let d = state
        .store
        .dictation(id)
        .await?
        .ok_or(Error::NotFound("dictation"))?;
    if u.role() == Role::Author && d.author_id != u.user.id {
        return Err(Error::NotFound("dictation"));
    }
    Ok(d)
}

/// Refuses a change while another secretary holds the dictation's lock; a secretary who
/// changes it takes (or renews) the lock herself.
async fn claim_for_edit(state: &AppState, d: &Dictation, u: &CurrentUser) -> Result<()> {
    if u.role() != Role::Secretary {
        return Ok(());
    }
    match state.store.take_lock(&d.id, u.user.id).await? {
        Some(name) => Err(Error::Conflict(format!(
            "{name} is working on this dictation; ask her to release it"
        ))),
        None => Ok(()),
    }
}

/// The optional `meta` part of an upload (DESIGN.md).
#[derive(Deserialize, Default)]
struct Meta {
    title: Option<String>,
    template: Option<String>,
    priority: Option<String>,
    due: Option<String>,
    patient: Option<Value>,
    recipient: Option<Value>,
    note: Option<String>,
    /// Other template fields by dotted name, e.g. {"clinic.name": "Cardiology Clinic"}.
    fields: Option<Value>,
    /// Secretaries and admins upload for an author.
    author: Option<String>,
}

fn bounded(what: &str, s: Option<String>) -> Result<String> {
    let s = s.unwrap_or_default();
    if s.chars().count() > MAX_TEXT {
        return Err(Error::Invalid(format!(
            "{what} is longer than {MAX_TEXT} characters"
        )));
    }
    Ok(s)
}

/// A patient or recipient: an object of short strings (nested one level at most).
fn person(what: &str, v: Option<Value>) -> Result<Value> {
    let v = v.unwrap_or_else(|| json!({}));
    let Value::Object(map) = &v else {
        return Err(Error::Invalid(format!(
            "{what} must be a JSON object, e.g. {{\"name\": \"...\"}}"
        )));
    };
    for (k, val) in map {
        let ok = match val {
            Value::String(s) => s.chars().count() <= 500,
            Value::Null => true,
            _ => false,
        };
        if !ok || k.len() > 64 {
            return Err(Error::Invalid(format!(
                "{what}.{k} must be a string of at most 500 characters"
            )));
        }
    }
    Ok(v)
}

/// Other template fields: an object of dotted names to short strings.
fn letter_fields(v: Option<Value>) -> Result<Value> {
    let v = v.unwrap_or_else(|| json!({}));
    let ok_key = |k: &str| {
        (1..=64).contains(&k.len())
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_'))
    };
    match &v {
        Value::Object(map)
            if map.iter().all(|(k, val)| {
                ok_key(k) && val.as_str().is_some_and(|s| s.chars().count() <= 2_000)
            }) =>
        {
            Ok(v)
        }
        _ => Err(Error::Invalid(
            "fields must be an object of template field names to strings, e.g. \
             {\"clinic.name\": \"Cardiology Clinic\"}"
                .into(),
        )),
    }
}

pub fn parse_priority(s: &str) -> Result<Priority> {
    Priority::parse(s).ok_or_else(|| {
        Error::Invalid(format!(
            "unknown priority {s:?}; use routine, urgent or stat"
        ))
    })
}

/// A due time: RFC 3339 or a date (end of that day, UTC).
pub fn parse_due(s: &str) -> Result<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .map(|t| t.and_utc().timestamp_millis())
        .ok_or_else(|| {
            Error::Invalid(format!(
                "due {s:?} is not a date (YYYY-MM-DD) or an RFC 3339 time"
            ))
        })
}

/// Checks that a template exists (an empty name is the default template).
pub fn check_template(state: &AppState, name: &str) -> Result<()> {
    if name.is_empty() {
        return Ok(());
    }
    crate::document::load_template(&state.config.templates_dir, name)
        .map(|_| ())
        .map_err(|_| {
            Error::Invalid(format!(
                "unknown template {name:?}; `medscribe templates` lists them"
            ))
        })
}

/// `POST /api/dictations` (multipart: `audio`, optional `meta`) → 201 `{"id", "status"}`.
pub async fn create(
    State(state): State<AppState>,
    u: CurrentUser,
    mut form: Multipart,
) -> Result<Response> {
    let dir = state.store.dir.root.clone();
    let mut received = None;
    let mut meta = Meta::default();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(Error::TooLarge(state.config.max_upload / (1024 * 1024)));
            }
            Err(e) => return Err(Error::Invalid(format!("malformed multipart upload: {e}"))),
        };
        match field.name() {
            Some("audio") if received.is_none() => {
                received = Some(upload::receive(field, &dir, state.config.max_upload).await?);
            }
            Some("meta") => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| Error::Invalid(format!("the meta part could not be read: {e}")))?;
                meta = serde_json::from_str(&text)
                    .map_err(|e| Error::Invalid(format!("the meta part is not valid JSON: {e}")))?;
            }
            _ => {} // unknown parts are ignored
        }
    }
    let Some(received) = received else {
        return Err(Error::Invalid(
            "no audio: send the recording in a multipart part named \"audio\"".into(),
        ));
    };
    let author = match (&meta.author, u.role()) {
        (None, Role::Author) => u.user.clone(),
        (Some(name), Role::Author) if *name == u.user.name => u.user.clone(),
        (Some(_), Role::Author) => return Err(Error::Forbidden("author")),
        (Some(name), _) => match state.store.user_by_name(name).await? {
            Some(a) if a.role == Role::Author && !a.disabled => a,
            _ => {
                return Err(Error::Invalid(format!(
                    "{name:?} is not an author's user name"
                )));
            }
        },
        (None, _) => {
            return Err(Error::Invalid(
                "say whose dictation this is: \"author\" in the meta part".into(),
            ));
        }
    };
    let priority = match &meta.priority {
        Some(p) => parse_priority(p)?,
        None => Priority::Routine,
    };
    let due = meta.due.as_deref().map(parse_due).transpose()?;
    let template = bounded("template", meta.template)?;
    check_template(&state, &template)?;
    let new = NewDictation {
        id: random_hex(8),
        author_id: author.id,
        priority,
        title: bounded("title", meta.title)?,
        template,
        due,
        patient: person("patient", meta.patient)?,
        recipient: person("recipient", meta.recipient)?,
        fields: letter_fields(meta.fields)?,
        note: bounded("note", meta.note)?,
        audio_name: String::new(),
        audio_type: String::new(),
        audio_bytes: received.bytes as i64,
        duration: 0.0,
    };
    let (ext, mime, duration) = upload::verify(received.file.to_path_buf(), received.bytes).await?;
    let new = NewDictation {
        audio_name: format!("{}.{ext}", new.id),
        audio_type: mime.into(),
        duration,
        ..new
    };
    let id = store_new(&state, received.file, new, u.name(), None).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "status": "queued"})),
    )
        .into_response())
}

/// Moves verified audio into place and records the dictation; on any failure the audio is
/// removed again, so nothing is half-stored.
pub async fn store_new(
    state: &AppState,
    file: tempfile::TempPath,
    new: NewDictation,
    by: &str,
    import_sha256: Option<&str>,
) -> Result<String> {
    let dest = state.store.dir.audio(&new.audio_name);
    file.persist(&dest).map_err(|e| Error::io(e.error))?;
    if let Err(e) = state
        .store
        .create_dictation_from(&new, by, import_sha256)
        .await
    {
        let _ = std::fs::remove_file(&dest);
        return Err(e.into());
    }
    state.wake.notify_one();
    Ok(new.id)
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
}

/// `GET /api/dictations[?status=review]`: the worklist, most pressing first.
pub async fn list(
    State(state): State<AppState>,
    u: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>> {
    let status = match q.status.as_deref() {
        Some(s) => {
            Some(Status::parse(s).ok_or_else(|| Error::Invalid(format!("unknown status {s:?}")))?)
        }
        None => None,
    };
    let author = (u.role() == Role::Author).then_some(u.user.id);
    let rows = state.store.list_dictations(author, status).await?;
    let list: Vec<Value> = rows.iter().map(view::list_row).collect();
    Ok(Json(json!({ "dictations": list })))
}

/// `GET /api/dictations/{id}`; a secretary opening it takes its lock.
pub async fn show(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let mut d = visible(&state, &u, &id).await?;
    if u.role() == Role::Secretary && state.store.take_lock(&id, u.user.id).await?.is_none() {
        d.locked_by = Some((u.user.id, u.user.name.clone()));
    }
    state.store.audit(u.name(), "view", Some(&id), "").await?;
    let decisions = state.store.finding_decisions(&id).await?;
    Ok(Json(view::dictation(&d, &decisions)))
}

#[derive(Deserialize)]
pub struct Update {
    title: Option<String>,
    template: Option<String>,
    priority: Option<String>,
    /// Absent: unchanged; null: no due time.
    #[serde(default, deserialize_with = "present")]
    due: Option<Option<String>>,
    fields: Option<Value>,
    patient: Option<Value>,
    recipient: Option<Value>,
    note: Option<String>,
}

/// Tells a field that is `null` (Some(None)) from one that is absent (None, by default).
fn present<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `PATCH /api/dictations/{id}`: fields (title, template, priority, due, patient,
/// recipient, fields, note).
pub async fn update(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
    body: std::result::Result<Json<Update>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>> {
    let Json(b) = body.map_err(json_error)?;
    let d = visible(&state, &u, &id).await?;
    claim_for_edit(&state, &d, &u).await?;
    if matches!(d.status, Status::Approved | Status::Sent) {
        return Err(Error::Conflict(format!(
            "the dictation is {}; return it to review before changing it",
            d.status.as_str()
        )));
    }
    if let Some(t) = &b.template {
        check_template(&state, t)?;
    }
    let changes = FieldChanges {
        title: b.title.map(|t| bounded("title", Some(t))).transpose()?,
        template: b.template,
        priority: b.priority.as_deref().map(parse_priority).transpose()?,
        due: b
            .due
            .map(|d| d.as_deref().map(parse_due).transpose())
            .transpose()?,
        patient: b.patient.map(|p| person("patient", Some(p))).transpose()?,
        recipient: b
            .recipient
            .map(|p| person("recipient", Some(p)))
            .transpose()?,
        fields: b.fields.map(|f| letter_fields(Some(f))).transpose()?,
        note: b.note.map(|t| bounded("note", Some(t))).transpose()?,
    };
    state.store.update_fields(&id, &changes, u.name()).await?;
    show_json(&state, &id).await
}

async fn show_json(state: &AppState, id: &str) -> Result<Json<Value>> {
    let d = state
        .store
        .dictation(id)
        .await?
        .ok_or(Error::NotFound("dictation"))?;
    let decisions = state.store.finding_decisions(id).await?;
    Ok(Json(view::dictation(&d, &decisions)))
}

/// Malformed JSON bodies get the app's own error, naming the problem.
pub fn json_error(e: axum::extract::rejection::JsonRejection) -> Error {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return Error::BodyTooLarge;
    }
    Error::Invalid(format!(
        "the request body is not the JSON expected: {}",
        e.body_text()
    ))
}

/// `DELETE /api/dictations/{id}` (the author or an admin).
pub async fn delete(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let d = visible(&state, &u, &id).await?;
    if u.role() == Role::Secretary {
        return Err(Error::Forbidden("secretary"));
    }
    if d.status == Status::Transcribing {
        return Err(Error::Conflict(
            "the dictation is being transcribed; try again in a moment".into(),
        ));
    }
    state.store.delete_dictation(&id, u.name()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/dictations/{id}/audio`, with Range requests for seeking.
pub async fn audio(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let d = visible(&state, &u, &id).await?;
    let path = state.store.dir.audio(&d.audio_name);
    let mut file = tokio::fs::File::open(&path)
        .await
        .map_err(|_| Error::NotFound("audio file for this dictation"))?;
    let len = file.metadata().await.map_err(Error::io)?.len();
    // Only byte ranges are served; any other unit is ignored (RFC 9110), as is a header
    // that is not text.
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .filter(|r| r.trim_start().starts_with("bytes="))
        .map(|r| parse_range(r, len));
    // Listening is audited once per playback from the start, not per seek.
    if matches!(range, None | Some(Some((0, _)))) {
        state.store.audit(u.name(), "listen", Some(&id), "").await?;
    }
    let base = Response::builder()
        .header(header::CONTENT_TYPE, d.audio_type.as_str())
        .header(header::ACCEPT_RANGES, "bytes");
    match range {
        None => {
            let stream = tokio_util::io::ReaderStream::new(file);
            base.header(header::CONTENT_LENGTH, len)
                .body(Body::from_stream(stream))
                .map_err(|e| Error::Internal(e.to_string()))
        }
        Some(None) => Ok(Response::builder()
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header(header::CONTENT_RANGE, format!("bytes */{len}"))
            .body(Body::empty())
            .map_err(|e| Error::Internal(e.to_string()))?),
        Some(Some((start, end))) => {
            file.seek(std::io::SeekFrom::Start(start))
                .await
                .map_err(Error::io)?;
            let stream = tokio_util::io::ReaderStream::new(file.take(end - start + 1));
            base.status(StatusCode::PARTIAL_CONTENT)
                .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"))
                .header(header::CONTENT_LENGTH, end - start + 1)
                .body(Body::from_stream(stream))
                .map_err(|e| Error::Internal(e.to_string()))
        }
    }
}

/// One `bytes=` range within `len` as inclusive (start, end); None when unsatisfiable.
pub fn parse_range(header: &str, len: u64) -> Option<(u64, u64)> {
    let spec = header.trim().strip_prefix("bytes=")?;
    let (a, b) = spec.split(',').next()?.trim().split_once('-')?;
    if len == 0 {
        return None;
    }
    let (start, end) = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        (len.saturating_sub(n), len - 1)
    } else {
        let s: u64 = a.parse().ok()?;
        let e = if b.is_empty() {
            len - 1
        } else {
            b.parse::<u64>().ok()?.min(len - 1)
        };
        (s, e)
    };
    (start <= end && start < len).then_some((start, end))
}

#[derive(Deserialize)]
pub struct TranscriptEdit {
    text: String,
    /// The `revision` of the transcript the edit was made on; when given and the text has
    /// changed since (someone else saved), the edit is refused (409) rather than overwriting.
    base: Option<String>,
}

/// `PUT /api/dictations/{id}/transcript` `{"text", "base"}` → the re-checked transcript.
pub async fn edit_transcript(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
    body: std::result::Result<Json<TranscriptEdit>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>> {
    let Json(b) = body.map_err(json_error)?;
    if b.text.chars().count() > MAX_TRANSCRIPT {
        return Err(Error::Invalid(format!(
            "the transcript is longer than {MAX_TRANSCRIPT} characters"
        )));
    }
    let d = visible(&state, &u, &id).await?;
    claim_for_edit(&state, &d, &u).await?;
    if !matches!(d.status, Status::Review | Status::Queried) {
        return Err(Error::Conflict(format!(
            "the transcript can be edited in review or queried, and this dictation is {}",
            d.status.as_str()
        )));
    }
    let Some(t) = d.transcript else {
        return Err(Error::Conflict(
            "this dictation has no transcript yet".into(),
        ));
    };
    if let Some(base) = &b.base
        && *base != workflow::text_revision(&t.text)
    {
        return Err(Error::Conflict(
            "the transcript was changed by someone else since you opened it; your text is \
             kept: reload to see theirs"
                .into(),
        ));
    }
    let vocab = state.vocab.clone();
    let edited =
        tokio::task::spawn_blocking(move || workflow::edit_transcript(&t, &b.text, &vocab))
            .await
            .map_err(|e| Error::Internal(format!("checking stopped: {e}")))?;
    state.store.save_transcript(&id, &edited, u.name()).await?;
    let decisions = state.store.finding_decisions(&id).await?;
    // An edit that removed the words of every query sent to the author leaves nothing for
    // the author to answer: the dictation is back in review.
    let asked = view::finding_states(&edited, &decisions)
        .iter()
        .any(|(_, s)| *s == FindingState::Asked);
    if d.status == Status::Queried && !asked {
        state
            .store
            .set_status(&id, Status::Queried, Status::Review, u.name())
            .await?;
    }
    Ok(Json(view::transcript(&edited, &decisions)))
}

#[derive(Deserialize)]
pub struct Decision {
    action: String,
    note: Option<String>,
}

/// `POST /api/dictations/{id}/findings/{fid}` `{"action": "resolve|dismiss|ask|answer",
/// "note"}`. `ask` sends the query to the author (the dictation becomes `queried`);
/// `answer` is the author's reply (the query is open again for the secretary, and the
/// dictation goes back to `review` when nothing else waits for the author).
pub async fn decide_finding(
    State(state): State<AppState>,
    u: CurrentUser,
    Path((id, fid)): Path<(String, String)>,
    body: std::result::Result<Json<Decision>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>> {
    let Json(b) = body.map_err(json_error)?;
    let note = b.note.map(|n| bounded("note", Some(n))).transpose()?;
    let d = visible(&state, &u, &id).await?;
    claim_for_edit(&state, &d, &u).await?;
    let Some(t) = &d.transcript else {
        return Err(Error::NotFound("query"));
    };
    let decisions = state.store.finding_decisions(&id).await?;
    let states = view::finding_states(t, &decisions);
    let Some(current) = states.iter().find(|(f, _)| *f == fid).map(|(_, s)| *s) else {
        return Err(Error::NotFound("query"));
    };
    let (new_state, answer, note) = match b.action.as_str() {
        "resolve" => (FindingState::Resolved, None, note),
        "dismiss" => (FindingState::Dismissed, None, note),
        "ask" => {
            if u.role() == Role::Author {
                return Err(Error::ForbiddenWhy(
                    "authors answer queries; secretaries ask them".into(),
                ));
            }
            (FindingState::Asked, None, note)
        }
        "answer" => {
            if u.role() == Role::Secretary {
                return Err(Error::ForbiddenWhy(
                    "only the author (or an admin) answers a query".into(),
                ));
            }
            if current != FindingState::Asked {
                return Err(Error::Conflict(
                    "this query was not sent to the author".into(),
                ));
            }
            (FindingState::Open, note, None)
        }
        other => {
            return Err(Error::Invalid(format!(
                "unknown action {other:?}; use resolve, dismiss, ask or answer"
            )));
        }
    };
    if !matches!(d.status, Status::Review | Status::Queried) {
        return Err(Error::Conflict(format!(
            "queries are decided in review or queried, and this dictation is {}",
            d.status.as_str()
        )));
    }
    let asked_after = states
        .iter()
        .filter(|(f, s)| {
            if *f == fid {
                new_state == FindingState::Asked
            } else {
                *s == FindingState::Asked
            }
        })
        .count();
    let move_to = match (d.status, asked_after) {
        (Status::Review, n) if n > 0 => Some((Status::Review, Status::Queried)),
        (Status::Queried, 0) => Some((Status::Queried, Status::Review)),
        _ => None,
    };
    state
        .store
        .decide_finding(
            &id,
            &fid,
            new_state,
            note.as_deref(),
            answer.as_deref(),
            u.user.id,
            u.name(),
            move_to,
        )
        .await?;
    show_json(&state, &id).await
}

#[derive(Deserialize)]
pub struct StatusChange {
    status: String,
}

/// `POST /api/dictations/{id}/status` `{"status"}`: approve (author/admin, no open
/// queries), return to review, mark sent, or queue a failed dictation again.
pub async fn set_status(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
    body: std::result::Result<Json<StatusChange>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>> {
    let Json(b) = body.map_err(json_error)?;
    let to = Status::parse(&b.status)
        .ok_or_else(|| Error::Invalid(format!("unknown status {:?}", b.status)))?;
    let d = visible(&state, &u, &id).await?;
    claim_for_edit(&state, &d, &u).await?;
    let decisions = state.store.finding_decisions(&id).await?;
    let open = view::pending_count(d.transcript.as_ref(), &decisions);
    workflow::check_transition(u.role(), d.status, to, open).map_err(|e| match e {
        workflow::TransitionError::WrongRole { .. } => Error::ForbiddenWhy(e.to_string()),
        _ => Error::Conflict(e.to_string()),
    })?;
    state.store.set_status(&id, d.status, to, u.name()).await?;
    if to == Status::Queued {
        state.wake.notify_one();
    }
    show_json(&state, &id).await
}

/// `POST /api/dictations/{id}/lock`: a secretary working on a dictation keeps (or takes, when
/// free) its lock → `{"locked_by"}`, the holder after the call. Others are told who holds it.
pub async fn lock(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let d = visible(&state, &u, &id).await?;
    let holder = if u.role() == Role::Secretary {
        match state.store.take_lock(&id, u.user.id).await? {
            None => Some(u.user.name.clone()),
            other => other,
        }
    } else {
        d.locked_by.map(|(_, name)| name)
    };
    Ok(Json(json!({ "locked_by": holder })))
}

/// `POST /api/dictations/{id}/release`: a secretary gives up her lock.
pub async fn release(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    visible(&state, &u, &id).await?;
    state.store.release_lock(&id, u.user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges_are_clamped_and_bad_ones_refused() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some((0, 99)));
        assert_eq!(parse_range("bytes=900-", 1000), Some((900, 999)));
        assert_eq!(parse_range("bytes=-100", 1000), Some((900, 999)));
        assert_eq!(parse_range("bytes=500-5000", 1000), Some((500, 999)));
        assert_eq!(parse_range("bytes=1000-", 1000), None);
        assert_eq!(parse_range("bytes=5-1", 1000), None);
    }
}
