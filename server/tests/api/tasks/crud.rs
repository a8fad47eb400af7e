//! Create, read, update and delete; validation and bad input; concurrent creates are
//! all kept.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::titles;
use crate::helpers::{list_tasks as list, TestApp};

async fn crud_round_trip(app: &TestApp) {
    let ann = app.api_user("ann@example.com").await;
    let res = app.send_json(&ann, Method::POST, &format!("/api/{}/tasks", ann.id), &json!({ "title": "  Write report ", "description": "Q3", "priority": "high", "tags": ["Work"], "due_date": "2026-12-01" })).await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let task: Value = res.json().await.unwrap();
    assert_eq!(location, format!("/api/{}/tasks/{}", ann.id, task["id"]));
    assert_eq!(task["title"], "Write report");
    assert_eq!(task["user_id"], ann.id.as_str());
    assert_eq!(task["completed"], false);
    assert_eq!(task["priority"], "high");
    assert_eq!(task["tags"], json!(["work"]));
    assert_eq!(task["due_date"], "2026-12-01");
    assert!(task["created_at"].as_str().unwrap().ends_with('Z'));

    let got: Value = app.get_json(&ann, &location).await;
    assert_eq!(got, task);

    let res = app.send_json(&ann, Method::PUT, &location, &json!({ "title": "Write the report", "completed": true, "description": null, "tags": ["work", "q3"], "due_date": null })).await;
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["title"], "Write the report");
    assert_eq!(updated["completed"], true);
    assert_eq!(updated["description"], Value::Null);
    assert_eq!(updated["due_date"], Value::Null);
    assert_eq!(updated["tags"], json!(["work", "q3"]));
    assert_eq!(updated["priority"], "high", "untouched fields stay");
    assert!(updated["updated_at"].as_str() >= task["updated_at"].as_str());

    // Without "tags" (a write that skips the tags' table), the tags and the tag
    // filter stay as they were, and the list reads the new title.
    let res = app
        .send_json(
            &ann,
            Method::PUT,
            &location,
            &json!({ "title": "Write the Q3 report" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let renamed: Value = res.json().await.unwrap();
    assert_eq!(renamed["tags"], json!(["work", "q3"]));
    assert_eq!(renamed["completed"], true, "untouched fields stay");
    let (tagged, _) = list(app, &ann, "tag=q3").await;
    assert_eq!(tagged, vec![renamed]);

    let toggled: Value = app
        .send(&ann, Method::PATCH, &format!("{location}/complete"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(toggled["completed"], false);

    let res = app.send(&ann, Method::DELETE, &location).await;
    assert_eq!(res.status(), 204);
    let res = app.send(&ann, Method::GET, &location).await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "NOT_FOUND");
    let res = app.send(&ann, Method::DELETE, &location).await;
    assert_eq!(res.status(), 404);
}

async fn validation_and_bad_input(app: &TestApp) {
    let bea = app.api_user("bea@example.com").await;
    let path = format!("/api/{}/tasks", bea.id);
    let cases = [
        (json!({}), vec!["title"]),
        (json!({ "title": "   " }), vec!["title"]),
        (json!({ "title": "x".repeat(201) }), vec!["title"]),
        (
            json!({ "title": "ok", "description": "d".repeat(1001) }),
            vec!["description"],
        ),
        (
            json!({ "title": "ok", "priority": "urgent" }),
            vec!["priority"],
        ),
        (
            json!({ "title": "ok", "due_date": "next week" }),
            vec!["due_date"],
        ),
        (json!({ "title": "ok", "tags": "work" }), vec!["tags"]),
        (
            json!({ "title": "ok", "completed": "yes" }),
            vec!["completed"],
        ),
        (json!({ "title": "ok", "owner": "someone" }), vec!["owner"]),
        (
            json!({ "title": 7, "priority": 1 }),
            vec!["title", "priority"],
        ),
    ];
    for (body, fields) in cases {
        let res = app.send_json(&bea, Method::POST, &path, &body).await;
        assert_eq!(res.status(), 422, "{body}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["code"], "VALIDATION_ERROR");
        for f in fields {
            assert!(err["errors"][f].is_array(), "{f} named for {body}: {err}");
        }
    }
    // Malformed JSON, a non-object, the wrong content type.
    let res = app
        .api(&bea, Method::POST, &path)
        .header("content-type", "application/json")
        .body("{\"title\":")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "INVALID_JSON");
    let res = app
        .send_json(&bea, Method::POST, &path, &json!(["title"]))
        .await;
    assert_eq!(res.status(), 400);
    let res = app
        .api(&bea, Method::POST, &path)
        .header("content-type", "text/plain")
        .body("title")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    // Bad list parameters.
    for q in [
        "limit=0",
        "limit=201",
        "offset=-5",
        "status=done",
        "sort=size",
        "order=up",
        "priority=x",
    ] {
        let res = app.send(&bea, Method::GET, &format!("{path}?{q}")).await;
        assert_eq!(res.status(), 422, "{q}");
    }
    // An update with a bad field changes nothing.
    let task = app.create_task(&bea, json!({ "title": "keep me" })).await;
    let one = format!("{path}/{}", task["id"]);
    let res = app
        .send_json(&bea, Method::PUT, &one, &json!({ "title": "" }))
        .await;
    assert_eq!(res.status(), 422);
    let same: Value = app.get_json(&bea, &one).await;
    assert_eq!(same["title"], "keep me");
    // Non-numeric ids name no task.
    let res = app.send(&bea, Method::GET, &format!("{path}/abc")).await;
    assert_eq!(res.status(), 404);
}

async fn concurrent_creates_are_all_kept(app: &TestApp) {
    let dee = app.api_user("dee@example.com").await;
    let path = format!("/api/{}/tasks", dee.id);
    let mut handles = Vec::new();
    for i in 0..100 {
        let req = app
            .api(&dee, Method::POST, &path)
            .json(&json!({ "title": format!("task {i}"), "tags": ["bulk"] }));
        handles.push(tokio::spawn(
            async move { req.send().await.map(|r| r.status()) },
        ));
    }
    for h in handles {
        assert_eq!(h.await.unwrap().unwrap(), StatusCode::CREATED);
    }
    let (tasks, total) = list(app, &dee, "limit=200").await;
    assert_eq!((tasks.len(), total), (100, 100));
    let mut seen: Vec<&str> = titles(&tasks);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 100);
    let (_, tagged) = list(app, &dee, "tag=bulk").await;
    assert_eq!(tagged, 100);
}

db_tests!(
    crud_round_trip,
    validation_and_bad_input,
    concurrent_creates_are_all_kept
);
