//! The tasks REST API over HTTP, on SQLite and PostgreSQL, a file per concern:
//!
//! - `crud`: create, read, update, delete, validation and bad input, concurrent creates;
//! - `listing`: list filters, sorting and pagination, list items against single reads;
//! - `isolation`: the isolation matrix, and an account's tasks going with it;
//! - `upgrade`: a SQLite database from before the stored JSON column, rebuilt.

mod crud;
mod isolation;
mod listing;
mod upgrade;

use serde_json::Value;

pub(crate) fn titles(tasks: &[Value]) -> Vec<&str> {
    tasks.iter().map(|t| t["title"].as_str().unwrap()).collect()
}
