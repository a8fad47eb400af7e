//! Local mode: Ed25519 keys in the `jwks` table, private keys encrypted with the secret
//! exactly as Better Auth does, minted on first use and again once the signing key
//! expires. A key that no longer decrypts (the secret changed) is skipped and a new one
//! is minted, instead of failing every request as Better Auth would.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{KeySet, KeyStore};
use crate::{
    auth::{
        error::AuthError,
        ids::{generate_id, DEFAULT_ID_LEN},
        jwt::{self, Ed25519Key},
        store,
    },
    storage::Ts,
};

/// The signing key in use, re-selected after the TTL or once its row expires.
pub(super) struct Signing {
    key: Ed25519Key,
    loaded_at: Instant,
    expires_at: Option<Ts>,
}

/// Whether a row may still verify: no `expiresAt`, not yet expired, or expired less
/// than `grace` ago.
fn within_grace(expires_at: Option<Ts>, now: Ts, grace: Duration) -> bool {
    expires_at.is_none_or(|at| (now.0 - at.0).to_std().ok().is_none_or(|past| past < grace))
}

impl KeyStore {
    /// The current signing key: the newest usable EdDSA row, or a freshly minted one.
    pub async fn signing_key(&self) -> Result<Ed25519Key, AuthError> {
        if let Some(key) = self.cached_signing_key().await {
            return Ok(key);
        }
        let _guard = self.mint.lock().await;
        if let Some(key) = self.cached_signing_key().await {
            return Ok(key);
        }
        let (key, expires_at) = match self.newest_usable_row().await? {
            Some(found) => found,
            None => (self.mint_key().await?, None),
        };
        *self.signing.write().await = Some(Signing {
            key: key.clone(),
            loaded_at: Instant::now(),
            expires_at,
        });
        if self.remote.is_none() {
            let mut cache = self.verifying.write().await;
            if !cache.keys.iter().any(|(kid, _)| kid == key.kid()) {
                cache
                    .keys
                    .push((key.kid().to_string(), key.verifying_key()));
            }
        }
        Ok(key)
    }

    async fn cached_signing_key(&self) -> Option<Ed25519Key> {
        let signing = self.signing.read().await;
        let current = signing.as_ref()?;
        let fresh = current.loaded_at.elapsed() < self.timing.ttl;
        let unexpired = current.expires_at.is_none_or(|at| at > Ts::now());
        (fresh && unexpired).then(|| current.key.clone())
    }

    /// The newest unexpired EdDSA row whose private key decrypts, with its expiry.
    async fn newest_usable_row(&self) -> Result<Option<(Ed25519Key, Option<Ts>)>, AuthError> {
        let now = Ts::now();
        let rows = store::list_jwks(&self.db, self.schema).await?;
        Ok(rows.iter().find_map(|row| {
            let usable_alg = row.alg.as_deref().is_none_or(|a| a == "EdDSA");
            let unexpired = row.expires_at.is_none_or(|e| e > now);
            if !(usable_alg && unexpired) {
                return None;
            }
            match Ed25519Key::from_private_key_column(row.id.clone(), &row.private_key, &self.secret) {
                Ok(key) => Some((key, row.expires_at)),
                Err(error) => {
                    tracing::warn!(kid = %row.id, %error, "skipping a JWKS key that cannot be used (was the secret changed?)");
                    None
                }
            }
        }))
    }

    async fn mint_key(&self) -> Result<Ed25519Key, AuthError> {
        let key = Ed25519Key::generate(generate_id(DEFAULT_ID_LEN));
        let private = crate::auth::key_envelope::encrypt_private_key(
            &key.to_private_jwk_json(),
            &self.secret,
        )
        .map_err(|e| AuthError::Internal(e.to_string()))?;
        store::insert_jwk(
            &self.db,
            self.schema,
            key.kid(),
            &key.public_key_json(),
            &private,
            "EdDSA",
            "Ed25519",
        )
        .await?;
        tracing::info!(kid = %key.kid(), "minted a new Ed25519 signing key");
        Ok(key)
    }

    /// The public JWKS document (`{"keys": [...]}`) of the local keys.
    pub async fn jwks_document(&self) -> Result<Value, AuthError> {
        // Better Auth mints the first key lazily, on the first /jwks call.
        self.signing_key().await?;
        let keys: Vec<Value> = self
            .load_local()
            .await?
            .iter()
            .map(|(kid, key)| jwt::public_jwk(kid, key))
            .collect();
        Ok(json!({ "keys": keys }))
    }

    /// The EdDSA rows' public keys, without rows expired longer than the grace ago.
    pub(super) async fn load_local(&self) -> Result<KeySet, AuthError> {
        let now = Ts::now();
        let grace = self.timing.expired_key_grace;
        let rows = store::list_jwks(&self.db, self.schema).await?;
        Ok(rows
            .iter()
            .filter(|row| row.alg.as_deref().is_none_or(|a| a == "EdDSA"))
            .filter(|row| within_grace(row.expires_at, now, grace))
            .filter_map(|row| {
                jwt::verifying_key_from_public_jwk(&row.public_key)
                    .ok()
                    .map(|key| (row.id.clone(), key))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        auth::{
            jwt::JwtError,
            keys::{
                reload::Timing,
                test_support::{check, millis, token},
            },
            store::AuthSchema,
        },
        storage::{Database, DatabaseConfig},
    };

    async fn local_store(dir: &tempfile::TempDir, timing: Timing) -> KeyStore {
        let path = dir.path().join("keys.db").display().to_string();
        let db = Database::connect(&DatabaseConfig::Sqlite(path))
            .await
            .expect("db");
        let schema = AuthSchema::detect(&db).await.expect("schema");
        let mut store = KeyStore::new(db, schema, b"local secret", None).expect("store");
        store.timing = timing;
        store
    }

    /// Inserts `key` as a `jwks` row expiring at `expires_at`.
    async fn insert_row(store: &KeyStore, key: &Ed25519Key, expires_at: Option<Ts>) {
        let private = crate::auth::key_envelope::encrypt_private_key(
            &key.to_private_jwk_json(),
            &store.secret,
        )
        .unwrap();
        let public = key.public_key_json();
        store::insert_jwk(
            &store.db,
            store.schema,
            key.kid(),
            &public,
            &private,
            "EdDSA",
            "Ed25519",
        )
        .await
        .expect("insert");
        let sql = r#"UPDATE "jwks" SET "expiresAt" = $1 WHERE "id" = $2"#;
        crate::with_pool!(&store.db, |pool| sqlx::query(sql)
            .bind(expires_at)
            .bind(key.kid())
            .execute(pool)
            .await
            .map(|_| ()))
        .expect("update");
    }

    #[tokio::test]
    async fn expired_rows_verify_only_within_the_grace() {
        let dir = tempfile::tempdir().unwrap();
        let store = local_store(&dir, Timing::DEFAULT).await;
        let ago = |minutes| Some(Ts(chrono::Utc::now() - chrono::Duration::minutes(minutes)));
        let long_expired = Ed25519Key::generate("long-expired");
        let just_expired = Ed25519Key::generate("just-expired");
        insert_row(&store, &long_expired, ago(61)).await;
        insert_row(&store, &just_expired, ago(10)).await;

        let kids: Vec<String> = store
            .load_local()
            .await
            .unwrap()
            .into_iter()
            .map(|k| k.0)
            .collect();
        assert_eq!(kids, ["just-expired"]);
        assert_eq!(
            check(&store, &token(&long_expired)).await,
            Err(JwtError::UnknownKid)
        );
        assert!(check(&store, &token(&just_expired)).await.is_ok());
        // Neither signs: a new key is minted.
        let signing = store.signing_key().await.unwrap();
        assert!(![long_expired.kid(), just_expired.kid()].contains(&signing.kid()));
    }

    #[tokio::test]
    async fn a_deleted_row_stops_verifying_and_signing_after_the_ttl() {
        let dir = tempfile::tempdir().unwrap();
        let timing = Timing {
            cooldown: millis(50),
            ttl: millis(300),
            ..Timing::DEFAULT
        };
        let store = local_store(&dir, timing).await;
        let key = store.signing_key().await.unwrap();
        assert!(check(&store, &token(&key)).await.is_ok());
        crate::with_pool!(&store.db, |pool| sqlx::query(r#"DELETE FROM "jwks""#)
            .execute(pool)
            .await
            .map(|_| ()))
        .expect("delete");
        assert!(
            check(&store, &token(&key)).await.is_ok(),
            "cached until the TTL"
        );

        tokio::time::sleep(millis(400)).await;
        assert_eq!(check(&store, &token(&key)).await, Err(JwtError::UnknownKid));
        let replacement = store.signing_key().await.unwrap();
        assert_ne!(replacement.kid(), key.kid());
        assert!(check(&store, &token(&replacement)).await.is_ok());
    }
}
