//! Strict verification: one algorithm per key type, mandatory `exp`, pinned `iss`/`aud`.

use ed25519_dalek::{Signature, VerifyingKey};
use hmac::Mac;
use serde::{de::DeserializeOwned, Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::{b64url_decode, JwtError, VerifiedTokens};
use crate::auth::mac::HmacKey;

/// Default clock-skew allowance for `exp`, `nbf` and `iat`, in seconds.
pub const DEFAULT_LEEWAY_SECS: i64 = 30;

/// What a token may be verified with. Each variant accepts exactly one `alg`.
#[derive(Debug, Clone, Copy)]
pub enum VerifyKey<'a> {
    /// `alg: EdDSA` only; the header's `kid` must equal one of these ids exactly (e.g.
    /// the output of [`parse_jwks`], or our own keys' `(kid, verifying_key())`).
    Ed25519(&'a [(String, VerifyingKey)]),
    /// `alg: HS256` only, keyed with this shared secret (must not be empty), prepared
    /// once with [`HmacKey::new`].
    Hs256(&'a HmacKey),
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
    verify_remembering::<Map<String, Value>>(token, key, validation, now_secs, None)
        .map(Value::Object)
}

/// The claims a verified token is read into: every claim (`Map`), or only what the
/// reader needs ([`AccessClaims`]), which skips the rest instead of building a value
/// for each. Either way the registered claims are checked the same.
pub trait TokenClaims: DeserializeOwned {
    /// A registered claim (`exp`, `nbf`, `iat`, `sub`, `iss`, `aud`) as sent, JSON
    /// `null` included.
    fn registered(&self, name: &'static str) -> Option<&Value>;
}

impl TokenClaims for Map<String, Value> {
    fn registered(&self, name: &'static str) -> Option<&Value> {
        self.get(name)
    }
}

/// An access token's claims as the app reads them: the registered ones, checked, and
/// the user's e-mail and name and the session binding (`sid`, see `auth::request`).
/// Better Auth's tokens carry the whole user besides; those claims are skipped.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct AccessClaims {
    #[serde(default, deserialize_with = "present")]
    exp: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    nbf: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    iat: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    sub: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    iss: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    aud: Option<Value>,
    #[serde(default)]
    email: Option<Value>,
    #[serde(default)]
    name: Option<Value>,
    #[serde(default)]
    sid: Option<Value>,
}

/// A claim that is there, even as `null` (which `Option` alone reads as absent, and a
/// `null` registered claim is refused, not ignored).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

impl TokenClaims for AccessClaims {
    fn registered(&self, name: &'static str) -> Option<&Value> {
        match name {
            "exp" => self.exp.as_ref(),
            "nbf" => self.nbf.as_ref(),
            "iat" => self.iat.as_ref(),
            "sub" => self.sub.as_ref(),
            "iss" => self.iss.as_ref(),
            "aud" => self.aud.as_ref(),
            _ => None,
        }
    }
}

impl AccessClaims {
    /// The claims of a token this server has just signed.
    pub fn from_signed(claims: &Value) -> Self {
        Self::deserialize(claims).unwrap_or_default()
    }

    /// `sub`, once verified a non-empty string.
    pub fn subject(&self) -> Option<&str> {
        self.sub.as_ref().and_then(Value::as_str)
    }

    /// `exp`, in seconds since the epoch.
    pub fn expires_at(&self) -> Option<i64> {
        self.exp.as_ref().and_then(Value::as_i64)
    }

    pub fn email(&self) -> Option<&str> {
        self.email.as_ref().and_then(Value::as_str)
    }

    pub fn name(&self) -> Option<&str> {
        self.name.as_ref().and_then(Value::as_str)
    }

    /// The session binding of a UI JWT cookie.
    pub fn session_binding(&self) -> Option<&str> {
        self.sid.as_ref().and_then(Value::as_str)
    }
}

/// A JWT header, as far as verification reads it.
#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    alg: Option<Value>,
    #[serde(default)]
    kid: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    crit: Option<Value>,
}

/// A base64url segment holding a JSON object, read into `T`. Objects only: a derived
/// struct would also take an array, its fields in order.
fn json_object<T: DeserializeOwned>(segment: &str) -> Option<T> {
    let bytes = b64url_decode(segment).ok()?;
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return None;
    }
    serde_json::from_slice(&bytes).ok()
}

/// [`verify`], skipping the Ed25519 signature check for a token `verified` holds under
/// the same key (and remembering it there once it passes), and reading the claims into
/// `C`. Everything else (structure, `alg`, `kid` lookup, claims) is checked every time.
pub fn verify_remembering<C: TokenClaims>(
    token: &str,
    key: &VerifyKey<'_>,
    validation: &Validation,
    now_secs: i64,
    verified: Option<&VerifiedTokens>,
) -> Result<C, JwtError> {
    let mut segments = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(JwtError::Malformed("a JWT has exactly three segments"));
    };
    let header: Header = json_object(header_b64)
        .ok_or(JwtError::Malformed("header is not base64url JSON object"))?;
    let alg = header
        .alg
        .as_ref()
        .and_then(Value::as_str)
        .ok_or(JwtError::Malformed("header has no alg"))?;
    if header.crit.is_some() {
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
                .kid
                .as_ref()
                .and_then(Value::as_str)
                .ok_or(JwtError::Malformed("header has no kid"))?;
            let public = keys
                .iter()
                .find(|(id, _)| id == kid)
                .map(|(_, public)| public)
                .ok_or(JwtError::UnknownKid)?;
            let entry = verified.map(|memo| (memo, VerifiedTokens::entry(public, token)));
            if !entry
                .as_ref()
                .is_some_and(|(memo, entry)| memo.contains(entry))
            {
                let signature = b64url_decode(signature_b64)
                    .ok()
                    .and_then(|bytes| Signature::from_slice(&bytes).ok())
                    .ok_or(JwtError::BadSignature)?;
                // `verify_strict` also rejects malleable signatures and weak keys.
                public
                    .verify_strict(signed.as_bytes(), &signature)
                    .map_err(|_| JwtError::BadSignature)?;
                if let Some((memo, entry)) = entry {
                    memo.remember(entry);
                }
            }
        }
        VerifyKey::Hs256(secret) => {
            if alg != "HS256" {
                return Err(JwtError::UnsupportedAlgorithm);
            }
            if secret.is_empty() {
                return Err(JwtError::InvalidKey("empty HS256 secret"));
            }
            let signature = b64url_decode(signature_b64).map_err(|_| JwtError::BadSignature)?;
            let mut mac = secret.mac();
            mac.update(signed.as_bytes());
            // Constant-time comparison.
            mac.verify_slice(&signature)
                .map_err(|_| JwtError::BadSignature)?;
        }
    }

    let claims: C = json_object(payload_b64).ok_or(JwtError::Malformed(
        "payload is not a base64url JSON object",
    ))?;
    validate_claims(&claims, validation, now_secs)?;
    Ok(claims)
}

/// A NumericDate claim: absent → `None`, present but not a number → error.
fn numeric_claim(claims: &impl TokenClaims, name: &'static str) -> Result<Option<f64>, JwtError> {
    match claims.registered(name) {
        None => Ok(None),
        Some(value) => value.as_f64().map(Some).ok_or(JwtError::InvalidClaim(name)),
    }
}

fn validate_claims(
    claims: &impl TokenClaims,
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

    match claims.registered("sub") {
        Some(Value::String(sub)) if !sub.is_empty() => {}
        Some(Value::String(_)) | None if validation.require_subject => {
            return Err(JwtError::MissingClaim("sub"))
        }
        Some(Value::String(_)) | None => {}
        Some(_) => return Err(JwtError::InvalidClaim("sub")),
    }

    if let Some(expected) = &validation.issuer {
        match claims.registered("iss") {
            None => return Err(JwtError::MissingClaim("iss")),
            Some(Value::String(iss)) if iss == expected => {}
            Some(Value::String(_)) => return Err(JwtError::WrongIssuer),
            Some(_) => return Err(JwtError::InvalidClaim("iss")),
        }
    }

    if let Some(expected) = &validation.audience {
        let matches = match claims.registered("aud") {
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
