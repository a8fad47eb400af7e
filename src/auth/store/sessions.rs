//! The `session` table: the rows behind session tokens and cookies.

use crate::{
    auth::model::Session,
    exec, fetch_all, fetch_optional, fetch_returning,
    storage::{Database, StorageError, Ts},
};

const SESSION_COLUMNS: &str =
    r#""id", "expiresAt", "token", "createdAt", "updatedAt", "ipAddress", "userAgent", "userId""#;

pub async fn insert_session(db: &Database, s: &Session) -> Result<(), StorageError> {
    let sql = format!(
        r#"INSERT INTO "session" ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"#
    );
    exec!(
        db,
        &sql,
        &s.id,
        s.expires_at,
        &s.token,
        s.created_at,
        s.updated_at,
        &s.ip_address,
        &s.user_agent,
        &s.user_id
    )?;
    Ok(())
}

pub async fn find_session(db: &Database, token: &str) -> Result<Option<Session>, StorageError> {
    let sql = format!(r#"SELECT {SESSION_COLUMNS} FROM "session" WHERE "token" = $1"#);
    Ok(fetch_optional!(db, &sql, token)?)
}

pub async fn extend_session(
    db: &Database,
    id: &str,
    expires_at: Ts,
    now: Ts,
) -> Result<(), StorageError> {
    exec!(
        db,
        r#"UPDATE "session" SET "expiresAt" = $1, "updatedAt" = $2 WHERE "id" = $3"#,
        expires_at,
        now,
        id
    )?;
    Ok(())
}

pub async fn list_sessions(
    db: &Database,
    user_id: &str,
    now: Ts,
) -> Result<Vec<Session>, StorageError> {
    let sql = format!(
        r#"SELECT {SESSION_COLUMNS} FROM "session" WHERE "userId" = $1 ORDER BY "createdAt""#
    );
    let rows: Vec<Session> = fetch_all!(db, &sql, user_id)?;
    // Filtered here rather than in SQL: dates may be stored in several encodings.
    Ok(rows.into_iter().filter(|s| s.expires_at > now).collect())
}

/// Deletes the session with `token`; answers whose it was, if it existed.
pub async fn delete_session_by_token(
    db: &Database,
    token: &str,
) -> Result<Option<String>, StorageError> {
    let owner: Option<(String,)> = fetch_returning!(
        db,
        r#"DELETE FROM "session" WHERE "token" = $1 RETURNING "userId""#,
        token
    )?;
    Ok(owner.map(|(user_id,)| user_id))
}

/// Deletes one of the user's sessions by token; someone else's token is left alone.
pub async fn delete_user_session(
    db: &Database,
    user_id: &str,
    token: &str,
) -> Result<(), StorageError> {
    exec!(
        db,
        r#"DELETE FROM "session" WHERE "token" = $1 AND "userId" = $2"#,
        token,
        user_id
    )?;
    Ok(())
}

/// Deletes one of the user's sessions by its id (the UI never sees session tokens).
pub async fn delete_user_session_by_id(
    db: &Database,
    user_id: &str,
    id: &str,
) -> Result<(), StorageError> {
    exec!(
        db,
        r#"DELETE FROM "session" WHERE "id" = $1 AND "userId" = $2"#,
        id,
        user_id
    )?;
    Ok(())
}

/// Deletes all of the user's sessions, except the one with token `keep` if given.
pub async fn delete_user_sessions(
    db: &Database,
    user_id: &str,
    keep: Option<&str>,
) -> Result<(), StorageError> {
    exec!(
        db,
        r#"DELETE FROM "session" WHERE "userId" = $1 AND "token" <> $2"#,
        user_id,
        keep.unwrap_or("")
    )?;
    Ok(())
}

/// Whether the user has a session created from the address `ip` (a device of theirs).
pub async fn has_session_from(
    db: &Database,
    user_id: &str,
    ip: &str,
) -> Result<bool, StorageError> {
    let found: Option<(String,)> = fetch_optional!(
        db,
        r#"SELECT "id" FROM "session" WHERE "userId" = $1 AND "ipAddress" = $2 LIMIT 1"#,
        user_id,
        ip
    )?;
    Ok(found.is_some())
}
