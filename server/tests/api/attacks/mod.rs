//! Attacks over HTTP, on SQLite and PostgreSQL, a file per kind:
//!
//! - `jwt`: forged and tampered JWTs against the tasks API in EdDSA mode (the default),
//!   `hs256`: the same in HS256 mode; both craft their tokens with `tokens`.
//! - `cookies`: tampered session cookies.
//! - `sql`: SQL metacharacters in every text input.
//! - `enumeration`: user enumeration by status, body and timing.
//!
//! Cross-origin (CSRF) posts to every state-changing endpoint are in `origin`, with the
//! other origin checks.

mod cookies;
mod enumeration;
mod hs256;
mod jwt;
mod sql;
mod tokens;

use crate::helpers::{ApiUser, TestApp};

const PASSWORD: &str = "password for tests";

/// Another character of the same kind, to tamper with one position of a token.
fn flip(c: char) -> char {
    match c {
        'A' => 'B',
        'a' => 'b',
        '0' => '1',
        'Z' => 'Y',
        'z' => 'y',
        '9' => '8',
        _ if c.is_ascii_uppercase() => 'A',
        _ if c.is_ascii_lowercase() => 'a',
        _ if c.is_ascii_digit() => '0',
        _ => 'A',
    }
}

/// The titles of `who`'s tasks: what an attack must not have changed.
pub(crate) async fn task_titles(app: &TestApp, who: &ApiUser) -> Vec<String> {
    let tasks = app
        .get_json(who, &format!("/api/{}/tasks?limit=200", who.id))
        .await;
    tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect()
}

/// `s` percent-encoded for a query string.
pub(crate) fn enc_q(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
