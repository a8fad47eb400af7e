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

//!
//! Files: `jwk` (Ed25519 keys and JWK/JWKS formats), `sign`, `verify`; the encryption of
//! private keys in the `jwks` table is a storage format and lives in
//! `auth::key_envelope`, beside `auth::keys`.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};

mod jwk;
mod memo;
mod sign;
#[cfg(test)]
mod tests;
mod verify;

pub use crate::auth::mac::HmacKey;
pub use jwk::*;
pub use memo::VerifiedTokens;
pub use sign::*;
pub use verify::*;

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

fn b64url_decode(segment: &str) -> Result<Vec<u8>, base64::DecodeError> {
    // Strict: no padding, canonical trailing bits.
    URL_SAFE_NO_PAD.decode(segment)
}
