//! Password guessing spread over many addresses against one account (review L14).
//!
//! The route limiter counts per address, so a botnet is limited only by its size. A
//! per-account lock would stop it, and would also let anyone lock a victim out by
//! failing on purpose. So instead:
//! - every wrong password for an e-mail address (whether or not it has an account: the
//!   answer must not tell) counts in a per-account window, [`FAILURES`] in 15 minutes;
//! - past that, the account is in the *slow lane* for the rest of the window: each
//!   client address may try it once per [`SLOW_LANE_SECS`] (429 with `X-Retry-After`
//!   otherwise), which cuts a botnet's rate against that account about eighteenfold
//!   (the route limit is 3 per 10 s per address) without shutting anyone out;
//! - an address the account already has a session from is exempt: the owner at home or
//!   at work signs in as usual while the account is under attack.
//!
//! It rides on the route limiter's counters (memory, or the `rateLimit` table shared by
//! instances) and is off when rate limiting is.

use chrono::Utc;
use sha2::{Digest, Sha256};

use super::{AuthService, ClientInfo};
use crate::auth::{
    client_ip::rate_key,
    error::AuthError,
    rate_limit::{RetryAfter, LONG_KEY_PREFIX, LONG_WINDOW_MS},
    store, User,
};

/// Wrong passwords for one account within the window before the slow lane starts.
pub const FAILURES: i64 = 10;
/// In the slow lane, one try per address per this many seconds.
pub const SLOW_LANE_SECS: i64 = 60;

/// The counter of wrong passwords for `email` (hashed: no addresses in the table).
fn failures_key(email: &str) -> String {
    let digest = Sha256::digest(email.as_bytes());
    format!("{LONG_KEY_PREFIX}{}", hex::encode(&digest[..12]))
}

impl AuthService {
    /// Before a password is checked for `email` (`user`, if it has an account): `Err`
    /// (429) when the account is in the slow lane and this address has used its try.
    pub(super) async fn before_password_guess(
        &self,
        email: &str,
        user: Option<&User>,
        client: &ClientInfo,
    ) -> Result<(), AuthError> {
        let Some(limiter) = &self.rate_limiter else {
            return Ok(());
        };
        let now_ms = Utc::now().timestamp_millis();
        let key = failures_key(email);
        if !limiter
            .is_full(&key, LONG_WINDOW_MS, FAILURES, now_ms)
            .await?
        {
            return Ok(());
        }
        let address = client.ip.as_deref().unwrap_or_default();
        if let Some(user) = user {
            if !address.is_empty() && store::has_session_from(&self.db, &user.id, address).await? {
                return Ok(());
            }
        }
        // Per address as the route limiter counts them (an IPv6 /64 is one).
        let lane = match address.parse() {
            Ok(ip) => format!("{key}|{}", rate_key(ip)),
            Err(_) => format!("{key}|"),
        };
        match limiter.hit(lane, SLOW_LANE_SECS * 1000, 1, now_ms).await? {
            Ok(()) => Ok(()),
            Err(RetryAfter(secs)) => Err(AuthError::RateLimited {
                retry_after: secs.max(1) as u64,
            }),
        }
    }

    /// After a wrong password for `email`: one more failure in its window.
    pub(super) async fn after_wrong_password(&self, email: &str) -> Result<(), AuthError> {
        if let Some(limiter) = &self.rate_limiter {
            let now_ms = Utc::now().timestamp_millis();
            // Counting past the maximum is refused, which is what keeps it full.
            let _ = limiter
                .hit(failures_key(email), LONG_WINDOW_MS, FAILURES, now_ms)
                .await?;
        }
        Ok(())
    }
}
