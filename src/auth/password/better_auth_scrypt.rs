//! Better Auth's scrypt hashes (contract §5): verified so that the accounts it created
//! keep working; a match always asks for a rehash to argon2id.

use rand::{rngs::OsRng, RngCore};
use subtle::ConstantTimeEq;

use super::{normalize, PasswordError, Verified};

/// Better Auth's scrypt parameters: N = 2^14, r = 16, p = 1, 64-byte key.
const SCRYPT_LOG_N: u8 = 14;
const SCRYPT_R: u32 = 16;
const SCRYPT_P: u32 = 1;
const SCRYPT_KEY_LEN: usize = 64;
/// Better Auth's salt: 16 random bytes written as 32 lowercase hex characters.
const SCRYPT_SALT_HEX_LEN: usize = 32;

/// Hashes `password` exactly as Better Auth does (scrypt, random hex salt used as ASCII
/// bytes). Only for tests and fixtures: new hashes should use [`hash_password`].
pub fn better_auth_scrypt_hash(password: &str) -> Result<String, PasswordError> {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let salt = hex::encode(salt);
    let key = scrypt_key(password, &salt)?;
    Ok(format!("{salt}:{}", hex::encode(key)))
}

/// Splits Better Auth's `<salt>:<key>`; the salt stays a string because Better Auth feeds
/// the hex text itself (not the bytes it encodes) to scrypt.
pub(super) fn parse_scrypt(stored: &str) -> Option<(&str, [u8; SCRYPT_KEY_LEN])> {
    let (salt, key_hex) = stored.split_once(':')?;
    if salt.len() != SCRYPT_SALT_HEX_LEN || !salt.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut key = [0u8; SCRYPT_KEY_LEN];
    // Fails on non-hex characters and on any length other than 128.
    hex::decode_to_slice(key_hex, &mut key).ok()?;
    Some((salt, key))
}

fn scrypt_key(password: &str, salt: &str) -> Result<[u8; SCRYPT_KEY_LEN], PasswordError> {
    let params = scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, SCRYPT_KEY_LEN)
        .map_err(|e| PasswordError::Hashing(e.to_string()))?;
    let mut key = [0u8; SCRYPT_KEY_LEN];
    scrypt::scrypt(
        normalize(password).as_bytes(),
        salt.as_bytes(),
        &params,
        &mut key,
    )
    .map_err(|e| PasswordError::Hashing(e.to_string()))?;
    Ok(key)
}

pub(super) fn verify_scrypt(
    password: &str,
    salt: &str,
    expected: &[u8; SCRYPT_KEY_LEN],
) -> Result<Verified, PasswordError> {
    let key = scrypt_key(password, salt)?;
    if bool::from(key.ct_eq(expected)) {
        Ok(Verified::Ok { needs_rehash: true })
    } else {
        Ok(Verified::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::password::{
        tests::{P, VECTOR_HASH, VECTOR_PASSWORD},
        verify_password,
    };

    #[test]
    fn better_auth_scrypt_vector_verifies() {
        assert_eq!(
            verify_password(VECTOR_PASSWORD, VECTOR_HASH, P).expect("well-formed"),
            Verified::Ok { needs_rehash: true }
        );
    }

    #[test]
    fn better_auth_scrypt_vector_rejects_wrong_password() {
        assert_eq!(
            verify_password("password124", VECTOR_HASH, P).expect("well-formed"),
            Verified::Mismatch
        );
    }

    #[test]
    fn scrypt_salt_is_the_hex_text_not_its_bytes() {
        // Same key, but with the salt decoded to bytes: must not verify.
        let key = scrypt_key(
            VECTOR_PASSWORD,
            VECTOR_HASH.split_once(':').expect("colon").0,
        )
        .expect("scrypt");
        assert_eq!(
            hex::encode(key),
            VECTOR_HASH.split_once(':').expect("colon").1
        );
        let salt_bytes = hex::decode("0123456789abcdef0123456789abcdef").expect("hex");
        let params =
            scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, SCRYPT_KEY_LEN).expect("params");
        let mut other = [0u8; SCRYPT_KEY_LEN];
        scrypt::scrypt(VECTOR_PASSWORD.as_bytes(), &salt_bytes, &params, &mut other)
            .expect("scrypt");
        assert_ne!(other, key);
    }

    #[test]
    fn scrypt_fixture_round_trip_with_nfkc() {
        // "Å" as U+212B ANGSTROM SIGN and "ﬁ" ligature; NFKC maps them to U+00C5 and "fi".
        let stored = better_auth_scrypt_hash("\u{212B} \u{FB01}le pass").expect("hash");
        let (salt, key) = stored.split_once(':').expect("colon");
        assert_eq!(salt.len(), 32);
        assert_eq!(key.len(), 128);
        assert!(stored
            .bytes()
            .all(|b| b == b':' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_eq!(
            verify_password("\u{00C5} file pass", &stored, P).expect("well-formed"),
            Verified::Ok { needs_rehash: true }
        );
    }
}
