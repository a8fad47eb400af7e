//! A SQLite database from before migration 0009 (the task table rebuilt with its JSON in
//! a stored column): its tasks, tags, counters and id sequence come through the rebuild,
//! and the list reads the stored JSON exactly as single reads build it.

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::{Connection, SqliteConnection};

use super::titles;
use crate::helpers::{list_tasks as list, session_cookie, ApiUser, Signed, TestApp};

const PASSWORD: &str = "upgraded password 1";

/// Migrates a new SQLite file up to `before` (exclusive) and writes a user with three
/// tasks into it; the newest task is deleted again, so the id counter is above the
/// highest id left.
async fn database_before(url: &str, before: i64) {
    let mut conn = SqliteConnection::connect(url).await.unwrap();
    let mut migrator = sqlx::migrate!("../migrations/sqlite");
    migrator.migrations = migrator
        .migrations
        .iter()
        .filter(|m| m.version < before)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    migrator.run(&mut conn).await.unwrap();

    let hash = taskdeck::auth::password::better_auth_scrypt_hash(PASSWORD).unwrap();
    for sql in [
        r#"INSERT INTO "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt") VALUES ('u8', 'Up Grader', 'up@example.com', 1, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z')"#,
        r#"INSERT INTO "task" ("user_id", "title", "description", "completed", "priority", "tags", "due_date", "recurrence", "position", "created_at", "updated_at") VALUES
            ('u8', 'Water "the" plants', NULL, 0, 2, '["home","garden"]', '2026-12-05', 'FREQ=WEEKLY', '0000000000000001V', '2026-11-02T10:00:00.000Z', '2026-11-02T10:00:00.000Z'),
            ('u8', 'File taxes', 'before the 15th', 1, 0, '[]', NULL, NULL, '0000000000000002V', '2026-11-03T10:00:00.000Z', '2026-11-04T10:00:00.000Z'),
            ('u8', 'Gone soon', NULL, 0, 1, '["home"]', NULL, NULL, '0000000000000003V', '2026-11-05T10:00:00.000Z', '2026-11-05T10:00:00.000Z')"#,
        r#"INSERT INTO "task_tag" ("task_id", "user_id", "tag") VALUES (1, 'u8', 'home'), (1, 'u8', 'garden'), (3, 'u8', 'home')"#,
        r#"DELETE FROM "task" WHERE "id" = 3"#,
    ] {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    sqlx::query(r#"INSERT INTO "account" ("id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt", "issuer") VALUES ('a8', 'u8', 'credential', 'u8', $1, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', 'local:credential')"#)
        .bind(&hash)
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

async fn signed_in(app: &TestApp) -> ApiUser {
    let res = app.sign_in("up@example.com", PASSWORD).await;
    assert_eq!(res.status(), 200, "the user from before signs in");
    let cookie = session_cookie(&res).unwrap();
    let body: Value = res.json().await.unwrap();
    let signed = Signed {
        email: "up@example.com".into(),
        user_id: "u8".into(),
        cookie,
        body,
    };
    ApiUser {
        id: "u8".into(),
        token: app.jwt(&signed).await,
        signed,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_come_through_the_stored_json_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("v8.db").display());
    database_before(&url, 9).await;

    let app = TestApp::builder().database_url(&url).spawn().await;
    let up = signed_in(&app).await;

    let (tasks, total) = list(&app, &up, "").await;
    assert_eq!(total, 2, "the counters carried over");
    assert_eq!(titles(&tasks), ["File taxes", "Water \"the\" plants"]);
    assert_eq!(
        tasks[1],
        json!({
            "id": 1, "user_id": "u8", "title": "Water \"the\" plants", "description": null,
            "completed": false, "priority": "high", "tags": ["home", "garden"],
            "due_date": "2026-12-05", "recurrence": "FREQ=WEEKLY",
            "position": "0000000000000001V",
            "created_at": "2026-11-02T10:00:00.000Z", "updated_at": "2026-11-02T10:00:00.000Z"
        })
    );
    for task in &tasks {
        let one = app
            .get_json(&up, &format!("/api/u8/tasks/{}", task["id"]))
            .await;
        assert_eq!(&one, task, "the stored JSON is the single read's");
    }
    // The tag index survived the rebuild (its foreign key did not cascade).
    let (garden, _) = list(&app, &up, "tag=garden").await;
    assert_eq!(titles(&garden), ["Water \"the\" plants"]);

    // A deleted task's id is not given out again; the counter triggers are back.
    let new = app.create_task(&up, json!({ "title": "After" })).await;
    assert_eq!(new["id"], 4);
    let res = app
        .send(&up, Method::PATCH, "/api/u8/tasks/1/complete")
        .await;
    assert_eq!(res.status(), 200);
    let (done, total) = list(&app, &up, "status=completed").await;
    assert_eq!((titles(&done).len(), total), (2, 2));
    // Completing the weekly task opened its next occurrence, a row written by another
    // statement (and, like every row, with its JSON).
    let (open, total) = list(&app, &up, "status=pending").await;
    assert_eq!(total, 2);
    assert_eq!(titles(&open), ["Water \"the\" plants", "After"]);
    assert_eq!(
        (&open[0]["id"], &open[0]["due_date"], &open[0]["tags"]),
        (&json!(5), &json!("2026-12-12"), &json!(["home", "garden"]))
    );
    // An update is in the next list: the stored column follows every write.
    let res = app
        .send_json(
            &up,
            Method::PUT,
            "/api/u8/tasks/2",
            &json!({ "title": "Taxes filed", "tags": ["admin"] }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let (admin, _) = list(&app, &up, "tag=admin").await;
    assert_eq!(admin[0]["title"], "Taxes filed");
    assert_eq!(admin[0]["tags"], json!(["admin"]));
    assert_eq!(
        app.send(&up, Method::DELETE, "/api/u8/tasks/2")
            .await
            .status(),
        204
    );
    assert_eq!(list(&app, &up, "").await.1, 3);
    app.cleanup().await;
}
