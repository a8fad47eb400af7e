//! Two-factor sign-in on Better Auth's wire (`/api/auth/two-factor/*`), on SQLite and
//! PostgreSQL, a file per flow:
//!
//! - `sign_in`: the sign-in that becomes a challenge, TOTP, backup codes (once each),
//!   trusted devices;
//! - `attempts`: attempt limits per challenge and the plugin's rate limit;
//! - `set_up`: set-up with a first code, and turning it off;
//! - `email`: codes by e-mail;
//! - the 2026-12 review's hardening: `code_rules` (the authenticator code's own rules),
//!   `recovery` (what two-factor changes do to other credentials) and `pages` (the UI's
//!   pages and forms).
//!
//! A Better Auth database whose user already had two-factor on: `compat`. The helpers
//! here are the other areas' too (`cluster`, `compat`).

mod attempts;
mod code_rules;
mod email;
mod pages;
mod recovery;
mod set_up;
mod sign_in;

use reqwest::Response;
use serde_json::{json, Value};
use taskdeck::auth::two_factor::totp::{code_at, secret_from_uri};

use crate::helpers::{session_cookie, set_cookies, Signed, TestApp};

pub(crate) const PASSWORD: &str = "correct horse battery";

pub(crate) fn now() -> u64 {
    chrono::Utc::now().timestamp() as u64
}

/// The code of the next time step: still accepted (one step of drift), and always
/// after the step set-up's own first code used (no TOTP code works twice).
pub(crate) fn next_code(secret: &str) -> String {
    code_at(secret, now() + 30)
}

/// The `name=value` of a cookie the response sets (not one it deletes).
pub(crate) fn cookie_named(res: &Response, name: &str) -> Option<String> {
    set_cookies(res)
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")) && !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_string())
}

pub(crate) fn deletes(res: &Response, name: &str) -> bool {
    set_cookies(res)
        .iter()
        .any(|c| c.starts_with(&format!("{name}=")) && c.contains("Max-Age=0"))
}

/// The password-guarded endpoint `path` answers a wrong password with Better Auth's 400.
async fn refuses_a_wrong_password(app: &TestApp, path: &str, cookie: &str) {
    let answer = post_refusal(
        app,
        path,
        json!({ "password": "not it at all" }),
        Some(cookie),
    )
    .await;
    assert_eq!(answer, (400, "INVALID_PASSWORD".into()), "{path}");
}

/// A call that must fail: its `(status, code)`.
pub(crate) async fn post_refusal(
    app: &TestApp,
    path: &str,
    body: Value,
    cookie: Option<&str>,
) -> (u16, String) {
    let (status, body) = post(app, path, body, cookie).await;
    (
        status,
        body["code"].as_str().unwrap_or_default().to_string(),
    )
}

/// A second-factor call that must fail: its `(status, code)`.
pub(crate) async fn refusal(app: &TestApp, path: &str, body: Value, cookie: &str) -> (u16, String) {
    post_refusal(app, &format!("/two-factor/{path}"), body, Some(cookie)).await
}

/// Asserts that a second-factor call with `cookie` is refused with `status` and `code`.
pub(crate) async fn assert_refused(
    app: &TestApp,
    path: &str,
    body: Value,
    cookie: &str,
    (status, code): (u16, &str),
) {
    let got = refusal(app, path, body, cookie).await;
    assert_eq!(got, (status, code.to_string()), "two-factor/{path}");
}

/// POSTs JSON to `/api/auth{path}` and reads `(status, body)`.
pub(crate) async fn post(
    app: &TestApp,
    path: &str,
    body: Value,
    cookie: Option<&str>,
) -> (u16, Value) {
    json_of(app.auth_post(path, body, cookie).await).await
}

/// A second-factor call with `cookie`, read as `(status, body)`.
pub(crate) async fn tried(app: &TestApp, path: &str, body: Value, cookie: &str) -> (u16, Value) {
    json_of(verify(app, path, body, cookie).await).await
}

pub(crate) async fn json_of(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Signs up, turns two-factor on (enable + a first code) and returns the user, the
/// secret from the URI and the backup codes.
pub(crate) async fn with_two_factor(app: &TestApp, email: &str) -> (Signed, String, Vec<String>) {
    let who = app.sign_up(email, PASSWORD).await;
    let res = app
        .auth_post(
            "/two-factor/enable",
            json!({ "password": PASSWORD }),
            Some(&who.cookie),
        )
        .await;
    let (status, body) = json_of(res).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["method"], "totp");
    let uri = body["totpURI"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Taskdeck:"), "{uri}");
    let secret = secret_from_uri(uri).expect("a secret in the URI");
    assert_eq!(secret.len(), 32);
    let codes: Vec<String> = serde_json::from_value(body["backupCodes"].clone()).unwrap();
    assert_eq!(codes.len(), 10);

    // Not on until a first code proves the app has the secret.
    assert_eq!(
        app.session(&who.cookie).await["user"]["twoFactorEnabled"],
        false
    );
    let res = app
        .auth_post(
            "/two-factor/verify-totp",
            json!({ "code": code_at(&secret, now()) }),
            Some(&who.cookie),
        )
        .await;
    assert_eq!(res.status(), 200);
    let renewed = session_cookie(&res).expect("set-up renews the session");
    let (_, body) = json_of(res).await;
    assert_eq!(body["user"]["twoFactorEnabled"], true);
    let who = Signed {
        cookie: renewed,
        ..who
    };
    assert_eq!(
        app.session(&who.cookie).await["user"]["twoFactorEnabled"],
        true
    );
    (who, secret, codes)
}

/// A password sign-in that must become a challenge: no session, the `two_factor`
/// cookie, Better Auth's `twoFactorRedirect` (TOTP only: e-mailed codes are off).
pub(crate) async fn challenge(app: &TestApp, email: &str) -> String {
    challenge_for(app, email, json!(["totp"])).await
}

/// [`challenge`], offering `methods`.
pub(crate) async fn challenge_for(app: &TestApp, email: &str, methods: Value) -> String {
    let res = app.sign_in(email, PASSWORD).await;
    assert_eq!(res.status(), 200);
    assert!(
        session_cookie(&res).is_none(),
        "no session before the second factor"
    );
    assert!(deletes(&res, "better-auth.session_token"));
    let cookie = cookie_named(&res, "better-auth.two_factor").expect("the challenge cookie");
    let (_, body) = json_of(res).await;
    assert_eq!(
        body,
        json!({ "twoFactorRedirect": true, "twoFactorMethods": methods })
    );
    cookie
}

pub(crate) async fn verify(app: &TestApp, path: &str, body: Value, cookie: &str) -> Response {
    app.auth_post(&format!("/two-factor/{path}"), body, Some(cookie))
        .await
}
