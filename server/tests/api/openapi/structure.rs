//! The document is OpenAPI 3.1 and well formed: every `$ref` resolves, every schema is
//! one a validator accepts, and (on SQLite, once) an external validator agrees.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{document, keys, resolve, strings};
use crate::helpers::{Backend, TestApp};

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

db_tests!(document_is_valid_openapi_3_1);
