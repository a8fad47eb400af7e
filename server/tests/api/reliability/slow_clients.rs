//! Slow clients: a body or headers trickled in are cut by the request timeout, and do
//! not keep others waiting.

use std::time::{Duration, Instant};

use serde_json::json;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use super::{response_complete, status_of};
use crate::helpers::{Backend, TestApp};

/// A client that sends its headers, then trickles its body one byte every 250 ms (a
/// 16-byte body: 4 s) against a 1 s request timeout. Expected: a 408 (or a closed
/// connection) after about a second, never a handler running after the full 4 s.
/// Two targets: sign-up (no credentials needed) and task creation (an HS256 token
/// signed here with the test secret, so no sign-up has to fit in the 1 s budget).
async fn slow_body_is_cut_by_the_timeout(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .env("REQUEST_TIMEOUT_SECS", "1")
        .env("JWT_ALGORITHM", "HS256")
        .spawn()
        .await;
    let now = chrono::Utc::now().timestamp();
    let token = taskdeck::auth::jwt::sign_hs256(
        app.config.secret_bytes(),
        &json!({ "sub": "slow-user", "iat": now, "exp": now + 600, "iss": app.origin(), "aud": app.origin() }),
    );
    let targets = [
        (
            "/api/auth/sign-up/email".to_string(),
            String::new(),
            br#"{"name":"Slow","email":"slow@example.com","password":"password for tests"}"#
                .to_vec(),
        ),
        (
            "/api/slow-user/tasks".to_string(),
            format!("Authorization: Bearer {token}\r\n"),
            br#"{"title":"slow"}"#.to_vec(),
        ),
    ];
    let addr = app.addr;
    let probes: Vec<_> = targets
        .into_iter()
        .map(|(path, extra, body)| tokio::spawn(trickle(addr, path, extra, body)))
        .collect();
    for probe in probes {
        let (path, outcome, elapsed, text) = probe.await.unwrap();
        eprintln!(
            "[{backend:?}] slow body to {path}: {outcome:?} after {elapsed:?}: {:?}",
            text.lines().next()
        );
        assert!(outcome.is_ok(), "{path}: the slow connection hung for 8 s");
        assert!(
            elapsed < Duration::from_millis(3500),
            "{path}: cut before the body finished trickling (4 s), not after: {elapsed:?}"
        );
        if !text.is_empty() {
            assert_eq!(status_of(&text), Some(408), "{path}: {text}");
        }
    }
    // The half-sent sign-up never happened, and the server is fine.
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    let users: i64 = taskdeck::with_pool!(&db, |pool| sqlx::query_scalar(
        r#"SELECT COUNT(*) FROM "user" WHERE "email" = 'slow@example.com'"#
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    db.close().await;
    assert_eq!(users, 0, "the trickled sign-up was not carried out");
    assert_eq!(app.get("/healthz").await.status(), 200);
    app.cleanup().await;
}

/// Sends `head` at once and `body` one byte every 250 ms; returns how the server ended
/// the exchange, after how long, and what it answered.
async fn trickle(
    addr: std::net::SocketAddr,
    path: String,
    extra: String,
    body: Vec<u8>,
) -> (
    String,
    Result<&'static str, tokio::time::error::Elapsed>,
    Duration,
    String,
) {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let started = Instant::now();
    wr.write_all(head.as_bytes()).await.unwrap();
    let writer = tokio::spawn(async move {
        for b in body.iter().take(16) {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if wr.write_all(&[*b]).await.is_err() {
                return;
            }
        }
        // Keep the write half open: an early EOF would be a different test.
        tokio::time::sleep(Duration::from_secs(10)).await;
    });
    let mut out = Vec::new();
    let outcome = tokio::time::timeout(Duration::from_secs(8), async {
        let mut buf = [0u8; 1024];
        loop {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => return "closed",
                Ok(n) => {
                    out.extend_from_slice(&buf[..n]);
                    if response_complete(&out) {
                        return "answered";
                    }
                }
            }
        }
    })
    .await;
    let elapsed = started.elapsed();
    writer.abort();
    (
        path,
        outcome,
        elapsed,
        String::from_utf8_lossy(&out).into_owned(),
    )
}

/// Slowloris on the headers: 20 connections send a request line and then one header
/// line every 500 ms. Other clients must be served meanwhile, and the server must
/// close those connections once the head has taken longer than the request timeout
/// (1 s here; a write fails only once the peer's reset has come back, so up to 5 s
/// are allowed for noticing).
async fn slow_headers_do_not_block_others(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .env("REQUEST_TIMEOUT_SECS", "1")
        .spawn()
        .await;
    let mut loris = Vec::new();
    for _ in 0..20 {
        let mut s = TcpStream::connect(app.addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        loris.push(s);
    }
    let started = Instant::now();
    let mut closed_after = None;
    let mut tick = 0u32;
    while started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        tick += 1;
        let mut all_closed = true;
        for s in loris.iter_mut() {
            if s.write_all(format!("X-{tick}: y\r\n").as_bytes())
                .await
                .is_ok()
            {
                all_closed = false;
            }
        }
        let probe = Instant::now();
        assert_eq!(app.get("/healthz").await.status(), 200);
        assert!(
            probe.elapsed() < Duration::from_secs(1),
            "others are served promptly"
        );
        if all_closed {
            closed_after = Some(started.elapsed());
            break;
        }
    }
    let closed_after = closed_after.expect(
        "20 connections trickling header lines were still open after 5 s: \
         the request head must arrive within REQUEST_TIMEOUT_SECS (1 s here)",
    );
    eprintln!(
        "[{backend:?}] slow headers (20 connections): closed by the server after {closed_after:?}"
    );
    drop(loris);
    app.cleanup().await;
}

db_tests!(backend: slow_body_is_cut_by_the_timeout);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_sqlite() {
    slow_headers_do_not_block_others(Backend::Sqlite).await;
}
