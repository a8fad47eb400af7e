//! JWT signing and verification keys.
//!
//! Local mode (Better Auth's default): Ed25519 keys in the `jwks` table, private keys
//! encrypted with the secret exactly as Better Auth does, minted on first use. A key
//! that no longer decrypts (the secret changed) is skipped and a new one is minted,
//! instead of failing every request as Better Auth would.
//! Remote mode: the public keys of an external Better Auth server's JWKS, cached and
//! re-fetched when a token names an unknown `kid` (at most once per cooldown).

use std::time::{Duration, Instant};

use ed25519_dalek::VerifyingKey;
use serde_json::{json, Value};
use tokio::sync::{Mutex, RwLock};
use url::Url;

use crate::storage::{Database, Ts};

use super::{
    error::AuthError,
    ids::{generate_id, DEFAULT_ID_LEN},
    jwt::{self, Ed25519Key, JwtError},
    store::{self, AuthSchema},
};

/// How often an unknown `kid` may trigger a reload of the key set.
const RELOAD_COOLDOWN: Duration = Duration::from_secs(5);

type KeySet = Vec<(String, VerifyingKey)>;

pub struct KeyStore {
    db: Database,
    schema: AuthSchema,
    secret: Vec<u8>,
    remote: Option<(Url, reqwest::Client)>,
    signing: RwLock<Option<Ed25519Key>>,
    verifying: RwLock<(KeySet, Option<Instant>)>,
    mint: Mutex<()>,
}

impl KeyStore {
    pub fn new(db: Database, schema: AuthSchema, secret: &[u8], remote: Option<Url>) -> Self {
        let remote = remote.map(|url| {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default();
            (url, client)
        });
        Self {
            db,
            schema,
            secret: secret.to_vec(),
            remote,
            signing: RwLock::new(None),
            verifying: RwLock::new((Vec::new(), None)),
            mint: Mutex::new(()),
        }
    }

    pub fn is_remote(&self) -> bool {
        self.remote.is_some()
    }

    /// The current signing key: the newest usable EdDSA row, or a freshly minted one.
    pub async fn signing_key(&self) -> Result<Ed25519Key, AuthError> {
        if let Some(key) = self.signing.read().await.clone() {
            return Ok(key);
        }
        let _guard = self.mint.lock().await;
        if let Some(key) = self.signing.read().await.clone() {
            return Ok(key);
        }
        let now = Ts::now();
        let rows = store::list_jwks(&self.db, self.schema).await?;
        let existing = rows.iter().find_map(|row| {
            let usable_alg = row.alg.as_deref().is_none_or(|a| a == "EdDSA");
            let unexpired = row.expires_at.is_none_or(|e| e > now);
            if !(usable_alg && unexpired) {
                return None;
            }
            match Ed25519Key::from_private_key_column(row.id.clone(), &row.private_key, &self.secret) {
                Ok(key) => Some(key),
                Err(error) => {
                    tracing::warn!(kid = %row.id, %error, "skipping a JWKS key that cannot be used (was the secret changed?)");
                    None
                }
            }
        });
        let key = match existing {
            Some(key) => key,
            None => {
                let key = Ed25519Key::generate(generate_id(DEFAULT_ID_LEN));
                let private = jwt::encrypt_private_key(&key.to_private_jwk_json(), &self.secret)
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
                key
            }
        };
        *self.signing.write().await = Some(key.clone());
        if self.remote.is_none() {
            let mut cache = self.verifying.write().await;
            if !cache.0.iter().any(|(kid, _)| kid == key.kid()) {
                cache.0.push((key.kid().to_string(), key.verifying_key()));
            }
        }
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

    async fn load_local(&self) -> Result<KeySet, AuthError> {
        let rows = store::list_jwks(&self.db, self.schema).await?;
        Ok(rows
            .iter()
            .filter(|row| row.alg.as_deref().is_none_or(|a| a == "EdDSA"))
            .filter_map(|row| {
                jwt::verifying_key_from_public_jwk(&row.public_key)
                    .ok()
                    .map(|key| (row.id.clone(), key))
            })
            .collect())
    }

    async fn load_remote(&self, url: &Url, client: &reqwest::Client) -> Result<KeySet, AuthError> {
        let response = client
            .get(url.clone())
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| AuthError::Internal(format!("fetching JWKS {url}: {e}")))?;
        let document: Value = response
            .json()
            .await
            .map_err(|e| AuthError::Internal(format!("JWKS {url} is not JSON: {e}")))?;
        Ok(jwt::parse_jwks(&document))
    }

    async fn reload(&self) -> Result<(), AuthError> {
        {
            let cache = self.verifying.read().await;
            if cache.1.is_some_and(|at| at.elapsed() < RELOAD_COOLDOWN) {
                return Ok(());
            }
        }
        let keys = match &self.remote {
            Some((url, client)) => self.load_remote(url, client).await?,
            None => self.load_local().await?,
        };
        *self.verifying.write().await = (keys, Some(Instant::now()));
        Ok(())
    }

    /// Verifies an EdDSA token against the key set, reloading it once on an unknown kid.
    pub async fn verify(
        &self,
        token: &str,
        validation: &jwt::Validation,
        now_secs: i64,
    ) -> Result<Value, JwtError> {
        let first = {
            let cache = self.verifying.read().await;
            jwt::verify(
                token,
                &jwt::VerifyKey::Ed25519(&cache.0),
                validation,
                now_secs,
            )
        };
        match first {
            Err(JwtError::UnknownKid) => {
                if let Err(error) = self.reload().await {
                    tracing::warn!(%error, "could not reload verification keys");
                    return Err(JwtError::UnknownKid);
                }
                let cache = self.verifying.read().await;
                jwt::verify(
                    token,
                    &jwt::VerifyKey::Ed25519(&cache.0),
                    validation,
                    now_secs,
                )
            }
            other => other,
        }
    }
}
