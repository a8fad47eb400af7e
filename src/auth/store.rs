//! SQL for the auth tables, portable across SQLite and PostgreSQL.
//!
//! Columns are Better Auth's (quoted camelCase). The few shape differences between
//! Better Auth versions (1.7's `account.issuer`, `jwks.alg`/`crv`, `jwks.expiresAt`)
//! are detected once at start-up into [`AuthSchema`] and every query honours it.

use crate::{
    exec, fetch_all, fetch_optional,
    storage::{Database, StorageError, Ts},
    with_pool,
};

use super::model::{JwkRow, Session, User, Verification};

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

const USER_COLUMNS: &str =
    r#""id", "name", "email", "emailVerified", "image", "createdAt", "updatedAt""#;
const SESSION_COLUMNS: &str =
    r#""id", "expiresAt", "token", "createdAt", "updatedAt", "ipAddress", "userAgent", "userId""#;

pub async fn find_user_by_email(db: &Database, email: &str) -> Result<Option<User>, StorageError> {
    let sql = format!(r#"SELECT {USER_COLUMNS} FROM "user" WHERE "email" = $1"#);
    Ok(fetch_optional!(db, &sql, email)?)
}

pub async fn find_user_by_id(db: &Database, id: &str) -> Result<Option<User>, StorageError> {
    let sql = format!(r#"SELECT {USER_COLUMNS} FROM "user" WHERE "id" = $1"#);
    Ok(fetch_optional!(db, &sql, id)?)
}

/// Inserts a user and their credential account in one transaction, so that a failure
/// never leaves a user who cannot sign in.
pub async fn create_user_with_password(
    db: &Database,
    schema: AuthSchema,
    user: &User,
    account_id: &str,
    password_hash: &str,
) -> Result<(), StorageError> {
    let user_sql =
        format!(r#"INSERT INTO "user" ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"#);
    let account_sql = account_insert_sql(schema);
    with_pool!(db, |pool| {
        let mut tx = pool.begin().await?;
        sqlx::query(&user_sql)
            .bind(&user.id)
            .bind(&user.name)
            .bind(&user.email)
            .bind(user.email_verified)
            .bind(&user.image)
            .bind(user.created_at)
            .bind(user.updated_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(&account_sql)
            .bind(account_id)
            .bind(&user.id)
            .bind(CREDENTIAL_PROVIDER)
            .bind(&user.id)
            .bind(password_hash)
            .bind(user.created_at)
            .bind(user.updated_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    })?;
    Ok(())
}

fn account_insert_sql(schema: AuthSchema) -> String {
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

pub async fn update_user_profile(
    db: &Database,
    user_id: &str,
    name: Option<&str>,
    image: Option<Option<&str>>,
) -> Result<(), StorageError> {
    let now = Ts::now();
    with_pool!(db, |pool| {
        let mut tx = pool.begin().await?;
        if let Some(name) = name {
            sqlx::query(r#"UPDATE "user" SET "name" = $1, "updatedAt" = $2 WHERE "id" = $3"#)
                .bind(name)
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(image) = image {
            sqlx::query(r#"UPDATE "user" SET "image" = $1, "updatedAt" = $2 WHERE "id" = $3"#)
                .bind(image)
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    })?;
    Ok(())
}

pub async fn mark_email_verified(db: &Database, user_id: &str) -> Result<(), StorageError> {
    exec!(
        db,
        r#"UPDATE "user" SET "emailVerified" = $1, "updatedAt" = $2 WHERE "id" = $3"#,
        true,
        Ts::now(),
        user_id
    )?;
    Ok(())
}

/// Deletes the user; sessions, accounts and tasks go with it by `ON DELETE CASCADE`.
pub async fn delete_user(db: &Database, user_id: &str) -> Result<(), StorageError> {
    with_pool!(db, |pool| {
        let mut tx = pool.begin().await?;
        // Explicit deletes too, for Better Auth databases created without cascades.
        sqlx::query(r#"DELETE FROM "task" WHERE "user_id" = $1"#)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(r#"DELETE FROM "session" WHERE "userId" = $1"#)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(r#"DELETE FROM "account" WHERE "userId" = $1"#)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(r#"DELETE FROM "user" WHERE "id" = $1"#)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    })?;
    Ok(())
}

// --- sessions ---------------------------------------------------------------------

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

pub async fn delete_session_by_token(db: &Database, token: &str) -> Result<(), StorageError> {
    exec!(db, r#"DELETE FROM "session" WHERE "token" = $1"#, token)?;
    Ok(())
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

// --- verification tokens ----------------------------------------------------------

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
    Ok(fetch_optional!(
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

// --- signing keys -----------------------------------------------------------------

pub async fn list_jwks(db: &Database, schema: AuthSchema) -> Result<Vec<JwkRow>, StorageError> {
    let alg = if schema.jwks_alg {
        r#""alg""#
    } else {
        r#"NULL AS "alg""#
    };
    let expires = if schema.jwks_expires_at {
        r#""expiresAt""#
    } else {
        r#"NULL AS "expiresAt""#
    };
    let sql = format!(
        r#"SELECT "id", "publicKey", "privateKey", "createdAt", {expires}, {alg} FROM "jwks" ORDER BY "createdAt" DESC"#
    );
    Ok(fetch_all!(db, &sql)?)
}

pub async fn insert_jwk(
    db: &Database,
    schema: AuthSchema,
    id: &str,
    public_key: &str,
    private_key: &str,
    alg: &str,
    crv: &str,
) -> Result<(), StorageError> {
    let now = Ts::now();
    let sql = if schema.jwks_alg {
        r#"INSERT INTO "jwks" ("id", "publicKey", "privateKey", "createdAt", "alg", "crv") VALUES ($1, $2, $3, $4, $5, $6)"#
    } else {
        r#"INSERT INTO "jwks" ("id", "publicKey", "privateKey", "createdAt") VALUES ($1, $2, $3, $4)"#
    };
    with_pool!(db, |pool| {
        let mut q = sqlx::query(sql)
            .bind(id)
            .bind(public_key)
            .bind(private_key)
            .bind(now);
        if schema.jwks_alg {
            q = q.bind(alg).bind(crv);
        }
        q.execute(pool).await.map(|_| ())
    })?;
    Ok(())
}
