//! The `user` table: look-ups, sign-up (with the credential account), profile changes
//! and deletion.

use crate::{
    auth::model::User,
    exec, fetch_optional,
    storage::{Database, StorageError, Ts},
    with_pool,
};

use super::{
    accounts::{account_insert_sql, bind_new_account, oauth_account_insert_sql, NewAccount},
    AuthSchema, CREDENTIAL_PROVIDER,
};

const USER_COLUMNS: &str =
    r#""id", "name", "email", "emailVerified", "image", "createdAt", "updatedAt""#;
/// What a look-up reads: the columns above, and `twoFactorEnabled`, which Better Auth
/// leaves NULL on rows written before the plugin was added.
const USER_SELECT: &str = r#""id", "name", "email", "emailVerified", "image", "createdAt", "updatedAt", COALESCE("twoFactorEnabled", FALSE) AS "twoFactorEnabled""#;

pub async fn find_user_by_email(db: &Database, email: &str) -> Result<Option<User>, StorageError> {
    let sql = format!(r#"SELECT {USER_SELECT} FROM "user" WHERE "email" = $1"#);
    Ok(fetch_optional!(db, &sql, email)?)
}

pub async fn find_user_by_id(db: &Database, id: &str) -> Result<Option<User>, StorageError> {
    let sql = format!(r#"SELECT {USER_SELECT} FROM "user" WHERE "id" = $1"#);
    Ok(fetch_optional!(db, &sql, id)?)
}

/// Binds a [`User`] to the `INSERT INTO "user" ({USER_COLUMNS})` placeholders.
macro_rules! bind_user {
    ($query:expr, $user:expr) => {
        $query
            .bind(&$user.id)
            .bind(&$user.name)
            .bind(&$user.email)
            .bind($user.email_verified)
            .bind(&$user.image)
            .bind($user.created_at)
            .bind($user.updated_at)
    };
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
        bind_user!(sqlx::query(&user_sql), user)
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

/// Inserts a user who signed up with another provider, and that account, in one
/// transaction (no password: the credential account is made by a password reset).
pub async fn create_user_with_provider_account(
    db: &Database,
    schema: AuthSchema,
    user: &User,
    account: &NewAccount<'_>,
) -> Result<(), StorageError> {
    let user_sql =
        format!(r#"INSERT INTO "user" ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"#);
    let account_sql = oauth_account_insert_sql(schema);
    with_pool!(db, |pool| {
        let mut tx = pool.begin().await?;
        bind_user!(sqlx::query(&user_sql), user)
            .execute(&mut *tx)
            .await?;
        bind_new_account!(sqlx::query(account_sql), account, user.created_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    })?;
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

/// Turns the twoFactor plugin's flag on or off.
pub async fn set_two_factor_enabled(
    db: &Database,
    user_id: &str,
    enabled: bool,
) -> Result<(), StorageError> {
    exec!(
        db,
        r#"UPDATE "user" SET "twoFactorEnabled" = $1, "updatedAt" = $2 WHERE "id" = $3"#,
        enabled,
        Ts::now(),
        user_id
    )?;
    Ok(())
}
