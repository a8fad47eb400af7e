//! Better Auth compatibility over HTTP, on SQLite and PostgreSQL: endpoints, status
//! codes, error codes, cookies, JWTs and password hashes, a file per flow:
//!
//! - `sign_up`, `sign_in` (with Better Auth's scrypt hashes and the rate limit),
//!   `sessions`, `account` (update, change password, delete), `mail_links` (password
//!   reset and e-mail verification), `jwt` (JWKS, bearer tokens, HS256 mode) and
//!   `unknown_paths`.
//!
//! The origin checks on cookie posts are in `origin`.

mod account;
mod jwt;
mod mail_links;
mod sessions;
mod sign_in;
mod sign_up;
mod unknown_paths;

use reqwest::StatusCode;
use serde_json::Value;

const PASSWORD: &str = "correct horse battery";

pub(crate) async fn error_of(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}
