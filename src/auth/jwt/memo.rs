//! Remembers which exact tokens passed the Ed25519 check, so that a client sending the
//! same JWT on every request (as Better Auth's clients do for its whole life) pays the
//! curve arithmetic once: it was ~75 % of an EdDSA request's instructions, and left the
//! EdDSA mode a third slower than HS256 on the task list.
//!
//! Only the signature check is skipped. A remembered token still has its `kid` looked
//! up in the current key set (a key that is gone verifies nothing) and its claims
//! checked against the clock and the validation on every request. The entry is the
//! SHA-256 of the public key and the whole token, so a changed byte anywhere, or the
//! same `kid` now naming another key, is a miss.

use std::{collections::HashSet, sync::Mutex};

use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};

/// How many verified tokens are remembered; past it the set starts again empty (about
/// 32 bytes each: 128 KiB at most). A busy instance re-verifies each live token once
/// per cycle, which is all that is lost.
const CAPACITY: usize = 4096;

/// A bounded set of (key, token) pairs whose signature has been verified.
#[derive(Debug, Default)]
pub struct VerifiedTokens {
    seen: Mutex<HashSet<[u8; 32]>>,
}

/// The entry for one token under one key.
pub(super) struct Entry([u8; 32]);

impl VerifiedTokens {
    pub(super) fn entry(key: &VerifyingKey, token: &str) -> Entry {
        let mut hash = Sha256::new();
        hash.update(key.as_bytes());
        hash.update(token.as_bytes());
        Entry(hash.finalize().into())
    }

    pub(super) fn contains(&self, entry: &Entry) -> bool {
        self.lock().contains(&entry.0)
    }

    pub(super) fn remember(&self, entry: Entry) {
        let mut seen = self.lock();
        if seen.len() >= CAPACITY {
            seen.clear();
        }
        seen.insert(entry.0);
    }

    /// How many tokens are remembered (for tests).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<[u8; 32]>> {
        // A panic while holding the lock cannot leave the set inconsistent.
        self.seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
