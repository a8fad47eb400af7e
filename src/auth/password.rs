//! Password hashing: argon2id for everything we write, plus verification of the scrypt
//! hashes Better Auth wrote (contract §5), so existing accounts keep working and are
//! upgraded to argon2id on their next successful sign-in (`needs_rehash`).
//!
//! The argon2id cost is a setting ([`HashParams`], `PASSWORD_HASH_PARAMS`): OWASP lists
//! several equally strong trades of memory for iterations, and the memory one hash
//! touches is what slows every other request during a sign-in storm (`bench/`).
//! Stored hashes are always verified with the parameters written in them; a hash made
//! with other parameters than the configured ones reports `needs_rehash`.
//!
//! Passwords are NFKC-normalised before hashing or verifying, as Better Auth does, so the
//! same password typed on different platforms (composed vs decomposed accents, ligatures,
//! full-width digits) always matches.
//!
//! All functions here are deliberately slow; async code runs them on the hashing threads
//! ([`super::hashing::HashPool`]).

use std::{cell::RefCell, fmt, hint::black_box, str::FromStr};

use argon2::{
    password_hash, Algorithm, Argon2, Block, Params, PasswordHash, PasswordVerifier, Version,
};
use base64::{engine::general_purpose::STANDARD_NO_PAD, Engine as _};
use rand::{rngs::OsRng, RngCore};
use subtle::ConstantTimeEq;
use unicode_normalization::UnicodeNormalization;

/// Argon2 output length in bytes (the `argon2` crate's default).
const ARGON2_OUTPUT_LEN: usize = 32;

/// Argon2id cost of new hashes: memory in KiB, iterations and lanes, written
/// `m=19456,t=2,p=1` as in a PHC string. Only settings at least as strong as one of the
/// OWASP Password Storage Cheat Sheet's argon2id rows can be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
}

impl HashParams {
    /// OWASP's argon2id rows, "an equal level of defense" that trades memory for
    /// iterations, all with one lane.
    pub const OWASP: [HashParams; 5] = [
        Self::row(47_104, 1),
        Self::row(19_456, 2),
        Self::row(12_288, 3),
        Self::row(9_216, 4),
        Self::row(7_168, 5),
    ];

    /// The default: OWASP's lightest row. Of the equally strong settings it had the
    /// fastest sign-ins (~20 % more per second than `m=19456,t=2` in `bench/`, 12 of 14
    /// paired rounds) and holds the least memory per hashing thread; the storm's effect
    /// on other requests did not differ measurably (`bench/README.md`).
    pub const DEFAULT: HashParams = Self::row(7_168, 5);

    const fn row(m_cost_kib: u32, t_cost: u32) -> Self {
        Self {
            m_cost_kib,
            t_cost,
            p_cost: 1,
        }
    }

    /// Refuses anything weaker than every OWASP row (less memory *and* fewer iterations
    /// than each), and more than one lane: the hashing threads compute lanes one after
    /// the other, so extra lanes would only cost time without adding strength.
    pub fn new(m_cost_kib: u32, t_cost: u32, p_cost: u32) -> Result<Self, String> {
        let params = Self {
            m_cost_kib,
            t_cost,
            p_cost,
        };
        if p_cost != 1 {
            return Err(format!("{params}: p must be 1"));
        }
        let strong = Self::OWASP
            .iter()
            .any(|row| m_cost_kib >= row.m_cost_kib && t_cost >= row.t_cost);
        if !strong {
            let rows: Vec<String> = Self::OWASP.iter().map(|r| r.to_string()).collect();
            return Err(format!(
                "{params} is weaker than every OWASP argon2id setting ({})",
                rows.join("; ")
            ));
        }
        params.argon2_params().map_err(|e| e.to_string())?;
        Ok(params)
    }

    pub fn m_cost_kib(self) -> u32 {
        self.m_cost_kib
    }

    pub fn t_cost(self) -> u32 {
        self.t_cost
    }

    pub fn p_cost(self) -> u32 {
        self.p_cost
    }

    fn argon2_params(self) -> Result<Params, argon2::Error> {
        Params::new(
            self.m_cost_kib,
            self.t_cost,
            self.p_cost,
            Some(ARGON2_OUTPUT_LEN),
        )
    }

    fn argon2(self) -> Result<Argon2<'static>, PasswordError> {
        let params = self
            .argon2_params()
            .map_err(|e| PasswordError::Hashing(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

impl Default for HashParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for HashParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "m={},t={},p={}",
            self.m_cost_kib, self.t_cost, self.p_cost
        )
    }
}

/// Parses `m=<KiB>,t=<iterations>,p=<lanes>` (any order, each key once).
impl FromStr for HashParams {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (mut m, mut t, mut p) = (None, None, None);
        for part in text.split(',') {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?} is not key=value"))?;
            let slot = match key.trim() {
                "m" => &mut m,
                "t" => &mut t,
                "p" => &mut p,
                other => return Err(format!("unknown key {other:?} (use m, t and p)")),
            };
            let value = value
                .trim()
                .parse::<u32>()
                .map_err(|_| format!("{value:?} is not a whole number"))?;
            if slot.replace(value).is_some() {
                return Err(format!("{} is given twice", key.trim()));
            }
        }
        match (m, t, p) {
            (Some(m), Some(t), Some(p)) => Self::new(m, t, p),
            _ => Err("expected m=<KiB>,t=<iterations>,p=1, e.g. m=19456,t=2,p=1".into()),
        }
    }
}

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

/// Salt of the dummy hash that unknown users are checked against; any value will do.
const DUMMY_SALT: [u8; 16] = *b"taskdeck-dummy-s";

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

thread_local! {
    /// Argon2's working memory, kept by each hashing thread between hashes. Allocated
    /// per hash, 19 MiB cost an mmap, ~4,900 page faults and an munmap (a TLB shootdown
    /// on every core running this process) for every sign-in.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Argon2id with `params`, in this thread's kept memory.
fn argon2id_with(
    params: HashParams,
    password: &[u8],
    salt: &[u8],
) -> Result<[u8; ARGON2_OUTPUT_LEN], PasswordError> {
    let argon2 = params.argon2()?;
    let mut out = [0u8; ARGON2_OUTPUT_LEN];
    BLOCKS
        .with_borrow_mut(|blocks| {
            blocks.resize(argon2.params().block_count(), Block::default());
            argon2.hash_password_into_with_memory(password, salt, &mut out, &mut blocks[..])
        })
        .map_err(|e| PasswordError::Hashing(e.to_string()))?;
    Ok(out)
}

/// Hashes `password` with argon2id and `params`; returns a PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) for the `account.password` column.
pub fn hash_password(password: &str, params: HashParams) -> Result<String, PasswordError> {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let out = argon2id_with(params, normalize(password).as_bytes(), &salt)?;
    Ok(phc_string(params, &salt, &out))
}

/// PHC strings use standard base64 without padding.
fn phc_string(params: HashParams, salt: &[u8], output: &[u8]) -> String {
    format!(
        "$argon2id$v=19${params}${}${}",
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(output)
    )
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

/// Does the work of a real verification with `params` and throws the result away. Call
/// it when the user, the credential account or its password is missing, so that
/// response times do not reveal which emails are registered. It takes the same path as
/// an account hashed with `params` (the output, all zeros, never matches).
pub fn dummy_verify(password: &str, params: HashParams) {
    let stored = phc_string(params, &DUMMY_SALT, &[0; ARGON2_OUTPUT_LEN]);
    let _ = black_box(verify_password(black_box(password), &stored, params));
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

fn verify_argon2(
    password: &str,
    stored: &str,
    params: HashParams,
) -> Result<Verified, PasswordError> {
    let hash = PasswordHash::new(stored).map_err(|_| PasswordError::Malformed)?;
    // A PHC string without salt or output parses, but the verifier would report it as a
    // mismatch; it is a broken row, not a wrong password.
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return Err(PasswordError::Malformed);
    };
    let needs_rehash = argon2_needs_rehash(&hash, params);
    if !needs_rehash {
        // The configured parameters (nearly every account): in this thread's kept memory.
        let mut salt_bytes = [0u8; 64];
        let salt = salt
            .decode_b64(&mut salt_bytes)
            .map_err(|_| PasswordError::Malformed)?;
        let out = argon2id_with(params, normalize(password).as_bytes(), salt)?;
        return Ok(if bool::from(out.ct_eq(expected.as_bytes())) {
            Verified::Ok {
                needs_rehash: false,
            }
        } else {
            Verified::Mismatch
        });
    }
    // Other parameters: `verify_password` takes algorithm, version and parameters from
    // the stored hash (not from `params`) and compares the outputs in constant time.
    match params
        .argon2()?
        .verify_password(normalize(password).as_bytes(), &hash)
    {
        Ok(()) => Ok(Verified::Ok { needs_rehash }),
        Err(password_hash::Error::Password) => Ok(Verified::Mismatch),
        Err(_) => Err(PasswordError::Malformed),
    }
}

fn argon2_needs_rehash(hash: &PasswordHash<'_>, params: HashParams) -> bool {
    let same_params = Params::try_from(hash).is_ok_and(|p| {
        p.m_cost() == params.m_cost_kib
            && p.t_cost() == params.t_cost
            && p.p_cost() == params.p_cost
            && p.keyid().is_empty()
            && p.data().is_empty()
    });
    let same_output = hash
        .hash
        .is_some_and(|output| output.len() == ARGON2_OUTPUT_LEN);
    !(hash.algorithm == Algorithm::Argon2id.ident()
        && hash.version == Some(Version::V0x13.into())
        && same_params
        && same_output)
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

    /// The configured parameters in these tests: the default.
    const P: HashParams = HashParams::DEFAULT;

    /// Contract §5 test vector (Node `crypto.scryptSync`, cross-checked with Python).
    const VECTOR_PASSWORD: &str = "password123";
    const VECTOR_HASH: &str = "0123456789abcdef0123456789abcdef:e8b256b6f9f4b1641136a66d4a26ba41a47b6c8c9bad6aa4145559ffda45ece1f0f16dec8482a3e5545feada0ba62f2b05eeb943b750c9396874e1762c78d27d";

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

    #[test]
    fn phc_string_matches_the_argon2_crate() {
        let salt = [7u8; 16];
        let ours = format!(
            "$argon2id$v=19$m={},t={},p={}${}${}",
            P.m_cost_kib(),
            P.t_cost(),
            P.p_cost(),
            STANDARD_NO_PAD.encode(salt),
            STANDARD_NO_PAD.encode(argon2id_with(P, "pässword".as_bytes(), &salt).unwrap())
        );
        let theirs = P
            .argon2()
            .unwrap()
            .hash_password(
                "pässword".as_bytes(),
                &SaltString::encode_b64(&salt).unwrap(),
            )
            .unwrap()
            .to_string();
        assert_eq!(ours, theirs);
        assert!(verify_password("pässword", &theirs, P).unwrap().is_ok());
        assert_eq!(
            verify_password("passwörd", &theirs, P).unwrap(),
            Verified::Mismatch
        );
    }

    #[test]
    fn argon2_round_trip() {
        let stored = hash_password("correct horse battery staple", P).expect("hash");
        assert!(
            stored.starts_with(&format!("$argon2id$v=19${P}$")),
            "{stored}"
        );
        assert_eq!(
            verify_password("correct horse battery staple", &stored, P).expect("well-formed"),
            Verified::Ok {
                needs_rehash: false
            }
        );
        assert_eq!(
            verify_password("correct horse battery stapler", &stored, P).expect("well-formed"),
            Verified::Mismatch
        );
        // Salted: hashing again gives a different string.
        assert_ne!(
            hash_password("correct horse battery staple", P).expect("hash"),
            stored
        );
    }

    #[test]
    fn argon2_normalises_unicode() {
        // "é" precomposed when hashing, decomposed (e + U+0301) when verifying.
        let stored = hash_password("caf\u{00E9} p\u{00E4}ssword", P).expect("hash");
        assert!(verify_password("cafe\u{0301} pa\u{0308}ssword", &stored, P)
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
                verify_password("old password", &stored, P).expect("well-formed"),
                Verified::Ok { needs_rehash: true },
                "{stored}"
            );
            assert_eq!(
                verify_password("old passwort", &stored, P).expect("well-formed"),
                Verified::Mismatch
            );
        }
    }

    #[test]
    fn dummy_takes_the_path_of_a_current_hash() {
        for params in HashParams::OWASP {
            let stored = phc_string(params, &DUMMY_SALT, &[0; ARGON2_OUTPUT_LEN]);
            let hash = PasswordHash::new(&stored).expect("PHC string");
            assert!(!argon2_needs_rehash(&hash, params), "{stored}");
        }
        let stored = phc_string(P, &DUMMY_SALT, &[0; ARGON2_OUTPUT_LEN]);
        assert_eq!(
            verify_password("taskdeck-dummy-password", &stored, P).expect("well-formed"),
            Verified::Mismatch
        );
        // Must not panic for any input.
        dummy_verify("", P);
        dummy_verify("anything at all \u{1F600}", P);
    }

    #[test]
    fn stored_parameters_verify_and_other_ones_need_rehash() {
        let other = HashParams::OWASP[3];
        assert_ne!(other, P);
        let stored = hash_password("correct horse", other).expect("hash");
        assert!(
            stored.starts_with("$argon2id$v=19$m=9216,t=4,p=1$"),
            "{stored}"
        );
        assert_eq!(
            verify_password("correct horse", &stored, other).expect("well-formed"),
            Verified::Ok {
                needs_rehash: false
            }
        );
        // Configured otherwise: still verifies (with the stored parameters), and asks
        // for a rehash with the configured ones.
        assert_eq!(
            verify_password("correct horse", &stored, P).expect("well-formed"),
            Verified::Ok { needs_rehash: true }
        );
        assert_eq!(
            verify_password("correct horsf", &stored, P).expect("well-formed"),
            Verified::Mismatch
        );
    }

    #[test]
    fn params_parse_and_refuse_weaker_than_owasp() {
        assert_eq!("m=19456,t=2,p=1".parse(), Ok(HashParams::OWASP[1]));
        assert_eq!(HashParams::default(), HashParams::OWASP[4]);
        assert_eq!(
            " t=3, m=12288 ,p=1"
                .parse::<HashParams>()
                .map(|p| p.to_string()),
            Ok("m=12288,t=3,p=1".to_owned())
        );
        for row in HashParams::OWASP {
            assert_eq!(row.to_string().parse(), Ok(row));
        }
        // Stronger than a row in both costs, or in one of them.
        for ok in [
            "m=65536,t=3,p=1",
            "m=47104,t=1,p=1",
            "m=8192,t=5,p=1",
            "m=7168,t=9,p=1",
        ] {
            assert!(ok.parse::<HashParams>().is_ok(), "{ok}");
        }
        for bad in [
            "m=19456,t=1,p=1",
            "m=7168,t=4,p=1",
            "m=47103,t=1,p=1",
            "m=4096,t=10,p=1",
            "m=19456,t=2,p=2",
            "m=19456,t=2",
            "m=19456,t=2,p=1,x=3",
            "m=19456,t=2,t=3,p=1",
            "m=19 MiB,t=2,p=1",
            "m=-1,t=2,p=1",
            "19456,2,1",
            "",
        ] {
            assert!(bad.parse::<HashParams>().is_err(), "{bad}");
        }
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
                    verify_password("password123", &stored, P),
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
