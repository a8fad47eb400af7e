//! Token crafting for the JWT attacks. Claim attacks are signed with the server's *real*
//! key (read from the `jwks` table and decrypted with the test secret), so a refusal
//! proves the claim check, not a signature failure. Header-injection tokens (`jwk`,
//! `jku`, `x5u`, `crit`) need a signature over a custom header, made with the `openssl`
//! CLI (Ed25519 raw signing, OpenSSL 3); without it those entries are skipped with a
//! notice.

use std::{
    process::Command,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};

use base64::{
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
    Engine,
};
use reqwest::Method;
use serde_json::{json, Value};
use taskdeck::auth::jwt::Ed25519Key;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{ApiUser, TestApp};

pub(super) fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

pub(super) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Good claims for `sub` on this app (as the server would issue them).
pub(super) fn claims(app: &TestApp, sub: &str) -> Value {
    let now = now();
    json!({ "sub": sub, "id": sub, "iat": now, "exp": now + 600, "iss": app.origin(), "aud": app.origin() })
}

pub(super) fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

pub(super) fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().unwrap().remove(key);
    claims
}

/// The server's current Ed25519 signing key, recovered from the `jwks` table.
pub(super) async fn server_key(app: &TestApp) -> Option<Ed25519Key> {
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    let rows: Vec<(String, String)> = taskdeck::with_pool!(&db, |pool| sqlx::query_as(
        r#"SELECT "id", "privateKey" FROM "jwks" ORDER BY "createdAt" DESC"#
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    db.close().await;
    rows.iter().find_map(|(id, column)| {
        Ed25519Key::from_private_key_column(id.clone(), column, app.config.secret_bytes()).ok()
    })
}

/// Signs `header.claims` with `key` through `openssl pkeyutl -rawin` (any header).
/// `None` when the CLI is missing or cannot sign Ed25519.
pub(super) fn sign_with_header(key: &Ed25519Key, header: &Value, claims: &Value) -> Option<String> {
    let jwk: Value = serde_json::from_str(&key.to_private_jwk_json()).unwrap();
    let d = URL_SAFE_NO_PAD.decode(jwk["d"].as_str()?).ok()?;
    let mut der = hex_bytes("302e020100300506032b657004220420");
    der.extend_from_slice(&d);
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        STANDARD.encode(&der)
    );
    let input = format!("{}.{}", b64(header), b64(claims));
    let dir = tempfile::tempdir().ok()?;
    let (key_path, in_path, sig_path) = (
        dir.path().join("k.pem"),
        dir.path().join("in"),
        dir.path().join("sig"),
    );
    std::fs::write(&key_path, pem).ok()?;
    std::fs::write(&in_path, &input).ok()?;
    let ok = Command::new("openssl")
        .args(["pkeyutl", "-sign", "-rawin", "-inkey"])
        .arg(&key_path)
        .arg("-in")
        .arg(&in_path)
        .arg("-out")
        .arg(&sig_path)
        .output()
        .ok()?
        .status
        .success();
    let sig = std::fs::read(&sig_path).ok()?;
    (ok && sig.len() == 64).then(|| format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A tiny HTTP server that serves `body` and counts the connections it gets: the
/// target of `jku` / `x5u` headers, which must never be fetched.
pub(super) async fn bait_server(body: String) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 2048];
                let _ = s.read(&mut buf).await;
                let res = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(res.as_bytes()).await;
            });
        }
    });
    (format!("http://{addr}"), hits)
}

/// Sends `token` to list and to create in `victim`'s collection; both must be 401 with
/// Better Auth's `INVALID_TOKEN` and a `WWW-Authenticate: Bearer` challenge.
pub(super) async fn assert_refused(app: &TestApp, victim: &ApiUser, name: &str, token: &str) {
    let path = format!("/api/{}/tasks", victim.id);
    for (method, body) in [
        (Method::GET, None),
        (
            Method::POST,
            Some(json!({ "title": format!("forged: {name}") })),
        ),
    ] {
        let mut req = app
            .client
            .request(method.clone(), app.url(&path))
            .header("authorization", format!("Bearer {token}"));
        if let Some(b) = &body {
            req = req.json(b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let challenge = res
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_string());
        let body: Value = res.json().await.unwrap_or(Value::Null);
        assert_eq!(
            status, 401,
            "attack '{name}' ({method}) was not refused: {body}"
        );
        assert_eq!(body["code"], "INVALID_TOKEN", "attack '{name}' ({method})");
        assert!(
            challenge.is_some_and(|c| c.starts_with("Bearer")),
            "attack '{name}' ({method}): WWW-Authenticate"
        );
    }
}

pub(super) async fn assert_accepted(app: &TestApp, who: &ApiUser, name: &str, token: &str) {
    let res = app
        .bearer_get(token, &format!("/api/{}/tasks", who.id))
        .await;
    assert_eq!(res.status(), 200, "control '{name}' must be accepted");
}
