//! The OpenAPI document (`GET /api/openapi.json`) against the running API, on SQLite and
//! PostgreSQL, a file per promise:
//!
//! - `structure`: it is OpenAPI 3.1 and well formed;
//! - `contents`: it names every route, and its Task schema is the JSON a real task has;
//! - `responses`: every status code (and documented header) the API really answers with
//!   is documented, and nothing more;
//! - `accepts`: it says exactly what the API accepts;
//! - `cors`: CORS (`CORS_ALLOWED_ORIGINS`): preflights, exposed headers, and
//!   get-session's own `set-auth-jwt` exposure surviving the CORS layer.

mod accepts;
mod contents;
mod cors;
mod responses;
mod structure;

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::TestApp;

const TASKS: &str = "/api/{user_id}/tasks";
const TASK: &str = "/api/{user_id}/tasks/{id}";
const COMPLETE: &str = "/api/{user_id}/tasks/{id}/complete";
const EVENTS: &str = "/api/{user_id}/tasks/events";
const QUICK: &str = "/api/{user_id}/tasks/quick";
const EXPORT: &str = "/api/{user_id}/tasks/export";
const IMPORT: &str = "/api/{user_id}/tasks/import";
const MOVE: &str = "/api/{user_id}/tasks/{id}/move";

/// Every operation of the router (routes/tasks.rs, routes/live.rs and routes/me.rs).
const OPERATIONS: [(&str, &str); 12] = [
    (MOVE, "post"),
    (TASKS, "get"),
    (TASKS, "post"),
    (QUICK, "post"),
    (EXPORT, "get"),
    (IMPORT, "post"),
    (TASK, "get"),
    (TASK, "put"),
    (TASK, "delete"),
    (COMPLETE, "patch"),
    (EVENTS, "get"),
    ("/api/me", "get"),
];

async fn document(app: &TestApp) -> Value {
    let res = app.get("/api/openapi.json").await;
    assert_eq!(res.status(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    res.json().await.expect("the document is JSON")
}

/// Follows a local `$ref` (`#/components/...`).
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let pointer = r.strip_prefix('#').expect("local reference");
            resolve(
                doc,
                doc.pointer(pointer)
                    .unwrap_or_else(|| panic!("{r} resolves")),
            )
        }
        None => v,
    }
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("{v} is an object"))
        .keys()
        .cloned()
        .collect()
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("{v} is an array"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn operation<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is documented");
    op
}

fn parameter<'a>(op: &'a Value, name: &str) -> &'a Value {
    op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("parameter {name}"))
}
