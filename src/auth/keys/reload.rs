//! Keeping the cached verification keys current without letting tokens drive reloads.
//!
//! A token's `kid` is read before its signature is checked, so anyone can name an
//! unknown key: reloads are therefore single-flight and rate-limited (one per cooldown,
//! exponential backoff while the source fails) instead of one per request. The cached
//! set is reloaded after a TTL so that a key removed at the source, or past its
//! `expiresAt`, stops verifying; while the source is down, stale keys are kept for a
//! grace period rather than failing every request.

use std::time::{Duration, Instant};

use ed25519_dalek::VerifyingKey;

use super::{KeySet, KeyStore};
use crate::auth::{
    error::AuthError,
    jwt::{self, JwtError},
};

/// Reload policy; a field of [`KeyStore`] so tests can shorten it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Timing {
    /// Least time between two reloads (an unknown `kid` triggers at most one per
    /// cooldown); also the first backoff step after a failure.
    pub(super) cooldown: Duration,
    /// Cap of the exponential backoff after consecutive failures.
    pub(super) max_backoff: Duration,
    /// Age after which the cached set is reloaded, even for known kids.
    pub(super) ttl: Duration,
    /// How long past the TTL stale keys still verify while reloading fails. Tokens
    /// live 15 minutes by default, so an auth server down for longer issues none that
    /// need the old keys anyway; afterwards we fail closed.
    pub(super) stale_grace: Duration,
    /// How long a `jwks` row past its `expiresAt` still verifies: tokens signed just
    /// before the key expired stay valid until their own `exp` (Better Auth's
    /// `jwks.gracePeriod` does the same). Must exceed `JWT_EXPIRES_IN_SECS`.
    pub(super) expired_key_grace: Duration,
}

impl Timing {
    pub(super) const DEFAULT: Self = Self {
        cooldown: Duration::from_secs(5),
        max_backoff: Duration::from_secs(5 * 60),
        ttl: Duration::from_secs(10 * 60),
        stale_grace: Duration::from_secs(60 * 60),
        expired_key_grace: Duration::from_secs(60 * 60),
    };

    /// The wait after `failures` consecutive failed reloads: the cooldown, doubled per
    /// failure after the first (5 s, 10 s, 20 s, …), capped.
    fn retry_delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(20);
        self.cooldown
            .saturating_mul(1 << doublings)
            .min(self.max_backoff.max(self.cooldown))
    }

    fn age(&self, loaded_at: Option<Instant>) -> Age {
        match loaded_at.map(|at| at.elapsed()) {
            None => Age::Never,
            Some(age) if age < self.ttl => Age::Fresh,
            Some(age) if age < self.ttl + self.stale_grace => Age::Stale,
            Some(_) => Age::Expired,
        }
    }
}

/// How usable the cached verification keys are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Age {
    /// Not loaded yet (it may hold our freshly minted signing key).
    Never,
    Fresh,
    /// Past the TTL: still used, but the next verification reloads.
    Stale,
    /// Past the TTL and the grace: not used until a reload succeeds.
    Expired,
}

impl Age {
    fn usable(self) -> bool {
        matches!(self, Self::Fresh | Self::Stale)
    }
}

#[derive(Default)]
pub(super) struct Cache {
    pub(super) keys: KeySet,
    loaded_at: Option<Instant>,
}

/// Reload bookkeeping, behind the single-flight lock.
#[derive(Debug, Default)]
pub(super) struct Fetches {
    /// No reload before this instant (cooldown or backoff).
    not_before: Option<Instant>,
    failures: u32,
}

impl Fetches {
    fn due(&self) -> bool {
        self.not_before.is_none_or(|at| Instant::now() >= at)
    }

    /// Set before fetching, so that a fetch cut short (the request was dropped) still
    /// counts as an attempt.
    fn start(&mut self, timing: &Timing) {
        self.not_before =
            Some(Instant::now() + timing.retry_delay(self.failures.saturating_add(1)));
    }

    fn succeeded(&mut self, timing: &Timing) {
        self.failures = 0;
        self.not_before = Some(Instant::now() + timing.cooldown);
    }

    /// Records a failure and returns the wait before the next attempt.
    fn failed(&mut self, timing: &Timing) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let delay = timing.retry_delay(self.failures);
        self.not_before = Some(Instant::now() + delay);
        delay
    }
}

impl KeyStore {
    async fn load(&self) -> Result<KeySet, AuthError> {
        match &self.remote {
            Some(remote) => remote.fetch().await,
            None => self.load_local().await,
        }
    }

    /// Reloads the key set, one caller at a time. Does nothing if another caller
    /// reloaded while this one waited for the lock (`seen` is the `loaded_at` it
    /// verified against), or during the cooldown/backoff. With `wait` false it also
    /// gives up at once when a reload is in flight.
    async fn refresh(&self, seen: Option<Instant>, wait: bool) {
        let mut fetches = if wait {
            self.fetches.lock().await
        } else {
            match self.fetches.try_lock() {
                Ok(guard) => guard,
                Err(_) => return,
            }
        };
        if self.verifying.read().await.loaded_at != seen || !fetches.due() {
            return;
        }
        fetches.start(&self.timing);
        match self.load().await {
            Ok(keys) => {
                fetches.succeeded(&self.timing);
                *self.verifying.write().await = Cache {
                    keys,
                    loaded_at: Some(Instant::now()),
                };
            }
            Err(error) => {
                let retry_in = fetches.failed(&self.timing);
                // One line per attempt, and attempts are spaced by the backoff.
                tracing::warn!(
                    %error,
                    failures = fetches.failures,
                    retry_in_secs = retry_in.as_secs_f64(),
                    cached_keys_usable = self.timing.age(seen).usable(),
                    "could not reload the JWT verification keys"
                );
            }
        }
    }

    /// Verifies against the cached keys; also returns their age and load time.
    async fn verify_cached(
        &self,
        token: &str,
        validation: &jwt::Validation,
        now_secs: i64,
    ) -> (Result<jwt::AccessClaims, JwtError>, Age, Option<Instant>) {
        let cache = self.verifying.read().await;
        let age = self.timing.age(cache.loaded_at);
        let keys: &[(String, VerifyingKey)] = if age == Age::Expired {
            &[]
        } else {
            &cache.keys
        };
        let result = jwt::verify_remembering(
            token,
            &jwt::VerifyKey::Ed25519(keys),
            validation,
            now_secs,
            Some(&self.verified),
        );
        (result, age, cache.loaded_at)
    }

    /// Verifies an EdDSA token against the key set. An unknown kid, or keys past their
    /// TTL, lead to a reload (within the limits of [`Self::refresh`]) and a second try.
    pub async fn verify(
        &self,
        token: &str,
        validation: &jwt::Validation,
        now_secs: i64,
    ) -> Result<jwt::AccessClaims, JwtError> {
        let (first, age, seen) = self.verify_cached(token, validation, now_secs).await;
        let unknown = matches!(first, Err(JwtError::UnknownKid));
        let wait = match age {
            Age::Fresh if !unknown => return first,
            // Known key, stale set: one caller reloads, the others go on meanwhile.
            Age::Stale if !unknown => false,
            _ => true,
        };
        self.refresh(seen, wait).await;
        self.verify_cached(token, validation, now_secs).await.0
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::auth::{
        jwt::Ed25519Key,
        keys::test_support::{
            check, jwks, millis, remote_store, server_error, stranger_token, token, Upstream,
        },
    };

    #[test]
    fn backoff_doubles_from_the_cooldown_up_to_the_cap() {
        let t = Timing::DEFAULT;
        let secs: Vec<u64> = (0..10).map(|n| t.retry_delay(n).as_secs()).collect();
        assert_eq!(secs, [5, 5, 10, 20, 40, 80, 160, 300, 300, 300]);
        assert_eq!(t.retry_delay(u32::MAX), t.max_backoff);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn unknown_kids_share_one_fetch() {
        let known = Ed25519Key::generate("known");
        let upstream = Upstream::start(jwks(&[&known]), millis(200)).await;
        let store = Arc::new(remote_store(&upstream.url, Timing::DEFAULT));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..50 {
            let store = store.clone();
            tasks.spawn(async move { check(&store, &stranger_token()).await });
        }
        while let Some(result) = tasks.join_next().await {
            assert_eq!(result.expect("task"), Err(JwtError::UnknownKid));
        }
        assert_eq!(upstream.hits(), 1);
        // Within the cooldown a new unknown kid is refused without a fetch; the keys of
        // that one fetch verify.
        assert_eq!(
            check(&store, &stranger_token()).await,
            Err(JwtError::UnknownKid)
        );
        assert!(check(&store, &token(&known)).await.is_ok());
        assert_eq!(upstream.hits(), 1);
    }

    #[tokio::test]
    async fn a_failing_upstream_is_retried_with_backoff() {
        let known = Ed25519Key::generate("known");
        let upstream = Upstream::start(server_error(), Duration::ZERO).await;
        let timing = Timing {
            cooldown: millis(300),
            ..Timing::DEFAULT
        };
        let store = remote_store(&upstream.url, timing);
        for _ in 0..20 {
            assert_eq!(
                check(&store, &token(&known)).await,
                Err(JwtError::UnknownKid)
            );
        }
        assert_eq!(
            upstream.hits(),
            1,
            "one fetch per cooldown, not per request"
        );

        // Retry after 300 ms (failure 1), then only after 600 ms (failure 2).
        tokio::time::sleep(millis(350)).await;
        assert_eq!(
            check(&store, &stranger_token()).await,
            Err(JwtError::UnknownKid)
        );
        assert_eq!(upstream.hits(), 2);
        tokio::time::sleep(millis(350)).await;
        assert_eq!(
            check(&store, &stranger_token()).await,
            Err(JwtError::UnknownKid)
        );
        assert_eq!(upstream.hits(), 2, "still backing off");
        assert_eq!(store.fetches.lock().await.failures, 2);

        // A connection closed without an answer counts as a failure too.
        upstream.set_reply(Vec::new());
        tokio::time::sleep(millis(350)).await;
        assert_eq!(
            check(&store, &token(&known)).await,
            Err(JwtError::UnknownKid)
        );
        assert_eq!(upstream.hits(), 3);
        assert_eq!(store.fetches.lock().await.failures, 3);

        // Recovery resets the backoff to the cooldown.
        upstream.set_reply(jwks(&[&known]));
        tokio::time::sleep(millis(1250)).await;
        assert!(check(&store, &token(&known)).await.is_ok());
        assert_eq!(upstream.hits(), 4);
        assert_eq!(store.fetches.lock().await.failures, 0);
    }

    #[tokio::test]
    async fn a_key_removed_upstream_stops_verifying_after_the_ttl() {
        let (old, new) = (Ed25519Key::generate("old"), Ed25519Key::generate("new"));
        let upstream = Upstream::start(jwks(&[&old]), Duration::ZERO).await;
        let timing = Timing {
            cooldown: millis(50),
            ttl: millis(300),
            ..Timing::DEFAULT
        };
        let store = remote_store(&upstream.url, timing);
        assert!(check(&store, &token(&old)).await.is_ok());
        upstream.set_reply(jwks(&[&new]));
        assert!(
            check(&store, &token(&old)).await.is_ok(),
            "cached until the TTL"
        );
        assert_eq!(upstream.hits(), 1);

        tokio::time::sleep(millis(400)).await;
        assert_eq!(check(&store, &token(&old)).await, Err(JwtError::UnknownKid));
        assert_eq!(upstream.hits(), 2);
        assert!(check(&store, &token(&new)).await.is_ok());
        assert_eq!(upstream.hits(), 2);
    }

    #[tokio::test]
    async fn stale_keys_outlive_an_outage_only_for_the_grace_period() {
        let key = Ed25519Key::generate("key");
        let upstream = Upstream::start(jwks(&[&key]), Duration::ZERO).await;
        let timing = Timing {
            cooldown: millis(200),
            ttl: millis(200),
            stale_grace: millis(600),
            ..Timing::DEFAULT
        };
        let store = remote_store(&upstream.url, timing);
        assert!(check(&store, &token(&key)).await.is_ok());
        upstream.set_reply(server_error());

        tokio::time::sleep(millis(300)).await;
        assert!(
            check(&store, &token(&key)).await.is_ok(),
            "stale keys in use"
        );
        assert_eq!(upstream.hits(), 2, "the stale set was refetched");
        assert!(check(&store, &token(&key)).await.is_ok());
        assert_eq!(upstream.hits(), 2, "backing off");

        tokio::time::sleep(millis(600)).await;
        assert_eq!(check(&store, &token(&key)).await, Err(JwtError::UnknownKid));
        assert_eq!(upstream.hits(), 3);
    }
}
