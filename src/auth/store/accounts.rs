//! The `account` table: credential rows, where password hashes live, and accounts at
//! other providers (social sign-in), with their tokens.

use crate::{
    exec, fetch_all, fetch_optional,
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

// --- accounts at other providers (social sign-in) ------------------------------------

/// An account row as `list-accounts` shows it (no tokens, no password).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: String,
    #[sqlx(rename = "providerId")]
    pub provider_id: String,
    #[sqlx(rename = "accountId")]
    pub account_id: String,
    #[sqlx(rename = "userId")]
    pub user_id: String,
    pub scope: Option<String>,
    #[sqlx(rename = "createdAt")]
    pub created_at: Ts,
    #[sqlx(rename = "updatedAt")]
    pub updated_at: Ts,
}

/// The tokens an account row keeps (Better Auth's columns).
pub struct AccountTokens<'a> {
    pub access_token: Option<&'a str>,
    pub refresh_token: Option<&'a str>,
    pub id_token: Option<&'a str>,
    pub access_token_expires_at: Option<Ts>,
    pub scope: Option<&'a str>,
}

/// A new account row at a provider: `issuer` is written where the database has the
/// column (Better Auth 1.7).
pub struct NewAccount<'a> {
    pub id: &'a str,
    pub provider_id: &'a str,
    pub account_id: &'a str,
    pub user_id: &'a str,
    pub issuer: &'a str,
    pub tokens: AccountTokens<'a>,
}

pub(super) fn oauth_account_insert_sql(schema: AuthSchema) -> &'static str {
    if schema.account_issuer {
        r#"INSERT INTO "account" ("id", "accountId", "providerId", "userId", "accessToken", "refreshToken", "idToken", "accessTokenExpiresAt", "scope", "createdAt", "updatedAt", "issuer") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)"#
    } else {
        r#"INSERT INTO "account" ("id", "accountId", "providerId", "userId", "accessToken", "refreshToken", "idToken", "accessTokenExpiresAt", "scope", "createdAt", "updatedAt") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)"#
    }
}

/// Binds a [`NewAccount`] to [`oauth_account_insert_sql`]'s placeholders.
macro_rules! bind_new_account {
    ($query:expr, $a:expr, $now:expr) => {
        $query
            .bind($a.id)
            .bind($a.account_id)
            .bind($a.provider_id)
            .bind($a.user_id)
            .bind($a.tokens.access_token)
            .bind($a.tokens.refresh_token)
            .bind($a.tokens.id_token)
            .bind($a.tokens.access_token_expires_at)
            .bind($a.tokens.scope)
            .bind($now)
            .bind($a.issuer)
    };
}
pub(super) use bind_new_account;

/// The user who owns the account `account_id` at `provider_id`: `(row id, user id)`.
pub async fn find_provider_account(
    db: &Database,
    provider_id: &str,
    account_id: &str,
) -> Result<Option<(String, String)>, StorageError> {
    Ok(fetch_optional!(
        db,
        r#"SELECT "id", "userId" FROM "account" WHERE "providerId" = $1 AND "accountId" = $2"#,
        provider_id,
        account_id
    )?)
}

pub async fn insert_provider_account(
    db: &Database,
    schema: AuthSchema,
    account: &NewAccount<'_>,
) -> Result<(), StorageError> {
    let sql = oauth_account_insert_sql(schema);
    let now = Ts::now();
    crate::with_pool!(db, |pool| bind_new_account!(sqlx::query(sql), account, now)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// A later sign-in's tokens replace the stored ones (the scope stays, as Better Auth
/// keeps it).
pub async fn update_account_tokens(
    db: &Database,
    row_id: &str,
    tokens: &AccountTokens<'_>,
) -> Result<(), StorageError> {
    exec!(
        db,
        r#"UPDATE "account" SET "accessToken" = COALESCE($1, "accessToken"), "refreshToken" = COALESCE($2, "refreshToken"), "idToken" = COALESCE($3, "idToken"), "accessTokenExpiresAt" = COALESCE($4, "accessTokenExpiresAt"), "updatedAt" = $5 WHERE "id" = $6"#,
        tokens.access_token,
        tokens.refresh_token,
        tokens.id_token,
        tokens.access_token_expires_at,
        Ts::now(),
        row_id
    )?;
    Ok(())
}

/// One of the user's accounts with its tokens (`get-access-token`, `refresh-token`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountWithTokens {
    pub id: String,
    #[sqlx(rename = "providerId")]
    pub provider_id: String,
    #[sqlx(rename = "accountId")]
    pub account_id: String,
    #[sqlx(rename = "accessToken")]
    pub access_token: Option<String>,
    #[sqlx(rename = "refreshToken")]
    pub refresh_token: Option<String>,
    #[sqlx(rename = "idToken")]
    pub id_token: Option<String>,
    #[sqlx(rename = "accessTokenExpiresAt")]
    pub access_token_expires_at: Option<Ts>,
    #[sqlx(rename = "refreshTokenExpiresAt")]
    pub refresh_token_expires_at: Option<Ts>,
    pub scope: Option<String>,
}

/// The account `id` if it is `user_id`'s.
pub async fn account_with_tokens(
    db: &Database,
    id: &str,
    user_id: &str,
) -> Result<Option<AccountWithTokens>, StorageError> {
    Ok(fetch_optional!(
        db,
        r#"SELECT "id", "providerId", "accountId", "accessToken", "refreshToken", "idToken", "accessTokenExpiresAt", "refreshTokenExpiresAt", "scope" FROM "account" WHERE "id" = $1 AND "userId" = $2"#,
        id,
        user_id
    )?)
}

pub async fn list_accounts(db: &Database, user_id: &str) -> Result<Vec<AccountRow>, StorageError> {
    Ok(fetch_all!(
        db,
        r#"SELECT "id", "providerId", "accountId", "userId", "scope", "createdAt", "updatedAt" FROM "account" WHERE "userId" = $1 ORDER BY "createdAt", "id""#,
        user_id
    )?)
}

pub async fn delete_account(db: &Database, id: &str, user_id: &str) -> Result<(), StorageError> {
    exec!(
        db,
        r#"DELETE FROM "account" WHERE "id" = $1 AND "userId" = $2"#,
        id,
        user_id
    )?;
    Ok(())
}
