//! `medscribe serve`: the department's HTTP API and the secretary's pages (`pages`) over the
//! store and the library.
//!
//! Handlers are thin: they check who is asking (`auth`), let `workflow` decide what is
//! allowed, let the store keep it and the library do the work. State is passed explicitly
//! in [`AppState`]. Every request that changes something is audited by the store in the same
//! transaction as the change. Must never: answer anyone who has not signed in (but for
//! `/login` and `/api/health`), use a client's file name as a path, or log patient text.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::store::Store;
use crate::vocab::Vocab;

mod admin;
mod auth;
mod dictations;
mod error;
mod letter;
mod pages;
mod upload;
mod view;
pub mod watch;

pub use auth::ClientLimiter;
pub use error::Error;

/// Largest JSON body (a long transcript edit fits).
const JSON_LIMIT: usize = 8 * 1024 * 1024;

/// Settings of a running server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Host names (with or without port) the server answers to; guards against DNS rebinding.
    pub allowed_hosts: Vec<String>,
    /// Largest upload accepted, in bytes.
    pub max_upload: u64,
    /// Letter and note templates.
    pub templates_dir: PathBuf,
    /// Set the session cookie's Secure flag (behind a TLS reverse proxy).
    pub secure_cookies: bool,
}

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub vocab: Arc<Vocab>,
    pub config: Arc<Config>,
    /// Wakes idle workers when a dictation is queued.
    pub wake: Arc<tokio::sync::Notify>,
    /// Failed sign-ins per client address.
    pub limiter: Arc<Mutex<ClientLimiter>>,
}

/// The whole service's routes.
pub fn router(state: AppState) -> Router {
    // Room to read an oversized upload to its end and answer 413 (see upload::receive).
    let upload_limit = (state.config.max_upload as usize).saturating_mul(2) + 1024 * 1024;
    let api = Router::new()
        .route("/api/health", get(admin::health))
        .route("/api/me", get(admin::me))
        .route("/api/password", post(admin::change_password))
        .route("/api/users", get(admin::list_users).post(admin::add_user))
        .route("/api/users/{name}/disable", post(admin::disable_user))
        .route("/api/authors", get(admin::authors))
        .route("/api/audit", get(admin::audit))
        .route(
            "/api/dictations",
            get(dictations::list)
                .post(dictations::create)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/api/dictations/{id}",
            get(dictations::show)
                .patch(dictations::update)
                .delete(dictations::delete),
        )
        .route("/api/dictations/{id}/audio", get(dictations::audio))
        .route(
            "/api/dictations/{id}/transcript",
            axum::routing::put(dictations::edit_transcript),
        )
        .route(
            "/api/dictations/{id}/findings/{fid}",
            post(dictations::decide_finding),
        )
        .route("/api/dictations/{id}/status", post(dictations::set_status))
        .route("/api/dictations/{id}/lock", post(dictations::lock))
        .route("/api/dictations/{id}/release", post(dictations::release))
        .route("/api/dictations/{id}/letter", get(letter::letter))
        .route("/api/templates", get(letter::templates));
    let pages = Router::new()
        .route("/", get(pages::worklist))
        .route("/new", get(pages::new_dictation))
        .route("/dictations/{id}", get(pages::review))
        .route("/admin", get(pages::admin))
        .route("/account", get(pages::account))
        .route("/assets/{name}", get(pages::asset))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout));
    api.merge(pages)
        .layer(DefaultBodyLimit::max(JSON_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::guard_origin,
        ))
        .layer(axum::middleware::from_fn(auth::security_headers))
        .with_state(state)
}

/// Serves until `shutdown` completes. Prints nothing itself.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
