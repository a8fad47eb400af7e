//! The passkey plugin's table: one row per registered credential, found by its
//! credential id at sign-in (Better Auth never stores the user handle) and by its
//! user for the settings list.

use crate::{
    auth::model::Passkey,
    exec, fetch_all, fetch_optional,
    storage::{Database, StorageError},
    with_pool,
};

/// The counter is read as a 64-bit number: the column is a 32-bit `integer` on
/// PostgreSQL, the authenticator's counter an unsigned 32-bit one.
const SELECT: &str = r#"SELECT "id", "name", "publicKey", "userId", "credentialID", CAST("counter" AS BIGINT) AS "counter", "deviceType", "backedUp", "transports", "createdAt", "aaguid" FROM "passkey""#;

pub async fn list_passkeys(db: &Database, user_id: &str) -> Result<Vec<Passkey>, StorageError> {
    let sql = format!(r#"{SELECT} WHERE "userId" = $1 ORDER BY "createdAt", "id""#);
    Ok(fetch_all!(db, &sql, user_id)?)
}

pub async fn find_passkey_by_credential(
    db: &Database,
    credential_id: &str,
) -> Result<Option<Passkey>, StorageError> {
    let sql = format!(r#"{SELECT} WHERE "credentialID" = $1"#);
    Ok(fetch_optional!(db, &sql, credential_id)?)
}

pub async fn find_passkey(db: &Database, id: &str) -> Result<Option<Passkey>, StorageError> {
    let sql = format!(r#"{SELECT} WHERE "id" = $1"#);
    Ok(fetch_optional!(db, &sql, id)?)
}

pub async fn insert_passkey(db: &Database, p: &Passkey) -> Result<(), StorageError> {
    exec!(
        db,
        r#"INSERT INTO "passkey" ("id", "name", "publicKey", "userId", "credentialID", "counter", "deviceType", "backedUp", "transports", "createdAt", "aaguid") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"#,
        &p.id,
        &p.name,
        &p.public_key,
        &p.user_id,
        &p.credential_id,
        p.counter,
        &p.device_type,
        p.backed_up,
        &p.transports,
        p.created_at,
        &p.aaguid
    )?;
    Ok(())
}

/// Moves the counter from `seen` to `next`; false if another sign-in moved it first
/// (two uses of one counter value: a cloned authenticator, or a replay race).
pub async fn advance_passkey_counter(
    db: &Database,
    id: &str,
    seen: i64,
    next: i64,
) -> Result<bool, StorageError> {
    let done = with_pool!(db, |pool| sqlx::query(
        r#"UPDATE "passkey" SET "counter" = $1 WHERE "id" = $2 AND "counter" = $3"#
    )
    .bind(next)
    .bind(id)
    .bind(seen)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Renames one of the user's passkeys (someone else's is left alone).
pub async fn rename_passkey(
    db: &Database,
    id: &str,
    user_id: &str,
    name: &str,
) -> Result<(), StorageError> {
    exec!(
        db,
        r#"UPDATE "passkey" SET "name" = $1 WHERE "id" = $2 AND "userId" = $3"#,
        name,
        id,
        user_id
    )?;
    Ok(())
}

/// Deletes one of the user's passkeys (someone else's is left alone).
pub async fn delete_passkey(db: &Database, id: &str, user_id: &str) -> Result<(), StorageError> {
    exec!(
        db,
        r#"DELETE FROM "passkey" WHERE "id" = $1 AND "userId" = $2"#,
        id,
        user_id
    )?;
    Ok(())
}
