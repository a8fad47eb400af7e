//! Housekeeping the server does by itself (review L11): expired `verification` rows
//! (abandoned sign-in challenges and their counters, old reset and e-mail links) are
//! deleted at start and every few minutes, in every date encoding a Better Auth
//! database may hold, and rows still valid are left alone.

use sqlx::{Connection, PgConnection, SqliteConnection};

use crate::helpers::TestApp;

/// Rows as Better Auth and Drizzle write them: ISO text and epoch milliseconds on
/// SQLite, `timestamptz` on PostgreSQL (where the text casts).
fn insert_sql(sqlite: bool, id: &str, ms: i64) -> String {
    let at = chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    if sqlite && id.ends_with("-ms") {
        format!(
            r#"INSERT INTO "verification" ("id", "identifier", "value", "expiresAt", "createdAt", "updatedAt")
               VALUES ('{id}', '{id}', 'v', {ms}, {ms}, {ms})"#
        )
    } else {
        let cast = if sqlite { "" } else { "::timestamptz" };
        format!(
            r#"INSERT INTO "verification" ("id", "identifier", "value", "expiresAt", "createdAt", "updatedAt")
               VALUES ('{id}', '{id}', 'v', '{at}'{cast}, '{at}'{cast}, '{at}'{cast})"#
        )
    }
}

/// Runs `statements`, then answers the ids left in `verification`, on a connection of
/// the test's own (closed before it returns).
async fn run(url: &str, statements: &[String]) -> Vec<String> {
    let select = r#"SELECT "id" FROM "verification" ORDER BY "id""#;
    if url.starts_with("sqlite") {
        let mut conn = SqliteConnection::connect(url).await.unwrap();
        for sql in statements {
            sqlx::query(sql).execute(&mut conn).await.unwrap();
        }
        let ids = sqlx::query_scalar(select)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        ids
    } else {
        let mut conn = PgConnection::connect(url).await.unwrap();
        for sql in statements {
            sqlx::query(sql).execute(&mut conn).await.unwrap();
        }
        let ids = sqlx::query_scalar(select)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        ids
    }
}

async fn expired_verification_rows_are_swept_at_start(app: &TestApp) {
    let url = app.database_url();
    let sqlite = url.starts_with("sqlite");
    let now = chrono::Utc::now().timestamp_millis();
    let hour = 3_600_000;
    let rows: Vec<String> = [
        ("old-iso", now - hour),
        ("old-ms", now - hour),
        ("new-iso", now + hour),
        ("new-ms", now + hour),
    ]
    .iter()
    .map(|(id, at)| insert_sql(sqlite, id, *at))
    .collect();
    let before = run(&url, &rows).await;
    assert_eq!(before.len(), 4);
    // A second instance on the same database sweeps as it starts.
    let other = TestApp::builder().database_url(&url).spawn().await;
    let left = run(&url, &[]).await;
    assert_eq!(
        left,
        ["new-iso", "new-ms"],
        "expired rows went, valid ones stayed"
    );
    other.cleanup().await;
}

db_tests!(expired_verification_rows_are_swept_at_start);
