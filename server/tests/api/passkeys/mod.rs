//! Passkeys on Better Auth's wire (`/api/auth/passkey/*`), on SQLite and PostgreSQL, with
//! a software authenticator doing what the browser and the fingerprint reader do:
//!
//! - `ceremony`: register, sign in without a user name, the counter, both key types;
//! - `refusals`: a challenge used twice or expired, a wrong origin or RP id, a cloned
//!   authenticator, someone else's passkey or challenge, a stale session;
//! - `manage`: list, rename, delete, and what a deleted user leaves behind;
//! - `limits`: the origin check and the sign-in rate limit.
//!
//! The apps here believe they are at `http://localhost:3000` (an IP address is no
//! WebAuthn RP id): requests go to their real port, and every `Origin` says that one.

mod authenticator;
mod ceremony;
mod limits;
mod manage;
mod refusals;

use serde_json::{json, Value};

use crate::{
    helpers::{session_cookie, set_cookies, Backend, TestApp, TestAppBuilder},
    two_factor::json_of,
};
pub use authenticator::{Key, SoftAuthenticator};

pub const ORIGIN: &str = "http://localhost:3000";
pub const COOKIE: &str = "better-auth.better-auth-passkey";

pub fn builder(backend: Backend) -> TestAppBuilder {
    TestApp::for_backend(backend).env("BETTER_AUTH_URL", ORIGIN)
}

/// `name=value` of the challenge cookie a response sets.
pub fn challenge_cookie(res: &reqwest::Response) -> String {
    set_cookies(res)
        .into_iter()
        .find(|c| c.starts_with(&format!("{COOKIE}=")))
        .map(|c| c.split(';').next().unwrap().to_string())
        .expect("the challenge cookie")
}

/// `session; challenge` for a `Cookie` header (either may be empty).
pub fn both(session: &str, challenge: &str) -> String {
    [session, challenge]
        .iter()
        .filter(|c| !c.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("; ")
}

/// GETs `/api/auth{path}` with `cookie`: `(options, challenge cookie)`.
pub async fn ask_options(app: &TestApp, path: &str, cookie: Option<&str>) -> (Value, String) {
    let res = app.auth_get(path, cookie).await;
    assert_eq!(res.status(), 200, "{path}");
    let challenge = challenge_cookie(&res);
    (res.json().await.unwrap(), challenge)
}

/// Registers a passkey named `name` for the signed-in `session`: the stored row.
pub async fn add_passkey(
    app: &TestApp,
    key: &mut SoftAuthenticator,
    session: &str,
    name: &str,
) -> Value {
    let (options, challenge) =
        ask_options(app, "/passkey/generate-register-options", Some(session)).await;
    let response = key.register(&options).await;
    let (status, body) = json_of(
        app.auth_post(
            "/passkey/verify-registration",
            json!({ "response": response, "name": name }),
            Some(&both(session, &challenge)),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// A sign-in with the passkey and no session: `(status, body, session cookie)`.
pub async fn sign_in_with(
    app: &TestApp,
    key: &mut SoftAuthenticator,
) -> (u16, Value, Option<String>) {
    let (options, challenge) =
        ask_options(app, "/passkey/generate-authenticate-options", None).await;
    let response = key.sign(&options).await;
    let res = app
        .auth_post(
            "/passkey/verify-authentication",
            json!({ "response": response }),
            Some(&challenge),
        )
        .await;
    let session = session_cookie(&res);
    let (status, body) = json_of(res).await;
    (status, body, session)
}

/// The `(status, code)` of a refused call.
pub fn refusal((status, body): (u16, Value)) -> (u16, String) {
    (
        status,
        body["code"].as_str().unwrap_or_default().to_string(),
    )
}
