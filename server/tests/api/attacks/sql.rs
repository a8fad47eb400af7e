//! SQL metacharacters in every text input are data: stored and returned as sent,
//! matched literally by filters, and harmless in e-mail addresses and names.

use reqwest::Method;
use serde_json::{json, Value};

use super::{enc_q, task_titles, PASSWORD};
use crate::helpers::{session_cookie, TestApp};

const SQL_PAYLOADS: &[&str] = &[
    "'); DROP TABLE task;--",
    "' OR 1=1 --",
    "%' OR 1=1 --",
    "\" OR \"\"=\"",
    "'; DELETE FROM \"user\";--",
    "1); UPDATE \"task\" SET \"user_id\"='x'--",
    "' UNION SELECT \"email\" FROM \"user\"--",
    "\\'; SELECT pg_sleep(5);--",
    "$1 $$ ? :name @p1 %s {0}",
    "_%\\ [a-z] ^$ .*",
    "'||(SELECT 1)||'",
    "/* comment */ -- end",
];

/// A tag-sized (≤ 32 characters, no comma) version of a payload.
fn tag_of(p: &str) -> String {
    p.replace(',', " ")
        .chars()
        .take(32)
        .collect::<String>()
        .trim()
        .to_lowercase()
}

async fn sql_metacharacters_are_data(app: &TestApp) {
    let a = app.api_user("sql-a@example.com").await;
    let b = app.api_user("sql-b@example.com").await;
    app.create_task(&b, json!({ "title": "B's private task", "tags": ["b"] }))
        .await;
    let base = format!("/api/{}/tasks", a.id);

    let mut created = Vec::new();
    for p in SQL_PAYLOADS {
        let body = json!({ "title": p, "description": format!("about {p}"), "tags": [tag_of(p)] });
        let task = app.create_task(&a, body).await;
        assert_eq!(task["title"], *p, "title echoed literally");
        assert_eq!(task["description"], format!("about {p}"));
        assert_eq!(task["tags"], json!([tag_of(p)]), "tag echoed literally");
        let got: Value = app.get_json(&a, &format!("{base}/{}", task["id"])).await;
        assert_eq!(got, task, "round trip of {p}");
        created.push(task);
    }
    // Search and tag filters treat the text literally.
    for (p, task) in SQL_PAYLOADS.iter().zip(&created) {
        let res = app
            .send(&a, Method::GET, &format!("{base}?q={}&limit=200", enc_q(p)))
            .await;
        assert_eq!(res.status(), 200, "q={p}");
        let found: Vec<Value> = res.json().await.unwrap();
        assert!(
            found.iter().any(|t| t["id"] == task["id"]),
            "q={p} finds its task"
        );
        let needle = p.to_lowercase();
        for t in &found {
            let hay = format!(
                "{} {}",
                t["title"].as_str().unwrap(),
                t["description"].as_str().unwrap_or("")
            )
            .to_lowercase();
            assert!(hay.contains(&needle), "q={p} matched {t} literally");
        }
        let tag = tag_of(p);
        let res = app
            .send(
                &a,
                Method::GET,
                &format!("{base}?tag={}&limit=200", enc_q(&tag)),
            )
            .await;
        let found: Vec<Value> = res.json().await.unwrap();
        assert!(found.iter().any(|t| t["id"] == task["id"]), "tag={tag}");
        assert!(
            found
                .iter()
                .all(|t| t["tags"].as_array().unwrap().contains(&json!(tag))),
            "tag={tag} is exact"
        );
    }
    // Updates too.
    let first = &created[0];
    let res = app.send_json(&a, Method::PUT, &format!("{base}/{}", first["id"]), &json!({ "title": "Robert'); DROP TABLE \"user\";--", "description": "x' WHERE 1=1; --" })).await;
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["title"], "Robert'); DROP TABLE \"user\";--");
    assert_eq!(updated["description"], "x' WHERE 1=1; --");

    // Enumerated parameters refuse SQL with a 422 naming the field.
    for (key, value) in [
        ("sort", "title; DROP TABLE task"),
        ("sort", "title\" DESC, \"id"),
        ("sort", "(SELECT 1)"),
        ("order", "asc; --"),
        ("order", "desc NULLS FIRST"),
        ("status", "all' OR '1'='1"),
        ("priority", "high' OR 1=1 --"),
        ("limit", "1; DROP TABLE task"),
        ("limit", "1 OR 1=1"),
        ("offset", "0 UNION SELECT 1"),
    ] {
        let res = app
            .send(&a, Method::GET, &format!("{base}?{key}={}", enc_q(value)))
            .await;
        assert_eq!(res.status(), 422, "{key}={value}");
        let err: Value = res.json().await.unwrap();
        assert!(err["errors"][key].is_array(), "{key} named: {err}");
    }
    // SQL in the user_id path segment is just another user's id: 403.
    for uid in [
        "' OR 1=1 --",
        "x' OR 'a'='a",
        "%",
        "*",
        &format!("{}' OR '1'='1", a.id),
    ] {
        let res = app
            .send(&a, Method::GET, &format!("/api/{}/tasks", enc_q(uid)))
            .await;
        assert_eq!(res.status(), 403, "user_id={uid}");
    }
    // Another user finds nothing of A's, whatever the wildcard or quote.
    for q in [
        "%' OR 1=1 --",
        "%",
        "_",
        "' OR '1'='1",
        "') OR ('1'='1",
        "\\",
        "*",
    ] {
        let res = app
            .send(
                &b,
                Method::GET,
                &format!("/api/{}/tasks?q={}", b.id, enc_q(q)),
            )
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["x-total-count"], "0", "B's q={q}");
        let res = app
            .send(
                &b,
                Method::GET,
                &format!("/api/{}/tasks?tag={}", b.id, enc_q(q)),
            )
            .await;
        assert_eq!(res.headers()["x-total-count"], "0", "B's tag={q}");
    }
    // The table, the tag index and both users are intact and still work.
    let res = app
        .send(&a, Method::GET, &format!("{base}?limit=200"))
        .await;
    assert_eq!(
        res.headers()["x-total-count"],
        SQL_PAYLOADS.len().to_string().as_str()
    );
    assert_eq!(task_titles(app, &b).await, ["B's private task"]);
    let extra = app
        .create_task(&a, json!({ "title": "after the payloads" }))
        .await;
    let res = app
        .send(&a, Method::DELETE, &format!("{base}/{}", extra["id"]))
        .await;
    assert_eq!(res.status(), 204);

    // Auth inputs: SQL in a name is stored literally; SQL in an e-mail is not a login.
    let name = "Robert'); DROP TABLE \"session\";--";
    let res = app
        .auth_post(
            "/sign-up/email",
            json!({ "name": name, "email": "o'reilly@example.com", "password": PASSWORD }),
            None,
        )
        .await;
    assert_eq!(res.status(), 200, "an apostrophe in an e-mail is valid");
    let cookie = session_cookie(&res).unwrap();
    let s = app.session(&cookie).await;
    assert_eq!(s["user"]["name"], name);
    assert_eq!(s["user"]["email"], "o'reilly@example.com");
    for email in [
        "' OR 1=1 --@example.com",
        "sql-a@example.com' --",
        "x@example.com' OR '1'='1",
        "sql-a@example.com\" OR \"\"=\"",
    ] {
        let res = app.sign_in(email, PASSWORD).await;
        assert!(
            matches!(res.status().as_u16(), 400 | 401),
            "sign-in as {email}: {}",
            res.status()
        );
    }
    let res = app.sign_in("o'reilly@example.com", PASSWORD).await;
    assert_eq!(res.status(), 200);
}

db_tests!(sql_metacharacters_are_data);
