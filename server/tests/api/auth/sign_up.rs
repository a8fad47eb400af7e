//! Sign-up: the signed session cookie it sets, and its errors.

use serde_json::{json, Value};
use taskdeck::auth::{verify_cookie_value, HmacKey};

use super::{error_of, PASSWORD};
use crate::helpers::{set_cookies, TestApp};

async fn sign_up_sets_a_signed_session_cookie(app: &TestApp) {
    let res = app
        .auth_post(
            "/sign-up/email",
            json!({ "name": "Ada", "email": "Ada@Example.com", "password": PASSWORD }),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    let cookies = set_cookies(&res);
    let body: Value = res.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    assert_eq!(token.len(), 32);
    let user = &body["user"];
    assert_eq!(user["email"], "ada@example.com", "stored lower-cased");
    assert_eq!(user["name"], "Ada");
    assert_eq!(user["emailVerified"], false);
    assert_eq!(user["image"], Value::Null);
    let created = user["createdAt"].as_str().unwrap();
    assert!(
        created.ends_with('Z') && created.len() == 24,
        "toISOString form: {created}"
    );

    let cookie = cookies
        .iter()
        .find(|c| c.starts_with("better-auth.session_token="))
        .expect("session cookie");
    assert!(
        cookie.ends_with("; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax"),
        "attributes in Better Auth's order: {cookie}"
    );
    let value = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    assert_eq!(
        verify_cookie_value(value, &HmacKey::new(app.config.secret_bytes())).as_deref(),
        Some(token),
        "cookie = token.HMAC(secret)"
    );
}

async fn sign_up_errors(app: &TestApp) {
    app.sign_up("taken@example.com", PASSWORD).await;
    let (status, body) = error_of(
        app.auth_post(
            "/sign-up/email",
            json!({ "name": "X", "email": "TAKEN@example.com", "password": PASSWORD }),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["code"], "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");

    let cases = [
        (
            json!({ "name": "X", "email": "not-an-email", "password": PASSWORD }),
            "VALIDATION_ERROR",
        ),
        (
            json!({ "name": "X", "email": "a@b.co", "password": "short" }),
            "PASSWORD_TOO_SHORT",
        ),
        (
            json!({ "name": "X", "email": "a@b.co", "password": "x".repeat(129) }),
            "PASSWORD_TOO_LONG",
        ),
        (
            json!({ "email": "a@b.co", "password": PASSWORD }),
            "VALIDATION_ERROR",
        ),
        (
            json!({ "name": 5, "email": "a@b.co", "password": PASSWORD }),
            "VALIDATION_ERROR",
        ),
    ];
    for (body, code) in cases {
        let (status, err) =
            error_of(app.auth_post("/sign-up/email", body.clone(), None).await).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(err["code"], code, "{body}");
        assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (_, err) = error_of(
        app.auth_post(
            "/sign-up/email",
            json!({ "name": "X", "email": "nope", "password": PASSWORD }),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(err["message"], "[body.email] Invalid email address");

    let res = app
        .client
        .post(app.url("/api/auth/sign-up/email"))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    let (status, err) = error_of(res).await;
    assert_eq!(status, 415);
    assert_eq!(err["code"], "UNSUPPORTED_MEDIA_TYPE");
}

db_tests!(sign_up_sets_a_signed_session_cookie, sign_up_errors);
