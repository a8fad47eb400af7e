//! Better Auth's rate limiter: per `<ip>|<path>` counters with a window and a maximum,
//! stricter rules for sign-in/sign-up and for mail-sending paths.
//!
//! The algorithm is Better Auth's: a request is blocked while `count >= max` and less
//! than `window` has passed since the last *allowed* request; an allowed request bumps
//! the count and the timestamp. Counters live in memory (one instance) or in the
//! `rateLimit` table (instances sharing PostgreSQL), updated by one atomic upsert.

use std::{collections::HashMap, sync::Mutex};

use crate::{storage::Database, with_pool};

use super::{error::AuthError, ids::generate_id};

/// `(window in seconds, max requests)` for a path relative to `/api/auth`.
pub fn rule_for(path: &str) -> (i64, i64) {
    const STRICT: [&str; 4] = ["/sign-in", "/sign-up", "/change-password", "/change-email"];
    const MAIL: [&str; 2] = ["/request-password-reset", "/send-verification-email"];
    if STRICT.iter().any(|p| path.starts_with(p)) {
        (10, 3)
    } else if MAIL.contains(&path) || path.starts_with("/forget-password") {
        (60, 3)
    } else {
        (10, 100)
    }
}

enum Store {
    Memory(Mutex<HashMap<String, (i64, i64)>>),
    Database(Database),
}

pub struct RateLimiter {
    store: Store,
}

/// A blocked request: retry after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub i64);

impl RateLimiter {
    pub fn in_memory() -> Self {
        Self {
            store: Store::Memory(Mutex::new(HashMap::new())),
        }
    }

    pub fn in_database(db: Database) -> Self {
        Self {
            store: Store::Database(db),
        }
    }

    /// Counts a request from `ip` to `path` at `now_ms`; `Err` when it must be refused.
    pub async fn check(
        &self,
        ip: &str,
        path: &str,
        now_ms: i64,
    ) -> Result<Result<(), RetryAfter>, AuthError> {
        let (window_s, max) = rule_for(path);
        let window_ms = window_s * 1000;
        let key = format!("{ip}|{path}");
        let last_allowed = match &self.store {
            Store::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
                if map.len() > 50_000 {
                    // Drop idle counters so memory stays bounded under a scan of many IPs.
                    map.retain(|_, (_, last)| now_ms - *last < 60_000);
                }
                let entry = map.entry(key).or_insert((0, 0));
                step(entry, now_ms, window_ms, max)
            }
            Store::Database(db) => {
                let (count, last): (i64, i64) = with_pool!(db, |pool| sqlx::query_as(
                    r#"INSERT INTO "rateLimit" ("id", "key", "count", "lastRequest") VALUES ($1, $2, 1, $3)
                       ON CONFLICT ("key") DO UPDATE SET
                         "count" = CASE
                           WHEN $3 - "rateLimit"."lastRequest" >= $4 THEN 1
                           WHEN "rateLimit"."count" >= $5 THEN "rateLimit"."count"
                           ELSE "rateLimit"."count" + 1 END,
                         "lastRequest" = CASE
                           WHEN $3 - "rateLimit"."lastRequest" >= $4 THEN $3
                           WHEN "rateLimit"."count" >= $5 THEN "rateLimit"."lastRequest"
                           ELSE $3 END
                       RETURNING CAST("count" AS BIGINT), CAST("lastRequest" AS BIGINT)"#
                )
                .bind(generate_id(32))
                .bind(&key)
                .bind(now_ms)
                .bind(window_ms)
                .bind(max)
                .fetch_one(pool)
                .await)
                .map_err(crate::storage::StorageError::from)?;
                let _ = count;
                if last == now_ms {
                    None
                } else {
                    Some(last)
                }
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
        // After the window, allowed again.
        assert!(limiter
            .check("1.2.3.4", "/sign-in/email", t0 + 2 + 10_000)
            .await
            .unwrap()
            .is_ok());
    }
}
