//! The security review's findings (`shared/reviews/security-2026-11.md`), each as
//! requests through the real HTTP path, and the matrix that sends the same request to
//! both doors (REST `/api/auth/*` + `/api/{user}/tasks`, and the UI's server functions
//! under `/api/ui/*`) and expects the same decision.
//!
//! Distinct clients are distinct loopback source addresses (127.0.0.2, 127.0.0.3, …):
//! not trusted proxies by default, so each is its own rate-limit bucket, whatever
//! `X-Forwarded-For` it sends. 127.0.0.1 is a trusted proxy by default.

use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{list_tasks, set_cookies, Backend, TestApp, TestAppBuilder};

const PASSWORD: &str = "correct horse battery";

/// A sign-in through one door from `client`, with extra headers.
async fn sign_in_at(
    app: &TestApp,
    client: &reqwest::Client,
    door: Door,
    email: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, Value) {
    let req = match door {
        Door::Rest => client
            .post(app.url("/api/auth/sign-in/email"))
            .json(&json!({ "email": email, "password": "wrong password" })),
        Door::Ui => client
            .post(app.url("/api/ui/sign_in"))
            .header(header::ACCEPT, "application/json")
            .form(&[("email", email), ("password", "wrong password")]),
    };
    let mut req = req;
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[derive(Clone, Copy, Debug)]
enum Door {
    Rest,
    Ui,
}

/// The error code either door answered with (`code`, or the UI's `TOO_MANY_REQUESTS`
/// for Better Auth's code-less 429).
fn code(status: StatusCode, body: &Value) -> String {
    match body["code"].as_str() {
        Some(c) => c.to_string(),
        None if status == 429 => "TOO_MANY_REQUESTS".into(),
        None => String::new(),
    }
}

/// An app on `backend` with rate limiting on (in memory on SQLite).
fn limited(backend: Backend) -> TestAppBuilder {
    let app = TestApp::builder().backend(backend).env("RATE_LIMIT", "on");
    match backend {
        Backend::Sqlite => app.env("RATE_LIMIT_STORAGE", "memory"),
        Backend::Postgres => app,
    }
}

// --- H1, H2: the client address -------------------------------------------------------

/// Four people signing in within ten seconds, from four addresses, through the UI: none
/// is refused (they used to share the bucket `127.0.0.1`). The same person a fourth
/// time is, at either door: the doors share one counter per client and route.
async fn each_client_has_its_own_bucket_at_both_doors(backend: Backend) {
    let app = limited(backend).spawn().await;
    for n in 2..6 {
        let client = app.client_at(&format!("127.0.0.{n}"));
        let (status, body) = sign_in_at(&app, &client, Door::Ui, "a@example.com", &[]).await;
        assert_eq!(
            code(status, &body),
            "INVALID_EMAIL_OR_PASSWORD",
            "client 127.0.0.{n}"
        );
    }
    let me = app.client_at("127.0.0.9");
    for door in [Door::Rest, Door::Ui, Door::Rest] {
        let (status, _) = sign_in_at(&app, &me, door, "a@example.com", &[]).await;
        assert_eq!(status, 401, "{door:?}");
    }
    for door in [Door::Ui, Door::Rest] {
        let (status, body) = sign_in_at(&app, &me, door, "a@example.com", &[]).await;
        assert_eq!(code(status, &body), "TOO_MANY_REQUESTS", "{door:?}");
    }
    app.cleanup().await;
}

/// A client that is not a trusted proxy cannot pick its address: rotating
/// `X-Forwarded-For` leaves it in its own bucket, at both doors.
async fn forwarded_for_from_an_untrusted_peer_is_ignored(backend: Backend) {
    let app = limited(backend).spawn().await;
    for door in [Door::Rest, Door::Ui] {
        let client = app.client_at(match door {
            Door::Rest => "127.0.0.20",
            Door::Ui => "127.0.0.21",
        });
        let mut codes = Vec::new();
        for n in 0..5 {
            let xff = format!("198.51.100.{n}");
            let (status, body) = sign_in_at(
                &app,
                &client,
                door,
                "b@example.com",
                &[("x-forwarded-for", &xff)],
            )
            .await;
            codes.push(code(status, &body));
        }
        assert_eq!(
            codes[3..],
            ["TOO_MANY_REQUESTS", "TOO_MANY_REQUESTS"],
            "{door:?}: {codes:?}"
        );
    }
    app.cleanup().await;
}

/// Behind a trusted proxy (127.0.0.1 by default) the client is the rightmost hop the
/// proxy appended; what the client wrote to the left of it changes nothing, and a
/// different real client is a different bucket.
async fn behind_a_trusted_proxy_the_appended_hop_counts(backend: Backend) {
    let app = limited(backend).spawn().await;
    let proxy = app.client_at("127.0.0.1");
    for door in [Door::Rest, Door::Ui] {
        let real = match door {
            Door::Rest => "203.0.113.10",
            Door::Ui => "203.0.113.11",
        };
        let mut codes = Vec::new();
        for n in 0..4 {
            let xff = format!("10.9.9.{n}, {real}");
            let (status, body) = sign_in_at(
                &app,
                &proxy,
                door,
                "c@example.com",
                &[("x-forwarded-for", &xff)],
            )
            .await;
            codes.push(code(status, &body));
        }
        assert_eq!(codes[3], "TOO_MANY_REQUESTS", "{door:?}: {codes:?}");
        let (status, body) = sign_in_at(
            &app,
            &proxy,
            door,
            "c@example.com",
            &[("x-forwarded-for", "203.0.113.99")],
        )
        .await;
        assert_eq!(code(status, &body), "INVALID_EMAIL_OR_PASSWORD", "{door:?}");
    }
    app.cleanup().await;
}

/// Session rows record the real client address at both doors.
async fn sessions_record_the_peer_address(app: &TestApp) {
    let who = app.sign_up("peer@example.com", PASSWORD).await;
    let rest = app
        .client_at("127.0.0.7")
        .post(app.url("/api/auth/sign-in/email"))
        .json(&json!({ "email": who.email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), 200);
    let ui = app
        .client_at("127.0.0.8")
        .post(app.url("/api/ui/sign_in"))
        .header(header::ACCEPT, "application/json")
        .form(&[("email", who.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(ui.status(), 200);
    let sessions: Vec<Value> = app
        .auth_get("/list-sessions", Some(&who.cookie))
        .await
        .json()
        .await
        .unwrap();
    let mut ips: Vec<&str> = sessions
        .iter()
        .filter_map(|s| s["ipAddress"].as_str())
        .collect();
    ips.sort();
    assert_eq!(ips, ["127.0.0.1", "127.0.0.7", "127.0.0.8"]);
}

// --- the matrix: origin and bearer decisions at both doors ----------------------------

/// Extra request headers, name and value.
type Headers<'a> = &'a [(&'a str, &'a str)];

/// The same cookie-carrying, state-changing request, with the same origin headers, gets
/// the same answer from both doors.
async fn origin_decisions_match_at_both_doors(app: &TestApp) {
    let who = app.api_user("matrix@example.com").await;
    let trusted = app.origin();
    let cases: [(&str, Headers, &str); 5] = [
        ("no Origin", &[], "MISSING_OR_NULL_ORIGIN"),
        (
            "Origin: null",
            &[("origin", "null")],
            "MISSING_OR_NULL_ORIGIN",
        ),
        (
            "foreign Origin",
            &[("origin", "https://evil.example")],
            "INVALID_ORIGIN",
        ),
        (
            "foreign Referer",
            &[("referer", "https://evil.example/page")],
            "INVALID_ORIGIN",
        ),
        ("trusted Origin", &[("origin", trusted.as_str())], ""),
    ];
    for (name, headers, expected) in cases {
        let mut rest = app
            .client
            .post(app.url("/api/auth/revoke-other-sessions"))
            .header("cookie", &who.signed.cookie)
            .json(&json!({}));
        let mut ui = app
            .client
            .post(app.url("/api/ui/revoke_other_sessions"))
            .header(header::ACCEPT, "application/json")
            .header("cookie", &who.signed.cookie)
            .form(&[("x", "")]);
        for (k, v) in headers {
            rest = rest.header(*k, *v);
            ui = ui.header(*k, *v);
        }
        let (rest, ui) = (rest.send().await.unwrap(), ui.send().await.unwrap());
        let (rs, us) = (rest.status(), ui.status());
        let (rb, ub): (Value, Value) = (
            rest.json().await.unwrap_or(Value::Null),
            ui.json().await.unwrap_or(Value::Null),
        );
        assert_eq!(
            (rs, code(rs, &rb)),
            (us, code(us, &ub)),
            "{name}: REST {rb} vs UI {ub}"
        );
        let expected_status = if expected.is_empty() { 200 } else { 403 };
        assert_eq!(
            (rs.as_u16(), code(rs, &rb).as_str()),
            (expected_status, expected),
            "{name}"
        );
    }
    // Login CSRF without cookies: a cross-site navigation is refused at both doors.
    for door in [Door::Rest, Door::Ui] {
        let (status, body) = sign_in_at(
            app,
            &app.client,
            door,
            "x@example.com",
            &[
                ("sec-fetch-site", "cross-site"),
                ("sec-fetch-mode", "navigate"),
            ],
        )
        .await;
        assert_eq!(
            (status.as_u16(), code(status, &body).as_str()),
            (403, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"),
            "{door:?}"
        );
        let (status, body) = sign_in_at(
            app,
            &app.client,
            door,
            "x@example.com",
            &[("origin", "null")],
        )
        .await;
        assert_eq!(
            (status.as_u16(), code(status, &body).as_str()),
            (403, "MISSING_OR_NULL_ORIGIN"),
            "{door:?}"
        );
    }
}

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

// --- M1: token kinds in HS256 mode ----------------------------------------------------

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

// --- M2: redirects after sign-in ------------------------------------------------------

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

// --- M3: the limiter keeps only what it must ------------------------------------------

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

// --- M6: a password reset or change ends the other sessions and links -------------

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

// --- L4: the UI's JWT cookie follows the session --------------------------------------

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

// --- L6, L8, L9: account input -------------------------------------------------------

async fn account_input_rules(app: &TestApp) {
    let who = app.sign_up("input@example.com", PASSWORD).await;
    // Deleting the account always takes the password, even from a fresh session.
    let res = app
        .auth_post("/delete-user", json!({}), Some(&who.cookie))
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.json::<Value>().await.unwrap()["code"],
        "PASSWORD_REQUIRED"
    );
    assert_eq!(app.sign_in(&who.email, PASSWORD).await.status(), 200);
    // Names are one line.
    for name in [
        "Eve\r\n\r\nYour account is locked: https://evil",
        "tab\there",
        "nul\0",
    ] {
        let res = app
            .auth_post("/update-user", json!({ "name": name }), Some(&who.cookie))
            .await;
        assert_eq!(res.status(), 400, "{name:?}");
        let res = app
            .auth_post(
                "/sign-up/email",
                json!({ "name": name, "email": "other@example.com", "password": PASSWORD }),
                None,
            )
            .await;
        assert_eq!(res.status(), 400, "{name:?}");
    }
    // Images: https or data:image, bounded, no control characters.
    for image in [
        "javascript:alert(1)".to_string(),
        "http://example.com/a.png".to_string(),
        format!("https://example.com/{}", "a".repeat(3000)),
        "https://example.com/a\u{0}.png".to_string(),
        "https://exa mple.com/a.png".to_string(),
    ] {
        let res = app
            .auth_post("/update-user", json!({ "image": image }), Some(&who.cookie))
            .await;
        assert_eq!(res.status(), 400, "{image:.40}");
    }
    for image in [
        "https://example.com/me.png",
        "data:image/png;base64,iVBORw0KGgo=",
    ] {
        let res = app
            .auth_post("/update-user", json!({ "image": image }), Some(&who.cookie))
            .await;
        assert_eq!(res.status(), 200, "{image}");
    }
}

// --- M4: a flood of sign-ins is turned away, not queued --------------------------

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

// --- L7: headers ------------------------------------------------------------------

async fn pages_and_api_cannot_be_framed(app: &TestApp) {
    for path in ["/healthz", "/sign-in", "/api/openapi.json"] {
        let res = app.get(path).await;
        let h = res.headers();
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            h.get("strict-transport-security").is_none(),
            "HSTS over http"
        );
    }
}

async fn https_sites_send_hsts(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .env("BETTER_AUTH_URL", "https://tasks.example.com")
        .env("MAIL_OUTBOX", "true")
        .spawn()
        .await;
    let res = app.get("/healthz").await;
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    app.cleanup().await;
}

db_tests!(
    sessions_record_the_peer_address,
    origin_decisions_match_at_both_doors,
    bearer_decisions_match_at_both_doors,
    sign_in_never_redirects_off_site,
    reset_and_change_revoke_sessions_and_links,
    ui_jwt_cookie_follows_the_session,
    account_input_rules,
    pages_and_api_cannot_be_framed,
    a_sign_in_flood_overflows_into_503s,
);

/// Tests that spawn their own app (settings of their own), on both backends.
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod with_settings {
            $(
                mod $name {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn sqlite() {
                        super::super::$name(super::super::Backend::Sqlite).await;
                    }

                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn postgres() {
                        if crate::helpers::postgres_available().await {
                            super::super::$name(super::super::Backend::Postgres).await;
                        }
                    }
                }
            )*
        }
    };
}

backend_tests!(
    each_client_has_its_own_bucket_at_both_doors,
    forwarded_for_from_an_untrusted_peer_is_ignored,
    behind_a_trusted_proxy_the_appended_hop_counts,
    hs256_token_kinds_are_not_interchangeable,
    limiter_stores_known_routes_and_sweeps_old_rows,
    https_sites_send_hsts,
);
