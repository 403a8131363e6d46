//! The secretary's workstation: the HTML pages and the scripts and styles they load.
//!
//! Every page is one shell (`web/shell.html`: header, navigation, a polite live region)
//! around a static body from `web/`; the page's script fetches its data from the JSON API
//! with the session cookie, so the pages hold no data the API would not give the same user.
//! Everything is built into the binary and served by medscribe itself: no CDN, no inline
//! script (the CSP forbids it). Must never: put request or patient text into HTML unescaped,
//! or serve a page to someone who has not signed in (they are sent to `/login`).

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::Error;
use super::auth::{CurrentUser, html_escape};
use crate::workflow::Role;

const SHELL: &str = include_str!("../../web/shell.html");

/// A page: its path's title, body and script.
struct Page {
    title: &'static str,
    body: &'static str,
    script: &'static str,
    /// Roles that may open it; empty for everyone signed in.
    roles: &'static [Role],
}

const WORKLIST: Page = Page {
    title: "Worklist",
    body: include_str!("../../web/worklist.html"),
    script: "worklist.js",
    roles: &[],
};
const NEW: Page = Page {
    title: "New dictation",
    body: include_str!("../../web/new.html"),
    script: "new.js",
    roles: &[],
};
const REVIEW: Page = Page {
    title: "Review",
    body: include_str!("../../web/review.html"),
    script: "review.js",
    roles: &[],
};
const ADMIN: Page = Page {
    title: "Administration",
    body: include_str!("../../web/admin.html"),
    script: "admin.js",
    roles: &[Role::Admin],
};
const ACCOUNT: Page = Page {
    title: "Your account",
    body: include_str!("../../web/account.html"),
    script: "account.js",
    roles: &[],
};

/// One file of `web/` under `/assets/`: (name, MIME type, contents).
macro_rules! asset {
    ($name:literal, $mime:literal) => {
        ($name, $mime, include_str!(concat!("../../web/", $name)))
    };
}

/// Static files under `/assets/`.
const ASSETS: &[(&str, &str, &str)] = &[
    asset!("app.css", "text/css"),
    asset!("common.js", "text/javascript"),
    asset!("worklist.js", "text/javascript"),
    asset!("new.js", "text/javascript"),
    asset!("recorder.js", "text/javascript"),
    asset!("review.js", "text/javascript"),
    asset!("player.js", "text/javascript"),
    asset!("keys.js", "text/javascript"),
    asset!("admin.js", "text/javascript"),
    asset!("account.js", "text/javascript"),
    asset!("favicon.svg", "image/svg+xml"),
];

fn render(page: &Page, u: &CurrentUser) -> Response {
    if !page.roles.is_empty() && !page.roles.contains(&u.role()) {
        let body = "<section class=\"panel\"><h1>Not for your role</h1><p>This page is for \
                    administrators. <a href=\"/\">Back to the worklist</a>.</p></section>";
        let html = shell(page.title, body, "", u);
        return (StatusCode::FORBIDDEN, Html(html)).into_response();
    }
    Html(shell(page.title, page.body, page.script, u)).into_response()
}

fn shell(title: &str, body: &str, script: &str, u: &CurrentUser) -> String {
    let script = if script.is_empty() {
        String::new()
    } else {
        format!("<script type=\"module\" src=\"/assets/{script}\"></script>")
    };
    let admin = if u.role() == Role::Admin {
        "<a href=\"/admin\">Administration</a>"
    } else {
        ""
    };
    // The user's own names go in last, so nothing they contain is taken for a placeholder.
    SHELL
        .replace("{{title}}", title)
        .replace("{{script}}", &script)
        .replace("{{admin_link}}", admin)
        .replace("{{role}}", u.role().as_str())
        .replace("{{body}}", body)
        .replace("{{user_name}}", &html_escape(u.name()))
        .replace("{{user}}", &html_escape(u.user.signing_name()))
}

/// Pages need a signed-in browser; anyone else goes to the sign-in form, which brings them
/// back to `path` afterwards.
fn page(user: Result<CurrentUser, Error>, p: &Page, path: &str) -> Response {
    match user {
        Ok(u) => render(p, &u),
        Err(_) if path == "/" => Redirect::to("/login").into_response(),
        Err(_) => Redirect::to(&format!("/login?next={path}")).into_response(),
    }
}

pub async fn worklist(user: Result<CurrentUser, Error>) -> Response {
    page(user, &WORKLIST, "/")
}

pub async fn new_dictation(user: Result<CurrentUser, Error>) -> Response {
    page(user, &NEW, "/new")
}

pub async fn review(user: Result<CurrentUser, Error>, Path(id): Path<String>) -> Response {
    let path = if id.chars().all(|c| c.is_ascii_alphanumeric()) {
        format!("/dictations/{id}")
    } else {
        "/".into()
    };
    page(user, &REVIEW, &path)
}

pub async fn admin(user: Result<CurrentUser, Error>) -> Response {
    page(user, &ADMIN, "/admin")
}

pub async fn account(user: Result<CurrentUser, Error>) -> Response {
    page(user, &ACCOUNT, "/account")
}

/// `GET /assets/{name}`: the pages' scripts, styles and icon (no patient data; no sign-in).
pub async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => {
            let mut resp = (*body).into_response();
            resp.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
            resp
        }
        None => Error::NotFound("file").into_response(),
    }
}
