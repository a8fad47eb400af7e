//! The credential rows of the `account` table, where password hashes live.

use crate::{
    exec, fetch_optional,
    storage::{Database, StorageError, Ts},
};

use super::{AuthSchema, CREDENTIAL_ISSUER, CREDENTIAL_PROVIDER};

pub(super) fn account_insert_sql(schema: AuthSchema) -> String {
    if schema.account_issuer {
        format!(
            r#"INSERT INTO "account" ("id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt", "issuer") VALUES ($1, $2, $3, $4, $5, $6, $7, '{CREDENTIAL_ISSUER}')"#
        )
    } else {
        r#"INSERT INTO "account" ("id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt") VALUES ($1, $2, $3, $4, $5, $6, $7)"#.to_string()
    }
}

/// The credential account's `(id, password hash)`, as Better Auth selects it.
pub async fn credential_password(
    db: &Database,
    schema: AuthSchema,
    user_id: &str,
) -> Result<Option<(String, Option<String>)>, StorageError> {
    let issuer = if schema.account_issuer {
        format!(r#" AND ("issuer" = '{CREDENTIAL_ISSUER}' AND "accountId" = "userId")"#)
    } else {
        String::new()
    };
    let sql = format!(
        r#"SELECT "id", "password" FROM "account" WHERE "userId" = $1 AND "providerId" = '{CREDENTIAL_PROVIDER}'{issuer} ORDER BY "createdAt" LIMIT 1"#
    );
    Ok(fetch_optional!(db, &sql, user_id)?)
}

pub async fn set_account_password(
    db: &Database,
    account_row_id: &str,
    hash: &str,
) -> Result<(), StorageError> {
    exec!(
        db,
        r#"UPDATE "account" SET "password" = $1, "updatedAt" = $2 WHERE "id" = $3"#,
        hash,
        Ts::now(),
        account_row_id
    )?;
    Ok(())
}

/// Creates the credential account for a user who has none (password reset for a user
/// who signed up another way).
pub async fn insert_credential_account(
    db: &Database,
    schema: AuthSchema,
    account_id: &str,
    user_id: &str,
    hash: &str,
) -> Result<(), StorageError> {
    let sql = account_insert_sql(schema);
    let now = Ts::now();
    exec!(
        db,
        &sql,
        account_id,
        user_id,
        CREDENTIAL_PROVIDER,
        user_id,
        hash,
        now,
        now
    )?;
    Ok(())
}
