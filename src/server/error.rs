//! The service's errors as HTTP answers: a status and a JSON body `{"error": "..."}` whose
//! text tells the client what to do. Store and internal errors are logged (they hold no
//! patient text) and answered with a generic 500; client errors are not logged.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::store;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("please sign in (a session cookie from /login, or Authorization: Bearer TOKEN)")]
    Unauthorized,
    #[error("your role ({0}) may not do that")]
    Forbidden(&'static str),
    #[error("{0}")]
    ForbiddenWhy(String),
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error(
        "refused: this request came from another site (cross-origin requests may not change anything)"
    )]
    CrossOrigin,
    #[error(
        "refused: unknown Host header; start the server with --allow-host NAME to serve that name"
    )]
    BadHost,
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotAudio(String),
    #[error(
        "the upload is larger than the limit of {0} MB; split the recording or raise --max-upload-mb"
    )]
    TooLarge(u64),
    #[error("the request body is larger than the server accepts")]
    BodyTooLarge,
    #[error("too many failed sign-ins; try again in {0} s")]
    TooManyAttempts(i64),
    #[error("the server's disk is full; nothing was saved. Free some space and try again")]
    DiskFull,
    /// 409 with the open queries, for a final letter.
    #[error("the letter cannot be final while {} quer{} open", .0.len(), if .0.len() == 1 { "y is" } else { "ies are" })]
    OpenQueries(Vec<serde_json::Value>),
    #[error("internal error")]
    Store(#[from] store::Error),
    #[error("internal error")]
    Internal(String),
}

impl Error {
    fn status(&self) -> StatusCode {
        match self {
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) | Error::ForbiddenWhy(_) | Error::CrossOrigin => {
                StatusCode::FORBIDDEN
            }
            Error::BadHost => StatusCode::MISDIRECTED_REQUEST,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Invalid(_) => StatusCode::BAD_REQUEST,
            Error::Conflict(_) | Error::OpenQueries(_) => StatusCode::CONFLICT,
            Error::NotAudio(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::TooLarge(_) | Error::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::DiskFull => StatusCode::INSUFFICIENT_STORAGE,
            Error::Store(store::Error::NotFound) => StatusCode::NOT_FOUND,
            Error::Store(store::Error::Conflict(_)) => StatusCode::CONFLICT,
            Error::Store(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// An I/O error while saving: a full disk is the client's business to know about.
    pub fn io(e: std::io::Error) -> Error {
        if e.raw_os_error() == Some(libc::ENOSPC) {
            Error::DiskFull
        } else {
            Error::Internal(format!("file error: {e}"))
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            Error::Store(store::Error::Conflict(what)) => format!("conflict: {what}"),
            Error::Store(store::Error::NotFound) => "not found".into(),
            other => other.to_string(),
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            let detail = match &self {
                Error::Store(e) => e.to_string(),
                Error::Internal(e) => e.clone(),
                _ => String::new(),
            };
            eprintln!("medscribe: serve: internal error: {detail}");
        }
        let body = match self {
            Error::OpenQueries(q) => json!({ "error": message, "queries": q }),
            _ => json!({ "error": message }),
        };
        let mut resp = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"medscribe\""),
            );
        }
        resp
    }
}
