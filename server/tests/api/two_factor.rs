//! Two-factor sign-in on Better Auth's wire (`/api/auth/two-factor/*`): set-up with a
//! first code, the sign-in that becomes a challenge, TOTP, backup codes (once each),
//! attempt limits, trusted devices, turning it off. (E-mailed codes:
//! `two_factor_email.rs`; the 2026-12 review's hardening: `two_factor_*.rs`; a Better
//! Auth database whose user already had two-factor on: `compat.rs`.)

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

async fn totp_sign_in_takes_both_factors(app: &TestApp) {
    let (who, secret, _) = with_two_factor(app, "totp@example.com").await;
    let challenge = challenge(app, &who.email).await;

    // A wrong code is refused; the right one makes the session.
    let wrong = if code_at(&secret, now()) == "000000" {
        "111111"
    } else {
        "000000"
    };
    assert_refused(
        app,
        "verify-totp",
        json!({ "code": wrong }),
        &challenge,
        (401, "INVALID_CODE"),
    )
    .await;

    let res = verify(
        app,
        "verify-totp",
        json!({ "code": next_code(&secret) }),
        &challenge,
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(deletes(&res, "better-auth.two_factor"));
    let session = session_cookie(&res).expect("a session after the second factor");
    let (_, body) = json_of(res).await;
    assert_eq!(body["user"]["email"], "totp@example.com");
    assert_eq!(body["token"].as_str().unwrap().len(), 32);
    assert_eq!(
        app.session(&session).await["user"]["id"],
        who.user_id.as_str()
    );

    // The challenge is spent: it cannot make a second session.
    assert_refused(
        app,
        "verify-totp",
        json!({ "code": code_at(&secret, now()) }),
        &challenge,
        (401, "INVALID_TWO_FACTOR_COOKIE"),
    )
    .await;
    // Nor does a forged or missing challenge cookie.
    let (status, _) = post(
        app,
        "/two-factor/verify-totp",
        json!({ "code": "123456" }),
        None,
    )
    .await;
    assert_eq!(status, 401);
}

async fn a_backup_code_works_once(app: &TestApp) {
    let (who, _, codes) = with_two_factor(app, "backup@example.com").await;
    let first = challenge(app, &who.email).await;
    let res = verify(
        app,
        "verify-backup-code",
        json!({ "code": codes[3] }),
        &first,
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(session_cookie(&res).is_some());

    let second = challenge(app, &who.email).await;
    assert_refused(
        app,
        "verify-backup-code",
        json!({ "code": codes[3] }),
        &second,
        (401, "INVALID_BACKUP_CODE"),
    )
    .await;
    let res = verify(
        app,
        "verify-backup-code",
        json!({ "code": codes[4] }),
        &second,
    )
    .await;
    assert_eq!(res.status(), 200, "another code still works");

    // New codes replace the old ones, behind the password.
    refuses_a_wrong_password(app, "/two-factor/generate-backup-codes", &who.cookie).await;
    let (status, body) = post(
        app,
        "/two-factor/generate-backup-codes",
        json!({ "password": PASSWORD }),
        Some(&who.cookie),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], true);
    let fresh: Vec<String> = serde_json::from_value(body["backupCodes"].clone()).unwrap();
    let third = challenge(app, &who.email).await;
    let (status, _) = tried(
        app,
        "verify-backup-code",
        json!({ "code": codes[5] }),
        &third,
    )
    .await;
    assert_eq!(status, 401, "an old code is void");
    let res = verify(
        app,
        "verify-backup-code",
        json!({ "code": fresh[0] }),
        &third,
    )
    .await;
    assert_eq!(res.status(), 200);
}

async fn wrong_codes_are_limited_per_challenge(app: &TestApp) {
    let (who, secret, _) = with_two_factor(app, "guess@example.com").await;
    let challenge = challenge(app, &who.email).await;
    let right = code_at(&secret, now());
    let wrong = if right == "999999" {
        "999998"
    } else {
        "999999"
    };
    for _ in 0..5 {
        assert_refused(
            app,
            "verify-totp",
            json!({ "code": wrong }),
            &challenge,
            (401, "INVALID_CODE"),
        )
        .await;
    }
    assert_refused(
        app,
        "verify-totp",
        json!({ "code": wrong }),
        &challenge,
        (400, "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE"),
    )
    .await;
    // The challenge is gone: even the right code needs a new sign-in now.
    assert_refused(
        app,
        "verify-totp",
        json!({ "code": code_at(&secret, now()) }),
        &challenge,
        (401, "INVALID_TWO_FACTOR_COOKIE"),
    )
    .await;

    // Across challenges, ten failures lock the factor for a while (429).
    for _ in 0..5 {
        let next = crate::two_factor::challenge(app, &who.email).await;
        assert_refused(
            app,
            "verify-totp",
            json!({ "code": wrong }),
            &next,
            (401, "INVALID_CODE"),
        )
        .await;
    }
    let last = crate::two_factor::challenge(app, &who.email).await;
    assert_refused(
        app,
        "verify-totp",
        json!({ "code": code_at(&secret, now()) }),
        &last,
        (429, "ACCOUNT_TEMPORARILY_LOCKED"),
    )
    .await;
}

async fn a_trusted_device_skips_the_code_for_30_days(app: &TestApp) {
    let (who, secret, _) = with_two_factor(app, "trust@example.com").await;
    let challenge = challenge(app, &who.email).await;
    let res = verify(
        app,
        "verify-totp",
        json!({ "code": next_code(&secret), "trustDevice": true }),
        &challenge,
    )
    .await;
    assert_eq!(res.status(), 200);
    let trust = set_cookies(&res)
        .into_iter()
        .find(|c| c.starts_with("better-auth.trust_device="))
        .expect("a trust cookie");
    assert!(
        trust.contains("Max-Age=2592000") && trust.contains("HttpOnly"),
        "{trust}"
    );
    let trust = trust.split(';').next().unwrap().to_string();

    // The same device signs in with the password alone, and its trust is renewed.
    let res = app
        .client
        .post(app.url("/api/auth/sign-in/email"))
        .header("cookie", &trust)
        .header("origin", app.origin())
        .json(&json!({ "email": who.email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(session_cookie(&res).is_some(), "trusted: a session at once");
    let renewed = cookie_named(&res, "better-auth.trust_device").expect("renewed");
    assert_ne!(renewed, trust);

    // The old cookie was single-use; a forged one is forgotten.
    let res = app
        .client
        .post(app.url("/api/auth/sign-in/email"))
        .header("cookie", &trust)
        .header("origin", app.origin())
        .json(&json!({ "email": who.email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert!(session_cookie(&res).is_none());
    assert!(deletes(&res, "better-auth.trust_device"));
    assert_eq!(json_of(res).await.1["twoFactorRedirect"], true);
}

async fn set_up_and_turning_off_need_the_password(app: &TestApp) {
    let who = app.sign_up("off@example.com", PASSWORD).await;
    refuses_a_wrong_password(app, "/two-factor/enable", &who.cookie).await;
    let (status, _) = post(
        app,
        "/two-factor/enable",
        json!({ "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(status, 401, "no session, no set-up");
    assert_eq!(
        post_refusal(
            app,
            "/two-factor/enable",
            json!({ "password": PASSWORD, "method": "sms" }),
            Some(&who.cookie)
        )
        .await,
        (400, "VALIDATION_ERROR".into())
    );

    // Set up but never confirmed: sign-in still takes the password alone.
    let (status, _) = post(
        app,
        "/two-factor/enable",
        json!({ "password": PASSWORD }),
        Some(&who.cookie),
    )
    .await;
    assert_eq!(status, 200);
    let res = app.sign_in(&who.email, PASSWORD).await;
    assert!(session_cookie(&res).is_some());

    let (who, secret, _) = with_two_factor(app, "off2@example.com").await;
    let (status, body) = post(
        app,
        "/two-factor/get-totp-uri",
        json!({ "password": PASSWORD }),
        Some(&who.cookie),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        secret_from_uri(body["totpURI"].as_str().unwrap()),
        Some(secret)
    );
    refuses_a_wrong_password(app, "/two-factor/disable", &who.cookie).await;
    let res = app
        .auth_post(
            "/two-factor/disable",
            json!({ "password": PASSWORD }),
            Some(&who.cookie),
        )
        .await;
    assert_eq!(res.status(), 200);
    let renewed = session_cookie(&res).expect("a new session");
    assert_eq!(json_of(res).await.1, json!({ "status": true }));
    assert_eq!(
        app.session(&renewed).await["user"]["twoFactorEnabled"],
        false
    );
    let res = app.sign_in(&who.email, PASSWORD).await;
    assert!(
        session_cookie(&res).is_some(),
        "off: the password alone again"
    );
}

/// The plugin's own rate limit: three tries per 10 s per client on each `/two-factor/*`
/// path (with limits on, as in production).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_factor_paths_are_rate_limited() {
    let app = TestApp::builder().env("RATE_LIMIT", "on").spawn().await;
    let (who, secret, _) = with_two_factor(&app, "limited@example.com").await;
    let challenge = challenge(&app, &who.email).await;
    let wrong = if code_at(&secret, now()) == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..2 {
        let res = verify(&app, "verify-totp", json!({ "code": wrong }), &challenge).await;
        assert_eq!(res.status(), 401);
    }
    // (The set-up's own verify-totp was the first of the three.)
    let res = verify(
        &app,
        "verify-totp",
        json!({ "code": code_at(&secret, now()) }),
        &challenge,
    )
    .await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("x-retry-after"));
    app.cleanup().await;
}

db_tests!(
    totp_sign_in_takes_both_factors,
    a_backup_code_works_once,
    wrong_codes_are_limited_per_challenge,
    a_trusted_device_skips_the_code_for_30_days,
    set_up_and_turning_off_need_the_password,
);
