//! Password hashing: argon2id for everything we write (`argon2id`, its cost in
//! `params`), plus verification of the scrypt hashes Better Auth wrote
//! (`better_auth_scrypt`, contract §5), so existing accounts keep working and are
//! upgraded to argon2id on their next successful sign-in (`needs_rehash`).
//!
//! Passwords are NFKC-normalised before hashing or verifying, as Better Auth does, so the
//! same password typed on different platforms (composed vs decomposed accents, ligatures,
//! full-width digits) always matches.
//!
//! Hashing and verifying are deliberately slow; async code runs them on the hashing
//! threads ([`super::hashing::HashPool`]).

use unicode_normalization::UnicodeNormalization;

mod argon2id;
mod better_auth_scrypt;
mod length;
mod params;

pub use argon2id::{dummy_verify, hash_password};
pub use better_auth_scrypt::better_auth_scrypt_hash;
pub use length::{check_length, LengthError, MAX_PASSWORD_LEN, MIN_PASSWORD_LEN};
pub use params::HashParams;

use argon2id::verify_argon2;
use better_auth_scrypt::{parse_scrypt, verify_scrypt};

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The stored hash is neither an argon2 PHC string nor Better Auth's scrypt format.
    /// Better Auth answers 500 in this case; so should we (it is a data problem).
    #[error("stored password hash is malformed")]
    Malformed,
    /// The hashing library failed (should not happen with valid parameters).
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// Outcome of [`verify_password`] for a well-formed stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// The password matches. When `needs_rehash` is true the caller should store
    /// [`hash_password`]`(password, params)` in place of the old hash.
    Ok { needs_rehash: bool },
    /// Wrong password.
    Mismatch,
}

impl Verified {
    pub fn is_ok(self) -> bool {
        matches!(self, Verified::Ok { .. })
    }
}

fn normalize(password: &str) -> String {
    password.nfkc().collect()
}

/// Verifies `password` against a stored hash in either format:
/// - argon2 PHC (`$argon2id$…`, also `$argon2i$`/`$argon2d$`): our own hashes, checked
///   with the parameters they carry; `needs_rehash` is true when the algorithm or
///   parameters differ from `params`, the configured ones;
/// - Better Auth scrypt (`<32 hex salt>:<128 hex key>`): a match always has
///   `needs_rehash: true`, to migrate the account to argon2id.
///
/// Anything else is [`PasswordError::Malformed`].
pub fn verify_password(
    password: &str,
    stored: &str,
    params: HashParams,
) -> Result<Verified, PasswordError> {
    if stored.starts_with('$') {
        verify_argon2(password, stored, params)
    } else if let Some((salt, key)) = parse_scrypt(stored) {
        verify_scrypt(password, salt, &key)
    } else {
        Err(PasswordError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The configured parameters in these tests: the default.
    pub(super) const P: HashParams = HashParams::DEFAULT;

    /// Contract §5 test vector (Node `crypto.scryptSync`, cross-checked with Python).
    pub(super) const VECTOR_PASSWORD: &str = "password123";
    pub(super) const VECTOR_HASH: &str = "0123456789abcdef0123456789abcdef:e8b256b6f9f4b1641136a66d4a26ba41a47b6c8c9bad6aa4145559ffda45ece1f0f16dec8482a3e5545feada0ba62f2b05eeb943b750c9396874e1762c78d27d";

    #[test]
    fn malformed_hashes_are_errors() {
        let key = VECTOR_HASH.split_once(':').expect("colon").1;
        for stored in [
            "".to_owned(),
            "plaintext-password".to_owned(),
            "$argon2id$garbage".to_owned(),
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0".to_owned(),
            "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy".to_owned(),
            "$scrypt$ln=14,r=16,p=1$c2FsdHNhbHQ$aGFzaA".to_owned(),
            ":".to_owned(),
            format!(":{key}"),
            format!("0123456789abcdef:{key}"),
            format!("0123456789abcdef0123456789abcdeg:{key}"),
            format!("0123456789abcdef0123456789abcdef:{}", &key[..126]),
            format!("0123456789abcdef0123456789abcdef:{key}00"),
            format!("0123456789abcdef0123456789abcdef:{}zz", &key[..126]),
            format!("0123456789abcdef0123456789abcdef:{key}:extra"),
            "0123456789abcdef0123456789abcdef".to_owned(),
        ] {
            assert!(
                matches!(
                    verify_password("password123", &stored, P),
                    Err(PasswordError::Malformed)
                ),
                "{stored:?}"
            );
        }
    }
}
