//! Argon2id, the format of every hash we write: hashing in working memory that each
//! hashing thread keeps, verification with the parameters a stored hash carries, and the
//! dummy verification that keeps unknown e-mails from answering faster.

use std::{cell::RefCell, hint::black_box};

use argon2::{password_hash, Algorithm, Block, Params, PasswordHash, PasswordVerifier, Version};
use base64::{engine::general_purpose::STANDARD_NO_PAD, Engine as _};
use rand::{rngs::OsRng, RngCore};
use subtle::ConstantTimeEq;

use super::{
    normalize, params::ARGON2_OUTPUT_LEN, verify_password, HashParams, PasswordError, Verified,
};

/// Salt of the dummy hash that unknown users are checked against; any value will do.
const DUMMY_SALT: [u8; 16] = *b"taskdeck-dummy-s";

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

/// Does the work of a real verification with `params` and throws the result away. Call
/// it when the user, the credential account or its password is missing, so that
/// response times do not reveal which emails are registered. It takes the same path as
/// an account hashed with `params` (the output, all zeros, never matches).
pub fn dummy_verify(password: &str, params: HashParams) {
    let stored = phc_string(params, &DUMMY_SALT, &[0; ARGON2_OUTPUT_LEN]);
    let _ = black_box(verify_password(black_box(password), &stored, params));
}

pub(super) fn verify_argon2(
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
        p.m_cost() == params.m_cost_kib()
            && p.t_cost() == params.t_cost()
            && p.p_cost() == params.p_cost()
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

#[cfg(test)]
mod tests {
    use argon2::{password_hash::SaltString, Argon2, PasswordHasher};

    use super::*;
    use crate::auth::password::tests::P;

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
}
