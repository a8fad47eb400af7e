//! Signing in with two-factor on: both factors with TOTP, a backup code once, and a
//! trusted device skipping the code for 30 days.

use serde_json::json;
use taskdeck::auth::two_factor::totp::code_at;

use super::*;
use crate::helpers::{session_cookie, set_cookies, TestApp};

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

db_tests!(
    totp_sign_in_takes_both_factors,
    a_backup_code_works_once,
    a_trusted_device_skips_the_code_for_30_days,
);
