//! The twoFactor plugin's table: one row per user who set up an authenticator, with
//! the encrypted secret and backup codes, whether the set-up was confirmed, the
//! failure counter behind the account lock-out, and (ours, beside the plugin's
//! columns) the last TOTP step used, so that no code works twice.

use crate::{
    exec, fetch_optional,
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

/// Starts (or restarts) authenticator set-up: one row per user (a unique index), so
/// two concurrent `enable` calls leave one row, holding the secret of the last. A
/// confirmed row stays confirmed, as the plugin keeps it.
pub async fn upsert_two_factor(
    db: &Database,
    id: &str,
    user_id: &str,
    secret: &str,
    backup_codes: &str,
) -> Result<(), StorageError> {
    exec!(
        db,
        r#"INSERT INTO "twoFactor" ("id", "secret", "backupCodes", "userId", "verified", "failedVerificationCount") VALUES ($1, $2, $3, $4, $5, 0)
           ON CONFLICT ("userId") DO UPDATE SET "secret" = excluded."secret", "backupCodes" = excluded."backupCodes", "lastTotpStep" = NULL"#,
        id,
        secret,
        backup_codes,
        user_id,
        false
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

/// Reserves one failure slot before a code is judged: the counter goes up at once, and
/// the slot that reaches `lock_after` also sets the lock. `false`: locked (or a lock
/// not cleared yet), nothing reserved. Concurrent guesses each take their own slot,
/// so no burst gets past `lock_after` (a right code clears the counter afterwards).
pub async fn reserve_two_factor_failure(
    db: &Database,
    id: &str,
    lock_after: i64,
    lock_until: Ts,
) -> Result<bool, StorageError> {
    let sql = r#"UPDATE "twoFactor" SET "failedVerificationCount" = COALESCE("failedVerificationCount", 0) + 1,
        "lockedUntil" = CASE WHEN COALESCE("failedVerificationCount", 0) + 1 >= $2 THEN $3 ELSE NULL END
        WHERE "id" = $1 AND "lockedUntil" IS NULL AND COALESCE("failedVerificationCount", 0) < $2"#;
    let done = with_pool!(db, |pool| sqlx::query(sql)
        .bind(id)
        .bind(lock_after)
        .bind(lock_until)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Gives a reserved slot back (the code was never judged: a server-side failure).
pub async fn release_two_factor_failure(db: &Database, id: &str) -> Result<(), StorageError> {
    exec!(
        db,
        r#"UPDATE "twoFactor" SET "failedVerificationCount" = "failedVerificationCount" - 1, "lockedUntil" = NULL WHERE "id" = $1 AND "failedVerificationCount" > 0"#,
        id
    )?;
    Ok(())
}

/// Clears a lock that has run out, only if it is still the lock `seen` (a newer lock,
/// set since, stays). Whether it was cleared.
pub async fn clear_expired_two_factor_lock(
    db: &Database,
    id: &str,
    seen: Ts,
) -> Result<bool, StorageError> {
    let sql = r#"UPDATE "twoFactor" SET "failedVerificationCount" = 0, "lockedUntil" = NULL WHERE "id" = $1 AND "lockedUntil" = $2"#;
    let done = with_pool!(db, |pool| sqlx::query(sql)
        .bind(id)
        .bind(seen)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done >= 1)
}

/// Records `step` as the last TOTP time step used, if it is newer than the last one:
/// `false` means the code (or an older one) was used already (RFC 6238 §5.2).
pub async fn use_totp_step(db: &Database, id: &str, step: i64) -> Result<bool, StorageError> {
    let sql = r#"UPDATE "twoFactor" SET "lastTotpStep" = $1 WHERE "id" = $2 AND ("lastTotpStep" IS NULL OR "lastTotpStep" < $1)"#;
    let done = with_pool!(db, |pool| sqlx::query(sql)
        .bind(step)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
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

/// Deletes a set-up that was never confirmed (a confirmed row stays).
pub async fn delete_pending_two_factor(db: &Database, id: &str) -> Result<(), StorageError> {
    exec!(
        db,
        r#"DELETE FROM "twoFactor" WHERE "id" = $1 AND "verified" = $2"#,
        id,
        false
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
