//! Sessions: get-session through a session's life, "remember me" off, the endpoints
//! that need a session, and listing and revoking sessions.

use serde_json::{json, Value};

use super::{error_of, PASSWORD};
use crate::helpers::{set_cookies, TestApp};

async fn get_session_lifecycle(app: &TestApp) {
    // Signed out: 200 null, never cached.
    let res = app.auth_get("/get-session", None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.json::<Value>().await.unwrap(), Value::Null);

    let who = app.sign_up("carol@example.com", PASSWORD).await;
    let res = app.auth_get("/get-session", Some(&who.cookie)).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("set-auth-jwt"));
    assert_eq!(
        res.headers()["access-control-expose-headers"],
        "set-auth-jwt"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"]["id"], who.user_id.as_str());
    assert_eq!(body["session"]["userId"], who.user_id.as_str());
    assert_eq!(body["session"]["token"], who.body["token"]);
    let expires = body["session"]["expiresAt"].as_str().unwrap();
    assert!(expires.ends_with('Z'));

    // A tampered cookie is no session.
    let mut forged = who.cookie.clone();
    forged.insert("better-auth.session_token=".len(), 'x');
    let res = app.auth_get("/get-session", Some(&forged)).await;
    assert_eq!(res.json::<Value>().await.unwrap(), Value::Null);

    // Sign-out deletes the session and expires the cookies.
    let res = app
        .auth_post("/sign-out", json!({}), Some(&who.cookie))
        .await;
    assert_eq!(res.status(), 200);
    let expired = set_cookies(&res);
    assert!(expired
        .iter()
        .any(|c| c.starts_with("better-auth.session_token=;") && c.contains("Max-Age=0")));
    assert!(expired
        .iter()
        .any(|c| c.starts_with("better-auth.session_data=;")));
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "success": true })
    );
    let res = app.auth_get("/get-session", Some(&who.cookie)).await;
    assert_eq!(res.json::<Value>().await.unwrap(), Value::Null);

    // POST get-session is Better Auth's 405 unless deferred refresh is on.
    let res = app.auth_post("/get-session", json!({}), None).await;
    let (status, err) = error_of(res).await;
    assert_eq!(status, 405);
    assert_eq!(err["code"], "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED");
}

async fn remember_me_false_gives_a_browser_session_cookie(app: &TestApp) {
    app.sign_up("dan@example.com", PASSWORD).await;
    let res = app
        .auth_post(
            "/sign-in/email",
            json!({ "email": "dan@example.com", "password": PASSWORD, "rememberMe": false }),
            None,
        )
        .await;
    let cookies = set_cookies(&res);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("better-auth.session_token="))
        .unwrap();
    assert!(!session.contains("Max-Age"), "no Max-Age: {session}");
    assert!(cookies
        .iter()
        .any(|c| c.starts_with("better-auth.dont_remember=")));
    let body: Value = res.json().await.unwrap();
    let _ = body;
}

async fn session_endpoints_require_a_session(app: &TestApp) {
    for path in ["/list-sessions", "/token"] {
        let (status, err) = error_of(app.auth_get(path, None).await).await;
        assert_eq!(status, 401, "{path}");
        assert_eq!(err["code"], "UNAUTHORIZED");
    }
    for path in [
        "/revoke-sessions",
        "/revoke-other-sessions",
        "/update-user",
        "/change-password",
        "/delete-user",
    ] {
        let (status, err) = error_of(app.auth_post(path, json!({}), None).await).await;
        assert_eq!(status, 401, "{path}");
        assert_eq!(err["code"], "UNAUTHORIZED", "{path}");
    }
}

async fn list_and_revoke_sessions(app: &TestApp) {
    let a = app.sign_up("erin@example.com", PASSWORD).await;
    let second = app.sign_in_cookie("erin@example.com", PASSWORD).await;
    let third = app.sign_in_cookie("erin@example.com", PASSWORD).await;

    let list: Vec<Value> = app
        .auth_get("/list-sessions", Some(&a.cookie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 3);
    assert!(list.iter().all(|s| s["userId"] == a.user_id.as_str()));

    // Revoke the second one by its token.
    let second_token = list
        .iter()
        .map(|s| s["token"].as_str().unwrap().to_string())
        .find(|t| second.contains(t.as_str()))
        .unwrap();
    let res = app
        .auth_post(
            "/revoke-session",
            json!({ "token": second_token }),
            Some(&a.cookie),
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "status": true })
    );
    let res = app.auth_get("/get-session", Some(&second)).await;
    assert_eq!(res.json::<Value>().await.unwrap(), Value::Null);

    // Another user cannot revoke erin's session.
    let mallory = app.sign_up("mallory@example.com", PASSWORD).await;
    let erin_token = a.body["token"].as_str().unwrap();
    app.auth_post(
        "/revoke-session",
        json!({ "token": erin_token }),
        Some(&mallory.cookie),
    )
    .await;
    let res = app.auth_get("/get-session", Some(&a.cookie)).await;
    assert_ne!(res.json::<Value>().await.unwrap(), Value::Null);

    // Revoke the others: the current one survives, the third does not.
    app.auth_post("/revoke-other-sessions", json!({}), Some(&a.cookie))
        .await;
    assert_ne!(app.session(&a.cookie).await, Value::Null);
    assert_eq!(app.session(&third).await, Value::Null);

    app.auth_post("/revoke-sessions", json!({}), Some(&a.cookie))
        .await;
    assert_eq!(app.session(&a.cookie).await, Value::Null);
}

db_tests!(
    get_session_lifecycle,
    remember_me_false_gives_a_browser_session_cookie,
    session_endpoints_require_a_session,
    list_and_revoke_sessions,
);
