//! Health, the signed-in user, accounts (admins) and the audit log (admins).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::CurrentUser;
use super::dictations::json_error;
use super::{AppState, Error};
use crate::store::valid_user_name;
use crate::workflow::Role;

type JsonBody<T> = Result<Json<T>, axum::extract::rejection::JsonRejection>;

/// `GET /api/health` (no sign-in): up, queue depth, workers and what each is doing. Holds
/// no patient data, only counts and dictation ids.
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let (queue, workers) = match (state.store.queue_stats().await, state.store.workers().await) {
        (Ok(q), Ok(w)) => (q, w),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("medscribe: serve: health: the store is unavailable ({e})");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"ok": false, "error": "the database is unavailable"})),
            );
        }
    };
    let busy = workers.iter().filter(|w| w.job.is_some()).count();
    (
        StatusCode::OK,
        Json(json!({
            "ok": true,
            "version": env!("CARGO_PKG_VERSION"),
            "queue": queue.queued,
            "running": queue.running,
            "failed": queue.failed,
            "busy": busy,
            "workers": workers,
        })),
    )
}

/// `GET /api/me`.
pub async fn me(u: CurrentUser) -> Json<Value> {
    Json(json!({
        "name": u.user.name,
        "full_name": u.user.full_name,
        "role": u.user.role.as_str(),
        "specialties": u.user.specialties,
    }))
}

#[derive(Deserialize)]
pub struct PasswordChange {
    current: String,
    new: String,
}

/// `POST /api/password` `{"current", "new"}`.
pub async fn change_password(
    State(state): State<AppState>,
    u: CurrentUser,
    body: JsonBody<PasswordChange>,
) -> Result<StatusCode, Error> {
    let Json(b) = body.map_err(json_error)?;
    if b.new.chars().count() < 10 {
        return Err(Error::Invalid(
            "the new password must have at least 10 characters".into(),
        ));
    }
    match state.store.login(&u.user.name, b.current).await? {
        crate::store::LoginOutcome::Ok(_) => {}
        crate::store::LoginOutcome::Locked { seconds } => {
            return Err(Error::TooManyAttempts(seconds));
        }
        _ => return Err(Error::ForbiddenWhy("the current password is wrong".into())),
    }
    state.store.set_password(u.user.id, b.new).await?;
    state.store.audit(u.name(), "password", None, "").await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/users` (admins).
pub async fn list_users(
    State(state): State<AppState>,
    u: CurrentUser,
) -> Result<Json<Value>, Error> {
    u.require(&[Role::Admin])?;
    let users = state.store.list_users().await?;
    Ok(Json(json!({ "users": users })))
}

/// `GET /api/authors`: the authors a dictation may be filed under (name and signing name),
/// for the upload form; no roles or other accounts are shown.
pub async fn authors(State(state): State<AppState>, _u: CurrentUser) -> Result<Json<Value>, Error> {
    let users = state.store.list_users().await?;
    let authors: Vec<Value> = users
        .iter()
        .filter(|a| a.role == Role::Author && !a.disabled)
        .map(|a| json!({"name": a.name, "full_name": a.full_name}))
        .collect();
    Ok(Json(json!({ "authors": authors })))
}

#[derive(Deserialize)]
pub struct NewUser {
    name: String,
    role: String,
    password: Option<String>,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    specialties: Vec<String>,
}

/// `POST /api/users` (admins) `{"name", "role", "full_name", "password", "specialties"}`.
pub async fn add_user(
    State(state): State<AppState>,
    u: CurrentUser,
    body: JsonBody<NewUser>,
) -> Result<(StatusCode, Json<Value>), Error> {
    u.require(&[Role::Admin])?;
    let Json(b) = body.map_err(json_error)?;
    if !valid_user_name(&b.name) {
        return Err(Error::Invalid(
            "a user name is 1-64 letters, digits, dots, dashes or underscores".into(),
        ));
    }
    if b.full_name.chars().count() > 200 {
        return Err(Error::Invalid(
            "a full name has at most 200 characters".into(),
        ));
    }
    let role = Role::parse(&b.role).ok_or_else(|| {
        Error::Invalid(format!(
            "unknown role {:?}; use admin, secretary or author",
            b.role
        ))
    })?;
    let known = state.vocab.specialties();
    if let Some(s) = b.specialties.iter().find(|s| !known.contains(s)) {
        return Err(Error::Invalid(format!(
            "unknown specialty {s:?}; known: {}",
            known.join(", ")
        )));
    }
    if b.password.as_ref().is_some_and(|p| p.chars().count() < 10) {
        return Err(Error::Invalid(
            "a password must have at least 10 characters".into(),
        ));
    }
    let user = state
        .store
        .add_user(&b.name, &b.full_name, role, b.password, &b.specialties)
        .await?;
    state
        .store
        .audit(u.name(), "user_add", None, &user.name)
        .await?;
    Ok((StatusCode::CREATED, Json(json!(user))))
}

/// `POST /api/users/{name}/disable` (admins).
pub async fn disable_user(
    State(state): State<AppState>,
    u: CurrentUser,
    Path(name): Path<String>,
) -> Result<StatusCode, Error> {
    u.require(&[Role::Admin])?;
    if name == u.user.name {
        return Err(Error::Invalid(
            "you cannot disable your own account; ask another admin".into(),
        ));
    }
    match state.store.disable_user(&name).await {
        Err(crate::store::Error::NotFound) => return Err(Error::NotFound("user")),
        other => other?,
    }
    state
        .store
        .audit(u.name(), "user_disable", None, &name)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct AuditQuery {
    dictation: Option<String>,
    limit: Option<i64>,
}

/// `GET /api/audit[?dictation=ID&limit=N]` (admins): newest first.
pub async fn audit(
    State(state): State<AppState>,
    u: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Value>, Error> {
    u.require(&[Role::Admin])?;
    let limit = q.limit.unwrap_or(1000).clamp(1, 100_000);
    let events = state
        .store
        .audit_events(q.dictation.as_deref(), limit)
        .await?;
    Ok(Json(json!({ "events": events })))
}
