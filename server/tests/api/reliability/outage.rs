//! PostgreSQL refusing connections, as while it restarts: every request fails fast
//! with 503 and `Retry-After` (never a hang, never a 500), `/readyz` reports it, and
//! the same process serves again once the database is back.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::{Connection, Executor, PgConnection};

use super::{ids, list};
use crate::helpers::{ApiUser, Backend, TestApp};

async fn admin(sql: String) {
    let mut admin = PgConnection::connect(&crate::helpers::postgres_admin_url())
        .await
        .unwrap();
    admin.execute(sql.as_str()).await.unwrap();
}

async fn statuses(app: &TestApp, me: &ApiUser) -> Vec<(String, u16, Value)> {
    let tasks = format!("/api/{}/tasks", me.id);
    let requests = [
        ("GET tasks", app.api(me, Method::GET, &tasks)),
        (
            "POST tasks",
            app.api(me, Method::POST, &tasks)
                .json(&json!({"title": "during the outage"})),
        ),
        (
            "GET session",
            app.client
                .get(app.url("/api/auth/get-session"))
                .header("cookie", &me.signed.cookie),
        ),
        ("GET readyz", app.client.get(app.url("/readyz"))),
    ];
    let mut out = Vec::new();
    for (name, request) in requests {
        let started = Instant::now();
        let res = request.send().await.unwrap();
        let status = res.status().as_u16();
        let retry_after = res.headers().get("retry-after").cloned();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{name} took {:?}: requests must fail fast, not hang",
            started.elapsed()
        );
        if status == 503 && name != "GET readyz" {
            assert_eq!(retry_after.unwrap(), "1", "{name}: Retry-After");
        }
        out.push((name.to_string(), status, body));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_is_a_fast_503_and_recovers() {
    if !crate::helpers::postgres_available().await {
        return;
    }
    let app = TestApp::spawn(Backend::Postgres).await;
    let me = app.api_user("outage@example.com").await;
    let before = app.create_task(&me, json!({"title": "before"})).await;
    let name = app.pg_database().unwrap().to_string();

    admin(format!(
        r#"ALTER DATABASE "{name}" ALLOW_CONNECTIONS false"#
    ))
    .await;
    admin(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ))
    .await;
    for (what, status, body) in statuses(&app, &me).await {
        assert_eq!(status, 503, "{what} during the outage: {body}");
        if what != "GET readyz" {
            assert_eq!(body["code"], "SERVICE_UNAVAILABLE", "{what}: {body}");
        }
    }

    admin(format!(r#"ALTER DATABASE "{name}" ALLOW_CONNECTIONS true"#)).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now: Vec<u16> = statuses(&app, &me)
            .await
            .into_iter()
            .map(|(_, s, _)| s)
            .collect();
        if now == [200, 201, 200, 200] {
            break;
        }
        assert!(Instant::now() < deadline, "no recovery: {now:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let (tasks, total) = list(&app, &me, "").await;
    assert!(ids(&tasks).contains(&before["id"].as_i64().unwrap()));
    assert!(
        total >= 2,
        "the task from before and the one after: {total}"
    );
    app.cleanup().await;
}
