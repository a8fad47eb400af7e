//! The `verification` table: single-use tokens such as password-reset links.

use crate::{
    auth::model::Verification,
    exec, fetch_all, fetch_optional, fetch_returning,
    storage::{Database, StorageError, Ts},
    with_pool,
};

pub async fn insert_verification(
    db: &Database,
    id: &str,
    identifier: &str,
    value: &str,
    expires_at: Ts,
) -> Result<(), StorageError> {
    let now = Ts::now();
    exec!(
        db,
        r#"INSERT INTO "verification" ("id", "identifier", "value", "expiresAt", "createdAt", "updatedAt") VALUES ($1, $2, $3, $4, $5, $6)"#,
        id,
        identifier,
        value,
        expires_at,
        now,
        now
    )?;
    Ok(())
}

/// Removes and returns the row for `identifier`: single use even under concurrency,
/// because only one `DELETE … RETURNING` can take a given row.
pub async fn take_verification(
    db: &Database,
    identifier: &str,
) -> Result<Option<Verification>, StorageError> {
    Ok(fetch_returning!(
        db,
        r#"DELETE FROM "verification" WHERE "identifier" = $1 RETURNING "id", "identifier", "value", "expiresAt""#,
        identifier
    )?)
}

/// Deletes every outstanding password-reset token of a user (after a reset or a
/// password change, a link mailed earlier must not work any more).
pub async fn delete_reset_tokens(db: &Database, user_id: &str) -> Result<(), StorageError> {
    exec!(
        db,
        r#"DELETE FROM "verification" WHERE "identifier" LIKE 'reset-password:%' AND "value" = $1"#,
        user_id
    )?;
    Ok(())
}

/// Looks at a verification row without consuming it.
pub async fn peek_verification(
    db: &Database,
    identifier: &str,
) -> Result<Option<Verification>, StorageError> {
    Ok(fetch_optional!(
        db,
        r#"SELECT "id", "identifier", "value", "expiresAt" FROM "verification" WHERE "identifier" = $1"#,
        identifier
    )?)
}

/// Deletes every row that expired before `now` (Better Auth deletes them as it reads
/// them; rows nobody reads again, such as abandoned sign-in challenges, would stay for
/// ever). Answers how many went. On SQLite a date may be ISO text or epoch
/// milliseconds; text nobody can read as a date is left alone.
pub async fn delete_expired_verifications(db: &Database, now: Ts) -> Result<u64, StorageError> {
    let deleted = match db {
        Database::Sqlite(pool) => sqlx::query(
            r#"DELETE FROM "verification" WHERE CASE typeof("expiresAt")
                     WHEN 'integer' THEN "expiresAt" < $1
                     WHEN 'real' THEN "expiresAt" < $1
                     ELSE julianday("expiresAt") < julianday($2) END"#,
        )
        .bind(now.0.timestamp_millis())
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected(),
        Database::Postgres(pool) => {
            sqlx::query(r#"DELETE FROM "verification" WHERE "expiresAt" < $1"#)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        }
    };
    Ok(deleted)
}

/// Replaces a row's value (and expiry) only if it is still `seen`: a compare-and-swap,
/// so counters kept in rows (attempts, sends, lock-outs) count every concurrent use.
pub async fn swap_verification_value(
    db: &Database,
    identifier: &str,
    seen: &str,
    value: &str,
    expires_at: Ts,
) -> Result<bool, StorageError> {
    let sql = r#"UPDATE "verification" SET "value" = $1, "expiresAt" = $2, "updatedAt" = $3 WHERE "identifier" = $4 AND "value" = $5"#;
    let done = with_pool!(db, |pool| sqlx::query(sql)
        .bind(value)
        .bind(expires_at)
        .bind(Ts::now())
        .bind(identifier)
        .bind(seen)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done >= 1)
}

/// Deletes a user's rows of one kind: identifiers starting with `prefix` whose value
/// is the user id (trusted devices, sign-in challenges).
pub async fn delete_user_verifications(
    db: &Database,
    prefix: &str,
    user_id: &str,
) -> Result<(), StorageError> {
    exec!(
        db,
        r#"DELETE FROM "verification" WHERE "identifier" LIKE $1 AND "value" = $2"#,
        format!("{prefix}%"),
        user_id
    )?;
    Ok(())
}

/// Deletes one of a user's rows of one kind, by its row id.
pub async fn delete_user_verification_by_id(
    db: &Database,
    prefix: &str,
    user_id: &str,
    id: &str,
) -> Result<(), StorageError> {
    exec!(
        db,
        r#"DELETE FROM "verification" WHERE "id" = $1 AND "identifier" LIKE $2 AND "value" = $3"#,
        id,
        format!("{prefix}%"),
        user_id
    )?;
    Ok(())
}

/// A user's live rows of one kind (identifier prefix, value the user id), soonest
/// ending last.
pub async fn list_user_verifications(
    db: &Database,
    prefix: &str,
    user_id: &str,
) -> Result<Vec<Verification>, StorageError> {
    let rows: Vec<Verification> = fetch_all!(
        db,
        r#"SELECT "id", "identifier", "value", "expiresAt" FROM "verification" WHERE "identifier" LIKE $1 AND "value" = $2"#,
        format!("{prefix}%"),
        user_id
    )?;
    let now = Ts::now();
    let mut rows: Vec<Verification> = rows.into_iter().filter(|r| r.expires_at > now).collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.expires_at));
    Ok(rows)
}
