//! Reliability under load and under hostile input, on SQLite and PostgreSQL, a file per
//! threat:
//!
//! - `writers`: 200 concurrent writers: every create is acknowledged with 201 and is
//!   there afterwards, per user, with exact counts; then 200 concurrent mixed writes
//!   (toggles of one row, tag rewrites, deletes) leave every row and the tag index
//!   consistent.
//! - `fuzz`: a deterministic fuzz loop (fixed seed, printed; `FUZZ_SEED` / `FUZZ_CASES`
//!   override) of malformed bodies, query strings, headers, paths and methods (made by
//!   `fuzz_inputs`): only 2xx/4xx, and the server still answers afterwards.
//!   `odd_text`: NUL bytes and control characters in every text input.
//! - `limits`: bodies over the limit are 413 (with and without `Content-Length`), and an
//!   early answer leaves the connection usable.
//! - `slow_clients`: a client that trickles its body or its headers is cut by the
//!   request timeout instead of holding a connection.
//! - `outage`: PostgreSQL going away and coming back.
//! - `checkpoints`: SQLite's write-ahead log stays checkpointed under one-statement
//!   writes (it grew without bound once).

mod checkpoints;
mod fuzz;
mod fuzz_inputs;
mod limits;
mod odd_text;
mod outage;
mod slow_clients;
mod writers;

use std::{collections::BTreeSet, time::Duration};

use serde_json::{json, Value};

use crate::helpers::{list_tasks as list, ApiUser, Signed, TestApp};

fn ids(tasks: &[Value]) -> BTreeSet<i64> {
    tasks.iter().map(|t| t["id"].as_i64().unwrap()).collect()
}

/// `n` users for load tests without paying argon2id for each (half a second per hash
/// in a debug build): one real sign-up, its `user` row copied in SQL under new ids and
/// e-mails, and JWTs with the claims `/api/auth/token` issues, signed as the server
/// signs them: with its own Ed25519 key (recovered from the `jwks` table with the test
/// secret) or, in HS256 mode, with the secret.
async fn many_users(app: &TestApp, prefix: &str, n: usize) -> Vec<ApiUser> {
    let template = app
        .api_user(&format!("{prefix}-template@example.com"))
        .await;
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    let hs256 = app.config.auth.jwt_algorithm == taskdeck::config::JwtAlgorithm::Hs256;
    let key = if hs256 {
        None
    } else {
        let rows: Vec<(String, String)> = taskdeck::with_pool!(&db, |pool| sqlx::query_as(
            r#"SELECT "id", "privateKey" FROM "jwks""#
        )
        .fetch_all(pool)
        .await)
        .unwrap();
        Some(
            rows.iter()
                .find_map(|(id, column)| {
                    taskdeck::auth::jwt::Ed25519Key::from_private_key_column(
                        id.clone(),
                        column,
                        app.config.secret_bytes(),
                    )
                    .ok()
                })
                .expect("the server's signing key"),
        )
    };
    let mut users = Vec::new();
    for i in 0..n {
        let id = format!("{prefix}{i}{}", &template.id[..8]);
        let email = format!("{prefix}{i}@example.com");
        taskdeck::with_pool!(&db, |pool| sqlx::query(
            r#"INSERT INTO "user" ("id", "name", "email", "emailVerified", "image", "createdAt", "updatedAt")
               SELECT $1, "name", $2, "emailVerified", "image", "createdAt", "updatedAt" FROM "user" WHERE "id" = $3"#
        )
        .bind(&id)
        .bind(&email)
        .bind(&template.id)
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
        let now = chrono::Utc::now().timestamp();
        let auth = &app.config.auth;
        let claims = json!({ "id": id, "email": email, "name": "Test User", "emailVerified": false, "image": null,
                             "sub": id, "iat": now, "exp": now + 900, "iss": auth.jwt_issuer, "aud": auth.jwt_audience });
        let token = match &key {
            Some(key) => taskdeck::auth::jwt::sign_eddsa(key, &claims),
            None => taskdeck::auth::jwt::sign_hs256(app.config.secret_bytes(), &claims),
        };
        users.push(ApiUser {
            id: id.clone(),
            token,
            signed: Signed {
                email,
                user_id: id,
                cookie: String::new(),
                body: Value::Null,
            },
        });
    }
    db.close().await;
    // The minted tokens open the API exactly like issued ones.
    let (_, total) = list(app, &users[0], "").await;
    assert_eq!(total, 0);
    users
}

/// A client that opens a new connection for every request. When the server answers
/// before reading a body (401, 413, 415) it closes the connection without saying
/// `Connection: close`, so a pooled client fails its *next* request on that connection
/// (hyper `IncompleteMessage`): the known issue pinned by
/// `early_answers_keep_the_connection_usable`. Tests that send such requests use this
/// so that each request is judged on its own.
fn fresh_connections() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Whether a buffered HTTP/1.1 response has its full body (by content-length).
fn response_complete(buf: &[u8]) -> bool {
    let text = String::from_utf8_lossy(buf);
    let Some((head, rest)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let length = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse::<usize>().ok())
            .flatten()
    });
    match length {
        Some(n) => rest.len() >= n,
        None => head.contains(" 204 ") || head.contains(" 304 "),
    }
}

fn status_of(response: &str) -> Option<u16> {
    response.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}
