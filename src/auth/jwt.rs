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
        return Err(JwtError::Malformed("crit header parameters are not supported"));
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
        .ok_or(JwtError::Malformed("payload is not a base64url JSON object"))?;
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
