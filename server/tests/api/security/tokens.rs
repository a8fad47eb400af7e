//! Tokens: a bearer header gets the same decision at both doors, HS256 token kinds are
//! not interchangeable (review finding M1), and the UI's JWT cookie follows the session
//! (L4).

use reqwest::header;
use serde_json::{json, Value};

use crate::helpers::{list_tasks, set_cookies, Backend, TestApp};

// --- bearer decisions at both doors ------------------------------------------------------

/// The same bearer header gets the same decision from the tasks API and the UI's task
/// functions: the scheme in any case, and a bad token is a 401 (never a fall-back).
async fn bearer_decisions_match_at_both_doors(app: &TestApp) {
    let who = app.api_user("bearer@example.com").await;
    let cases = [
        (format!("Bearer {}", who.token), 200),
        (format!("bearer {}", who.token), 200),
        (format!("BEARER {}", who.token), 200),
        (format!("Bearer {}x", who.token), 401),
        ("Bearer".to_string(), 401),
        (format!("Basic {}", who.token), 401),
        ("Bearer not.a.jwt".to_string(), 401),
    ];
    for (authorization, expected) in cases {
        let rest = app
            .client
            .get(app.url(&format!("/api/{}/tasks", who.id)))
            .header(header::AUTHORIZATION, &authorization)
            .send()
            .await
            .unwrap()
            .status();
        let ui = app
            .client
            .post(app.url("/api/ui/task_summary"))
            .header(header::ACCEPT, "application/json")
            .header(header::AUTHORIZATION, &authorization)
            .form(&[("x", "")])
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(
            (rest.as_u16(), ui.as_u16()),
            (expected, expected),
            "{authorization:.20}"
        );
    }
    // A bad bearer is refused even when a good session cookie rides along.
    let ui = app
        .call(
            "task_summary",
            Some(&who.signed.cookie),
            Some("nonsense"),
            &[("x", "")],
        )
        .await;
    assert_eq!(ui.status(), 401);
}

// --- token kinds in HS256 mode (M1) ------------------------------------------------------

async fn hs256_token_kinds_are_not_interchangeable(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .env("JWT_ALGORITHM", "HS256")
        .spawn()
        .await;
    let who = app.api_user("ceo@example.com").await;
    // An access JWT is not an e-mail verification token.
    let res = app
        .auth_get(&format!("/verify-email?token={}", who.token), None)
        .await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "INVALID_TOKEN");
    let session: Value = app.session(&who.signed.cookie).await;
    assert_eq!(session["user"]["emailVerified"], false);
    // And a verification token is not an access token.
    let token = app.verification_token("ceo@example.com").await;
    let res = app
        .bearer_get(&token, &format!("/api/{}/tasks", who.id))
        .await;
    assert_eq!(res.status(), 401);
    // The real verification token still verifies.
    let res = app
        .auth_get(&format!("/verify-email?token={token}"), None)
        .await;
    assert_eq!(res.status(), 200);
    app.cleanup().await;
}

// --- the UI's JWT cookie follows the session (L4) ----------------------------------------

fn jwt_cookie(res: &reqwest::Response) -> Option<String> {
    set_cookies(res)
        .into_iter()
        .find(|c| c.starts_with("taskdeck.jwt="))
}

async fn ui_jwt_cookie_follows_the_session(app: &TestApp) {
    let alice = app.api_user("alice@example.com").await;
    let bob = app.api_user("bob@example.com").await;
    // Alice signs in through the UI: session cookie + JWT cookie.
    let res = app
        .call(
            "sign_in",
            None,
            None,
            &[
                ("email", "alice@example.com"),
                ("password", "password for tests"),
            ],
        )
        .await;
    let alice_jwt = jwt_cookie(&res).unwrap();
    let alice_jwt = alice_jwt.split(';').next().unwrap();
    // REST sign-out expires the JWT cookie along with the session's.
    let res = app
        .auth_post("/sign-out", json!({}), Some(&alice.signed.cookie))
        .await;
    let expired = jwt_cookie(&res).expect("sign-out expires taskdeck.jwt");
    assert!(expired.contains("Max-Age=0"), "{expired}");
    // A JWT cookie left from Alice next to Bob's session acts as Bob, not Alice.
    let cookie = format!("{alice_jwt}; {}", bob.signed.cookie);
    let res = app
        .call(
            "create_task",
            Some(&cookie),
            None,
            &[("title", "whose is this?")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let (bobs, _) = list_tasks(app, &bob, "").await;
    let (alices, _) = list_tasks(app, &alice, "").await;
    assert_eq!((bobs.len(), alices.len()), (1, 0));
    // Without any session cookie, a JWT cookie alone does nothing.
    let res = app
        .call("task_summary", Some(alice_jwt), None, &[("x", "")])
        .await;
    assert_eq!(res.status(), 401);
    // Revoking sessions over REST expires it too.
    let res = app
        .auth_post("/revoke-sessions", json!({}), Some(&bob.signed.cookie))
        .await;
    assert_eq!(res.status(), 200);
    assert!(jwt_cookie(&res).is_some_and(|c| c.contains("Max-Age=0")));
}

db_tests!(
    bearer_decisions_match_at_both_doors,
    ui_jwt_cookie_follows_the_session;
    backend: hs256_token_kinds_are_not_interchangeable,
);
