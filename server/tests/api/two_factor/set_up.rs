//! Setting two-factor up and turning it off both need the password.

use serde_json::json;
use taskdeck::auth::two_factor::totp::secret_from_uri;

use super::*;
use crate::helpers::{session_cookie, TestApp};

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

db_tests!(set_up_and_turning_off_need_the_password);
