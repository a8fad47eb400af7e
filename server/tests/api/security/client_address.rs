//! The client address (review findings H1, H2): each client has its own rate-limit
//! bucket at both doors, `X-Forwarded-For` counts only from a trusted proxy (and then
//! only the hop it appended), and sessions record the peer's address.

use reqwest::header;
use serde_json::{json, Value};

use super::{code, limited, sign_in_at, Door, PASSWORD};
use crate::helpers::{Backend, TestApp};

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

db_tests!(
    sessions_record_the_peer_address;
    backend:
    each_client_has_its_own_bucket_at_both_doors,
    forwarded_for_from_an_untrusted_peer_is_ignored,
    behind_a_trusted_proxy_the_appended_hop_counts,
);
