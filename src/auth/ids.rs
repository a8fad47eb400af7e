//! Random identifiers in Better Auth's `generateId` format.
//!
//! Better Auth stores user ids, session tokens, JWKS key ids and verification tokens as
//! opaque strings of `[a-zA-Z0-9]`. Rows we create must look the same so that a database
//! can be shared with (or migrated back to) a Better Auth instance.

use rand::{distributions::Alphanumeric, Rng};

/// Length Better Auth uses for user ids, session tokens and JWKS key ids.
pub const DEFAULT_ID_LEN: usize = 32;

/// Length Better Auth uses for password-reset tokens (`reset-password:<token>`).
pub const RESET_TOKEN_LEN: usize = 24;

/// Returns `len` characters drawn uniformly from `[a-zA-Z0-9]`.
///
/// The randomness comes from `thread_rng`, a ChaCha-based CSPRNG seeded (and
/// periodically reseeded) from the OS. [`Alphanumeric`] picks a character by rejection
/// sampling on 6-bit values, so every character is equally likely: the same unbiased
/// property Better Auth's `generateRandomString` has. 32 characters carry ~190 bits.
pub fn generate_id(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// `len` characters drawn uniformly from `alphabet` (at most 256 symbols): Better
/// Auth's `generateRandomString` with explicit alphabets, by the same unbiased
/// rejection sampling.
pub fn random_string(len: usize, alphabet: &[u8]) -> String {
    let pick = rand::distributions::Slice::new(alphabet).expect("a non-empty alphabet");
    rand::thread_rng()
        .sample_iter(pick)
        .take(len)
        .map(|&b| char::from(b))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn has_requested_length_and_charset() {
        for len in [0, 1, RESET_TOKEN_LEN, DEFAULT_ID_LEN, 100] {
            let id = generate_id(len);
            assert_eq!(id.len(), len);
            assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
        }
    }

    #[test]
    fn ids_do_not_repeat() {
        let ids: HashSet<String> = (0..1000).map(|_| generate_id(DEFAULT_ID_LEN)).collect();
        assert_eq!(ids.len(), 1000);
    }

    #[test]
    fn every_character_is_used_without_gross_bias() {
        // 62 symbols * ~1600 draws each; a biased modulo mapping (e.g. `byte % 62`)
        // would over-weight the first 8 symbols by ~25%, far outside the ±20% band.
        let sample = generate_id(62 * 1600);
        let mut counts: HashMap<char, usize> = HashMap::new();
        for c in sample.chars() {
            *counts.entry(c).or_default() += 1;
        }
        assert_eq!(counts.len(), 62);
        for (c, n) in counts {
            assert!((1280..=1920).contains(&n), "{c} appeared {n} times");
        }
    }
}
