//! The document names every route, each with bearer security, and its Task schema is
//! the JSON a real task has.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::{document, keys, operation, parameter, resolve, strings, OPERATIONS, TASK, TASKS};
use crate::helpers::TestApp;

async fn every_route_is_documented_with_bearer_security(app: &TestApp) {
    let doc = document(app).await;
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| keys(item).into_iter().map(move |m| (path.clone(), m)))
        .collect();
    let expected: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .map(|(p, m)| (p.to_string(), m.to_string()))
        .collect();
    assert_eq!(documented, expected);

    let bearer = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(bearer["type"], "http");
    assert_eq!(bearer["scheme"], "bearer");
    assert_eq!(bearer["bearerFormat"], "JWT");
    for (path, method) in OPERATIONS {
        let op = operation(&doc, path, method);
        assert_eq!(op["security"], json!([{ "bearer": [] }]), "{method} {path}");
    }

    // The list's query parameters, with their enums and ranges.
    let list = operation(&doc, TASKS, "get");
    let enum_of = |name: &str| strings(&resolve(&doc, &parameter(list, name)["schema"])["enum"]);
    assert_eq!(
        enum_of("status"),
        strings(&json!(["all", "pending", "completed"]))
    );
    assert_eq!(
        enum_of("sort"),
        strings(&json!([
            "created", "updated", "title", "due_date", "priority", "position"
        ]))
    );
    assert_eq!(enum_of("order"), strings(&json!(["asc", "desc"])));
    assert_eq!(
        enum_of("priority"),
        strings(&json!(["low", "medium", "high"]))
    );
    for name in ["q", "tag"] {
        assert_eq!(parameter(list, name)["in"], "query");
    }
    let limit = &parameter(list, "limit")["schema"];
    assert_eq!(
        (&limit["minimum"], &limit["maximum"], &limit["default"]),
        (&json!(1), &json!(200), &json!(50))
    );
    assert_eq!(parameter(list, "offset")["schema"]["minimum"], 0);
    assert_eq!(
        enum_of("view"),
        strings(&json!(["all", "today", "upcoming"]))
    );
    let zones = enum_of("tz");
    assert!(
        zones.contains("Europe/Paris") && zones.contains("UTC"),
        "{}",
        zones.len()
    );
    let ok = resolve(&doc, &list["responses"]["200"]);
    assert!(ok["headers"]["X-Total-Count"].is_object());
    assert_eq!(ok["content"]["application/json"]["schema"]["type"], "array");
    assert_eq!(
        parameter(operation(&doc, TASK, "get"), "id")["schema"]["type"],
        "integer"
    );

    // Request bodies and their field rules.
    let body_schema = |path: &str, method: &str| {
        let op = operation(&doc, path, method);
        resolve(
            &doc,
            &op["requestBody"]["content"]["application/json"]["schema"],
        )
        .clone()
    };
    let new = body_schema(TASKS, "post");
    let update = body_schema(TASK, "put");
    assert_eq!(strings(&new["required"]), strings(&json!(["title"])));
    assert!(update.get("required").is_none());
    for schema in [&new, &update] {
        let p = &schema["properties"];
        assert_eq!(
            keys(p),
            strings(&json!([
                "title",
                "description",
                "completed",
                "priority",
                "tags",
                "due_date",
                "recurrence"
            ]))
        );
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(p["recurrence"]["maxLength"], 200);
        assert_eq!(
            (&p["title"]["minLength"], &p["title"]["maxLength"]),
            (&json!(1), &json!(200))
        );
        assert_eq!(p["description"]["maxLength"], 1000);
        assert_eq!(p["tags"]["maxItems"], 10);
        assert_eq!(p["tags"]["items"]["maxLength"], 32);
        assert_eq!(p["due_date"]["format"], "date");
        let priority = resolve(&doc, &p["priority"]);
        let priority = priority["oneOf"]
            .get(0)
            .map(|r| resolve(&doc, r))
            .unwrap_or(priority);
        assert_eq!(
            strings(&priority["enum"]),
            strings(&json!(["low", "medium", "high"]))
        );
    }

    // Responses: 201 with Location, 204, and the error schemas.
    let created = resolve(&doc, &operation(&doc, TASKS, "post")["responses"]["201"]);
    assert!(created["headers"]["Location"].is_object());
    assert!(operation(&doc, TASK, "delete")["responses"]["204"].is_object());
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        strings(&schemas["ErrorBody"]["required"]),
        strings(&json!(["code", "message"]))
    );
    let validation = &schemas["ValidationError"];
    assert_eq!(
        strings(&validation["required"]),
        strings(&json!(["code", "message", "errors"]))
    );
    let errors = &validation["properties"]["errors"];
    assert_eq!(errors["type"], "object");
    assert_eq!(errors["additionalProperties"]["type"], "array");
    assert_eq!(errors["additionalProperties"]["items"]["type"], "string");
    for code in ["400", "401", "403", "404", "415", "422"] {
        let documented = OPERATIONS.iter().any(|(path, method)| {
            operation(&doc, path, method)["responses"]
                .get(code)
                .is_some()
        });
        assert!(documented, "{code} is documented somewhere");
    }
}

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// Whether `value` fits `schema` as far as types, enums, formats, required keys and
/// known keys go.
pub(super) fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if let Some(options) = schema["oneOf"].as_array() {
        let fits = options
            .iter()
            .filter(|o| conforms(doc, o, value, at).is_ok())
            .count();
        ensure!(fits == 1, "{at}: {value} fits exactly one of {schema}");
        return Ok(());
    }
    let type_name = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    match &schema["type"] {
        Value::String(t) => ensure!(
            t == type_name || (t == "number" && type_name == "integer"),
            "{at}: {value} is a {t}"
        ),
        Value::Array(ts) => ensure!(ts.iter().any(|t| t == type_name), "{at}: {value} in {ts:?}"),
        _ => {}
    }
    if let Some(values) = schema["enum"].as_array() {
        ensure!(values.contains(value), "{at}: {value} in {values:?}");
    }
    if let (Some(format), Value::String(s)) = (schema["format"].as_str(), value) {
        match format {
            "date" => ensure!(
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
                "{at}: {s} is a date"
            ),
            "date-time" => ensure!(
                chrono::DateTime::parse_from_rfc3339(s).is_ok(),
                "{at}: {s} is a date-time"
            ),
            _ => {}
        }
    }
    match value {
        Value::Object(map) => {
            if let Some(required) = schema.get("required") {
                for key in strings(required) {
                    ensure!(map.contains_key(&key), "{at}: {key} is present");
                }
            }
            let properties = schema["properties"].as_object();
            for (k, v) in map {
                let at = format!("{at}.{k}");
                match (
                    properties.and_then(|p| p.get(k)),
                    &schema["additionalProperties"],
                ) {
                    (Some(s), _) => conforms(doc, s, v, &at)?,
                    (None, Value::Bool(false)) => return Err(format!("{at}: undocumented key")),
                    (None, extra @ Value::Object(_)) => conforms(doc, extra, v, &at)?,
                    (None, _) => {}
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                conforms(doc, &schema["items"], item, &format!("{at}[{i}]"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

async fn task_schema_is_what_the_api_returns(app: &TestApp) {
    let doc = document(app).await;
    let who = app.api_user("schema@example.com").await;
    let bare = app.create_task(&who, json!({ "title": "bare" })).await;
    let full = app
        .create_task(
            &who,
            json!({
                "title": "full",
                "description": "with everything",
                "priority": "high",
                "tags": ["Home", "errands"],
                "due_date": "2026-12-31",
            }),
        )
        .await;
    let task = &doc["components"]["schemas"]["Task"];
    for real in [&bare, &full] {
        assert_eq!(keys(&task["properties"]), keys(real));
        assert_eq!(strings(&task["required"]), keys(real));
        conforms(&doc, task, real, "task").unwrap();
    }
    assert_eq!(task["properties"]["id"]["type"], "integer");
    assert_eq!(task["properties"]["created_at"]["format"], "date-time");
    assert_eq!(task["properties"]["updated_at"]["format"], "date-time");
    assert_eq!(
        strings(&task["properties"]["due_date"]["type"]),
        strings(&json!(["string", "null"]))
    );
    assert_eq!(task["properties"]["due_date"]["format"], "date");
}

db_tests!(
    every_route_is_documented_with_bearer_security,
    task_schema_is_what_the_api_returns
);
