//! The OpenAPI document (`GET /api/openapi.json`) against the running API: it is OpenAPI
//! 3.1 and well formed, it names every route, its Task schema is the JSON a real task
//! has, and every status code (and documented header) the API really answers with is
//! documented, and nothing more. Also CORS (`CORS_ALLOWED_ORIGINS`): preflights, exposed
//! headers, and get-session's own `set-auth-jwt` exposure surviving the CORS layer.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{list_tasks, ApiUser, Backend, TestApp};

const TASKS: &str = "/api/{user_id}/tasks";
const TASK: &str = "/api/{user_id}/tasks/{id}";
const COMPLETE: &str = "/api/{user_id}/tasks/{id}/complete";
const EVENTS: &str = "/api/{user_id}/tasks/events";

/// Every operation of the router (routes/tasks.rs, routes/live.rs and routes/me.rs).
const OPERATIONS: [(&str, &str); 8] = [
    (TASKS, "get"),
    (TASKS, "post"),
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

// --- structure ---------------------------------------------------------------------------

fn collect_refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Every schema object in the document (components and inline, recursively).
fn walk_schemas<'a>(v: &'a Value, in_schema: bool, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(map) => {
            if in_schema {
                out.push(v);
            }
            for (k, child) in map {
                let schema_child =
                    matches!(k.as_str(), "schema" | "items" | "additionalProperties")
                        || (in_schema && matches!(k.as_str(), "oneOf" | "anyOf" | "allOf" | "not"));
                match (k.as_str(), child) {
                    ("properties", Value::Object(props)) if in_schema => {
                        props.values().for_each(|p| walk_schemas(p, true, out))
                    }
                    ("schemas", Value::Object(schemas)) => {
                        schemas.values().for_each(|s| walk_schemas(s, true, out))
                    }
                    ("example" | "examples" | "default" | "enum", _) => {}
                    (_, Value::Array(items)) if schema_child => {
                        items.iter().for_each(|s| walk_schemas(s, true, out))
                    }
                    _ => walk_schemas(child, schema_child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| walk_schemas(v, in_schema, out)),
        _ => {}
    }
}

/// A structural check of OpenAPI 3.1's rules that matter here (the independent Python
/// validator below runs too where it is installed).
fn check_structure(doc: &Value) {
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1."),
        "OpenAPI 3.1.x"
    );
    for key in keys(doc) {
        assert!(
            [
                "openapi",
                "info",
                "jsonSchemaDialect",
                "servers",
                "paths",
                "webhooks",
                "components",
                "security",
                "tags",
                "externalDocs"
            ]
            .contains(&key.as_str())
                || key.starts_with("x-"),
            "unknown top-level key {key}"
        );
    }
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    if let Some(license) = doc["info"].get("license") {
        assert!(
            !license["name"].as_str().unwrap().is_empty(),
            "license name"
        );
    }

    // Every reference resolves.
    let mut refs = Vec::new();
    collect_refs(doc, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{r} is local"));
        assert!(doc.pointer(pointer).is_some(), "{r} resolves");
    }

    let schemes = keys(&doc["components"]["securitySchemes"]);
    let mut operation_ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        assert!(path.starts_with('/'), "{path}");
        let template: BTreeSet<String> = path
            .split('{')
            .skip(1)
            .map(|s| s.split('}').next().unwrap().to_string())
            .collect();
        for (method, op) in item.as_object().unwrap() {
            assert!(
                ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
                    .contains(&method.as_str()),
                "{method} {path}"
            );
            let id = op["operationId"].as_str().expect("operationId");
            assert!(operation_ids.insert(id.to_string()), "{id} is unique");

            // Parameters: valid locations, unique, and exactly the template's path ones.
            let mut seen = BTreeSet::new();
            let mut in_path = BTreeSet::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                let p = resolve(doc, p);
                let (name, location) = (p["name"].as_str().unwrap(), p["in"].as_str().unwrap());
                assert!(
                    ["query", "header", "path", "cookie"].contains(&location),
                    "{location}"
                );
                assert!(
                    seen.insert((name.to_string(), location.to_string())),
                    "{name} once"
                );
                assert!(p["schema"].is_object() ^ p["content"].is_object());
                if location == "path" {
                    assert_eq!(p["required"], true, "path parameter {name} is required");
                    in_path.insert(name.to_string());
                }
            }
            assert_eq!(in_path, template, "{method} {path}: path parameters");

            if let Some(body) = op.get("requestBody") {
                let body = resolve(doc, body);
                assert!(!keys(&body["content"]).is_empty());
            }
            let responses = op["responses"].as_object().expect("responses");
            assert!(!responses.is_empty());
            for (code, response) in responses {
                assert!(
                    code == "default"
                        || (code.len() == 3
                            && code.chars().all(|c| c.is_ascii_digit() || c == 'X')),
                    "status {code}"
                );
                let response = resolve(doc, response);
                assert!(response["description"].is_string(), "{code} description");
                for header in response["headers"].as_object().into_iter().flatten() {
                    let h = resolve(doc, header.1);
                    assert!(h["schema"].is_object() ^ h["content"].is_object());
                }
            }
            for requirement in op["security"].as_array().into_iter().flatten() {
                for scheme in keys(requirement) {
                    assert!(schemes.contains(&scheme), "security scheme {scheme}");
                }
            }
        }
    }

    // JSON Schema 2020-12 (3.1), not 3.0's dialect.
    let mut schemas = Vec::new();
    walk_schemas(doc, false, &mut schemas);
    assert!(schemas.len() > 20, "walked {} schemas", schemas.len());
    let types = [
        "null", "boolean", "object", "array", "number", "string", "integer",
    ];
    for schema in schemas {
        assert!(schema.get("nullable").is_none(), "3.0's nullable: {schema}");
        for k in ["exclusiveMinimum", "exclusiveMaximum"] {
            if let Some(v) = schema.get(k) {
                assert!(v.is_number(), "3.1's {k} is a number");
            }
        }
        match schema.get("type") {
            None => {}
            Some(Value::String(t)) => assert!(types.contains(&t.as_str()), "{t}"),
            Some(Value::Array(ts)) => {
                assert!(ts
                    .iter()
                    .all(|t| types.contains(&t.as_str().unwrap_or("?"))))
            }
            Some(other) => panic!("type {other}"),
        }
        if let Some(required) = schema.get("required") {
            let required = strings(required);
            let properties = schema.get("properties").map(keys).unwrap_or_default();
            assert!(required.is_subset(&properties), "{schema}");
        }
        if let Some(values) = schema.get("enum") {
            assert!(!values.as_array().unwrap().is_empty());
        }
    }
}

/// An independent validator where the machine has one (Python's openapi-spec-validator);
/// nothing is installed for it.
fn external_validation(app: &TestApp, doc: &Value) {
    let available = std::process::Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        eprintln!("note: openapi-spec-validator not installed, relying on the structural check");
        return;
    }
    let file = app.data_dir.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_vec(doc).unwrap()).unwrap();
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import json, sys\n\
             from openapi_spec_validator import validate, OpenAPIV31SpecValidator\n\
             validate(json.load(open(sys.argv[1])), cls=OpenAPIV31SpecValidator)\n\
             print('valid')",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openapi-spec-validator: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn document_is_valid_openapi_3_1(app: &TestApp) {
    let doc = document(app).await;
    check_structure(&doc);
    // The document is the same on every backend: validate it once.
    if app.backend == Backend::Sqlite {
        external_validation(app, &doc);
    }
}

// --- contents ----------------------------------------------------------------------------

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
            "created", "updated", "title", "due_date", "priority"
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
                "due_date"
            ]))
        );
        assert_eq!(schema["additionalProperties"], false);
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
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
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

// --- documented responses == real responses ----------------------------------------------

enum Body {
    None,
    Json(Value),
    Raw(&'static str, Vec<u8>),
}

/// One request of the survey below: its status, headers and JSON body (if any).
async fn probe(
    app: &TestApp,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Body,
) -> (StatusCode, reqwest::header::HeaderMap, Option<Value>) {
    let mut req = app.client.request(method, app.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req = match body {
        Body::None => req,
        Body::Json(v) => req.json(&v),
        Body::Raw(content_type, bytes) => req.header("content-type", content_type).body(bytes),
    };
    let res = req.send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.unwrap();
    (status, headers, serde_json::from_slice(&bytes).ok())
}

async fn every_real_status_is_documented(app: &TestApp) {
    let doc = document(app).await;
    let me = app.api_user("status@example.com").await;
    let other = app.api_user("other@example.com").await;
    let t = |who: &ApiUser| Some(who.token.clone());
    let task = app.create_task(&me, json!({ "title": "probe" })).await;
    let id = task["id"].as_i64().unwrap();
    let mine = format!("/api/{}/tasks", me.id);
    let theirs = format!("/api/{}/tasks", other.id);
    let one = format!("{mine}/{id}");
    let missing = format!("{mine}/999999");
    let too_big = vec![b' '; 1024 * 1024 + 1];

    // (template, method, token, path, body)
    let cases: Vec<(&str, Method, Option<String>, String, Body)> = vec![
        (TASKS, Method::GET, t(&me), mine.clone(), Body::None),
        (TASKS, Method::GET, None, mine.clone(), Body::None),
        (TASKS, Method::GET, t(&me), theirs.clone(), Body::None),
        (
            TASKS,
            Method::GET,
            t(&me),
            format!("{mine}?status=nope&limit=0"),
            Body::None,
        ),
        (
            TASKS,
            Method::POST,
            t(&me),
            mine.clone(),
            Body::Json(json!({"title": "x"})),
        ),
        (
            TASKS,
            Method::POST,
            t(&me),
            mine.clone(),
            Body::Raw("application/json", b"{".to_vec()),
        ),
        (
            TASKS,
            Method::POST,
            t(&me),
            mine.clone(),
            Body::Raw("application/json", b"[]".to_vec()),
        ),
        (
            TASKS,
            Method::POST,
            Some("x.y.z".into()),
            mine.clone(),
            Body::Json(json!({"title": "x"})),
        ),
        (
            TASKS,
            Method::POST,
            t(&me),
            theirs.clone(),
            Body::Json(json!({"title": "x"})),
        ),
        (
            TASKS,
            Method::POST,
            t(&me),
            mine.clone(),
            Body::Raw("application/json", too_big.clone()),
        ),
        (
            TASKS,
            Method::POST,
            t(&me),
            mine.clone(),
            Body::Raw("text/plain", b"title".to_vec()),
        ),
        (
            TASKS,
            Method::POST,
            t(&me),
            mine.clone(),
            Body::Json(json!({"title": " ", "tags": "x", "extra": 1})),
        ),
        (TASK, Method::GET, t(&me), one.clone(), Body::None),
        (TASK, Method::GET, None, one.clone(), Body::None),
        (TASK, Method::GET, t(&other), one.clone(), Body::None),
        (TASK, Method::GET, t(&me), missing.clone(), Body::None),
        (
            TASK,
            Method::GET,
            t(&me),
            format!("{mine}/not-a-number"),
            Body::None,
        ),
        (
            TASK,
            Method::PUT,
            t(&me),
            one.clone(),
            Body::Json(json!({"completed": true})),
        ),
        (
            TASK,
            Method::PUT,
            t(&me),
            one.clone(),
            Body::Raw("application/json", b"nope".to_vec()),
        ),
        (TASK, Method::PUT, None, one.clone(), Body::Json(json!({}))),
        (
            TASK,
            Method::PUT,
            t(&other),
            one.clone(),
            Body::Json(json!({})),
        ),
        (
            TASK,
            Method::PUT,
            t(&me),
            missing.clone(),
            Body::Json(json!({"completed": true})),
        ),
        (
            TASK,
            Method::PUT,
            t(&me),
            one.clone(),
            Body::Raw("application/json", too_big),
        ),
        (
            TASK,
            Method::PUT,
            t(&me),
            one.clone(),
            Body::Raw("application/x-www-form-urlencoded", b"title=x".to_vec()),
        ),
        (
            TASK,
            Method::PUT,
            t(&me),
            one.clone(),
            Body::Json(json!({"priority": "urgent"})),
        ),
        (
            COMPLETE,
            Method::PATCH,
            t(&me),
            format!("{one}/complete"),
            Body::None,
        ),
        (
            COMPLETE,
            Method::PATCH,
            None,
            format!("{one}/complete"),
            Body::None,
        ),
        (
            COMPLETE,
            Method::PATCH,
            t(&other),
            format!("{one}/complete"),
            Body::None,
        ),
        (
            COMPLETE,
            Method::PATCH,
            t(&me),
            format!("{missing}/complete"),
            Body::None,
        ),
        (
            EVENTS,
            Method::GET,
            None,
            format!("{mine}/events"),
            Body::None,
        ),
        (
            EVENTS,
            Method::GET,
            t(&other),
            format!("{mine}/events"),
            Body::None,
        ),
        ("/api/me", Method::GET, t(&me), "/api/me".into(), Body::None),
        ("/api/me", Method::GET, None, "/api/me".into(), Body::None),
        (TASK, Method::DELETE, None, one.clone(), Body::None),
        (TASK, Method::DELETE, t(&other), one.clone(), Body::None),
        (TASK, Method::DELETE, t(&me), one.clone(), Body::None),
        (TASK, Method::DELETE, t(&me), one.clone(), Body::None),
    ];

    let mut seen: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (template, method, token, path, body) in cases {
        let m = method.as_str().to_ascii_lowercase();
        let (status, headers, json) = probe(app, token.as_deref(), method, &path, body).await;
        let code = status.as_str().to_string();
        let at = format!("{m} {path} → {code}");
        let op = operation(&doc, template, &m);
        let response = op["responses"]
            .get(&code)
            .unwrap_or_else(|| panic!("{at} is not documented"));
        let response = resolve(&doc, response);
        // The body has the documented shape, and the documented headers are sent.
        match (
            response["content"]["application/json"]["schema"].as_object(),
            &json,
        ) {
            (Some(schema), Some(body)) => {
                conforms(&doc, &Value::Object(schema.clone()), body, &at).unwrap()
            }
            (Some(_), None) => panic!("{at}: documented JSON, got none"),
            (None, _) => {}
        }
        for name in response["headers"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|h| h.0)
        {
            assert!(headers.contains_key(name.as_str()), "{at}: header {name}");
        }
        seen.entry((template.to_string(), m))
            .or_default()
            .insert(code);
    }

    // The event stream answers 200 with a body that never ends, and 429 past the cap
    // (8 by default): read their heads and, for the 429, its JSON.
    let events = operation(&doc, EVENTS, "get");
    let stream = |token: &str| {
        app.stream_client()
            .get(app.url(&format!("{mine}/events")))
            .bearer_auth(token)
            .send()
    };
    let mut open = Vec::new();
    for _ in 0..8 {
        let res = stream(&me.token).await.unwrap();
        assert_eq!(res.status(), 200, "a stream within the cap");
        open.push(res);
    }
    let documented = resolve(&doc, &events["responses"]["200"]);
    assert!(documented["content"]["text/event-stream"].is_object());
    assert_eq!(open[0].headers()["content-type"], "text/event-stream");
    let refused = stream(&me.token).await.unwrap();
    assert_eq!(refused.status(), 429, "past the cap");
    let body: Value = refused.json().await.unwrap();
    let schema =
        &resolve(&doc, &events["responses"]["429"])["content"]["application/json"]["schema"];
    conforms(&doc, schema, &body, "429 stream").unwrap();
    drop(open);
    let statuses = seen
        .entry((EVENTS.to_string(), "get".to_string()))
        .or_default();
    statuses.extend(["200".to_string(), "429".to_string()]);

    // And nothing is documented that the API does not answer (500 and 503 aside: they
    // are not provoked here; the PostgreSQL outage test provokes the 503).
    for (path, method) in OPERATIONS {
        let documented: BTreeSet<String> = keys(&operation(&doc, path, method)["responses"])
            .into_iter()
            .filter(|c| c != "500" && c != "503")
            .collect();
        let real = seen
            .get(&(path.to_string(), method.to_string()))
            .cloned()
            .unwrap_or_default();
        assert_eq!(documented, real, "{method} {path}");
    }
}

// --- the document says exactly what the API accepts (issue 12) ---------------------------
//
// Schemathesis (`.ci/contract.sh`) found these mismatches: a blank `sort`/`order` answered
// 200, `due_date: ""` was accepted, and the tag rules were missing from the schema. Each
// test checks what the document says and that the API does exactly that.

/// A 422 with the usual validation body, naming `field`.
async fn refused(res: reqwest::Response, field: &str, what: &str) {
    assert_eq!(res.status(), 422, "{what}");
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["code"], "VALIDATION_ERROR", "{what}: {err}");
    assert!(
        err["message"].as_str().unwrap().contains(field),
        "{what}: {err}"
    );
    assert!(err["errors"][field].is_array(), "{what}: {err}");
}

/// The request body schemas of create and update.
fn body_schemas(doc: &Value) -> [(&'static str, Value); 2] {
    let body = |path: &str, method: &str| {
        let op = operation(doc, path, method);
        resolve(
            doc,
            &op["requestBody"]["content"]["application/json"]["schema"],
        )
        .clone()
    };
    [
        ("create", body(TASKS, "post")),
        ("update", body(TASK, "put")),
    ]
}

/// `sort`, `order`, `status` and `priority` are enums: a blank, padded or unknown value
/// is a 422 (as the original FastAPI service answered), never the default.
async fn list_enum_parameters_are_exact(app: &TestApp) {
    let doc = document(app).await;
    let list = operation(&doc, TASKS, "get");
    let enum_of = |name: &str| strings(&resolve(&doc, &parameter(list, name)["schema"])["enum"]);
    for name in ["sort", "order", "status", "priority"] {
        assert!(!enum_of(name).contains(""), "{name}: no blank value");
    }
    let offset = &parameter(list, "offset")["schema"];
    assert_eq!(offset["maximum"], i64::MAX);
    for name in ["q", "tag"] {
        assert_eq!(parameter(list, name)["schema"]["pattern"], "^[^\\u0000]*$");
    }

    let who = app.api_user("enums@example.com").await;
    app.create_task(&who, json!({ "title": "one" })).await;
    let path = format!("/api/{}/tasks", who.id);
    for (q, field) in [
        ("sort=", "sort"),
        ("order=", "order"),
        ("sort=&order=asc", "sort"),
        ("sort=title&order=", "order"),
        ("sort=%20title", "sort"),
        ("sort=created%20", "sort"),
        ("sort=Title", "sort"),
        ("sort=size", "sort"),
        ("order=ASC", "order"),
        ("order=%09desc", "order"),
        ("order=up", "order"),
        ("status=", "status"),
        ("status=All", "status"),
        ("priority=", "priority"),
        ("priority=%20high", "priority"),
        ("offset=9223372036854775808", "offset"),
    ] {
        let res = app.send(&who, Method::GET, &format!("{path}?{q}")).await;
        refused(res, field, q).await;
    }
    // Every documented value works; unknown parameters are ignored, whatever they hold.
    for sort in enum_of("sort") {
        for order in enum_of("order") {
            let (items, total) = list_tasks(app, &who, &format!("sort={sort}&order={order}")).await;
            assert_eq!((items.len(), total), (1, 1), "{sort} {order}");
        }
    }
    for status in enum_of("status") {
        list_tasks(app, &who, &format!("status={status}")).await;
    }
    let (items, _) = list_tasks(app, &who, "priority=medium&unknown=%00&x=").await;
    assert_eq!(items.len(), 1);
    let (items, total) = list_tasks(app, &who, "offset=9223372036854775807").await;
    assert_eq!(
        (items.len(), total),
        (0, 1),
        "the largest documented offset"
    );
}

/// `due_date` is a `date` or `null`: an empty string (or another spelling) is refused on
/// create and update, and nothing changes.
async fn due_date_is_a_date_or_null(app: &TestApp) {
    let doc = document(app).await;
    for (what, schema) in body_schemas(&doc) {
        let due = &schema["properties"]["due_date"];
        assert_eq!(due["format"], "date", "{what}");
        assert_eq!(
            strings(&due["type"]),
            strings(&json!(["string", "null"])),
            "{what}"
        );
    }

    let who = app.api_user("dates@example.com").await;
    let path = format!("/api/{}/tasks", who.id);
    let task = app
        .create_task(&who, json!({ "title": "dated", "due_date": "2026-12-31" }))
        .await;
    let one = format!("{path}/{}", task["id"]);
    for bad in [
        "",
        " ",
        " 2026-12-31",
        "2026-12-31 ",
        "2026-1-31",
        "2023-02-29",
        "31/12/2026",
    ] {
        let res = app
            .send_json(
                &who,
                Method::POST,
                &path,
                &json!({ "title": "x", "due_date": bad }),
            )
            .await;
        refused(res, "due_date", &format!("create {bad:?}")).await;
        let res = app
            .send_json(&who, Method::PUT, &one, &json!({ "due_date": bad }))
            .await;
        refused(res, "due_date", &format!("update {bad:?}")).await;
    }
    let (all, total) = list_tasks(app, &who, "").await;
    assert_eq!(total, 1, "nothing was created");
    assert_eq!(all[0]["due_date"], "2026-12-31", "nothing was changed");
    let res = app
        .send_json(&who, Method::PUT, &one, &json!({ "due_date": null }))
        .await;
    assert_eq!(res.status(), 200, "null clears it");
    assert_eq!(res.json::<Value>().await.unwrap()["due_date"], Value::Null);
    let leap = app
        .create_task(&who, json!({ "title": "leap", "due_date": "2024-02-29" }))
        .await;
    assert_eq!(leap["due_date"], "2024-02-29");
}

/// The tag rules are in the schema (at most 10 as sent, each at most 32 characters as
/// sent, no commas or control characters; blank ones dropped), and the API refuses
/// exactly that.
async fn tag_rules_are_documented_and_enforced(app: &TestApp) {
    let doc = document(app).await;
    let tag_pattern = "^[^,\\u0000-\\u001f\\u007f-\\u009f]*$";
    for (what, schema) in body_schemas(&doc) {
        let tags = &schema["properties"]["tags"];
        assert_eq!(tags["maxItems"], 10, "{what}");
        assert_eq!(tags["items"]["maxLength"], 32, "{what}");
        assert_eq!(tags["items"]["pattern"], tag_pattern, "{what}");
        assert!(
            tags["items"].get("minLength").is_none(),
            "{what}: blank tags are dropped"
        );
        let words = tags["description"].as_str().unwrap();
        assert!(
            words.contains("commas") && words.contains("control"),
            "{what}: {words}"
        );
    }
    let task_tags = &doc["components"]["schemas"]["Task"]["properties"]["tags"];
    assert_eq!(task_tags["items"]["pattern"], tag_pattern);
    assert_eq!(
        (&task_tags["items"]["minLength"], &task_tags["maxItems"]),
        (&json!(1), &json!(10))
    );

    let who = app.api_user("tags@example.com").await;
    let path = format!("/api/{}/tasks", who.id);
    let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
    for tags in [
        json!(eleven),
        json!(vec!["a"; 11]),
        json!(["", "", "", "", "", "", "", "", "", "", "a"]),
        json!(["x".repeat(33)]),
        json!([format!(" {}", "x".repeat(32))]),
        json!(["a,b"]),
        json!(["tab\t"]),
        json!(["line\n"]),
        json!(["bell\u{7}"]),
        json!(["c1\u{9f}"]),
        json!(["nul\u{0}"]),
    ] {
        let res = app
            .send_json(
                &who,
                Method::POST,
                &path,
                &json!({ "title": "x", "tags": tags }),
            )
            .await;
        refused(res, "tags", &tags.to_string()).await;
    }
    let ten: Vec<String> = (0..10).map(|i| format!("T{i}")).collect();
    let task = app
        .create_task(&who, json!({ "title": "ten", "tags": ten }))
        .await;
    assert_eq!(task["tags"].as_array().unwrap().len(), 10);
    let task = app
        .create_task(
            &who,
            json!({ "title": "odd", "tags": ["", "  ", " Home ", "HOME", "x".repeat(32), "İ".repeat(32), "ünï"] }),
        )
        .await;
    assert_eq!(
        task["tags"],
        json!(["home", "x".repeat(32), "i".repeat(32), "ünï"]),
        "trimmed, lower-cased (never longer), de-duplicated, blank ones dropped"
    );
    let (found, _) = list_tasks(app, &who, &format!("tag={}", "İ".repeat(32))).await;
    assert_eq!(found.len(), 1, "the tag filter lower-cases the same way");
    let res = app
        .send_json(
            &who,
            Method::PUT,
            &format!("{path}/{}", task["id"]),
            &json!({ "tags": ["ok", "a,b"] }),
        )
        .await;
    refused(res, "tags", "update with a comma").await;
}

/// A title is at most 200 characters as sent (the document's `maxLength`: padding
/// counts), with something besides white space, and no NUL (its `pattern`).
async fn title_rules_are_documented_and_enforced(app: &TestApp) {
    let doc = document(app).await;
    for (what, schema) in body_schemas(&doc) {
        let title = &schema["properties"]["title"];
        assert_eq!(
            (&title["minLength"], &title["maxLength"]),
            (&json!(1), &json!(200))
        );
        let pattern = title["pattern"].as_str().unwrap();
        assert!(
            pattern.starts_with("^[^\\u0000]*[^\\u0000\\u0009-\\u000d\\u0020"),
            "{what}: {pattern}"
        );
        assert_eq!(
            schema["properties"]["description"]["pattern"], "^[^\\u0000]*$",
            "{what}"
        );
    }

    let who = app.api_user("titles@example.com").await;
    let path = format!("/api/{}/tasks", who.id);
    for bad in [
        format!(" {} ", "x".repeat(199)),
        "\u{3000}\t".into(),
        "a\u{0}".into(),
    ] {
        let res = app
            .send_json(&who, Method::POST, &path, &json!({ "title": bad }))
            .await;
        refused(res, "title", &format!("{bad:?}")).await;
    }
    let task = app
        .create_task(&who, json!({ "title": format!(" {} ", "x".repeat(198)) }))
        .await;
    assert_eq!(task["title"], "x".repeat(198), "stored trimmed");
}

db_tests!(
    document_is_valid_openapi_3_1,
    every_route_is_documented_with_bearer_security,
    task_schema_is_what_the_api_returns,
    every_real_status_is_documented,
    cors_is_off_by_default,
    list_enum_parameters_are_exact,
    due_date_is_a_date_or_null,
    tag_rules_are_documented_and_enforced,
    title_rules_are_documented_and_enforced,
);

// --- CORS ----------------------------------------------------------------------------------

const ALLOWED: &str = "https://app.example.com";

fn header<'a>(res: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    res.headers().get(name).map(|v| v.to_str().unwrap())
}

fn list_header(res: &reqwest::Response, name: &str) -> BTreeSet<String> {
    res.headers()
        .get_all(name)
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

async fn preflight(app: &TestApp, path: &str, origin: &str, method: &str) -> reqwest::Response {
    app.client
        .request(Method::OPTIONS, app.url(path))
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap()
}

async fn cors_is_off_by_default(app: &TestApp) {
    let who = app.api_user("nocors@example.com").await;
    let res = app
        .api(&who, Method::GET, &format!("/api/{}/tasks", who.id))
        .header("origin", ALLOWED)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(header(&res, "access-control-allow-origin").is_none());
    assert!(header(&res, "access-control-allow-credentials").is_none());
    // get-session still exposes its JWT header, as before.
    let res = app.auth_get("/get-session", Some(&who.signed.cookie)).await;
    assert_eq!(res.status(), 200);
    assert!(header(&res, "set-auth-jwt").is_some());
    assert_eq!(
        list_header(&res, "access-control-expose-headers"),
        BTreeSet::from(["set-auth-jwt".to_string()])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_preflight_allows_exactly_the_configured_origins() {
    let app = TestApp::builder()
        .env("CORS_ALLOWED_ORIGINS", ALLOWED)
        .spawn()
        .await;

    for (path, method) in [
        ("/api/someone/tasks", "POST"),
        ("/api/someone/tasks/1", "PUT"),
        ("/api/someone/tasks/1", "DELETE"),
        ("/api/someone/tasks/1/complete", "PATCH"),
        ("/api/me", "GET"),
        ("/api/auth/sign-in/email", "POST"),
    ] {
        let res = preflight(&app, path, ALLOWED, method).await;
        assert!(
            res.status().is_success(),
            "{method} {path}: {}",
            res.status()
        );
        assert_eq!(header(&res, "access-control-allow-origin"), Some(ALLOWED));
        assert_eq!(
            header(&res, "access-control-allow-credentials"),
            Some("true")
        );
        let methods = list_header(&res, "access-control-allow-methods");
        for m in ["get", "post", "put", "patch", "delete", "options"] {
            assert!(methods.contains(m), "{m} in {methods:?}");
        }
        let headers = list_header(&res, "access-control-allow-headers");
        assert!(headers.contains("authorization") && headers.contains("content-type"));
        assert_eq!(header(&res, "access-control-max-age"), Some("600"));
    }

    for origin in ["https://evil.example.com", "http://app.example.com", "null"] {
        let res = preflight(&app, "/api/someone/tasks", origin, "POST").await;
        assert!(
            header(&res, "access-control-allow-origin").is_none(),
            "{origin} is not allowed"
        );
    }
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_responses_expose_the_api_headers_and_keep_set_auth_jwt() {
    let app = TestApp::builder()
        .env("CORS_ALLOWED_ORIGINS", ALLOWED)
        .spawn()
        .await;
    let who = app.api_user("cors@example.com").await;

    // A cross-origin API call from the allowed origin.
    let res = app
        .api(&who, Method::GET, &format!("/api/{}/tasks", who.id))
        .header("origin", ALLOWED)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "access-control-allow-origin"), Some(ALLOWED));
    assert_eq!(
        header(&res, "access-control-allow-credentials"),
        Some("true")
    );
    let exposed = list_header(&res, "access-control-expose-headers");
    for h in [
        "x-total-count",
        "location",
        "set-auth-jwt",
        "set-auth-token",
    ] {
        assert!(exposed.contains(h), "{h} in {exposed:?}");
    }

    // Better Auth's cross-origin client: get-session with credentials from that origin
    // still exposes `set-auth-jwt` (Better Auth issue #2479), beside the API's headers.
    let res = app
        .client
        .get(app.url("/api/auth/get-session"))
        .header("origin", ALLOWED)
        .header("cookie", &who.signed.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(header(&res, "set-auth-jwt").is_some_and(|jwt| jwt.split('.').count() == 3));
    assert_eq!(header(&res, "access-control-allow-origin"), Some(ALLOWED));
    assert_eq!(
        header(&res, "access-control-allow-credentials"),
        Some("true")
    );
    let exposed = list_header(&res, "access-control-expose-headers");
    assert!(exposed.contains("set-auth-jwt"), "{exposed:?}");
    assert!(exposed.contains("x-total-count"), "{exposed:?}");
    assert_eq!(
        res.headers()
            .get_all("access-control-expose-headers")
            .iter()
            .count(),
        1,
        "one merged header"
    );

    // Another origin gets no CORS grant on a real response either.
    let res = app
        .api(&who, Method::GET, "/api/me")
        .header("origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(header(&res, "access-control-allow-origin").is_none());

    // Pages are not part of the cross-origin API.
    let res = app
        .client
        .get(app.url("/healthz"))
        .header("origin", ALLOWED)
        .send()
        .await
        .unwrap();
    assert!(header(&res, "access-control-allow-origin").is_none());
    app.cleanup().await;
}
