//! The twoFactor plugin's table: one row per user who set up an authenticator, with
//! the encrypted secret and backup codes, whether the set-up was confirmed, and the
//! failure counter behind the account lock-out.

use crate::{
    exec, fetch_one, fetch_optional,
    storage::{Database, StorageError, Ts},
    with_pool,
};

/// A `twoFactor` row. `verified` and the counters are read with defaults: rows written
/// by older plugins have them NULL, and the plugin treats those as verified.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TwoFactorRow {
    pub id: String,
    pub secret: String,
    #[sqlx(rename = "backupCodes")]
    pub backup_codes: String,
    #[sqlx(rename = "userId")]
    pub user_id: String,
    pub verified: bool,
    #[sqlx(rename = "lockedUntil")]
    pub locked_until: Option<Ts>,
}

const SELECT: &str = r#"SELECT "id", "secret", "backupCodes", "userId", COALESCE("verified", TRUE) AS "verified", "lockedUntil" FROM "twoFactor""#;

pub async fn find_two_factor(
    db: &Database,
    user_id: &str,
) -> Result<Option<TwoFactorRow>, StorageError> {
    let sql = format!(r#"{SELECT} WHERE "userId" = $1"#);
    Ok(fetch_optional!(db, &sql, user_id)?)
}

pub async fn insert_two_factor(
    db: &Database,
    id: &str,
    user_id: &str,
    secret: &str,
    backup_codes: &str,
    verified: bool,
) -> Result<(), StorageError> {
    exec!(
        db,
        r#"INSERT INTO "twoFactor" ("id", "secret", "backupCodes", "userId", "verified", "failedVerificationCount") VALUES ($1, $2, $3, $4, $5, 0)"#,
        id,
        secret,
        backup_codes,
        user_id,
        verified
    )?;
    Ok(())
}

/// A new secret and codes on an existing row (enabling again before confirming).
pub async fn replace_two_factor_secret(
    db: &Database,
    id: &str,
    secret: &str,
    backup_codes: &str,
    verified: bool,
) -> Result<(), StorageError> {
    exec!(
        db,
        r#"UPDATE "twoFactor" SET "secret" = $1, "backupCodes" = $2, "verified" = $3 WHERE "id" = $4"#,
        secret,
        backup_codes,
        verified,
        id
    )?;
    Ok(())
}

pub async fn mark_two_factor_verified(db: &Database, id: &str) -> Result<(), StorageError> {
    exec!(
        db,
        r#"UPDATE "twoFactor" SET "verified" = TRUE WHERE "id" = $1"#,
        id
    )?;
    Ok(())
}

pub async fn set_backup_codes(
    db: &Database,
    id: &str,
    backup_codes: &str,
) -> Result<(), StorageError> {
    exec!(
        db,
        r#"UPDATE "twoFactor" SET "backupCodes" = $1 WHERE "id" = $2"#,
        backup_codes,
        id
    )?;
    Ok(())
}

/// Replaces the codes only if they are still `seen`: of two concurrent uses of one
/// backup code, one wins and the other is refused.
pub async fn swap_backup_codes(
    db: &Database,
    id: &str,
    seen: &str,
    backup_codes: &str,
) -> Result<bool, StorageError> {
    let sql = r#"UPDATE "twoFactor" SET "backupCodes" = $1 WHERE "id" = $2 AND "backupCodes" = $3"#;
    let done = with_pool!(db, |pool| sqlx::query(sql)
        .bind(backup_codes)
        .bind(id)
        .bind(seen)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Counts a failed code and locks the factor until `lock_until` once the count
/// reaches `lock_after`.
pub async fn record_two_factor_failure(
    db: &Database,
    id: &str,
    lock_after: i64,
    lock_until: Ts,
) -> Result<(), StorageError> {
    let (count,): (i64,) = fetch_one!(
        db,
        r#"UPDATE "twoFactor" SET "failedVerificationCount" = COALESCE("failedVerificationCount", 0) + 1 WHERE "id" = $1 RETURNING CAST("failedVerificationCount" AS BIGINT)"#,
        id
    )?;
    if count >= lock_after {
        exec!(
            db,
            r#"UPDATE "twoFactor" SET "lockedUntil" = $1 WHERE "id" = $2"#,
            lock_until,
            id
        )?;
    }
    Ok(())
}

/// Clears the counter and any lock (after a right code, or once a lock has run out).
pub async fn reset_two_factor_failures(db: &Database, id: &str) -> Result<(), StorageError> {
    exec!(
        db,
        r#"UPDATE "twoFactor" SET "failedVerificationCount" = 0, "lockedUntil" = NULL WHERE "id" = $1"#,
        id
    )?;
    Ok(())
}

pub async fn delete_two_factor(db: &Database, user_id: &str) -> Result<(), StorageError> {
    exec!(
        db,
        r#"DELETE FROM "twoFactor" WHERE "userId" = $1"#,
        user_id
    )?;
    Ok(())
}
