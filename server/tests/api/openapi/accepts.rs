//! The document says exactly what the API accepts (issue 12).
//!
//! Schemathesis (`.ci/contract.sh`) found these mismatches: a blank `sort`/`order`
//! answered 200, `due_date: ""` was accepted, and the tag rules were missing from the
//! schema. Each test checks what the document says and that the API does exactly that.

use reqwest::Method;
use serde_json::{json, Value};

use super::{document, operation, parameter, resolve, strings, TASK, TASKS};
use crate::helpers::{list_tasks, TestApp};

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
    list_enum_parameters_are_exact,
    due_date_is_a_date_or_null,
    tag_rules_are_documented_and_enforced,
    title_rules_are_documented_and_enforced,
);
