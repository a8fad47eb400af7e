//! Minimal JWT support for Better Auth's JWT plugin (contract §7), written by hand
//! instead of pulling in a JWT crate so the accepted algorithms are explicit and few.
//!
//! - **EdDSA / Ed25519** is what the plugin issues (`/token`, `set-auth-jwt`) and
//!   publishes at `/jwks`. Keys live in the `jwks` table: a public JWK and a private JWK
//!   encrypted with XChaCha20-Poly1305 under SHA-256(secret), so rows written by Better
//!   Auth can be reused and rows we write can be read back by Better Auth.
//! - **HS256** with the raw secret is used by Better Auth for email-verification tokens.
//!
//! Verification is deliberately strict: each key type accepts exactly one algorithm, so
//! `alg: none` and algorithm-confusion tokens are refused before any signature check, and
//! `exp` is mandatory. The current time is a parameter so callers (and tests) control it.

use std::borrow::Cow;
use std::fmt;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use chacha20poly1305::{
    aead::{Aead, KeyInit},
    XChaCha20Poly1305, XNonce,
};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use hmac::Mac;
use rand::{rngs::OsRng, RngCore};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::mac::hmac_sha256;

/// Default clock-skew allowance for `exp`, `nbf` and `iat`, in seconds.
pub const DEFAULT_LEEWAY_SECS: i64 = 30;

/// XChaCha20 nonce length; Better Auth (noble `managedNonce`) prepends it to the
/// ciphertext.
const NONCE_LEN: usize = 24;
/// Poly1305 tag length, appended to the ciphertext.
const TAG_LEN: usize = 16;
/// Prefix of Better Auth's secret-rotation envelope, `$ba$<version>$<hex>`.
const ENVELOPE_PREFIX: &str = "$ba$";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// Not three base64url segments, or a header/payload/key that is not the expected
    /// JSON. The text says which part.
    #[error("malformed: {0}")]
    Malformed(&'static str),
    /// The token's `alg` is not the one the supplied key type allows (covers `none`,
    /// algorithm confusion and algorithms we never accept).
    #[error("unsupported or unexpected JWT algorithm")]
    UnsupportedAlgorithm,
    /// No key with the token's `kid`: the caller may refetch a remote JWKS and retry.
    #[error("no key matches the token's kid")]
    UnknownKid,
    #[error("invalid JWT signature")]
    BadSignature,
    #[error("token expired")]
    Expired,
    /// `nbf` or `iat` lies in the future (beyond the leeway).
    #[error("token not yet valid")]
    NotYetValid,
    #[error("wrong issuer")]
    WrongIssuer,
    #[error("wrong audience")]
    WrongAudience,
    #[error("missing claim: {0}")]
    MissingClaim(&'static str),
    /// A registered claim has the wrong JSON type (e.g. a string `exp`).
    #[error("invalid claim: {0}")]
    InvalidClaim(&'static str),
    /// A key is unusable: wrong `kty`/`crv`, bad length, `x` not matching `d`, empty
    /// HS256 secret.
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
    /// The private key could not be decrypted: wrong secret or corrupted data. Better
    /// Auth fails every signing request in this state; callers should mint a new key.
    #[error("failed to decrypt private key")]
    Decrypt,
    /// Encryption failed (only possible for absurdly large inputs).
    #[error("failed to encrypt private key")]
    Crypto,
}

// ---------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------

/// An Ed25519 signing key together with its `kid` (the `jwks.id` row id).
#[derive(Clone)]
pub struct Ed25519Key {
    kid: String,
    signing: SigningKey,
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

// ---------------------------------------------------------------------------------------
// Private key column encryption
// ---------------------------------------------------------------------------------------

fn cipher(secret: &[u8]) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(&Sha256::digest(secret))
}

/// Encrypts a private JWK the way Better Auth's `symmetricEncrypt` does and returns the
/// `jwks.privateKey` column text: a JSON string literal (quotes included) holding the
/// lowercase hex of `nonce(24) ‖ ciphertext ‖ tag(16)`, keyed with SHA-256(secret).
pub fn encrypt_private_key(jwk_json: &str, secret: &[u8]) -> Result<String, JwtError> {
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let sealed = cipher(secret)
        .encrypt(&XNonce::from(nonce), jwk_json.as_bytes())
        .map_err(|_| JwtError::Crypto)?;
    let mut bytes = Vec::with_capacity(NONCE_LEN + sealed.len());
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&sealed);
    Ok(Value::String(hex::encode(bytes)).to_string())
}

/// Recovers the private JWK JSON from a `jwks.privateKey` column. Accepts:
/// - the JSON string literal Better Auth writes (`"<hex>"`), or the bare hex;
/// - the secret-rotation envelope `$ba$<version>$<hex>` (quoted or not): only the hex is
///   used, so pass the secret of that version (see [`private_key_secret_version`]);
/// - a plain JWK object, stored when `jwks.disablePrivateKeyEncryption` was on; it is
///   returned as is and `secret` is not used.
pub fn decrypt_private_key(column: &str, secret: &[u8]) -> Result<String, JwtError> {
    let text = column.trim();
    if text.starts_with('{') {
        return Ok(text.to_owned());
    }
    let inner: Cow<'_, str> = if text.starts_with('"') {
        Cow::Owned(
            serde_json::from_str::<String>(text)
                .map_err(|_| JwtError::Malformed("privateKey is not a JSON string"))?,
        )
    } else {
        Cow::Borrowed(text)
    };
    if inner.starts_with('{') {
        return Ok(inner.into_owned());
    }
    let hex_text = match split_envelope(&inner) {
        Some((_, hex_text)) => hex_text,
        None => &inner,
    };
    let bytes = hex::decode(hex_text).map_err(|_| JwtError::Malformed("privateKey is not hex"))?;
    if bytes.len() < NONCE_LEN + TAG_LEN {
        return Err(JwtError::Malformed("privateKey is too short"));
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce
        .try_into()
        .map_err(|_| JwtError::Malformed("privateKey is too short"))?;
    let plain = cipher(secret)
        .decrypt(&XNonce::from(nonce), sealed)
        .map_err(|_| JwtError::Decrypt)?;
    String::from_utf8(plain).map_err(|_| JwtError::Decrypt)
}

/// The secret version of a `$ba$<version>$<hex>` column (quoted or not), or `None` for
/// the legacy single-secret format.
pub fn private_key_secret_version(column: &str) -> Option<u32> {
    let text = column.trim();
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    split_envelope(text).map(|(version, _)| version)
}

fn split_envelope(text: &str) -> Option<(u32, &str)> {
    let (version, rest) = text.strip_prefix(ENVELOPE_PREFIX)?.split_once('$')?;
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((version.parse().ok()?, rest))
}

// ---------------------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------------------

fn b64url_decode(segment: &str) -> Result<Vec<u8>, base64::DecodeError> {
    // Strict: no padding, canonical trailing bits.
    URL_SAFE_NO_PAD.decode(segment)
}

fn signing_input(header_json: &str, claims: &Value) -> String {
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header_json),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// Signs `claims` (a JSON object) with EdDSA, header exactly
/// `{"alg":"EdDSA","kid":"<kid>"}` like Better Auth's JWT plugin. The caller supplies
/// every claim (`sub`, `iat`, `exp`, `iss`, `aud`, user fields).
pub fn sign_eddsa(key: &Ed25519Key, claims: &Value) -> String {
    let header = format!(
        r#"{{"alg":"EdDSA","kid":{}}}"#,
        Value::String(key.kid.clone())
    );
    let input = signing_input(&header, claims);
    let signature = key.signing.sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

/// Signs `claims` with HS256 under `secret` (header `{"alg":"HS256","typ":"JWT"}`), as
/// Better Auth does for email-verification tokens.
pub fn sign_hs256(secret: &[u8], claims: &Value) -> String {
    let input = signing_input(r#"{"alg":"HS256","typ":"JWT"}"#, claims);
    let mut mac = hmac_sha256(secret);
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

// ---------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------

/// What a token may be verified with. Each variant accepts exactly one `alg`.
#[derive(Debug, Clone, Copy)]
pub enum VerifyKey<'a> {
    /// `alg: EdDSA` only; the header's `kid` must equal one of these ids exactly (e.g.
    /// the output of [`parse_jwks`], or our own keys' `(kid, verifying_key())`).
    Ed25519(&'a [(String, VerifyingKey)]),
    /// `alg: HS256` only, keyed with this shared secret (must not be empty).
    Hs256(&'a [u8]),
}

/// Claim checks applied after the signature is verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validation {
    /// Required `iss`, if set. Better Auth's default is the base URL's origin.
    pub issuer: Option<String>,
    /// Required `aud` (a string, or an array containing it), if set.
    pub audience: Option<String>,
    /// Allowed clock skew in seconds for `exp`, `nbf` and `iat`; negative counts as 0.
    pub leeway_secs: i64,
    /// Require a non-empty string `sub`. True by default; turn it off for tokens without
    /// a subject, such as Better Auth's email-verification tokens.
    pub require_subject: bool,
}

impl Default for Validation {
    fn default() -> Self {
        Self {
            issuer: None,
            audience: None,
            leeway_secs: DEFAULT_LEEWAY_SECS,
            require_subject: true,
        }
    }
}

impl Validation {
    /// Validation for Better Auth JWT-plugin tokens: this issuer and audience (by default
    /// both the base URL origin, e.g. `https://app.example.com`, without `/api/auth`).
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: Some(issuer.into()),
            audience: Some(audience.into()),
            ..Self::default()
        }
    }
}

/// Verifies a compact JWS and returns its claims (always a JSON object).
///
/// Order: structure → `alg` against the key type → `kid` lookup → signature → claims.
/// `exp` is required; `nbf` and `iat`, if present, must not be in the future; `sub`,
/// `iss` and `aud` are checked per `validation`. Headers with `crit` are refused, and
/// key-carrying headers (`jwk`, `jku`, `x5u`, …) are ignored.
pub fn verify(
    token: &str,
    key: &VerifyKey<'_>,
    validation: &Validation,
    now_secs: i64,
) -> Result<Value, JwtError> {
    let mut segments = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(JwtError::Malformed("a JWT has exactly three segments"));
    };
    let header: Map<String, Value> = b64url_decode(header_b64)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(JwtError::Malformed("header is not base64url JSON object"))?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or(JwtError::Malformed("header has no alg"))?;
    if header.contains_key("crit") {
        return Err(JwtError::Malformed(
            "crit header parameters are not supported",
        ));
    }
    // The signed bytes are the first two segments exactly as transmitted.
    let signed = &token[..header_b64.len() + 1 + payload_b64.len()];

    match *key {
        VerifyKey::Ed25519(keys) => {
            if alg != "EdDSA" {
                return Err(JwtError::UnsupportedAlgorithm);
            }
            let kid = header
                .get("kid")
                .and_then(Value::as_str)
                .ok_or(JwtError::Malformed("header has no kid"))?;
            let public = keys
                .iter()
                .find(|(id, _)| id == kid)
                .map(|(_, public)| public)
                .ok_or(JwtError::UnknownKid)?;
            let signature = b64url_decode(signature_b64)
                .ok()
                .and_then(|bytes| Signature::from_slice(&bytes).ok())
                .ok_or(JwtError::BadSignature)?;
            // `verify_strict` also rejects malleable signatures and weak keys.
            public
                .verify_strict(signed.as_bytes(), &signature)
                .map_err(|_| JwtError::BadSignature)?;
        }
        VerifyKey::Hs256(secret) => {
            if alg != "HS256" {
                return Err(JwtError::UnsupportedAlgorithm);
            }
            if secret.is_empty() {
                return Err(JwtError::InvalidKey("empty HS256 secret"));
            }
            let signature = b64url_decode(signature_b64).map_err(|_| JwtError::BadSignature)?;
            let mut mac = hmac_sha256(secret);
            mac.update(signed.as_bytes());
            // Constant-time comparison.
            mac.verify_slice(&signature)
                .map_err(|_| JwtError::BadSignature)?;
        }
    }

    let claims: Map<String, Value> = b64url_decode(payload_b64)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(JwtError::Malformed(
            "payload is not a base64url JSON object",
        ))?;
    validate_claims(&claims, validation, now_secs)?;
    Ok(Value::Object(claims))
}

/// A NumericDate claim: absent → `None`, present but not a number → error.
fn numeric_claim(claims: &Map<String, Value>, name: &'static str) -> Result<Option<f64>, JwtError> {
    match claims.get(name) {
        None => Ok(None),
        Some(value) => value.as_f64().map(Some).ok_or(JwtError::InvalidClaim(name)),
    }
}

fn validate_claims(
    claims: &Map<String, Value>,
    validation: &Validation,
    now_secs: i64,
) -> Result<(), JwtError> {
    // f64 is exact for any plausible timestamp (< 2^53).
    let now = now_secs as f64;
    let leeway = validation.leeway_secs.max(0) as f64;

    let exp = numeric_claim(claims, "exp")?.ok_or(JwtError::MissingClaim("exp"))?;
    if now >= exp + leeway {
        return Err(JwtError::Expired);
    }
    if let Some(nbf) = numeric_claim(claims, "nbf")? {
        if nbf > now + leeway {
            return Err(JwtError::NotYetValid);
        }
    }
    if let Some(iat) = numeric_claim(claims, "iat")? {
        if iat > now + leeway {
            return Err(JwtError::NotYetValid);
        }
    }

    match claims.get("sub") {
        Some(Value::String(sub)) if !sub.is_empty() => {}
        Some(Value::String(_)) | None if validation.require_subject => {
            return Err(JwtError::MissingClaim("sub"))
        }
        Some(Value::String(_)) | None => {}
        Some(_) => return Err(JwtError::InvalidClaim("sub")),
    }

    if let Some(expected) = &validation.issuer {
        match claims.get("iss") {
            None => return Err(JwtError::MissingClaim("iss")),
            Some(Value::String(iss)) if iss == expected => {}
            Some(Value::String(_)) => return Err(JwtError::WrongIssuer),
            Some(_) => return Err(JwtError::InvalidClaim("iss")),
        }
    }

    if let Some(expected) = &validation.audience {
        let matches = match claims.get("aud") {
            None => return Err(JwtError::MissingClaim("aud")),
            Some(Value::String(aud)) => aud == expected,
            Some(Value::Array(auds)) => auds.iter().any(|aud| aud.as_str() == Some(expected)),
            Some(_) => return Err(JwtError::InvalidClaim("aud")),
        };
        if !matches {
            return Err(JwtError::WrongAudience);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"better-auth-secret-12345678901234567890";
    const ISS: &str = "http://localhost:3000";
    const NOW: i64 = 1_700_000_000;

    /// Produced with jose 6 + @noble/ciphers (`managedNonce(xchacha20poly1305)`), i.e.
    /// the code path of Better Auth's `createJwk` / `symmetricEncrypt` / `signJWT`.
    mod better_auth {
        pub const KID: &str = "Jk3Lm9Np2Qr5St8Uv1Wx4Yz7Ab0Cd6Ef";
        pub const PUBLIC_KEY_COLUMN: &str =
            r#"{"crv":"Ed25519","x":"ESiNgvO48qtnPs5OpxSHolMYtYTq0sp7mebf3tHx-Lg","kty":"OKP"}"#;
        pub const PRIVATE_JWK: &str = r#"{"crv":"Ed25519","d":"AZQT5_KB9YrfxPok8j5TjJ7Fp2fO8KfY9vOhqIB40uE","x":"ESiNgvO48qtnPs5OpxSHolMYtYTq0sp7mebf3tHx-Lg","kty":"OKP"}"#;
        pub const PRIVATE_KEY_COLUMN: &str = "\"701a555a8cc59ed0c3c8d33fe20b916bde46aee937d32f05a2e69ff43dfcdcde0f3de146227f68b7b429fb5e6023a15cf01a4d919e97901ae61981f8a1db5dda56eae297c16e1b9f7712f78e91fbeccd28755335c3d38cc25a5456a6d0c48669c20f3039fac86102397b6ef0e61c05309fddc7e2aa0f2ed99058f60e77282ee366e78c8491ea9261f1d7f18ac20fa1b453c1004d61925bc694c9c87ddf6d736c50aedd8c40aff19c4b\"";
        /// iat 1700000000, exp +900, iss = aud = http://localhost:3000, sub u1.
        pub const EDDSA_TOKEN: &str = "eyJhbGciOiJFZERTQSIsImtpZCI6IkprM0xtOU5wMlFyNVN0OFV2MVd4NFl6N0FiMENkNkVmIn0.eyJpZCI6InUxIiwiZW1haWwiOiJhQGIuY28iLCJzdWIiOiJ1MSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAwOTAwLCJpc3MiOiJodHRwOi8vbG9jYWxob3N0OjMwMDAiLCJhdWQiOiJodHRwOi8vbG9jYWxob3N0OjMwMDAifQ.0budyn8yg3R7DHZyS6e17hI6v9ZR5DaQ1rs214GbtmAbLa63vKawjmw9yrO8zIgvYUO3QSu45WlCuzcdXCSgCw";
        /// Email-verification shape: `{email, iat, exp}`, header `{"alg":"HS256"}`.
        pub const HS256_TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJlbWFpbCI6ImFAYi5jbyIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwfQ.kUW-uC1JJL_mT6fy5IEXEVqjSWi7aXR6ZOBeRlPIKlE";
    }

    fn claims() -> Value {
        json!({
            "id": "user-1",
            "email": "a@example.com",
            "sub": "user-1",
            "iat": NOW,
            "exp": NOW + 900,
            "iss": ISS,
            "aud": ISS,
        })
    }

    fn with(mut claims: Value, key: &str, value: Value) -> Value {
        if let Some(map) = claims.as_object_mut() {
            if value.is_null() {
                map.remove(key);
            } else {
                map.insert(key.to_owned(), value);
            }
        }
        claims
    }

    fn key_set(key: &Ed25519Key) -> Vec<(String, VerifyingKey)> {
        vec![(key.kid().to_owned(), key.verifying_key())]
    }

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    /// Hand-made HS256 token with an arbitrary header.
    fn hs256_with_header(header: &str, claims: &Value, secret: &[u8]) -> String {
        let input = format!("{}.{}", b64(header), b64(&claims.to_string()));
        let mut mac = hmac_sha256(secret);
        mac.update(input.as_bytes());
        format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    fn eddsa(claims: &Value) -> (Ed25519Key, String) {
        let key = Ed25519Key::generate("kid-1");
        let token = sign_eddsa(&key, claims);
        (key, token)
    }

    fn verify_ed(
        token: &str,
        key: &Ed25519Key,
        validation: &Validation,
    ) -> Result<Value, JwtError> {
        verify(token, &VerifyKey::Ed25519(&key_set(key)), validation, NOW)
    }

    #[test]
    fn eddsa_round_trip_and_exact_header() {
        let (key, token) = eddsa(&claims());
        let header = token.split('.').next().expect("segment");
        assert_eq!(
            URL_SAFE_NO_PAD.decode(header).expect("b64"),
            br#"{"alg":"EdDSA","kid":"kid-1"}"#
        );
        let got = verify_ed(&token, &key, &Validation::new(ISS, ISS)).expect("valid");
        assert_eq!(got, claims());
    }

    #[test]
    fn hs256_round_trip_and_exact_header() {
        let token = sign_hs256(SECRET, &claims());
        let header = token.split('.').next().expect("segment");
        assert_eq!(
            URL_SAFE_NO_PAD.decode(header).expect("b64"),
            br#"{"alg":"HS256","typ":"JWT"}"#
        );
        let got = verify(
            &token,
            &VerifyKey::Hs256(SECRET),
            &Validation::new(ISS, ISS),
            NOW,
        )
        .expect("valid");
        assert_eq!(got, claims());
        assert_eq!(
            verify(
                &token,
                &VerifyKey::Hs256(b"other secret"),
                &Validation::default(),
                NOW
            ),
            Err(JwtError::BadSignature)
        );
    }

    #[test]
    fn verifies_tokens_signed_by_better_auth() {
        let public =
            verifying_key_from_public_jwk(better_auth::PUBLIC_KEY_COLUMN).expect("public key");
        let keys = vec![(better_auth::KID.to_owned(), public)];
        let claims = verify(
            better_auth::EDDSA_TOKEN,
            &VerifyKey::Ed25519(&keys),
            &Validation::new(ISS, ISS),
            NOW + 100,
        )
        .expect("valid");
        assert_eq!(claims["sub"], "u1");

        // Email-verification token: no `sub`, so the subject requirement is lifted.
        let validation = Validation {
            require_subject: false,
            ..Validation::default()
        };
        let claims = verify(
            better_auth::HS256_TOKEN,
            &VerifyKey::Hs256(SECRET),
            &validation,
            NOW + 100,
        )
        .expect("valid");
        assert_eq!(claims["email"], "a@b.co");
    }

    #[test]
    fn reuses_keys_written_by_better_auth() {
        let jwk = decrypt_private_key(better_auth::PRIVATE_KEY_COLUMN, SECRET).expect("decrypt");
        assert_eq!(jwk, better_auth::PRIVATE_JWK);
        let key = Ed25519Key::from_private_key_column(
            better_auth::KID,
            better_auth::PRIVATE_KEY_COLUMN,
            SECRET,
        )
        .expect("key");
        // Our serialisations match jose's byte for byte.
        assert_eq!(key.to_private_jwk_json(), better_auth::PRIVATE_JWK);
        assert_eq!(key.public_key_json(), better_auth::PUBLIC_KEY_COLUMN);
        // Ed25519 is deterministic, so re-signing the same bytes gives jose's signature.
        let (input, signature) = better_auth::EDDSA_TOKEN
            .rsplit_once('.')
            .expect("three segments");
        assert_eq!(
            URL_SAFE_NO_PAD.encode(key.signing.sign(input.as_bytes()).to_bytes()),
            signature
        );
        // And our header for this kid is jose's header.
        let ours = sign_eddsa(&key, &claims());
        assert_eq!(
            ours.split('.').next(),
            better_auth::EDDSA_TOKEN.split('.').next()
        );
    }

    #[test]
    fn refuses_alg_none() {
        let (key, _) = eddsa(&claims());
        for alg in ["none", "None", "NONE", ""] {
            let header = format!(r#"{{"alg":"{alg}","kid":"kid-1"}}"#);
            let token = format!("{}.{}.", b64(&header), b64(&claims().to_string()));
            assert_eq!(
                verify_ed(&token, &key, &Validation::default()),
                Err(JwtError::UnsupportedAlgorithm),
                "{alg}"
            );
            assert_eq!(
                verify(
                    &token,
                    &VerifyKey::Hs256(SECRET),
                    &Validation::default(),
                    NOW
                ),
                Err(JwtError::UnsupportedAlgorithm),
                "{alg}"
            );
        }
    }

    #[test]
    fn refuses_hs256_token_keyed_with_the_public_key() {
        // Classic confusion: an attacker HMACs with the public key material and hopes the
        // verifier uses it as an HMAC secret.
        let key = Ed25519Key::generate("kid-1");
        let public_b64 = URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes());
        for secret in [
            public_b64.as_bytes(),
            key.verifying_key().as_bytes().as_slice(),
            key.public_key_json().as_bytes(),
        ] {
            let token = hs256_with_header(r#"{"alg":"HS256","kid":"kid-1"}"#, &claims(), secret);
            assert_eq!(
                verify_ed(&token, &key, &Validation::default()),
                Err(JwtError::UnsupportedAlgorithm)
            );
        }
    }

    #[test]
    fn refuses_eddsa_token_for_hs256_and_other_algorithms() {
        let (_, token) = eddsa(&claims());
        assert_eq!(
            verify(
                &token,
                &VerifyKey::Hs256(SECRET),
                &Validation::default(),
                NOW
            ),
            Err(JwtError::UnsupportedAlgorithm)
        );
        let key = Ed25519Key::generate("kid-1");
        for alg in ["RS256", "ES256", "HS512", "Ed25519", "eddsa"] {
            let header = format!(r#"{{"alg":"{alg}","kid":"kid-1"}}"#);
            let token = hs256_with_header(&header, &claims(), SECRET);
            assert_eq!(
                verify_ed(&token, &key, &Validation::default()),
                Err(JwtError::UnsupportedAlgorithm),
                "{alg}"
            );
            assert_eq!(
                verify(
                    &token,
                    &VerifyKey::Hs256(SECRET),
                    &Validation::default(),
                    NOW
                ),
                Err(JwtError::UnsupportedAlgorithm),
                "{alg}"
            );
        }
    }

    #[test]
    fn refuses_tampering() {
        let (key, token) = eddsa(&claims());
        let parts: Vec<&str> = token.split('.').collect();
        let forged_claims = with(claims(), "sub", json!("admin"));
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            b64(&forged_claims.to_string()),
            parts[2]
        );
        assert_eq!(
            verify_ed(&forged, &key, &Validation::default()),
            Err(JwtError::BadSignature)
        );

        let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("b64");
        signature[0] ^= 1;
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            URL_SAFE_NO_PAD.encode(&signature)
        );
        assert_eq!(
            verify_ed(&forged, &key, &Validation::default()),
            Err(JwtError::BadSignature)
        );

        // Truncated and empty signatures.
        for sig in [&parts[2][..10], ""] {
            let forged = format!("{}.{}.{}", parts[0], parts[1], sig);
            assert_eq!(
                verify_ed(&forged, &key, &Validation::default()),
                Err(JwtError::BadSignature)
            );
        }

        // Signed by another key that claims the same kid.
        let impostor = Ed25519Key::generate("kid-1");
        assert_eq!(
            verify_ed(
                &sign_eddsa(&impostor, &claims()),
                &key,
                &Validation::default()
            ),
            Err(JwtError::BadSignature)
        );

        // HS256 payload tampering.
        let token = sign_hs256(SECRET, &claims());
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            b64(&forged_claims.to_string()),
            parts[2]
        );
        assert_eq!(
            verify(
                &forged,
                &VerifyKey::Hs256(SECRET),
                &Validation::default(),
                NOW
            ),
            Err(JwtError::BadSignature)
        );
    }

    #[test]
    fn unknown_or_missing_kid() {
        let (_, token) = eddsa(&claims());
        let other = Ed25519Key::generate("kid-2");
        assert_eq!(
            verify_ed(&token, &other, &Validation::default()),
            Err(JwtError::UnknownKid)
        );
        assert_eq!(
            verify(
                &token,
                &VerifyKey::Ed25519(&[]),
                &Validation::default(),
                NOW
            ),
            Err(JwtError::UnknownKid)
        );
        // The kid must match exactly.
        let near = Ed25519Key::generate("KID-1");
        assert_eq!(
            verify_ed(&token, &near, &Validation::default()),
            Err(JwtError::UnknownKid)
        );

        let key = Ed25519Key::generate("kid-1");
        let input = format!(
            "{}.{}",
            b64(r#"{"alg":"EdDSA"}"#),
            b64(&claims().to_string())
        );
        let signature = key.signing.sign(input.as_bytes());
        let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()));
        assert!(matches!(
            verify_ed(&token, &key, &Validation::default()),
            Err(JwtError::Malformed(_))
        ));
    }

    #[test]
    fn time_claims() {
        let check = |claims: Value| {
            verify(
                &sign_hs256(SECRET, &claims),
                &VerifyKey::Hs256(SECRET),
                &Validation::default(),
                NOW,
            )
        };
        assert_eq!(
            check(with(claims(), "exp", json!(NOW - 31))),
            Err(JwtError::Expired)
        );
        assert_eq!(
            check(with(claims(), "exp", json!(NOW - 30))),
            Err(JwtError::Expired)
        );
        assert!(
            check(with(claims(), "exp", json!(NOW - 29))).is_ok(),
            "within leeway"
        );
        assert!(check(with(claims(), "exp", json!(NOW as f64 + 0.5))).is_ok());
        assert_eq!(
            check(with(claims(), "exp", Value::Null)),
            Err(JwtError::MissingClaim("exp"))
        );
        assert_eq!(
            check(with(claims(), "exp", json!("9999999999"))),
            Err(JwtError::InvalidClaim("exp"))
        );

        assert_eq!(
            check(with(claims(), "nbf", json!(NOW + 60))),
            Err(JwtError::NotYetValid)
        );
        assert!(check(with(claims(), "nbf", json!(NOW + 10))).is_ok());
        assert!(check(with(claims(), "nbf", json!(NOW - 10))).is_ok());
        assert_eq!(
            check(with(claims(), "nbf", json!(true))),
            Err(JwtError::InvalidClaim("nbf"))
        );

        assert_eq!(
            check(with(claims(), "iat", json!(NOW + 3600))),
            Err(JwtError::NotYetValid)
        );
        assert!(check(with(claims(), "iat", json!(NOW + 10))).is_ok());
        assert!(
            check(with(claims(), "iat", Value::Null)).is_ok(),
            "iat optional"
        );

        // Leeway is configurable, and negative values are treated as zero.
        let strict = Validation {
            leeway_secs: -5,
            ..Validation::default()
        };
        // (no iat, which would otherwise be "in the future" at NOW - 1)
        let token = sign_hs256(
            SECRET,
            &with(with(claims(), "exp", json!(NOW)), "iat", Value::Null),
        );
        assert_eq!(
            verify(&token, &VerifyKey::Hs256(SECRET), &strict, NOW),
            Err(JwtError::Expired)
        );
        assert!(verify(&token, &VerifyKey::Hs256(SECRET), &strict, NOW - 1).is_ok());
    }

    #[test]
    fn subject_claim() {
        let check = |claims: Value, require_subject| {
            let validation = Validation {
                require_subject,
                ..Validation::default()
            };
            verify(
                &sign_hs256(SECRET, &claims),
                &VerifyKey::Hs256(SECRET),
                &validation,
                NOW,
            )
        };
        assert_eq!(
            check(with(claims(), "sub", Value::Null), true),
            Err(JwtError::MissingClaim("sub"))
        );
        assert_eq!(
            check(with(claims(), "sub", json!("")), true),
            Err(JwtError::MissingClaim("sub"))
        );
        assert_eq!(
            check(with(claims(), "sub", json!(42)), true),
            Err(JwtError::InvalidClaim("sub"))
        );
        assert_eq!(
            check(with(claims(), "sub", json!(42)), false),
            Err(JwtError::InvalidClaim("sub"))
        );
        assert!(check(with(claims(), "sub", Value::Null), false).is_ok());
    }

    #[test]
    fn issuer_and_audience() {
        let (key, token) = eddsa(&claims());
        let validation = |iss: &str, aud: &str| Validation::new(iss, aud);
        assert!(verify_ed(&token, &key, &validation(ISS, ISS)).is_ok());
        assert_eq!(
            verify_ed(&token, &key, &validation("https://evil.example", ISS)),
            Err(JwtError::WrongIssuer)
        );
        // The path is not part of Better Auth's default issuer/audience.
        assert_eq!(
            verify_ed(&token, &key, &validation(&format!("{ISS}/api/auth"), ISS)),
            Err(JwtError::WrongIssuer)
        );
        assert_eq!(
            verify_ed(&token, &key, &validation(ISS, "https://other.example")),
            Err(JwtError::WrongAudience)
        );

        let sign = |claims: Value| sign_eddsa(&key, &claims);
        let token = sign(with(claims(), "aud", json!(["https://a.example", ISS])));
        assert!(verify_ed(&token, &key, &validation(ISS, ISS)).is_ok());
        let token = sign(with(claims(), "aud", json!(["https://a.example"])));
        assert_eq!(
            verify_ed(&token, &key, &validation(ISS, ISS)),
            Err(JwtError::WrongAudience)
        );
        let token = sign(with(claims(), "aud", json!([])));
        assert_eq!(
            verify_ed(&token, &key, &validation(ISS, ISS)),
            Err(JwtError::WrongAudience)
        );
        let token = sign(with(claims(), "aud", json!(7)));
        assert_eq!(
            verify_ed(&token, &key, &validation(ISS, ISS)),
            Err(JwtError::InvalidClaim("aud"))
        );
        let token = sign(with(claims(), "aud", Value::Null));
        assert_eq!(
            verify_ed(&token, &key, &validation(ISS, ISS)),
            Err(JwtError::MissingClaim("aud"))
        );
        let token = sign(with(claims(), "iss", Value::Null));
        assert_eq!(
            verify_ed(&token, &key, &validation(ISS, ISS)),
            Err(JwtError::MissingClaim("iss"))
        );
        // Without expectations, iss/aud are not checked.
        assert!(verify_ed(&token, &key, &Validation::default()).is_ok());
    }

    #[test]
    fn malformed_tokens() {
        let key = Ed25519Key::generate("kid-1");
        let valid = sign_eddsa(&key, &claims());
        let parts: Vec<&str> = valid.split('.').collect();
        let payload = b64(&claims().to_string());
        let cases = [
            String::new(),
            "abc".to_owned(),
            format!("{}.{}", parts[0], parts[1]),
            format!("{valid}.extra"),
            format!("{valid}.a.b"), // JWE-like five segments
            format!("!!!.{payload}.{}", parts[2]),
            format!("{}=.{payload}.{}", parts[0], parts[2]), // padding not allowed
            format!("{}.{payload}.{}", b64("not json"), parts[2]),
            format!("{}.{payload}.{}", b64(r#"["alg","EdDSA"]"#), parts[2]),
            format!(
                "{}.{payload}.{}",
                b64(r#"{"alg":5,"kid":"kid-1"}"#),
                parts[2]
            ),
            format!("{}.{payload}.{}", b64(r#"{"kid":"kid-1"}"#), parts[2]),
        ];
        for token in &cases {
            assert!(
                matches!(
                    verify_ed(token, &key, &Validation::default()),
                    Err(JwtError::Malformed(_))
                ),
                "{token}"
            );
        }

        // Validly signed, but the payload is not a JSON object.
        for payload in ["[1,2]", "\"text\"", "not json"] {
            let input = format!("{}.{}", parts[0], b64(payload));
            let signature = key.signing.sign(input.as_bytes());
            let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()));
            assert!(matches!(
                verify_ed(&token, &key, &Validation::default()),
                Err(JwtError::Malformed(_))
            ));
        }

        // `crit` is refused even when everything else is valid.
        let token = hs256_with_header(
            r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
            &claims(),
            SECRET,
        );
        assert!(matches!(
            verify(
                &token,
                &VerifyKey::Hs256(SECRET),
                &Validation::default(),
                NOW
            ),
            Err(JwtError::Malformed(_))
        ));

        // An empty HS256 secret is never accepted.
        let token = sign_hs256(b"", &claims());
        assert!(matches!(
            verify(&token, &VerifyKey::Hs256(b""), &Validation::default(), NOW),
            Err(JwtError::InvalidKey(_))
        ));
    }

    #[test]
    fn private_key_encryption_round_trip() {
        let key = Ed25519Key::generate("kid-1");
        let jwk = key.to_private_jwk_json();
        let column = encrypt_private_key(&jwk, SECRET).expect("encrypt");

        // A JSON string literal of lowercase hex: nonce ‖ ciphertext ‖ tag.
        assert!(column.starts_with('"') && column.ends_with('"'));
        let hex_text = &column[1..column.len() - 1];
        assert!(hex_text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_eq!(hex_text.len(), 2 * (NONCE_LEN + jwk.len() + TAG_LEN));

        assert_eq!(decrypt_private_key(&column, SECRET).expect("decrypt"), jwk);
        // Random nonce: encrypting twice differs.
        assert_ne!(encrypt_private_key(&jwk, SECRET).expect("encrypt"), column);
        // Bare hex and the rotation envelope, quoted or not.
        assert_eq!(decrypt_private_key(hex_text, SECRET).expect("bare"), jwk);
        let envelope = format!("$ba$2${hex_text}");
        assert_eq!(
            decrypt_private_key(&envelope, SECRET).expect("envelope"),
            jwk
        );
        let quoted = Value::String(envelope.clone()).to_string();
        assert_eq!(decrypt_private_key(&quoted, SECRET).expect("quoted"), jwk);
        assert_eq!(private_key_secret_version(&quoted), Some(2));
        assert_eq!(private_key_secret_version(&envelope), Some(2));
        assert_eq!(private_key_secret_version(&column), None);

        let restored = Ed25519Key::from_private_key_column("kid-1", &column, SECRET).expect("key");
        assert_eq!(restored.verifying_key(), key.verifying_key());
        assert!(verify_ed(
            &sign_eddsa(&restored, &claims()),
            &key,
            &Validation::default()
        )
        .is_ok());
    }

    #[test]
    fn private_key_decryption_failures() {
        let column = encrypt_private_key(&Ed25519Key::generate("k").to_private_jwk_json(), SECRET)
            .expect("encrypt");
        assert_eq!(
            decrypt_private_key(&column, b"a different secret"),
            Err(JwtError::Decrypt)
        );
        assert_eq!(
            decrypt_private_key(better_auth::PRIVATE_KEY_COLUMN, b"wrong"),
            Err(JwtError::Decrypt)
        );
        assert_eq!(
            Ed25519Key::from_private_key_column("k", &column, b"wrong").map(|k| k.kid().to_owned()),
            Err(JwtError::Decrypt)
        );

        // Flipping one ciphertext bit breaks the tag.
        let mut bytes = hex::decode(&column[1..column.len() - 1]).expect("hex");
        if let Some(last) = bytes.last_mut() {
            *last ^= 1;
        }
        assert_eq!(
            decrypt_private_key(&hex::encode(&bytes), SECRET),
            Err(JwtError::Decrypt)
        );

        for bad in [
            "",
            "\"\"",
            "\"unterminated",
            "zz",
            "abc",
            &"00".repeat(NONCE_LEN + TAG_LEN - 1),
            "$ba$x$00",
        ] {
            assert!(
                matches!(
                    decrypt_private_key(bad, SECRET),
                    Err(JwtError::Malformed(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn plain_private_jwk_when_encryption_is_disabled() {
        let key = Ed25519Key::generate("kid-1");
        let jwk = key.to_private_jwk_json();
        assert_eq!(decrypt_private_key(&jwk, b"ignored").expect("plain"), jwk);
        let restored = Ed25519Key::from_private_key_column("kid-1", &jwk, b"").expect("key");
        assert_eq!(restored.verifying_key(), key.verifying_key());
    }

    #[test]
    fn private_jwk_parsing() {
        let key = Ed25519Key::generate("kid-1");
        let jwk = key.to_private_jwk_json();
        let restored = Ed25519Key::from_private_jwk("kid-1", &jwk).expect("parse");
        assert_eq!(restored.to_private_jwk_json(), jwk);
        assert_eq!(restored.kid(), "kid-1");

        let other_x = URL_SAFE_NO_PAD.encode(Ed25519Key::generate("x").verifying_key().as_bytes());
        let d = URL_SAFE_NO_PAD.encode(key.signing.as_bytes());
        for bad in [
            format!(r#"{{"crv":"Ed25519","d":"{d}","x":"{other_x}","kty":"OKP"}}"#),
            format!(r#"{{"crv":"Ed448","d":"{d}","kty":"OKP"}}"#),
            format!(r#"{{"crv":"Ed25519","d":"{d}","kty":"EC"}}"#),
            r#"{"crv":"Ed25519","kty":"OKP"}"#.to_owned(),
            r#"{"crv":"Ed25519","d":"AAAA","kty":"OKP"}"#.to_owned(),
        ] {
            assert!(
                matches!(
                    Ed25519Key::from_private_jwk("k", &bad),
                    Err(JwtError::InvalidKey(_))
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            Ed25519Key::from_private_jwk("k", "[]"),
            Err(JwtError::Malformed(_))
        ));
        // `x` is optional; `d` alone determines the key.
        let without_x = format!(r#"{{"crv":"Ed25519","d":"{d}","kty":"OKP"}}"#);
        assert_eq!(
            Ed25519Key::from_private_jwk("k", &without_x)
                .expect("parse")
                .verifying_key(),
            key.verifying_key()
        );
        // Debug output never contains the private scalar.
        assert!(!format!("{key:?}").contains(&d));
    }

    #[test]
    fn public_key_formats() {
        let key = Ed25519Key::generate("kid-1");
        let x = URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes());
        assert_eq!(
            key.public_jwk(),
            json!({"alg":"EdDSA","crv":"Ed25519","kty":"OKP","x":x,"kid":"kid-1"})
        );
        assert_eq!(
            key.public_key_json(),
            format!(r#"{{"crv":"Ed25519","x":"{x}","kty":"OKP"}}"#)
        );
        assert_eq!(
            verifying_key_from_public_jwk(&key.public_key_json()).expect("parse"),
            key.verifying_key()
        );
        assert!(verifying_key_from_public_jwk(r#"{"crv":"Ed25519","kty":"OKP"}"#).is_err());
        // Small-order point (the identity) is refused.
        let identity = {
            let mut bytes = [0u8; 32];
            bytes[0] = 1;
            URL_SAFE_NO_PAD.encode(bytes)
        };
        assert_eq!(
            verifying_key_from_public_jwk(&format!(
                r#"{{"crv":"Ed25519","x":"{identity}","kty":"OKP"}}"#
            )),
            Err(JwtError::InvalidKey("x is a small-order point"))
        );
    }

    #[test]
    fn jwks_round_trip() {
        let first = Ed25519Key::generate("kid-a");
        let second = Ed25519Key::generate("kid-b");
        let document = json!({
            "keys": [
                first.public_jwk(),
                {"kty":"RSA","n":"AQAB","e":"AQAB","alg":"RS256","kid":"rsa"},
                {"kty":"OKP","crv":"X25519","x": URL_SAFE_NO_PAD.encode([9u8; 32]),"kid":"x"},
                {"kty":"OKP","crv":"Ed25519","x":"short","kid":"bad"},
                {"kty":"OKP","crv":"Ed25519","x": URL_SAFE_NO_PAD.encode(first.verifying_key().as_bytes())},
                {"kty":"OKP","crv":"Ed25519","use":"enc","x": URL_SAFE_NO_PAD.encode(first.verifying_key().as_bytes()),"kid":"enc"},
                "not an object",
                second.public_jwk(),
            ]
        });
        // Survives serialisation, as when fetched from a remote `/jwks`.
        let document: Value = serde_json::from_str(&document.to_string()).expect("JSON round trip");
        let keys = parse_jwks(&document);
        assert_eq!(
            keys,
            vec![
                ("kid-a".to_owned(), first.verifying_key()),
                ("kid-b".to_owned(), second.verifying_key()),
            ]
        );
        let token = sign_eddsa(&second, &claims());
        assert!(verify(
            &token,
            &VerifyKey::Ed25519(&keys),
            &Validation::new(ISS, ISS),
            NOW
        )
        .is_ok());

        assert!(parse_jwks(&json!({})).is_empty());
        assert!(parse_jwks(&json!({"keys": "nope"})).is_empty());
        assert!(parse_jwks(&json!([])).is_empty());
    }
}
