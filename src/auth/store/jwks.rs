//! The `jwks` table: JWT signing keys, with the columns this database has.

use crate::{
    auth::model::JwkRow,
    fetch_all,
    storage::{Database, StorageError, Ts},
    with_pool,
};

use super::AuthSchema;

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
