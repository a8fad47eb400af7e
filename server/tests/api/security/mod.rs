//! The security review's findings (`shared/reviews/security-2026-11.md`), each as
//! requests through the real HTTP path, a file per behaviour (the finding ids are in
//! each file's doc):
//!
//! - `client_address`: who the client is, behind a proxy or not (H1, H2);
//! - `tokens`: bearer tokens at both doors, HS256 token kinds, the UI's JWT cookie
//!   (M1, L4);
//! - `sign_in`: redirects, the limiter's rows, floods of sign-ins (M2, M3, M4);
//! - `password_changes`: a reset or change ends the other sessions and links (M6);
//! - `account_input`: the rules for names, e-mails and passwords (L6, L8, L9);
//! - `headers`: framing and HSTS (L7).
//!
//! "Both doors" are REST (`/api/auth/*` and `/api/{user}/tasks`) and the UI's server
//! functions (`/api/ui/*`): the same request gets the same decision at each. The origin
//! matrix is in `origin`.
//!
//! Distinct clients are distinct loopback source addresses (127.0.0.2, 127.0.0.3, …):
//! not trusted proxies by default, so each is its own rate-limit bucket, whatever
//! `X-Forwarded-For` it sends. 127.0.0.1 is a trusted proxy by default.

mod account_input;
mod client_address;
mod headers;
mod password_changes;
mod sign_in;
mod tokens;

use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Backend, TestApp, TestAppBuilder};

const PASSWORD: &str = "correct horse battery";

/// A sign-in through one door from `client`, with extra headers.
pub(crate) async fn sign_in_at(
    app: &TestApp,
    client: &reqwest::Client,
    door: Door,
    email: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, Value) {
    let req = match door {
        Door::Rest => client
            .post(app.url("/api/auth/sign-in/email"))
            .json(&json!({ "email": email, "password": "wrong password" })),
        Door::Ui => client
            .post(app.url("/api/ui/sign_in"))
            .header(header::ACCEPT, "application/json")
            .form(&[("email", email), ("password", "wrong password")]),
    };
    let mut req = req;
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Door {
    Rest,
    Ui,
}

/// The error code either door answered with (`code`, or the UI's `TOO_MANY_REQUESTS`
/// for Better Auth's code-less 429).
pub(crate) fn code(status: StatusCode, body: &Value) -> String {
    match body["code"].as_str() {
        Some(c) => c.to_string(),
        None if status == 429 => "TOO_MANY_REQUESTS".into(),
        None => String::new(),
    }
}

/// An app on `backend` with rate limiting on (in memory on SQLite).
fn limited(backend: Backend) -> TestAppBuilder {
    let app = TestApp::builder().backend(backend).env("RATE_LIMIT", "on");
    match backend {
        Backend::Sqlite => app.env("RATE_LIMIT_STORAGE", "memory"),
        Backend::Postgres => app,
    }
}
