//! SQLite's write-ahead log stays small: it is checkpointed after every kind of task
//! write, the one-statement ones included (a create without tags, an update without
//! tags, a delete), and a log file that grew behind a reader is cut back once the log
//! starts over. A write that commits without the log's hook is never followed by the
//! automatic checkpoint, and the log file then grows until the disk is full.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Backend, TestApp};

/// SQLite checkpoints once the log holds this many pages (`wal_autocheckpoint`, its
/// default), after the commit that crossed it.
const AUTO_CHECKPOINT_PAGES: i64 = 1000;
/// Pages one task write may add after that (a create changes the table, its indexes
/// and the counters: about 13).
const ONE_WRITE_PAGES: i64 = 50;

/// The size the server's connections cut the log file back to (`journal_size_limit`,
/// set in `storage::open_sqlite`).
const WAL_SIZE_LIMIT: u64 = 32 * 1024 * 1024;

/// Pages in the log now, from `PRAGMA wal_checkpoint(PASSIVE)`, which also checkpoints
/// them, so that the next phase starts from an empty log.
async fn pages_in_the_log(db: &sqlx::SqlitePool) -> i64 {
    let (busy, log, _done): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(db)
        .await
        .expect("checkpoint");
    assert_eq!(busy, 0, "nothing else writes during the test");
    log
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_is_checkpointed_after_one_statement_writes() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let db = sqlx::SqlitePool::connect(&app.database_url())
        .await
        .unwrap();
    let ann = app.api_user("wal@example.com").await;
    let tasks = format!("/api/{}/tasks", ann.id);
    pages_in_the_log(&db).await;

    let mut ids = Vec::new();
    for i in 0..250 {
        let task = app
            .create_task(&ann, json!({ "title": format!("Task {i}") }))
            .await;
        ids.push(task["id"].as_i64().unwrap());
    }
    let after_creates = pages_in_the_log(&db).await;

    for (n, id) in ids.iter().cycle().take(400).enumerate() {
        let priority = ["low", "high"][n % 2];
        let change = json!({
            "title": format!("Renamed {n}"),
            "priority": priority,
            "due_date": format!("2030-01-{:02}", n % 28 + 1),
        });
        let res = app
            .send_json(&ann, Method::PUT, &format!("{tasks}/{id}"), &change)
            .await;
        assert_eq!(res.status(), 200);
    }
    let after_updates = pages_in_the_log(&db).await;

    for id in &ids {
        let res = app
            .send(&ann, Method::DELETE, &format!("{tasks}/{id}"))
            .await;
        assert_eq!(res.status(), 204);
    }
    let after_deletes = pages_in_the_log(&db).await;

    let limit = AUTO_CHECKPOINT_PAGES + ONE_WRITE_PAGES;
    let grown: Vec<String> = [
        ("250 creates", after_creates),
        ("400 updates", after_updates),
        ("250 deletes", after_deletes),
    ]
    .into_iter()
    .filter(|(_, pages)| *pages > limit)
    .map(|(writes, pages)| format!("after {writes} the log holds {pages} pages"))
    .collect();
    assert!(grown.is_empty(), "no automatic checkpoint ran: {grown:?}");
    db.close().await;
    app.cleanup().await;
}

/// The path of the database's `-wal` file.
async fn log_file(db: &sqlx::SqlitePool) -> String {
    let file: String =
        sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(db)
            .await
            .expect("the database file");
    format!("{file}-wal")
}

/// The file's size in bytes (0 when there is none).
fn bytes(file: &str) -> u64 {
    std::fs::metadata(file).map_or(0, |m| m.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_that_grew_behind_a_reader_gives_its_space_back() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let db = sqlx::SqlitePool::connect(&app.database_url())
        .await
        .unwrap();
    let ann = app.api_user("grown@example.com").await;
    let task = |i: usize| json!({ "title": format!("Task {i}"), "description": "x".repeat(500) });
    let wal = log_file(&db).await;

    // A read transaction that stays open: the log cannot start over behind it.
    let mut reader = db.begin().await.unwrap();
    let _: i64 = sqlx::query_scalar(r#"SELECT COUNT(*) FROM "task""#)
        .fetch_one(&mut *reader)
        .await
        .unwrap();
    let mut creates = 0;
    while bytes(&wal) <= WAL_SIZE_LIMIT + WAL_SIZE_LIMIT / 4 {
        assert!(
            creates < 5_000,
            "{creates} creates did not grow the log past the limit"
        );
        for _ in 0..50 {
            app.create_task(&ann, task(creates)).await;
            creates += 1;
        }
    }
    let grown = bytes(&wal);
    reader.rollback().await.unwrap();

    // The next write checkpoints the whole log, the one after starts it over, and that
    // commit cuts the file back (a few more writes, should anything else read meanwhile).
    let mut after = grown;
    for i in 0..20 {
        app.create_task(&ann, task(creates + i)).await;
        after = bytes(&wal);
        if after <= WAL_SIZE_LIMIT {
            break;
        }
    }
    assert!(
        after <= WAL_SIZE_LIMIT,
        "the log file stayed at {after} bytes after growing to {grown} behind a reader"
    );
    db.close().await;
    app.cleanup().await;
}
