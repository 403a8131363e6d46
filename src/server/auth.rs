//! Who is asking, and whether the request may be answered at all.
//!
//! - [`CurrentUser`]: an API token (`Authorization: Bearer`) or a browser session cookie
//!   (HttpOnly, SameSite=Strict, a new random token at each login, idle and absolute expiry
//!   in the store). A bad or expired credential is "not signed in", never a guess.
//! - [`guard_origin`]: refuses unknown Host headers (DNS rebinding) and any state-changing
//!   request that a browser says came from another site (CSRF).
//! - Sign-in: failed attempts are limited per account (store) and per client address here.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::{AppState, Error};
use crate::store::{LoginOutcome, User};
use crate::workflow::Role;

pub const SESSION_COOKIE: &str = "medscribe_session";

/// Sent by the pages on requests they make by themselves (polling), not for the user.
pub const BACKGROUND_HEADER: &str = "x-medscribe-background";

/// Failed sign-ins a client address may make in [`CLIENT_WINDOW`] before it must wait.
const CLIENT_MAX_FAILURES: usize = 20;
const CLIENT_WINDOW: Duration = Duration::from_secs(10 * 60);

/// Recent failed sign-ins per client address.
#[derive(Default)]
pub struct ClientLimiter {
    failures: HashMap<IpAddr, Vec<Instant>>,
}

impl ClientLimiter {
    fn prune(&mut self, ip: IpAddr) -> &mut Vec<Instant> {
        let v = self.failures.entry(ip).or_default();
        v.retain(|t| t.elapsed() < CLIENT_WINDOW);
        v
    }

    /// Seconds to wait when the client has failed too often, else None.
    pub fn blocked(&mut self, ip: IpAddr) -> Option<i64> {
        let v = self.prune(ip);
        (v.len() >= CLIENT_MAX_FAILURES).then(|| {
            let oldest = v.first().map(|t| t.elapsed()).unwrap_or_default();
            CLIENT_WINDOW.saturating_sub(oldest).as_secs() as i64 + 1
        })
    }

    pub fn failed(&mut self, ip: IpAddr) {
        self.prune(ip).push(Instant::now());
        if self.failures.len() > 10_000 {
            self.failures.retain(|_, v| !v.is_empty());
        }
    }
}

/// The signed-in user of a request, and how they signed in.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
}

impl CurrentUser {
    pub fn role(&self) -> Role {
        self.user.role
    }

    pub fn name(&self) -> &str {
        &self.user.name
    }

    /// Refuses unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), Error> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(Error::Forbidden(self.user.role.as_str()))
        }
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        if let Some(token) = bearer(&parts.headers) {
            let user = state.store.user_by_token(&token).await?;
            return user
                .map(|user| CurrentUser { user })
                .ok_or(Error::Unauthorized);
        }
        if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            // A page polling by itself says so; it does not count as the user being there.
            let touch = !parts.headers.contains_key(BACKGROUND_HEADER);
            let user = state.store.session_user(&token, touch).await?;
            return user
                .map(|user| CurrentUser { user })
                .ok_or(Error::Unauthorized);
        }
        Err(Error::Unauthorized)
    }
}

fn host_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let name = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
    allowed
        .iter()
        .any(|a| a.eq_ignore_ascii_case(host) || a.eq_ignore_ascii_case(name))
}

/// Refuses requests for unknown hosts, and state-changing requests from other sites: a
/// browser marks those with `Sec-Fetch-Site` (cross-site, same-site) or, without that
/// header, an `Origin` whose host is not this server's. Clients that are not browsers send
/// neither and pass.
pub async fn guard_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let h = req.headers();
    if !host_allowed(h, &state.config.allowed_hosts) {
        return Error::BadHost.into_response();
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        if matches!(site, Some("cross-site" | "same-site")) {
            return Error::CrossOrigin.into_response();
        }
        // A browser that says same-origin (a page cannot forge Sec-Fetch-*) is believed: with
        // `Referrer-Policy: no-referrer` Chromium sends `Origin: null` on our own forms.
        let own = matches!(site, Some("same-origin" | "none"));
        if let Some(origin) = h.get(header::ORIGIN).filter(|_| !own) {
            let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
            let origin_host = origin
                .to_str()
                .ok()
                .and_then(|o| o.split_once("://").map(|(_, rest)| rest.to_string()));
            if origin_host.is_none() || origin_host.as_deref() != host {
                return Error::CrossOrigin.into_response();
            }
        }
    }
    next.run(req).await
}

/// Headers on every answer: no caching of patient data, no framing, a strict CSP.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
             media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; \
             base-uri 'none'; object-src 'none'",
        ),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

const LOGIN_PAGE: &str = include_str!("../../web/login.html");

#[derive(serde::Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Where to go after signing in: a path on this server (`/dictations/ab12`), never another
/// site (`//evil.example`), else the worklist.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.len() <= 200
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_')) =>
        {
            n
        }
        _ => "/",
    }
}

/// The sign-in form, with `message` (HTML) and the page to return to.
fn login_form(message: &str, next: &str) -> String {
    LOGIN_PAGE
        .replace("{{message}}", message)
        .replace("{{next}}", &html_escape(next))
}

pub async fn login_page(axum::extract::Query(q): axum::extract::Query<NextQuery>) -> Html<String> {
    Html(login_form("", safe_next(q.next.as_deref())))
}

pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

fn client_ip(headers: &HeaderMap, peer: SocketAddr) -> IpAddr {
    let _ = headers; // behind a proxy every client is the proxy: the account limit still holds
    peer.ip()
}

/// `POST /login` (form fields `username`, `password`): a session cookie and a redirect to
/// `/`, or the form again (401) with the reason.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, Error> {
    let ip = client_ip(&headers, peer);
    let next = safe_next(form.next.as_deref()).to_string();
    let blocked = state.limiter.lock().ok().and_then(|mut l| l.blocked(ip));
    if let Some(secs) = blocked {
        return Ok(wait_page(secs, &next));
    }
    let outcome = state.store.login(&form.username, form.password).await?;
    let user = match outcome {
        LoginOutcome::Ok(u) => u,
        LoginOutcome::Locked { seconds } => return Ok(wait_page(seconds, &next)),
        LoginOutcome::Unknown | LoginOutcome::WrongPassword | LoginOutcome::Disabled => {
            if let Ok(mut l) = state.limiter.lock() {
                l.failed(ip);
            }
            if matches!(
                outcome,
                LoginOutcome::WrongPassword | LoginOutcome::Disabled
            ) {
                state
                    .store
                    .audit(&form.username, "login_failed", None, "")
                    .await?;
            }
            let page = login_form(
                "<p role=\"alert\" class=\"error\">Wrong user name or password.</p>",
                &next,
            );
            return Ok((StatusCode::UNAUTHORIZED, Html(page)).into_response());
        }
    };
    let token = state.store.new_session(user.id).await?;
    state.store.audit(&user.name, "login", None, "").await?;
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        crate::store::SESSION_MAX_S
    );
    let mut resp = Redirect::to(&next).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| Error::Internal(e.to_string()))?,
    );
    Ok(resp)
}

/// The sign-in form again (429) saying how long to wait after too many failed attempts.
fn wait_page(seconds: i64, next: &str) -> Response {
    let minutes = (seconds + 59) / 60;
    let message = format!(
        "<p role=\"alert\" class=\"error\">Too many failed sign-ins. Wait {minutes} minute{}, \
         then try again.</p>",
        if minutes == 1 { "" } else { "s" }
    );
    let page = login_form(&message, next);
    let mut resp = (StatusCode::TOO_MANY_REQUESTS, Html(page)).into_response();
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

/// `POST /logout`: ends the session.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Error> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Some(u) = state.store.user_by_session(&token).await? {
            state.store.audit(&u.name, "logout", None, "").await?;
        }
        state.store.end_session(&token).await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "medscribe_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
        ),
    );
    Ok(resp)
}
