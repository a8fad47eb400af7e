//! Password hashing: argon2id for everything we write, plus verification of the scrypt
//! hashes Better Auth wrote (contract §5), so existing accounts keep working and are
//! upgraded to argon2id on their next successful sign-in (`needs_rehash`).
//!
//! Passwords are NFKC-normalised before hashing or verifying, as Better Auth does, so the
//! same password typed on different platforms (composed vs decomposed accents, ligatures,
//! full-width digits) always matches.
//!
//! All functions here are deliberately slow; async code runs them on the hashing threads
//! ([`super::hashing::HashPool`]).

use std::{cell::RefCell, hint::black_box};

use argon2::{
    password_hash, Algorithm, Argon2, Block, Params, PasswordHash, PasswordVerifier, Version,
};
use base64::{engine::general_purpose::STANDARD_NO_PAD, Engine as _};
use rand::{rngs::OsRng, RngCore};
use subtle::ConstantTimeEq;
use unicode_normalization::UnicodeNormalization;

/// Argon2id memory cost in KiB (19 MiB), t = 2, p = 1: the first recommended
/// configuration of the OWASP Password Storage Cheat Sheet ("Argon2id with a minimum
/// configuration of 19 MiB of memory, an iteration count of 2, and 1 degree of
/// parallelism"). Changing any of these makes `verify_password` report
/// `needs_rehash: true` for hashes made with the old values.
pub const ARGON2_M_COST_KIB: u32 = 19_456;
/// Argon2id iteration count; see [`ARGON2_M_COST_KIB`].
pub const ARGON2_T_COST: u32 = 2;
/// Argon2id degree of parallelism; see [`ARGON2_M_COST_KIB`].
pub const ARGON2_P_COST: u32 = 1;
/// Argon2 output length in bytes (the `argon2` crate's default).
const ARGON2_OUTPUT_LEN: usize = 32;

/// Checked at compile time: invalid constants fail the build instead of a request.
const ARGON2_PARAMS: Params = match Params::new(
    ARGON2_M_COST_KIB,
    ARGON2_T_COST,
    ARGON2_P_COST,
    Some(ARGON2_OUTPUT_LEN),
) {
    Ok(params) => params,
    Err(_) => panic!("invalid argon2 parameters"),
};

/// Better Auth's scrypt parameters: N = 2^14, r = 16, p = 1, 64-byte key.
const SCRYPT_LOG_N: u8 = 14;
const SCRYPT_R: u32 = 16;
const SCRYPT_P: u32 = 1;
const SCRYPT_KEY_LEN: usize = 64;
/// Better Auth's salt: 16 random bytes written as 32 lowercase hex characters.
const SCRYPT_SALT_HEX_LEN: usize = 32;

/// Better Auth's default `emailAndPassword.minPasswordLength`, in UTF-16 code units.
pub const MIN_PASSWORD_LEN: usize = 8;
/// Better Auth's default `emailAndPassword.maxPasswordLength`, in UTF-16 code units.
pub const MAX_PASSWORD_LEN: usize = 128;

/// A valid argon2id hash with the current parameters (of the password
/// `taskdeck-dummy-password`), verified against when the user is unknown so that sign-in
/// takes as long as for a real account. Embedded rather than computed at start-up so the
/// first unknown-user request is not slower either; a test keeps it in step with the
/// parameters above.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$TVtO5SGgPOGi+XuwQYHWUQ$UeL+lX8zX/F3jjc3kPzTB6tK9MAIjsuIyYYR4hAnGX4";

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
    /// [`hash_password`]`(password)` in place of the old hash.
    Ok { needs_rehash: bool },
    /// Wrong password.
    Mismatch,
}

impl Verified {
    pub fn is_ok(self) -> bool {
        matches!(self, Verified::Ok { .. })
    }
}

/// Why a new password is refused; `code()` gives Better Auth's error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LengthError {
    #[error("Password too short")]
    TooShort,
    #[error("Password too long")]
    TooLong,
}

impl LengthError {
    /// The `code` field of Better Auth's 400 response.
    pub fn code(self) -> &'static str {
        match self {
            LengthError::TooShort => "PASSWORD_TOO_SHORT",
            LengthError::TooLong => "PASSWORD_TOO_LONG",
        }
    }
}

/// Applies Better Auth's length rules (sign-up, change-password, reset-password).
/// Lengths are JavaScript `string.length`, i.e. UTF-16 code units: a character outside
/// the Basic Multilingual Plane (most emoji) counts as 2.
pub fn check_length(password: &str) -> Result<(), LengthError> {
    let len = password.encode_utf16().count();
    if len < MIN_PASSWORD_LEN {
        Err(LengthError::TooShort)
    } else if len > MAX_PASSWORD_LEN {
        Err(LengthError::TooLong)
    } else {
        Ok(())
    }
}

fn normalize(password: &str) -> String {
    password.nfkc().collect()
}

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, ARGON2_PARAMS)
}

thread_local! {
    /// Argon2's 19 MiB of working memory, kept by each hashing thread between hashes.
    /// Allocated per hash, it cost an mmap, ~4,900 page faults and an munmap (a TLB
    /// shootdown on every core running this process) for every sign-in.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Argon2id with the current parameters, in this thread's kept memory.
fn argon2id_current(
    password: &[u8],
    salt: &[u8],
) -> Result<[u8; ARGON2_OUTPUT_LEN], PasswordError> {
    let mut out = [0u8; ARGON2_OUTPUT_LEN];
    BLOCKS
        .with_borrow_mut(|blocks| {
            blocks.resize(ARGON2_PARAMS.block_count(), Block::default());
            argon2().hash_password_into_with_memory(password, salt, &mut out, &mut blocks[..])
        })
        .map_err(|e| PasswordError::Hashing(e.to_string()))?;
    Ok(out)
}

/// Hashes `password` with argon2id and the parameters above; returns a PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) for the `account.password` column.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let out = argon2id_current(normalize(password).as_bytes(), &salt)?;
    // PHC strings use standard base64 without padding.
    Ok(format!(
        "$argon2id$v=19$m={ARGON2_M_COST_KIB},t={ARGON2_T_COST},p={ARGON2_P_COST}${}${}",
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(out)
    ))
}

/// Verifies `password` against a stored hash in either format:
/// - argon2 PHC (`$argon2id$…`, also `$argon2i$`/`$argon2d$`): our own hashes;
///   `needs_rehash` is true when the algorithm or parameters differ from the current ones;
/// - Better Auth scrypt (`<32 hex salt>:<128 hex key>`): a match always has
///   `needs_rehash: true`, to migrate the account to argon2id.
///
/// Anything else is [`PasswordError::Malformed`].
pub fn verify_password(password: &str, stored: &str) -> Result<Verified, PasswordError> {
    if stored.starts_with('$') {
        verify_argon2(password, stored)
    } else if let Some((salt, key)) = parse_scrypt(stored) {
        verify_scrypt(password, salt, &key)
    } else {
        Err(PasswordError::Malformed)
    }
}

/// Does the work of a real argon2 verification and throws the result away. Call it when
/// the user, the credential account or its password is missing, so that response times
/// do not reveal which emails are registered.
pub fn dummy_verify(password: &str) {
    let _ = black_box(verify_password(black_box(password), DUMMY_HASH));
}

/// Hashes `password` exactly as Better Auth does (scrypt, random hex salt used as ASCII
/// bytes). Only for tests and fixtures: new hashes should use [`hash_password`].
pub fn better_auth_scrypt_hash(password: &str) -> Result<String, PasswordError> {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let salt = hex::encode(salt);
    let key = scrypt_key(password, &salt)?;
    Ok(format!("{salt}:{}", hex::encode(key)))
}

fn verify_argon2(password: &str, stored: &str) -> Result<Verified, PasswordError> {
    let hash = PasswordHash::new(stored).map_err(|_| PasswordError::Malformed)?;
    // A PHC string without salt or output parses, but the verifier would report it as a
    // mismatch; it is a broken row, not a wrong password.
    if hash.salt.is_none() || hash.hash.is_none() {
        return Err(PasswordError::Malformed);
    }
    let needs_rehash = argon2_needs_rehash(&hash);
    if !needs_rehash {
        // Current parameters (nearly every account): in this thread's kept memory.
        let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
            return Err(PasswordError::Malformed);
        };
        let mut salt_bytes = [0u8; 64];
        let salt = salt
            .decode_b64(&mut salt_bytes)
            .map_err(|_| PasswordError::Malformed)?;
        let out = argon2id_current(normalize(password).as_bytes(), salt)?;
        return Ok(if bool::from(out.ct_eq(expected.as_bytes())) {
            Verified::Ok {
                needs_rehash: false,
            }
        } else {
            Verified::Mismatch
        });
    }
    // Older parameters: `verify_password` takes algorithm, version and parameters from
    // the stored hash and compares the outputs in constant time.
    match argon2().verify_password(normalize(password).as_bytes(), &hash) {
        Ok(()) => Ok(Verified::Ok { needs_rehash }),
        Err(password_hash::Error::Password) => Ok(Verified::Mismatch),
        Err(_) => Err(PasswordError::Malformed),
    }
}

fn argon2_needs_rehash(hash: &PasswordHash<'_>) -> bool {
    let current_params = Params::try_from(hash).is_ok_and(|p| {
        p.m_cost() == ARGON2_M_COST_KIB
            && p.t_cost() == ARGON2_T_COST
            && p.p_cost() == ARGON2_P_COST
            && p.keyid().is_empty()
            && p.data().is_empty()
    });
    let current_output = hash
        .hash
        .is_some_and(|output| output.len() == ARGON2_OUTPUT_LEN);
    !(hash.algorithm == Algorithm::Argon2id.ident()
        && hash.version == Some(Version::V0x13.into())
        && current_params
        && current_output)
}

/// Splits Better Auth's `<salt>:<key>`; the salt stays a string because Better Auth feeds
/// the hex text itself (not the bytes it encodes) to scrypt.
fn parse_scrypt(stored: &str) -> Option<(&str, [u8; SCRYPT_KEY_LEN])> {
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

fn verify_scrypt(
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
    use argon2::{password_hash::SaltString, PasswordHasher};

    /// Contract §5 test vector (Node `crypto.scryptSync`, cross-checked with Python).
    const VECTOR_PASSWORD: &str = "password123";
    const VECTOR_HASH: &str = "0123456789abcdef0123456789abcdef:e8b256b6f9f4b1641136a66d4a26ba41a47b6c8c9bad6aa4145559ffda45ece1f0f16dec8482a3e5545feada0ba62f2b05eeb943b750c9396874e1762c78d27d";

    #[test]
    fn better_auth_scrypt_vector_verifies() {
        assert_eq!(
            verify_password(VECTOR_PASSWORD, VECTOR_HASH).expect("well-formed"),
            Verified::Ok { needs_rehash: true }
        );
    }

    #[test]
    fn better_auth_scrypt_vector_rejects_wrong_password() {
        assert_eq!(
            verify_password("password124", VECTOR_HASH).expect("well-formed"),
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
            verify_password("\u{00C5} file pass", &stored).expect("well-formed"),
            Verified::Ok { needs_rehash: true }
        );
    }

    #[test]
    fn phc_string_matches_the_argon2_crate() {
        let salt = [7u8; 16];
        let ours = format!(
            "$argon2id$v=19$m={ARGON2_M_COST_KIB},t={ARGON2_T_COST},p={ARGON2_P_COST}${}${}",
            STANDARD_NO_PAD.encode(salt),
            STANDARD_NO_PAD.encode(argon2id_current("pässword".as_bytes(), &salt).unwrap())
        );
        let theirs = argon2()
            .hash_password(
                "pässword".as_bytes(),
                &SaltString::encode_b64(&salt).unwrap(),
            )
            .unwrap()
            .to_string();
        assert_eq!(ours, theirs);
        assert!(verify_password("pässword", &theirs).unwrap().is_ok());
        assert_eq!(
            verify_password("passwörd", &theirs).unwrap(),
            Verified::Mismatch
        );
    }

    #[test]
    fn argon2_round_trip() {
        let stored = hash_password("correct horse battery staple").expect("hash");
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert_eq!(
            verify_password("correct horse battery staple", &stored).expect("well-formed"),
            Verified::Ok {
                needs_rehash: false
            }
        );
        assert_eq!(
            verify_password("correct horse battery stapler", &stored).expect("well-formed"),
            Verified::Mismatch
        );
        // Salted: hashing again gives a different string.
        assert_ne!(
            hash_password("correct horse battery staple").expect("hash"),
            stored
        );
    }

    #[test]
    fn argon2_normalises_unicode() {
        // "é" precomposed when hashing, decomposed (e + U+0301) when verifying.
        let stored = hash_password("caf\u{00E9} p\u{00E4}ssword").expect("hash");
        assert!(verify_password("cafe\u{0301} pa\u{0308}ssword", &stored)
            .expect("well-formed")
            .is_ok());
    }

    #[test]
    fn argon2_with_old_parameters_needs_rehash() {
        let weak = |algorithm| {
            let params = Params::new(64, 1, 1, None).expect("params");
            let salt = SaltString::encode_b64(b"0123456789abcdef").expect("salt");
            Argon2::new(algorithm, Version::V0x13, params)
                .hash_password(b"old password", &salt)
                .expect("hash")
                .to_string()
        };
        for algorithm in [Algorithm::Argon2id, Algorithm::Argon2i, Algorithm::Argon2d] {
            let stored = weak(algorithm);
            assert_eq!(
                verify_password("old password", &stored).expect("well-formed"),
                Verified::Ok { needs_rehash: true },
                "{stored}"
            );
            assert_eq!(
                verify_password("old passwort", &stored).expect("well-formed"),
                Verified::Mismatch
            );
        }
    }

    #[test]
    fn dummy_hash_is_current_and_valid() {
        assert_eq!(
            verify_password("taskdeck-dummy-password", DUMMY_HASH).expect("well-formed"),
            Verified::Ok {
                needs_rehash: false
            }
        );
        // Must not panic for any input.
        dummy_verify("");
        dummy_verify("anything at all \u{1F600}");
    }

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
                    verify_password("password123", &stored),
                    Err(PasswordError::Malformed)
                ),
                "{stored:?}"
            );
        }
    }

    #[test]
    fn length_rules_count_utf16_code_units() {
        assert_eq!(check_length(""), Err(LengthError::TooShort));
        assert_eq!(check_length("1234567"), Err(LengthError::TooShort));
        assert_eq!(check_length("12345678"), Ok(()));
        assert_eq!(check_length(&"a".repeat(128)), Ok(()));
        assert_eq!(check_length(&"a".repeat(129)), Err(LengthError::TooLong));
        // BMP characters count once even though UTF-8 uses two bytes for them.
        assert_eq!(check_length(&"é".repeat(7)), Err(LengthError::TooShort));
        assert_eq!(check_length(&"é".repeat(8)), Ok(()));
        // Non-BMP characters (surrogate pairs in UTF-16) count twice.
        assert_eq!(check_length(&"😀".repeat(3)), Err(LengthError::TooShort));
        assert_eq!(check_length(&"😀".repeat(4)), Ok(()));
        assert_eq!(check_length(&"😀".repeat(64)), Ok(()));
        // 65 chars, 129 UTF-16 units: too long for JavaScript's `length`.
        assert_eq!(
            check_length(&format!("{}a", "😀".repeat(64))),
            Err(LengthError::TooLong)
        );
        assert_eq!(LengthError::TooShort.code(), "PASSWORD_TOO_SHORT");
        assert_eq!(LengthError::TooLong.code(), "PASSWORD_TOO_LONG");
    }
}
