//! Sign-in under attack: it never redirects off-site (review finding M2), the limiter
//! stores only known routes and sweeps old rows (M3), and a flood of sign-ins is turned
//! away with 503s, not queued (M4).

use reqwest::header;
use serde_json::{json, Value};

use super::PASSWORD;
use crate::helpers::{Backend, TestApp};

// --- redirects after sign-in (M2) --------------------------------------------------------

/// A no-JavaScript sign-in form post with `next`: where does the browser go?
async fn sign_in_form_redirects_to(app: &TestApp, email: &str, next: &str) -> (u16, String) {
    let res = app
        .client
        .post(app.url("/api/ui/sign_in"))
        .header(header::ACCEPT, "text/html")
        .header("origin", app.origin())
        .form(&[("email", email), ("password", PASSWORD), ("next", next)])
        .send()
        .await
        .unwrap();
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (res.status().as_u16(), location)
}

async fn sign_in_never_redirects_off_site(app: &TestApp) {
    let who = app.sign_up("next@example.com", PASSWORD).await;
    for next in [
        "/\t/evil.example",
        "/\\evil.example",
        "//evil.example",
        "/.//evil.example",
        "https://evil.example/",
        "/\r\nSet-Cookie: a=b",
        "/x\u{7f}",
        "javascript:alert(1)",
    ] {
        let (status, location) = sign_in_form_redirects_to(app, &who.email, next).await;
        assert_eq!((status, location.as_str()), (302, "/"), "next={next:?}");
    }
    let (status, location) = sign_in_form_redirects_to(app, &who.email, "/settings?x=1").await;
    assert_eq!((status, location.as_str()), (302, "/settings?x=1"));
}

// --- the limiter keeps only what it must (M3) --------------------------------------------

async fn rate_limit_rows(app: &TestApp) -> i64 {
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    let n = taskdeck::with_pool!(&db, |pool| sqlx::query_scalar::<_, i64>(
        r#"SELECT COUNT(*) FROM "rateLimit""#
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    db.close().await;
    n
}

async fn limiter_stores_known_routes_and_sweeps_old_rows(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .env("RATE_LIMIT", "on")
        .env("RATE_LIMIT_STORAGE", "database")
        .spawn()
        .await;
    // A stale counter from long ago, as a busy day leaves thousands of.
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    let stale = chrono::Utc::now().timestamp_millis() - 3_600_000;
    taskdeck::with_pool!(&db, |pool| sqlx::query(
        r#"INSERT INTO "rateLimit" ("id", "key", "count", "lastRequest") VALUES ('old', '1.2.3.4|/sign-in/email', 3, $1)"#
    )
    .bind(stale)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    db.close().await;

    // Unknown paths are 404s that cost no row, however many and however long.
    for n in 0..50 {
        let path = format!("/api/auth/{}{n}", "x".repeat(2000));
        assert_eq!(app.get(&path).await.status(), 404);
    }
    // A token in the path is keyed by its route, not by the token.
    for n in 0..5 {
        let res = app.get(&format!("/api/auth/reset-password/tok{n}")).await;
        assert_eq!(res.status(), 302);
    }
    assert_eq!(app.auth_get("/ok", None).await.status(), 200);
    // The stale row was swept; what is left is one row per route this client used.
    assert_eq!(rate_limit_rows(&app).await, 2);
    app.cleanup().await;
}

// --- a flood of sign-ins is turned away, not queued (M4) ---------------------------------

/// Far more concurrent sign-ins than the hashing queue holds: the overflow is refused
/// at once with 503 + `Retry-After` (not queued past the timeout, never a 500), and a
/// real sign-in works right after.
async fn a_sign_in_flood_overflows_into_503s(app: &TestApp) {
    let who = app.sign_up("flood@example.com", PASSWORD).await;
    let requests: Vec<_> = (0..200)
        .map(|n| {
            let req = app.client.post(app.url("/api/auth/sign-in/email")).json(
                &json!({ "email": format!("nobody{n}@example.com"), "password": "x y z w v u" }),
            );
            tokio::spawn(async move {
                let res = req.send().await.unwrap();
                let retry = res.headers().get(header::RETRY_AFTER).cloned();
                let status = res.status().as_u16();
                let body: Value = res.json().await.unwrap_or(Value::Null);
                (status, retry, body["code"].as_str().map(String::from))
            })
        })
        .collect();
    let mut refused = 0;
    for request in requests {
        let (status, retry, code) = request.await.unwrap();
        match status {
            401 => {}
            503 => {
                refused += 1;
                assert_eq!(retry.as_ref().map(|v| v.to_str().unwrap()), Some("1"));
                assert_eq!(code.as_deref(), Some("SERVICE_UNAVAILABLE"));
            }
            other => panic!("a sign-in in the flood answered {other}"),
        }
    }
    assert!(refused > 0, "200 concurrent sign-ins were all queued");
    assert_eq!(app.sign_in(&who.email, PASSWORD).await.status(), 200);
}

db_tests!(
    sign_in_never_redirects_off_site,
    a_sign_in_flood_overflows_into_503s;
    backend: limiter_stores_known_routes_and_sweeps_old_rows,
);
