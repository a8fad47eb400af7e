//! Isolation: no user reaches another's tasks by any method, and deleting an account
//! deletes its tasks.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{list_tasks as list, TestApp};

/// Every endpoint and method, user B against user A's path and ids.
async fn isolation_matrix(app: &TestApp) {
    let a = app.api_user("alice@example.com").await;
    let b = app.api_user("bob@example.com").await;
    let task = app
        .create_task(&a, json!({ "title": "A's secret", "tags": ["private"] }))
        .await;
    let id = task["id"].as_i64().unwrap();
    let a_list = format!("/api/{}/tasks", a.id);
    let a_one = format!("/api/{}/tasks/{id}", a.id);
    let b_one = format!("/api/{}/tasks/{id}", b.id);
    let body = json!({ "title": "pwned", "completed": true });

    // B on A's paths: 403.
    for (method, path, with_body) in [
        (Method::GET, a_list.clone(), false),
        (Method::POST, a_list.clone(), true),
        (Method::GET, a_one.clone(), false),
        (Method::PUT, a_one.clone(), true),
        (Method::DELETE, a_one.clone(), false),
        (Method::PATCH, format!("{a_one}/complete"), false),
    ] {
        let mut req = app.api(&b, method.clone(), &path);
        if with_body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 403, "{method} {path}");
    }
    // B on their own path with A's id: 404, never revealing it exists.
    for (method, path, with_body) in [
        (Method::GET, b_one.clone(), false),
        (Method::PUT, b_one.clone(), true),
        (Method::DELETE, b_one.clone(), false),
        (Method::PATCH, format!("{b_one}/complete"), false),
    ] {
        let mut req = app.api(&b, method.clone(), &path);
        if with_body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 404, "{method} {path}");
    }
    // No token, a bad token: 401 everywhere.
    for path in [a_list.clone(), a_one.clone()] {
        let res = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 401);
        let res = app.bearer_get("x.y.z", &path).await;
        assert_eq!(res.status(), 401);
    }
    // B's list does not include it; A's data is unchanged.
    let (b_tasks, b_total) = list(app, &b, "").await;
    assert_eq!((b_tasks.len(), b_total), (0, 0));
    let (b_tagged, _) = list(app, &b, "tag=private").await;
    assert!(b_tagged.is_empty());
    let now: Value = app.get_json(&a, &a_one).await;
    assert_eq!(now, task);
}

async fn deleting_the_account_deletes_its_tasks(app: &TestApp) {
    let eve = app.api_user("eve@example.com").await;
    app.create_task(&eve, json!({ "title": "one" })).await;
    let res = app
        .auth_post(
            "/delete-user",
            json!({ "password": "password for tests" }),
            Some(&eve.signed.cookie),
        )
        .await;
    assert_eq!(res.status(), 200);
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    let left: i64 = taskdeck::with_pool!(&db, |pool| sqlx::query_scalar(
        r#"SELECT COUNT(*) FROM "task" WHERE "user_id" = $1"#
    )
    .bind(&eve.id)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(left, 0);
    db.close().await;
    // The still-unexpired JWT of a deleted account cannot create tasks.
    let res = app
        .send_json(
            &eve,
            Method::POST,
            &format!("/api/{}/tasks", eve.id),
            &json!({ "title": "ghost" }),
        )
        .await;
    assert_eq!(res.status(), 401);
}

db_tests!(isolation_matrix, deleting_the_account_deletes_its_tasks);
