//! SQL for the auth tables, portable across SQLite and PostgreSQL.
//!
//! Columns are Better Auth's (quoted camelCase). The few shape differences between
//! Better Auth versions (1.7's `account.issuer`, `jwks.alg`/`crv`, `jwks.expiresAt`)
//! are detected once at start-up into [`AuthSchema`] and every query honours it.

use crate::storage::{Database, StorageError};

mod accounts;
mod jwks;
mod passkeys;
mod sessions;
mod two_factor;
mod users;
mod verifications;

pub use accounts::{
    account_with_tokens, credential_password, delete_account, find_provider_account,
    insert_credential_account, insert_provider_account, list_accounts, set_account_password,
    update_account_tokens, AccountRow, AccountTokens, AccountWithTokens, NewAccount,
};
pub use jwks::{insert_jwk, list_jwks};
pub use passkeys::{
    advance_passkey_counter, delete_passkey, find_passkey, find_passkey_by_credential,
    insert_passkey, list_passkeys, rename_passkey,
};
pub use sessions::{
    delete_session_by_token, delete_user_session, delete_user_session_by_id, delete_user_sessions,
    extend_session, find_session, has_session_from, insert_session, list_sessions,
};
pub use two_factor::{
    clear_expired_two_factor_lock, delete_pending_two_factor, delete_two_factor, find_two_factor,
    mark_two_factor_verified, release_two_factor_failure, reserve_two_factor_failure,
    reset_two_factor_failures, set_backup_codes, swap_backup_codes, upsert_two_factor,
    use_totp_step, TwoFactorRow,
};
pub use users::{
    create_user_with_password, create_user_with_provider_account, delete_user, find_user_by_email,
    find_user_by_id, mark_email_verified, set_two_factor_enabled, update_user_profile,
};
pub use verifications::{
    delete_expired_verifications, delete_reset_tokens, delete_user_verification_by_id,
    delete_user_verifications, insert_verification, list_user_verifications, peek_verification,
    swap_verification_value, take_verification,
};

/// The issuer Better Auth 1.7 writes on credential accounts.
pub const CREDENTIAL_ISSUER: &str = "local:credential";
pub const CREDENTIAL_PROVIDER: &str = "credential";

/// Which optional columns this database has (databases made by Better Auth ≤ 1.6 lack
/// the 1.7 ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthSchema {
    pub account_issuer: bool,
    pub jwks_alg: bool,
    pub jwks_expires_at: bool,
}

impl AuthSchema {
    pub async fn detect(db: &Database) -> Result<Self, StorageError> {
        Ok(Self {
            account_issuer: has_column(db, "account", "issuer").await?,
            jwks_alg: has_column(db, "jwks", "alg").await?,
            jwks_expires_at: has_column(db, "jwks", "expiresAt").await?,
        })
    }
}

async fn has_column(db: &Database, table: &str, column: &str) -> Result<bool, StorageError> {
    let count: i64 = match db {
        Database::Sqlite(pool) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM pragma_table_info($1) WHERE name = $2")
                .bind(table)
                .bind(column)
                .fetch_one(pool)
                .await?
        }
        Database::Postgres(pool) => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2",
            )
            .bind(table)
            .bind(column)
            .fetch_one(pool)
            .await?
        }
    };
    Ok(count > 0)
}
