//! What two-factor changes do to the user's other credentials (review 2026-12 L4,
//! L5): trusted devices and pending sign-ins end on every recovery action, trust lasts
//! 30 days from the code that earned it, settings lists and forgets trusted devices,
//! and turning two-factor on or off can sign the other devices out.

use reqwest::Response;
use serde_json::{json, Value};
use taskdeck::auth::two_factor::totp::secret_from_uri;

use crate::{
    helpers::{session_cookie, TestApp},
    two_factor::{
        assert_refused, challenge, cookie_named, json_of, next_code, post, verify, with_two_factor,
        PASSWORD,
    },
};

const NEW_PASSWORD: &str = "a brand new passphrase";

async fn sign_in_with(app: &TestApp, email: &str, password: &str, trust: &str) -> Response {
    app.client
        .post(app.url("/api/auth/sign-in/email"))
        .header("cookie", trust)
        .header("origin", app.origin())
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
}

/// Whether a sign-in with the trust cookie `trust` went straight through.
async fn trusted(app: &TestApp, email: &str, password: &str, trust: &str) -> bool {
    let res = sign_in_with(app, email, password, trust).await;
    assert_eq!(res.status(), 200);
    let skipped = session_cookie(&res).is_some();
    let (_, body) = json_of(res).await;
    assert_eq!(body["twoFactorRedirect"] == true, !skipped, "{body}");
    skipped
}

/// Passes the second factor with a backup code and "trust this device": the cookie.
async fn trust_this_device(app: &TestApp, email: &str, password: &str, code: &str) -> String {
    let res = sign_in_with(app, email, password, "").await;
    let challenge = cookie_named(&res, "better-auth.two_factor").expect("a challenge");
    let res = verify(
        app,
        "verify-backup-code",
        json!({ "code": code, "trustDevice": true }),
        &challenge,
    )
    .await;
    assert_eq!(res.status(), 200);
    cookie_named(&res, "better-auth.trust_device").expect("a trust cookie")
}

/// The trusted devices settings lists.
async fn listed(app: &TestApp, cookie: &str) -> Vec<Value> {
    let account = app.call_json("account", Some(cookie), None, &[]).await;
    account["trusted_devices"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn recovery_ends_trusted_devices_and_challenges(app: &TestApp) {
    let (who, _, codes) = with_two_factor(app, "trusty@example.com").await;
    let email = who.email.as_str();
    let trust = trust_this_device(app, email, PASSWORD, &codes[0]).await;
    let devices = listed(app, &who.cookie).await;
    assert_eq!(devices.len(), 1, "{devices:?}");
    let until = devices[0]["until"].clone();

    // Used, the trust is re-issued but still ends 30 days after the code.
    let res = sign_in_with(app, email, PASSWORD, &trust).await;
    assert!(session_cookie(&res).is_some());
    let trust = cookie_named(&res, "better-auth.trust_device").expect("renewed");
    let devices = listed(app, &who.cookie).await;
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0]["until"], until);

    // A password change ends it, and a sign-in half-way through its second step.
    let pending = challenge(app, email).await;
    let (status, _) = post(
        app,
        "/change-password",
        json!({ "currentPassword": PASSWORD, "newPassword": NEW_PASSWORD }),
        Some(&who.cookie),
    )
    .await;
    assert_eq!(status, 200);
    assert!(!trusted(app, email, NEW_PASSWORD, &trust).await);
    assert_refused(
        app,
        "verify-backup-code",
        json!({ "code": codes[1] }),
        &pending,
        (401, "INVALID_TWO_FACTOR_COOKIE"),
    )
    .await;
    assert!(listed(app, &who.cookie).await.is_empty());

    // Settings forgets one, or all.
    let first = trust_this_device(app, email, NEW_PASSWORD, &codes[2]).await;
    let second = trust_this_device(app, email, NEW_PASSWORD, &codes[3]).await;
    let devices = listed(app, &who.cookie).await;
    assert_eq!(devices.len(), 2);
    let settings = app
        .load(
            app.client
                .get(app.url("/settings"))
                .header("cookie", &who.cookie),
        )
        .await;
    let html = settings.text().await.unwrap();
    assert_eq!(html.matches("Forget this device").count(), 2, "{html}");
    assert!(html.contains("Forget all trusted devices"));
    let id = devices[0]["id"].as_str().unwrap().to_string();
    let res = app
        .call(
            "forget_trusted_devices",
            Some(&who.cookie),
            None,
            &[("id", &id)],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(listed(app, &who.cookie).await.len(), 1);
    let res = app
        .call("forget_trusted_devices", Some(&who.cookie), None, &[])
        .await;
    assert_eq!(res.status(), 200);
    assert!(listed(app, &who.cookie).await.is_empty());
    assert!(!trusted(app, email, NEW_PASSWORD, &first).await);
    assert!(!trusted(app, email, NEW_PASSWORD, &second).await);

    // A new secret ends it too.
    let trust = trust_this_device(app, email, NEW_PASSWORD, &codes[4]).await;
    let (status, _) = post(
        app,
        "/two-factor/enable",
        json!({ "password": NEW_PASSWORD }),
        Some(&who.cookie),
    )
    .await;
    assert_eq!(status, 200);
    assert!(!trusted(app, email, NEW_PASSWORD, &trust).await);
}

async fn turning_two_factor_off_ends_trust_and_can_end_sessions(app: &TestApp) {
    let (who, _, codes) = with_two_factor(app, "offtrust@example.com").await;
    let email = who.email.as_str();
    let trust = trust_this_device(app, email, PASSWORD, &codes[0]).await;
    let other = trusted_session(app, email, &codes[1]).await;
    let res = app
        .auth_post(
            "/two-factor/disable",
            json!({ "password": PASSWORD, "revokeOtherSessions": true }),
            Some(&who.cookie),
        )
        .await;
    assert_eq!(res.status(), 200);
    let mine = session_cookie(&res).expect("a new session");
    assert_eq!(
        app.session(&other).await,
        Value::Null,
        "the other device is out"
    );
    assert_eq!(app.session(&mine).await["user"]["email"], email);
    // Turned on again, the old trust is gone.
    let (status, body) = post(
        app,
        "/two-factor/enable",
        json!({ "password": PASSWORD }),
        Some(&mine),
    )
    .await;
    assert_eq!(status, 200);
    let secret = secret_from_uri(body["totpURI"].as_str().unwrap()).unwrap();
    let (status, _) = post(
        app,
        "/two-factor/verify-totp",
        json!({ "code": next_code(&secret) }),
        Some(&mine),
    )
    .await;
    assert_eq!(status, 200);
    assert!(!trusted(app, email, PASSWORD, &trust).await);
}

/// A second session of the user, signed in with a backup code.
async fn trusted_session(app: &TestApp, email: &str, code: &str) -> String {
    let challenge = challenge(app, email).await;
    let res = verify(
        app,
        "verify-backup-code",
        json!({ "code": code }),
        &challenge,
    )
    .await;
    assert_eq!(res.status(), 200);
    session_cookie(&res).expect("a session")
}

async fn turning_two_factor_on_can_sign_other_devices_out(app: &TestApp) {
    let who = app.sign_up("onrevoke@example.com", PASSWORD).await;
    let other = app.sign_in_cookie(&who.email, PASSWORD).await;
    let (status, body) = post(
        app,
        "/two-factor/enable",
        json!({ "password": PASSWORD }),
        Some(&who.cookie),
    )
    .await;
    assert_eq!(status, 200);
    let secret = secret_from_uri(body["totpURI"].as_str().unwrap()).unwrap();
    let res = app
        .auth_post(
            "/two-factor/verify-totp",
            json!({ "code": next_code(&secret), "revokeOtherSessions": true }),
            Some(&who.cookie),
        )
        .await;
    assert_eq!(res.status(), 200);
    let mine = session_cookie(&res).expect("a new session");
    assert_eq!(app.session(&other).await, Value::Null);
    assert_eq!(app.session(&mine).await["user"]["twoFactorEnabled"], true);
    // Not a boolean: Better Auth's validation error, not a 500.
    let (status, body) = post(
        app,
        "/two-factor/disable",
        json!({ "password": PASSWORD, "revokeOtherSessions": 3 }),
        Some(&mine),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("VALIDATION_ERROR"))
    );
}

/// The token of the reset link mailed to `to` (the only one asked for).
async fn reset_token(app: &TestApp, to: &str) -> String {
    let body = json!({ "email": to, "redirectTo": "/reset-password" });
    let (status, _) = post(app, "/request-password-reset", body, None).await;
    assert_eq!(status, 200);
    let mail = app.wait_for_mail(to, "Reset").await;
    let link = mail["link"].as_str().expect("a link");
    let token = link.split("/reset-password/").nth(1).expect("a token");
    token.split('?').next().unwrap_or_default().to_string()
}

async fn a_password_reset_ends_trust_and_challenges(app: &TestApp) {
    let (who, _, codes) = with_two_factor(app, "resetter@example.com").await;
    let email = who.email.as_str();
    let trust = trust_this_device(app, email, PASSWORD, &codes[0]).await;
    let pending = challenge(app, email).await;
    let token = reset_token(app, email).await;
    let body = json!({ "token": token, "newPassword": NEW_PASSWORD });
    let (status, _) = post(app, "/reset-password", body, None).await;
    assert_eq!(status, 200);
    assert!(!trusted(app, email, NEW_PASSWORD, &trust).await);
    assert_refused(
        app,
        "verify-backup-code",
        json!({ "code": codes[1] }),
        &pending,
        (401, "INVALID_TWO_FACTOR_COOKIE"),
    )
    .await;
}

db_tests!(
    a_password_reset_ends_trust_and_challenges,
    recovery_ends_trusted_devices_and_challenges,
    turning_two_factor_off_ends_trust_and_can_end_sessions,
    turning_two_factor_on_can_sign_other_devices_out,
);
