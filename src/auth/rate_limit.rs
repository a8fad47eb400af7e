//! Better Auth's rate limiter: per `<client>|<route>` counters with a window and a maximum,
//! stricter rules for sign-in/sign-up and for mail-sending paths.
//!
//! The algorithm is Better Auth's: a request is blocked while `count >= max` and less
//! than `window` has passed since the last *allowed* request; an allowed request bumps
//! the count and the timestamp. Counters live in memory (one instance) or in the
//! `rateLimit` table (instances sharing PostgreSQL), updated by one atomic upsert.
//! Callers pass only known routes and canonical client keys, and idle counters are
//! swept, so neither memory nor the table grows with what an attacker sends.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicI64, Ordering},
        Mutex,
    },
};

use crate::{fetch_returning, storage::Database, with_pool};

use super::{error::AuthError, ids::generate_id};

/// `(window in seconds, max requests)` for a path relative to `/api/auth`.
pub fn rule_for(path: &str) -> (i64, i64) {
    // `/two-factor/` is the twoFactor plugin's own rule (3 per 10 s), the same numbers.
    // A passkey sign-in is a sign-in: the same numbers.
    const STRICT: [&str; 6] = [
        "/sign-in",
        "/sign-up",
        "/change-password",
        "/change-email",
        "/two-factor/",
        "/passkey/verify-authentication",
    ];
    const MAIL: [&str; 2] = ["/request-password-reset", "/send-verification-email"];
    if STRICT.iter().any(|p| path.starts_with(p)) {
        (10, 3)
    } else if MAIL.contains(&path) || path.starts_with("/forget-password") {
        (60, 3)
    } else {
        (10, 100)
    }
}

/// The longest window of any route rule: a counter idle for longer can block nothing.
const LONGEST_WINDOW_MS: i64 = 60_000;
/// Counters whose key starts with this have a longer window, [`LONG_WINDOW_MS`] (the
/// per-account guessing counters, `guessing.rs`).
pub(crate) const LONG_KEY_PREFIX: &str = "pw|";
pub(crate) const LONG_WINDOW_MS: i64 = 15 * 60_000;
/// Sweeps of idle counters (memory) and rows (database) run at most this often.
const SWEEP_EVERY_MS: i64 = 60_000;
/// Above this many counters in memory a sweep runs early (at most once a second).
const MEMORY_SOFT_CAP: usize = 100_000;
/// Keys are `<client>|<route>`; anything longer is cut (a bound on memory and rows).
const MAX_KEY_LEN: usize = 128;

enum Store {
    Memory(Mutex<MemoryCounters>),
    Database(Database),
}

#[derive(Default)]
struct MemoryCounters {
    /// `key → (count, last allowed request in ms)`.
    counters: HashMap<String, (i64, i64)>,
    last_sweep_ms: i64,
}

pub struct RateLimiter {
    store: Store,
    /// When the `rateLimit` table was last swept (ms), shared by callers.
    last_db_sweep_ms: AtomicI64,
}

/// A blocked request: retry after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub i64);

impl RateLimiter {
    pub fn in_memory() -> Self {
        Self {
            store: Store::Memory(Mutex::new(MemoryCounters::default())),
            last_db_sweep_ms: AtomicI64::new(0),
        }
    }

    pub fn in_database(db: Database) -> Self {
        Self {
            store: Store::Database(db),
            last_db_sweep_ms: AtomicI64::new(0),
        }
    }

    /// Counts a request from `client` (an address or /64, see `client_ip::rate_key`)
    /// to the known route `path`; `Err` when it must be refused.
    pub async fn check(
        &self,
        client: &str,
        path: &str,
        now_ms: i64,
    ) -> Result<Result<(), RetryAfter>, AuthError> {
        let (window_s, max) = rule_for(path);
        let mut key = format!("{client}|{path}");
        if key.len() > MAX_KEY_LEN {
            let mut end = MAX_KEY_LEN;
            while !key.is_char_boundary(end) {
                end -= 1;
            }
            key.truncate(end);
        }
        self.hit(key, window_s * 1000, max, now_ms).await
    }

    /// Whether the counter `key` is at `max` within its window, without counting.
    pub(crate) async fn is_full(
        &self,
        key: &str,
        window_ms: i64,
        max: i64,
        now_ms: i64,
    ) -> Result<bool, AuthError> {
        let (count, last) = match &self.store {
            Store::Memory(counters) => {
                let counters = counters.lock().unwrap_or_else(|p| p.into_inner());
                counters.counters.get(key).copied().unwrap_or((0, 0))
            }
            Store::Database(db) => {
                let row: Option<(i64, i64)> = with_pool!(db, |pool| sqlx::query_as(
                    r#"SELECT CAST("count" AS BIGINT), CAST("lastRequest" AS BIGINT) FROM "rateLimit" WHERE "key" = $1"#
                )
                .bind(key)
                .fetch_optional(pool)
                .await)
                .map_err(crate::storage::StorageError::from)?;
                row.unwrap_or((0, 0))
            }
        };
        Ok(count >= max && now_ms - last < window_ms)
    }

    /// Counts one request against the counter `key` (Better Auth's algorithm, any
    /// rule); `Err` when it must be refused. Keys are bounded by the callers.
    pub(crate) async fn hit(
        &self,
        key: String,
        window_ms: i64,
        max: i64,
        now_ms: i64,
    ) -> Result<Result<(), RetryAfter>, AuthError> {
        let last_allowed = match &self.store {
            Store::Memory(counters) => {
                let mut counters = counters.lock().unwrap_or_else(|p| p.into_inner());
                counters.sweep_if_due(now_ms);
                let entry = counters.counters.entry(key).or_insert((0, 0));
                step(entry, now_ms, window_ms, max)
            }
            Store::Database(db) => {
                self.sweep_table_if_due(db, now_ms).await;
                // A blocked request still counts (count > max marks it), so "allowed"
                // is exact even when several land in the same millisecond.
                let (count, last): (i64, i64) = fetch_returning!(
                    db,
                    r#"INSERT INTO "rateLimit" ("id", "key", "count", "lastRequest") VALUES ($1, $2, 1, $3)
                       ON CONFLICT ("key") DO UPDATE SET
                         "count" = CASE
                           WHEN $3 - "rateLimit"."lastRequest" >= $4 THEN 1
                           ELSE "rateLimit"."count" + 1 END,
                         "lastRequest" = CASE
                           WHEN $3 - "rateLimit"."lastRequest" >= $4 THEN $3
                           WHEN "rateLimit"."count" >= $5 THEN "rateLimit"."lastRequest"
                           ELSE $3 END
                       RETURNING CAST("count" AS BIGINT), CAST("lastRequest" AS BIGINT)"#,
                    generate_id(32),
                    &key,
                    now_ms,
                    window_ms,
                    max,
                )
                .and_then(|row| row.ok_or(sqlx::Error::RowNotFound))
                .map_err(crate::storage::StorageError::from)?;
                (count > max).then_some(last)
            }
        };
        Ok(match last_allowed {
            None => Ok(()),
            Some(last) => {
                let wait_ms = (last + window_ms - now_ms).max(0);
                Err(RetryAfter((wait_ms + 999) / 1000))
            }
        })
    }

    /// Deletes rows idle for longer than the longest window, once a minute per
    /// instance; a failure is logged and retried at the next sweep.
    async fn sweep_table_if_due(&self, db: &Database, now_ms: i64) {
        let last = self.last_db_sweep_ms.load(Ordering::Relaxed);
        if now_ms - last < SWEEP_EVERY_MS
            || self
                .last_db_sweep_ms
                .compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        let swept = with_pool!(db, |pool| sqlx::query(
            r#"DELETE FROM "rateLimit" WHERE "lastRequest" < $1
                 AND ("lastRequest" < $2 OR "key" NOT LIKE $3)"#
        )
        .bind(now_ms - LONGEST_WINDOW_MS)
        .bind(now_ms - LONG_WINDOW_MS)
        .bind(format!("{LONG_KEY_PREFIX}%"))
        .execute(pool)
        .await
        .map(|_| ()));
        if let Err(error) = swept {
            tracing::warn!(%error, "could not sweep the rateLimit table");
        }
    }
}

impl MemoryCounters {
    /// Drops counters idle past the longest window: once a minute, or early (at most
    /// once a second) when a scan of many addresses fills the map.
    fn sweep_if_due(&mut self, now_ms: i64) {
        let since = now_ms - self.last_sweep_ms;
        let full = self.counters.len() >= MEMORY_SOFT_CAP;
        if since >= SWEEP_EVERY_MS || (full && since >= 1_000) {
            self.counters
                .retain(|key, (_, last)| now_ms - *last < idle_limit(key));
            self.last_sweep_ms = now_ms;
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.counters.len()
    }
}

/// How long a counter may sit idle before it can block nothing.
fn idle_limit(key: &str) -> i64 {
    if key.starts_with(LONG_KEY_PREFIX) {
        LONG_WINDOW_MS
    } else {
        LONGEST_WINDOW_MS
    }
}

/// Applies one request to an in-memory counter; `Some(last allowed)` when blocked.
fn step(entry: &mut (i64, i64), now_ms: i64, window_ms: i64, max: i64) -> Option<i64> {
    let (count, last) = *entry;
    if now_ms - last >= window_ms {
        *entry = (1, now_ms);
        None
    } else if count >= max {
        Some(last)
    } else {
        *entry = (count + 1, now_ms);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_better_auth() {
        assert_eq!(rule_for("/sign-in/email"), (10, 3));
        assert_eq!(rule_for("/sign-up/email"), (10, 3));
        assert_eq!(rule_for("/two-factor/verify-totp"), (10, 3));
        assert_eq!(rule_for("/request-password-reset"), (60, 3));
        assert_eq!(rule_for("/get-session"), (10, 100));
    }

    #[tokio::test]
    async fn fourth_sign_in_in_the_window_is_refused() {
        let limiter = RateLimiter::in_memory();
        let t0 = 1_000_000;
        for i in 0..3 {
            assert_eq!(
                limiter
                    .check("1.2.3.4", "/sign-in/email", t0 + i)
                    .await
                    .unwrap(),
                Ok(())
            );
        }
        let blocked = limiter
            .check("1.2.3.4", "/sign-in/email", t0 + 1000)
            .await
            .unwrap();
        assert_eq!(blocked, Err(RetryAfter(10)));
        // Another IP and another path are counted separately.
        assert!(limiter
            .check("5.6.7.8", "/sign-in/email", t0 + 1000)
            .await
            .unwrap()
            .is_ok());
        assert!(limiter
            .check("1.2.3.4", "/get-session", t0 + 1000)
            .await
            .unwrap()
            .is_ok());
        // A long key (say an odd proxy's client string) is cut, not stored whole.
        assert!(limiter
            .check(&"x".repeat(10_000), "/get-session", t0)
            .await
            .unwrap()
            .is_ok());
        // After the window, allowed again.
        assert!(limiter
            .check("1.2.3.4", "/sign-in/email", t0 + 2 + 10_000)
            .await
            .unwrap()
            .is_ok());
    }

    #[tokio::test]
    async fn idle_counters_are_swept() {
        let limiter = RateLimiter::in_memory();
        let t0 = 10_000_000;
        for i in 0..500 {
            limiter
                .check(
                    &format!("10.0.{}.{}", i / 256, i % 256),
                    "/sign-in/email",
                    t0,
                )
                .await
                .unwrap()
                .unwrap();
        }
        let Store::Memory(counters) = &limiter.store else {
            unreachable!()
        };
        assert_eq!(counters.lock().unwrap().len(), 500);
        // A minute later one request triggers the sweep; only its own counter is left.
        limiter
            .check("10.9.9.9", "/sign-in/email", t0 + 61_000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(counters.lock().unwrap().len(), 1);
    }
}
