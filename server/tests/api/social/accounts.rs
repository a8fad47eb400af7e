//! `list-accounts` shows the user's accounts (Better Auth's shape, no tokens);
//! `unlink-account` removes one by its id, never the last.

use serde_json::{json, Value};

use super::*;
use crate::helpers::{Backend, TestApp};

async fn accounts(app: &TestApp, cookie: &str) -> Value {
    app.auth_get("/list-accounts", Some(cookie))
        .await
        .json()
        .await
        .unwrap()
}

async fn list_and_unlink(backend: Backend) {
    let (app, _idp) = app_with_provider(backend).await;
    let (_, session) = sign_in_as(&app, "kim@example.com").await;
    let session = session.unwrap();
    let list = accounts(&app, &session).await;
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let account = &rows[0];
    assert_eq!(account["providerId"], "mock");
    assert_eq!(account["accountId"], "sub-kim@example.com");
    assert_eq!(account["scopes"], json!(["openid", "email", "profile"]));
    assert!(account.get("accessToken").is_none());
    assert!(account.get("idToken").is_none());
    let id = account["id"].as_str().unwrap();

    // The only account cannot go (nothing would sign the user in any more).
    let res = app
        .auth_post(
            "/unlink-account",
            json!({ "accountId": id }),
            Some(&session),
        )
        .await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "FAILED_TO_UNLINK_LAST_ACCOUNT");

    // A user with a password and a linked provider account can unlink the latter.
    let local = app.sign_up("lee@example.com", "password of lee here").await;
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    taskdeck::with_pool!(&db, |pool| sqlx::query(
        r#"UPDATE "user" SET "emailVerified" = TRUE WHERE "id" = $1"#
    )
    .bind(&local.user_id)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    sign_in_as(&app, "lee@example.com").await;
    let list = accounts(&app, &local.cookie).await;
    let providers: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["providerId"].as_str().unwrap())
        .collect();
    assert_eq!(providers, ["credential", "mock"]);
    let mock_id = list[1]["id"].as_str().unwrap();
    let res = app
        .auth_post(
            "/unlink-account",
            json!({ "accountId": "nope" }),
            Some(&local.cookie),
        )
        .await;
    assert_eq!(res.status(), 400);
    let res = app
        .auth_post(
            "/unlink-account",
            json!({ "accountId": mock_id }),
            Some(&local.cookie),
        )
        .await;
    assert_eq!(res.status(), 200);
    let list = accounts(&app, &local.cookie).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    // Signing in with the provider again links again (both sides verified).
    let (to, _) = sign_in_as(&app, "lee@example.com").await;
    assert_eq!(to, "/welcome-back");
    // Without a session: 401.
    assert_eq!(app.auth_get("/list-accounts", None).await.status(), 401);
    app.cleanup().await;
}

/// Someone who signed up with a provider has no password to confirm with: a session
/// made within the last day deletes the account; an older one must sign in again. A
/// user with a password still confirms with it.
async fn deleting_an_account_without_a_password(backend: Backend) {
    let (app, _idp) = app_with_provider(backend).await;
    let (_, stale) = sign_in_as(&app, "uma@example.com").await;
    let stale = stale.unwrap();
    let user = app.session(&stale).await["user"]["id"].clone();
    let sessions = ("session", "createdAt");
    let by_user = ("userId", user.as_str().unwrap());
    app.set_in_the_past(sessions, by_user, chrono::Duration::days(2))
        .await;
    let (_, fresh) = sign_in_as(&app, "uma@example.com").await;
    let fresh = fresh.unwrap();

    let res = app.auth_post("/delete-user", json!({}), Some(&stale)).await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "SESSION_EXPIRED");
    let res = app.auth_post("/delete-user", json!({}), Some(&fresh)).await;
    assert_eq!(res.status(), 200);
    // Gone: signing in with the provider again makes a new user.
    let (to, _) = sign_in_as(&app, "uma@example.com").await;
    assert_eq!(to, "/welcome");

    let local = app.sign_up("vic@example.com", "password of vic here").await;
    let res = app
        .auth_post("/delete-user", json!({}), Some(&local.cookie))
        .await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "PASSWORD_REQUIRED");
    app.cleanup().await;
}

db_tests!(backend: list_and_unlink, deleting_an_account_without_a_password);
