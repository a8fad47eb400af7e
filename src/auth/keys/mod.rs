//! JWT signing and verification keys: Ed25519 keys of our own in the `jwks` table
//! (`local`, Better Auth's default) or the public keys of an external Better Auth
//! server's JWKS (`remote`). Either way tokens are verified against a cached key set
//! that `reload` refreshes within limits, since any token can name a key we do not know.

use ed25519_dalek::VerifyingKey;
use tokio::sync::{Mutex, RwLock};
use url::Url;

use crate::storage::Database;

use super::{error::AuthError, jwt, store::AuthSchema};

mod local;
mod reload;
mod remote;
#[cfg(test)]
mod test_support;

use local::Signing;
use reload::{Cache, Fetches, Timing};
use remote::Remote;

type KeySet = Vec<(String, VerifyingKey)>;

pub struct KeyStore {
    db: Database,
    schema: AuthSchema,
    secret: Vec<u8>,
    remote: Option<Remote>,
    timing: Timing,
    signing: RwLock<Option<Signing>>,
    verifying: RwLock<Cache>,
    /// Tokens whose signature already passed (see [`jwt::VerifiedTokens`]).
    verified: jwt::VerifiedTokens,
    /// The single-flight lock: held across a reload.
    fetches: Mutex<Fetches>,
    mint: Mutex<()>,
}

impl KeyStore {
    /// Fails if `remote` is not an acceptable JWKS URL (see [`remote::check_jwks_url`]).
    pub fn new(
        db: Database,
        schema: AuthSchema,
        secret: &[u8],
        remote: Option<Url>,
    ) -> Result<Self, AuthError> {
        Ok(Self {
            db,
            schema,
            secret: secret.to_vec(),
            remote: remote.map(Remote::new).transpose()?,
            timing: Timing::DEFAULT,
            signing: RwLock::new(None),
            verifying: RwLock::new(Cache::default()),
            verified: jwt::VerifiedTokens::default(),
            fetches: Mutex::new(Fetches::default()),
            mint: Mutex::new(()),
        })
    }

    pub fn is_remote(&self) -> bool {
        self.remote.is_some()
    }
}
