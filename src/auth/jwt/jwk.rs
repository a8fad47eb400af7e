//! Ed25519 signing keys with their `kid`, and the public JWK / JWKS formats.

use std::fmt;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::rngs::OsRng;
use serde_json::{json, Map, Value};

use super::{b64url_decode, JwtError};
use crate::auth::key_envelope::decrypt_private_key;

/// An Ed25519 signing key together with its `kid` (the `jwks.id` row id).
#[derive(Clone)]
pub struct Ed25519Key {
    pub(super) kid: String,
    pub(super) signing: SigningKey,
}

impl fmt::Debug for Ed25519Key {
    // Never prints the private half.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ed25519Key")
            .field("kid", &self.kid)
            .field("x", &self.x())
            .finish_non_exhaustive()
    }
}

impl Ed25519Key {
    /// A fresh key from the OS CSPRNG. Use [`super::generate_id`]`(32)` for `kid`, as
    /// Better Auth does for `jwks.id`.
    pub fn generate(kid: impl Into<String>) -> Self {
        Self {
            kid: kid.into(),
            signing: SigningKey::generate(&mut OsRng),
        }
    }

    /// Parses a private JWK `{"crv":"Ed25519","d":"…","x":"…","kty":"OKP"}`. If `x` is
    /// present it must match the public key derived from `d`.
    pub fn from_private_jwk(kid: impl Into<String>, jwk_json: &str) -> Result<Self, JwtError> {
        let jwk: Map<String, Value> = serde_json::from_str(jwk_json)
            .map_err(|_| JwtError::Malformed("private JWK is not a JSON object"))?;
        check_okp_ed25519(&jwk)?;
        let d = jwk
            .get("d")
            .and_then(Value::as_str)
            .ok_or(JwtError::InvalidKey("private JWK has no d"))?;
        let d: [u8; 32] = b64url_decode(d)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(JwtError::InvalidKey("d is not 32 base64url bytes"))?;
        let key = Self {
            kid: kid.into(),
            signing: SigningKey::from_bytes(&d),
        };
        if let Some(x) = jwk.get("x") {
            if x.as_str() != Some(key.x().as_str()) {
                return Err(JwtError::InvalidKey("x does not match d"));
            }
        }
        Ok(key)
    }

    /// Loads a key from a `jwks` row: `id` and the `privateKey` column text in any form
    /// [`decrypt_private_key`] accepts.
    pub fn from_private_key_column(
        kid: impl Into<String>,
        column: &str,
        secret: &[u8],
    ) -> Result<Self, JwtError> {
        Self::from_private_jwk(kid, &decrypt_private_key(column, secret)?)
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    fn x(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.signing.verifying_key().as_bytes())
    }

    /// The entry for `/jwks`: `{"alg":"EdDSA","crv":"Ed25519","kty":"OKP","x":…,"kid":…}`.
    pub fn public_jwk(&self) -> Value {
        public_jwk(&self.kid, &self.verifying_key())
    }

    /// Text for the `jwks.publicKey` column, in jose's member order:
    /// `{"crv":"Ed25519","x":"…","kty":"OKP"}`.
    pub fn public_key_json(&self) -> String {
        format!(r#"{{"crv":"Ed25519","x":"{}","kty":"OKP"}}"#, self.x())
    }

    /// The private JWK, `{"crv":"Ed25519","d":"…","x":"…","kty":"OKP"}`, ready for
    /// [`encrypt_private_key`]. This is secret material: do not log it.
    pub fn to_private_jwk_json(&self) -> String {
        format!(
            r#"{{"crv":"Ed25519","d":"{}","x":"{}","kty":"OKP"}}"#,
            URL_SAFE_NO_PAD.encode(self.signing.as_bytes()),
            self.x()
        )
    }
}

/// The `/jwks` entry for a public key, e.g. one read from a `jwks.publicKey` column with
/// [`verifying_key_from_public_jwk`] when the private half cannot be decrypted.
pub fn public_jwk(kid: &str, key: &VerifyingKey) -> Value {
    json!({
        "alg": "EdDSA",
        "crv": "Ed25519",
        "kty": "OKP",
        "x": URL_SAFE_NO_PAD.encode(key.as_bytes()),
        "kid": kid,
    })
}

/// Parses a public Ed25519 JWK (such as the `jwks.publicKey` column).
pub fn verifying_key_from_public_jwk(jwk_json: &str) -> Result<VerifyingKey, JwtError> {
    let jwk: Map<String, Value> = serde_json::from_str(jwk_json)
        .map_err(|_| JwtError::Malformed("public JWK is not a JSON object"))?;
    check_okp_ed25519(&jwk)?;
    ed25519_public_key(&jwk)
}

fn check_okp_ed25519(jwk: &Map<String, Value>) -> Result<(), JwtError> {
    if jwk.get("kty").and_then(Value::as_str) != Some("OKP") {
        return Err(JwtError::InvalidKey("kty is not OKP"));
    }
    if jwk.get("crv").and_then(Value::as_str) != Some("Ed25519") {
        return Err(JwtError::InvalidKey("crv is not Ed25519"));
    }
    Ok(())
}

fn ed25519_public_key(jwk: &Map<String, Value>) -> Result<VerifyingKey, JwtError> {
    let x: [u8; 32] = jwk
        .get("x")
        .and_then(Value::as_str)
        .and_then(|x| b64url_decode(x).ok())
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(JwtError::InvalidKey("x is not 32 base64url bytes"))?;
    let key =
        VerifyingKey::from_bytes(&x).map_err(|_| JwtError::InvalidKey("x is not a curve point"))?;
    if key.is_weak() {
        return Err(JwtError::InvalidKey("x is a small-order point"));
    }
    Ok(key)
}

/// Extracts the Ed25519 signing keys from a JWKS document (`{"keys":[…]}`), e.g. a
/// remote `/jwks` response. Entries that are not OKP/Ed25519 public keys with a `kid`
/// (RSA, EC, X25519, keys for `use: enc`, malformed entries) are skipped.
pub fn parse_jwks(json: &Value) -> Vec<(String, VerifyingKey)> {
    json.get("keys")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let jwk = entry.as_object()?;
            check_okp_ed25519(jwk).ok()?;
            // "Ed25519" is RFC 9864's fully-specified name for the same algorithm.
            match jwk.get("alg").map(Value::as_str) {
                None | Some(Some("EdDSA" | "Ed25519")) => {}
                Some(_) => return None,
            }
            match jwk.get("use").map(Value::as_str) {
                None | Some(Some("sig")) => {}
                Some(_) => return None,
            }
            let kid = jwk.get("kid").and_then(Value::as_str)?;
            if kid.is_empty() {
                return None;
            }
            Some((kid.to_owned(), ed25519_public_key(jwk).ok()?))
        })
        .collect()
}
