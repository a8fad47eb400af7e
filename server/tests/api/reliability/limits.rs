//! The body limit: bodies over it are 413, with and without `Content-Length`, and an
//! early answer (before the body is read) leaves a keep-alive connection usable.
//!
//! These tests found defects (a 400 for chunked bodies over the limit, connections
//! closed after early answers without saying so), kept as regression tests on the
//! backends that had them.

use std::time::Duration;

use reqwest::Method;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use super::{fresh_connections, list, response_complete, status_of};
use crate::helpers::TestApp;

/// Sends `head` then `body` over a raw connection and returns the whole response text
/// (until the server closes, or `within` passes).
async fn raw_exchange(app: &TestApp, head: String, body: &[u8], within: Duration) -> String {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    // The server may answer (413) and close before reading everything: ignore EPIPE.
    let _ = stream.write_all(body).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    out.extend_from_slice(&buf[..n]);
                    if response_complete(&out) {
                        break;
                    }
                }
            }
        }
    })
    .await;
    String::from_utf8_lossy(&out).into_owned()
}

async fn bodies_over_the_limit_are_413(app: &TestApp) {
    let who = app.api_user("big@example.com").await;
    let limit = app.config.body_limit;
    let client = fresh_connections();
    // A body of exactly the limit is read (and judged on its content: a 422 here).
    let mut at_limit = br#"{"title":""#.to_vec();
    at_limit.resize(limit - 2, b'x');
    at_limit.extend_from_slice(br#""}"#);
    assert_eq!(at_limit.len(), limit);
    let res = client
        .post(app.url(&format!("/api/{}/tasks", who.id)))
        .bearer_auth(&who.token)
        .header("content-type", "application/json")
        .body(at_limit)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST at the limit: {e:?}"));
    assert_eq!(
        res.status(),
        422,
        "a body of exactly the limit is accepted for parsing"
    );

    // One byte more, with Content-Length, on every body-taking route.
    let big = over_the_limit(limit);
    let routes = [
        (Method::POST, format!("/api/{}/tasks", who.id), true),
        (Method::PUT, format!("/api/{}/tasks/1", who.id), true),
        (Method::POST, format!("/api/{}/tasks/quick", who.id), true),
        (Method::POST, format!("/api/{}/tasks/1/move", who.id), true),
        (Method::POST, format!("/api/{}/tasks/import", who.id), true),
        (Method::POST, "/api/auth/sign-up/email".to_string(), false),
        (Method::POST, "/api/auth/sign-in/email".to_string(), false),
        (Method::POST, "/api/auth/update-user".to_string(), false),
        (Method::POST, "/api/ui/create_task".to_string(), false),
    ];
    for (method, path, bearer) in &routes {
        let mut req = client
            .request(method.clone(), app.url(path))
            .header("content-type", "application/json")
            .body(big.clone());
        if *bearer {
            req = req.bearer_auth(&who.token);
        } else {
            req = req
                .header("cookie", &who.signed.cookie)
                .header("origin", app.origin());
        }
        let res = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e:?}"));
        assert_eq!(res.status(), 413, "{method} {path} with Content-Length");
    }
    // Far over the limit, more than the sockets buffer: the answer is refused before
    // the body is read, and the server's lingering close lets the client finish
    // sending and read the 413 instead of a reset ("broken pipe").
    let huge = vec![b' '; 8 * limit];
    for round in 0..10 {
        let res = client
            .post(app.url(&format!("/api/{}/tasks/import", who.id)))
            .bearer_auth(&who.token)
            .header("content-type", "text/csv")
            .body(huge.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("round {round}: {e:?}"));
        assert_eq!(res.status(), 413, "round {round}");
    }
    let (_, total) = list(app, &who, "").await;
    assert_eq!(total, 0, "nothing was created");
    assert_eq!(app.get("/healthz").await.status(), 200);
}

fn over_the_limit(limit: usize) -> Vec<u8> {
    let mut b = br#"{"title":""#.to_vec();
    b.resize(limit + 1 - 2, b'x');
    b.extend_from_slice(br#""}"#);
    b
}

/// The same over-limit body sent chunked (no `Content-Length`): the limit applies while
/// streaming and should answer 413 too. Known issue: the tasks routes answer 400
/// `INVALID_BODY` (`JsonObject` maps every `Bytes` rejection, including
/// `LengthLimitError`, to 400).
async fn chunked_bodies_over_the_limit_are_413(app: &TestApp) {
    let who = app.api_user("chunked@example.com").await;
    let big = over_the_limit(app.config.body_limit);
    let mut wrong = Vec::new();
    for path in [
        format!("/api/{}/tasks", who.id),
        "/api/auth/sign-up/email".to_string(),
        "/api/auth/sign-in/email".to_string(),
    ] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            app.addr, who.token
        );
        let mut body = Vec::new();
        for chunk in big.chunks(64 * 1024) {
            body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            body.extend_from_slice(chunk);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"0\r\n\r\n");
        let response = raw_exchange(app, head, &body, Duration::from_secs(10)).await;
        let status = status_of(&response);
        eprintln!(
            "[{:?}] chunked POST {path} over the limit: {status:?} {}",
            app.backend,
            response.split("\r\n\r\n").nth(1).unwrap_or("")
        );
        if status != Some(413) {
            wrong.push(format!(
                "POST {path} (chunked, {} bytes) -> {:?}: {}",
                big.len(),
                status,
                response.split("\r\n\r\n").nth(1).unwrap_or("")
            ));
        }
    }
    let (_, total) = list(app, &who, "").await;
    assert_eq!(total, 0, "nothing was created");
    assert!(
        wrong.is_empty(),
        "[{:?}] not 413:\n{}",
        app.backend,
        wrong.join("\n")
    );
}

/// When the server answers before reading a body (here a 401 to an unauthenticated
/// 600 kB POST), it may close the connection; it should then say so with
/// `Connection: close`, or keep the connection usable. Otherwise a keep-alive client
/// (reqwest, browsers' fetch) sends its next request into a closing socket and gets a
/// transport error (hyper `IncompleteMessage`).
async fn early_answers_keep_the_connection_usable(app: &TestApp) {
    let body = vec![b'x'; 600 * 1024];
    let head = format!(
        "POST /api/someone/tasks HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        app.addr,
        body.len()
    );
    let stream = TcpStream::connect(app.addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    wr.write_all(head.as_bytes()).await.unwrap();
    let writer = tokio::spawn(async move {
        let _ = wr.write_all(&body).await;
        wr
    });
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while !response_complete(&out) {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    let first = String::from_utf8_lossy(&out).into_owned();
    assert_eq!(status_of(&first), Some(401), "{first}");
    let announced_close = first.split("\r\n\r\n").next().unwrap().lines().any(|l| {
        l.to_ascii_lowercase().starts_with("connection:")
            && l.to_ascii_lowercase().contains("close")
    });
    let wr = tokio::time::timeout(Duration::from_secs(5), writer).await;
    let second_ok = match wr {
        Ok(Ok(mut wr)) => {
            let sent = wr
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                .await
                .is_ok();
            let mut out = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(3), async {
                while !response_complete(&out) {
                    match rd.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => out.extend_from_slice(&buf[..n]),
                    }
                }
            })
            .await;
            sent && status_of(&String::from_utf8_lossy(&out)) == Some(200)
        }
        _ => false,
    };
    eprintln!(
        "[{:?}] early 401 to a 600 kB body: Connection: close announced: {announced_close}; connection usable afterwards: {second_ok}",
        app.backend
    );
    assert!(
        announced_close || second_ok,
        "the server closed the connection after an early 401 without `Connection: close`: {}",
        first.lines().next().unwrap_or("")
    );
}

db_tests!(
    bodies_over_the_limit_are_413,
    chunked_bodies_over_the_limit_are_413
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_answer_keep_alive_sqlite() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    early_answers_keep_the_connection_usable(&app).await;
    app.cleanup().await;
}
