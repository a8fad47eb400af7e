//! Origin checks, on SQLite and PostgreSQL: a cookie-carrying, state-changing request
//! from another site is refused, whatever door it knocks on.
//!
//! - Cookie posts to the auth endpoints without a trusted `Origin` (none, `null`, a
//!   foreign one), and a cross-site form navigation that would sign someone in.
//! - Cross-origin (CSRF) posts to every state-changing auth endpoint and every
//!   state-changing server function, with every foreign `Origin` / `Referer` a browser
//!   could send.
//! - The same request through both doors (REST `/api/auth/*` and the UI's `/api/ui/*`)
//!   gets the same decision.
//!
//! (CORS, which decides what another site's scripts may *read*, is in `openapi::cors`.)

use reqwest::header;
use serde_json::{json, Value};

use crate::attacks::{enc_q, task_titles};
use crate::auth::error_of;
use crate::helpers::TestApp;
use crate::security::{code, sign_in_at, Door};

const PASSWORD: &str = "password for tests";

// --- cookie posts to the auth endpoints --------------------------------------------------

async fn origin_checks_on_cookie_posts(app: &TestApp) {
    let who = app.sign_up("lou@example.com", PASSWORD).await;
    let post = |origin: Option<&'static str>| {
        let mut req = app
            .client
            .post(app.url("/api/auth/sign-out"))
            .header("cookie", &who.cookie)
            .json(&json!({}));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    let (status, err) = error_of(post(None).await.unwrap()).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (403, Some("MISSING_OR_NULL_ORIGIN"))
    );
    let (status, err) = error_of(post(Some("null")).await.unwrap()).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (403, Some("MISSING_OR_NULL_ORIGIN"))
    );
    let (status, err) = error_of(post(Some("https://evil.example")).await.unwrap()).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (403, Some("INVALID_ORIGIN"))
    );
    // The session survived the refused attempts.
    assert_ne!(app.session(&who.cookie).await, Value::Null);

    // Cross-site form navigation cannot sign anyone in.
    let res = app
        .client
        .post(app.url("/api/auth/sign-in/email"))
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-mode", "navigate")
        .header("origin", "https://evil.example")
        .form(&[("email", "lou@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let (status, err) = error_of(res).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (403, Some("CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"))
    );
}

// --- CSRF on every state-changing endpoint ----------------------------------------------

/// Origin / Referer header sets that a browser on another site could send.
fn foreign_origins(trusted: &str) -> Vec<(String, Vec<(&'static str, String)>)> {
    let url = url::Url::parse(trusted).unwrap();
    let host = url.host_str().unwrap().to_string();
    let port = url.port_or_known_default().unwrap();
    let other_scheme = if url.scheme() == "http" {
        "https"
    } else {
        "http"
    };
    vec![
        (
            "evil origin".into(),
            vec![("origin", "https://evil.example".into())],
        ),
        ("Origin: null".into(), vec![("origin", "null".into())]),
        ("no Origin, no Referer".into(), vec![]),
        (
            "foreign Referer only".into(),
            vec![("referer", format!("https://evil.example/{trusted}/"))],
        ),
        (
            "trusted origin as a subdomain prefix".into(),
            vec![("origin", format!("{trusted}.evil.example"))],
        ),
        (
            "trusted origin as userinfo".into(),
            vec![(
                "origin",
                format!("{}://{host}:{port}@evil.example", url.scheme()),
            )],
        ),
        (
            "other scheme".into(),
            vec![("origin", format!("{other_scheme}://{host}:{port}"))],
        ),
        (
            "other port".into(),
            vec![("origin", format!("{}://{host}:{}", url.scheme(), port + 1))],
        ),
        (
            "other host, same port".into(),
            vec![("origin", format!("{}://evil.example:{port}", url.scheme()))],
        ),
        (
            "trusted origin in the query".into(),
            vec![("origin", format!("https://evil.example/?{trusted}"))],
        ),
        (
            "foreign Origin with a trusted Referer".into(),
            vec![
                ("origin", "https://evil.example".into()),
                ("referer", format!("{trusted}/settings")),
            ],
        ),
        (
            "empty Origin and foreign Referer".into(),
            vec![
                ("origin", String::new()),
                ("referer", "https://evil.example/".into()),
            ],
        ),
    ]
}

async fn csrf_on_every_state_changing_auth_endpoint(app: &TestApp) {
    let who = app.sign_up("csrf@example.com", PASSWORD).await;
    let other_session = app.sign_in_cookie("csrf@example.com", PASSWORD).await;
    let token = who.body["token"].as_str().unwrap().to_string();
    let endpoints: Vec<(&str, Value)> = vec![
        ("/sign-out", json!({})),
        ("/update-user", json!({ "name": "pwned" })),
        (
            "/change-password",
            json!({ "currentPassword": PASSWORD, "newPassword": "pwned password 1", "revokeOtherSessions": true }),
        ),
        ("/revoke-sessions", json!({})),
        ("/revoke-other-sessions", json!({})),
        ("/revoke-session", json!({ "token": token })),
        ("/delete-user", json!({ "password": PASSWORD })),
        (
            "/send-verification-email",
            json!({ "email": "csrf@example.com" }),
        ),
        ("/passkey/delete-passkey", json!({ "id": "any" })),
        (
            "/passkey/update-passkey",
            json!({ "id": "any", "name": "pwned" }),
        ),
        ("/passkey/verify-registration", json!({ "response": {} })),
    ];
    let origins = foreign_origins(&app.origin());
    let content_types = [
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
    ];
    let mut n = 0;
    for (path, body) in &endpoints {
        for (k, (origin_name, headers)) in origins.iter().enumerate() {
            let content_type = content_types[(k + n) % content_types.len()];
            let payload = if content_type == "application/x-www-form-urlencoded" {
                body.as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{k}={}",
                            enc_q(&v.as_str().map(String::from).unwrap_or(v.to_string()))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("&")
            } else {
                body.to_string()
            };
            let mut req = app
                .client
                .post(app.url(&format!("/api/auth{path}")))
                .header("cookie", &who.cookie)
                .header("content-type", content_type)
                .header("sec-fetch-site", "cross-site")
                .body(payload);
            for (h, v) in headers {
                req = req.header(*h, v);
            }
            let res = req.send().await.unwrap();
            let status = res.status();
            let err: Value = res.json().await.unwrap_or(Value::Null);
            assert_eq!(
                status, 403,
                "CSRF '{origin_name}' on {path} ({content_type}): {err}"
            );
            assert!(
                matches!(
                    err["code"].as_str(),
                    Some("INVALID_ORIGIN" | "MISSING_OR_NULL_ORIGIN")
                ),
                "CSRF '{origin_name}' on {path}: {err}"
            );
            n += 1;
        }
    }
    eprintln!("[{:?}] {n} cross-origin auth POSTs refused", app.backend);
    // Nothing changed: both sessions live, name and password intact, user not deleted.
    let s = app.session(&who.cookie).await;
    assert_eq!(s["user"]["name"], "Test User");
    assert_eq!(s["user"]["emailVerified"], false);
    assert_ne!(app.session(&other_session).await, Value::Null);
    assert_eq!(
        app.sign_in("csrf@example.com", PASSWORD).await.status(),
        200
    );
    let mails = app.outbox().len();
    // Control: the same request from the trusted origin does work.
    let res = app
        .auth_post(
            "/update-user",
            json!({ "name": "Renamed" }),
            Some(&who.cookie),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.session(&who.cookie).await["user"]["name"], "Renamed");
    assert_eq!(app.outbox().len(), mails);
}

/// The Leptos server functions under `/api/ui/*` take the session (or JWT) cookie too,
/// so a cross-site form could drive them: the state-changing ones must refuse a foreign
/// Origin like the auth endpoints do.
async fn csrf_on_state_changing_server_functions(app: &TestApp) {
    let who = app.api_user("csrf-ui@example.com").await;
    let other_session = app.sign_in_cookie("csrf-ui@example.com", PASSWORD).await;
    let task = app.create_task(&who, json!({ "title": "keep me" })).await;
    let id = task["id"].to_string();
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("create_task", vec![("title", "csrf task")]),
        ("toggle_task", vec![("id", &id)]),
        ("update_task", vec![("id", &id), ("title", "pwned")]),
        ("delete_task", vec![("id", &id)]),
        ("update_name", vec![("name", "pwned")]),
        ("revoke_other_sessions", vec![]),
        (
            "change_password",
            vec![
                ("current_password", PASSWORD),
                ("new_password", "pwned password 1"),
            ],
        ),
        ("delete_account", vec![("password", PASSWORD)]),
        ("sign_out", vec![]),
    ];
    let mut accepted = Vec::new();
    for (name, form) in &calls {
        let res = app
            .client
            .post(app.url(&format!("/api/ui/{name}")))
            .header("cookie", &who.signed.cookie)
            .header("origin", "https://evil.example")
            .header("sec-fetch-site", "cross-site")
            .form(form)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        if status.is_success() || status.is_redirection() {
            accepted.push(format!(
                "POST /api/ui/{name} (Origin: https://evil.example) -> {status} {text}"
            ));
        }
    }
    // Whatever the statuses, the state must be unchanged.
    let titles = task_titles(app, &who).await;
    let s = app.session(&who.signed.cookie).await;
    let other_alive = app.session(&other_session).await != Value::Null;
    assert!(
        accepted.is_empty()
            && titles == ["keep me"]
            && s["user"]["name"] == "Test User"
            && other_alive,
        "[{:?}] cross-origin server-function calls were carried out:\n{}\n\
         tasks now {titles:?}, name {}, other session alive: {other_alive}",
        app.backend,
        accepted.join("\n"),
        s["user"]["name"]
    );
}

async fn cookie_calls_from_a_foreign_origin_are_refused(app: &TestApp) {
    let who = app.api_user("sf-csrf@example.com").await;
    for origin in [Some("https://evil.example"), Some("null"), None] {
        let mut req = app
            .client
            .post(app.url("/api/ui/create_task"))
            .header("cookie", &who.signed.cookie)
            .form(&[("title", "csrf")]);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 403, "{origin:?}");
    }
    let summary: Value = app
        .call_json("task_summary", Some(&who.signed.cookie), None, &[])
        .await;
    assert_eq!(summary["all"], 0, "nothing was created");
}

// --- the same decision at both doors ------------------------------------------------------

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

db_tests!(
    origin_checks_on_cookie_posts,
    csrf_on_every_state_changing_auth_endpoint,
    cookie_calls_from_a_foreign_origin_are_refused,
    origin_decisions_match_at_both_doors,
);

/// Defects these tests found, kept as regression tests: server functions once took
/// state-changing calls from any origin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csrf_on_state_changing_server_functions_sqlite() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    csrf_on_state_changing_server_functions(&app).await;
    app.cleanup().await;
}
