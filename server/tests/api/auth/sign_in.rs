//! Sign-in: success and failure look alike, form posts, Better Auth's scrypt hashes
//! (accepted, then upgraded), and the rate limit on the fourth attempt.

use serde_json::{json, Value};

use super::{error_of, PASSWORD};
use crate::helpers::{session_cookie, Backend, TestApp};

async fn sign_in_success_and_failures_look_alike(app: &TestApp) {
    app.sign_up("bob@example.com", PASSWORD).await;
    let res = app.sign_in("BOB@example.com", PASSWORD).await;
    assert_eq!(res.status(), 200);
    assert!(session_cookie(&res).is_some());
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["redirect"], false);
    assert_eq!(body["user"]["email"], "bob@example.com");
    assert_eq!(body["token"].as_str().unwrap().len(), 32);

    let wrong = error_of(app.sign_in("bob@example.com", "wrong password!").await).await;
    let unknown = error_of(app.sign_in("nobody@example.com", PASSWORD).await).await;
    assert_eq!(wrong, unknown, "no user enumeration");
    assert_eq!(wrong.0, 401);
    assert_eq!(wrong.1["code"], "INVALID_EMAIL_OR_PASSWORD");

    let (status, err) = error_of(app.sign_in("bob-at-example", PASSWORD).await).await;
    assert_eq!(status, 400);
    assert_eq!(err["code"], "INVALID_EMAIL");
}

async fn sign_in_accepts_form_posts(app: &TestApp) {
    app.sign_up("form@example.com", PASSWORD).await;
    let res = app
        .client
        .post(app.url("/api/auth/sign-in/email"))
        .form(&[
            ("email", "form@example.com"),
            ("password", PASSWORD),
            ("rememberMe", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(session_cookie(&res).is_some());
}

async fn better_auth_scrypt_hashes_sign_in_and_are_upgraded(app: &TestApp) {
    // A user as Better Auth (scrypt) would have written them.
    let who = app.sign_up("legacy@example.com", PASSWORD).await;
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    let scrypt = taskdeck::auth::password::better_auth_scrypt_hash("legacy password").unwrap();
    taskdeck::with_pool!(&db, |pool| sqlx::query(
        r#"UPDATE "account" SET "password" = $1 WHERE "userId" = $2"#
    )
    .bind(&scrypt)
    .bind(&who.user_id)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    assert_eq!(
        app.sign_in("legacy@example.com", "wrong password")
            .await
            .status(),
        401
    );
    assert_eq!(
        app.sign_in("legacy@example.com", "legacy password")
            .await
            .status(),
        200
    );
    let stored: String = taskdeck::with_pool!(&db, |pool| sqlx::query_scalar(
        r#"SELECT "password" FROM "account" WHERE "userId" = $1"#
    )
    .bind(&who.user_id)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert!(
        stored.starts_with(&format!(
            "$argon2id$v=19${}$",
            taskdeck::auth::password::HashParams::DEFAULT
        )),
        "rehashed: {stored}"
    );
    assert_eq!(
        app.sign_in("legacy@example.com", "legacy password")
            .await
            .status(),
        200
    );
    db.close().await;
}

async fn rate_limit_blocks_the_fourth_sign_in(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .env("RATE_LIMIT", "on")
        .spawn()
        .await;
    for _ in 0..3 {
        assert_eq!(app.sign_in("who@example.com", PASSWORD).await.status(), 401);
    }
    let res = app.sign_in("who@example.com", PASSWORD).await;
    assert_eq!(res.status(), 429);
    let retry: i64 = res.headers()["x-retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry), "{retry}");
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "message": "Too many requests. Please try again later." })
    );
    // Other endpoints are unaffected.
    assert_eq!(app.auth_get("/ok", None).await.status(), 200);
    app.cleanup().await;
}

db_tests!(
    sign_in_success_and_failures_look_alike,
    sign_in_accepts_form_posts,
    better_auth_scrypt_hashes_sign_in_and_are_upgraded;
    backend: rate_limit_blocks_the_fourth_sign_in,
);
