//! A password reset or change ends the other sessions and links (review finding M6).

use serde_json::{json, Value};

use super::PASSWORD;
use crate::helpers::TestApp;

async fn reset_and_change_revoke_sessions_and_links(app: &TestApp) {
    let who = app.sign_up("rev@example.com", PASSWORD).await;
    let attacker = app.sign_in_cookie(&who.email, PASSWORD).await;
    let reset_link = |n: usize| async move {
        app.auth_post(
            "/request-password-reset",
            json!({ "email": "rev@example.com", "redirectTo": "/reset-password" }),
            None,
        )
        .await;
        // Wait for the n-th reset mail.
        for _ in 0..100 {
            let mails: Vec<Value> = app
                .outbox()
                .into_iter()
                .filter(|m| m["subject"].as_str().unwrap().contains("Reset"))
                .collect();
            if mails.len() > n {
                let link = mails[n]["link"].as_str().unwrap().to_string();
                return link
                    .split("/reset-password/")
                    .nth(1)
                    .unwrap()
                    .split('?')
                    .next()
                    .unwrap()
                    .to_string();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no reset mail");
    };
    let first = reset_link(0).await;
    let second = reset_link(1).await;
    let res = app
        .auth_post(
            "/reset-password",
            json!({ "token": first, "newPassword": "a new password" }),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    for cookie in [&who.cookie, &attacker] {
        let body: Value = app.session(cookie).await;
        assert_eq!(body, Value::Null, "a session survived the reset");
    }
    let res = app
        .auth_post(
            "/reset-password",
            json!({ "token": second, "newPassword": "the attacker's own" }),
            None,
        )
        .await;
    assert_eq!(res.status(), 400, "the other reset link still worked");

    // A password change ends the other sessions (and links) too; this one stays.
    let mine = app.sign_in_cookie(&who.email, "a new password").await;
    let other = app.sign_in_cookie(&who.email, "a new password").await;
    let link = reset_link(2).await;
    let res = app
        .auth_post(
            "/change-password",
            json!({ "currentPassword": "a new password", "newPassword": "changed again" }),
            Some(&mine),
        )
        .await;
    assert_eq!(res.status(), 200);
    let alive = |c: String| async move { app.session(&c).await != Value::Null };
    assert!(alive(mine).await);
    assert!(!alive(other).await);
    let res = app
        .auth_post(
            "/reset-password",
            json!({ "token": link, "newPassword": "the attacker's own" }),
            None,
        )
        .await;
    assert_eq!(res.status(), 400);
}

db_tests!(reset_and_change_revoke_sessions_and_links);
