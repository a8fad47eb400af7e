//! The limits on guessing a second factor, reserved before any code is judged so that
//! a burst of concurrent guesses cannot share one count (review 2026-12 M1, L2):
//!
//! - each sign-in challenge's budget of wrong codes, whatever the factor and however
//!   many codes were mailed (a counter row, moved by compare-and-swap);
//! - the account lock-out after ten consecutive failures: on the `twoFactor` row as the
//!   plugin keeps it, or, for users with e-mailed codes only (no row), on a
//!   `2fa-lock-<user>` verification row.

use chrono::Utc;

use super::{dur, AuthService};
use crate::{
    auth::{
        error::AuthError,
        ids::{generate_id, DEFAULT_ID_LEN},
        store::{self, TwoFactorRow},
        two_factor as tf,
    },
    problem::Code,
    storage::Ts,
};

/// Where a user's failure count and lock live.
pub(super) enum LockTarget<'a> {
    Row(&'a TwoFactorRow),
    User(&'a str),
}

/// A counter row moved by [`AuthService::bump`].
enum Bump {
    Missing,
    /// The limit refused the move.
    Refused,
    Done,
}

/// How long an OTP-only user's failure count is kept without a new failure.
const LOCK_ROW_TTL: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 60 * 60);
/// Codes one challenge may have mailed.
pub const SENDS_PER_CHALLENGE: i64 = 3;

fn lock_id(user_id: &str) -> String {
    format!("2fa-lock-{user_id}")
}

fn sends_id(challenge: &str) -> String {
    format!("2fa-sends-{challenge}")
}

fn parse_count(value: &str) -> i64 {
    // A value we cannot read counts as spent: fail closed.
    value.parse().unwrap_or(i64::MAX)
}

impl AuthService {
    /// Adds `delta` to the counter row `identifier` if `allowed(current)`, by
    /// compare-and-swap (retried when another request moved it first).
    async fn bump(
        &self,
        identifier: &str,
        delta: i64,
        allowed: impl Fn(i64) -> bool,
    ) -> Result<Bump, AuthError> {
        for _ in 0..64 {
            let Some(row) = store::peek_verification(&self.db, identifier).await? else {
                return Ok(Bump::Missing);
            };
            let count = parse_count(&row.value);
            if !allowed(count) {
                return Ok(Bump::Refused);
            }
            let next = (count + delta).to_string();
            if store::swap_verification_value(
                &self.db,
                identifier,
                &row.value,
                &next,
                row.expires_at,
            )
            .await?
            {
                return Ok(Bump::Done);
            }
        }
        Err(AuthError::Internal(format!(
            "{identifier}: too much contention"
        )))
    }

    /// Takes one try from the challenge's budget. Spent: the challenge ends for every
    /// later try (a new sign-in is needed), 400 `TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE`.
    ///
    /// Only its counters go, so later tries find no budget (`INVALID_TWO_FACTOR_COOKIE`,
    /// as once the challenge is gone); the challenge row itself stays until it expires,
    /// so that a right answer already in flight on an earlier try still signs in instead
    /// of being dropped by a concurrent wrong one.
    pub(super) async fn begin_attempt(&self, challenge: &str) -> Result<(), AuthError> {
        let budget = i64::from(tf::ATTEMPTS_PER_CHALLENGE);
        match self
            .bump(&tf::attempts_id(challenge), 1, |used| used < budget)
            .await?
        {
            Bump::Done => Ok(()),
            Bump::Missing => Err(Code::InvalidTwoFactorCookie.into()),
            Bump::Refused => {
                store::take_verification(&self.db, &tf::attempts_id(challenge)).await?;
                store::take_verification(&self.db, &sends_id(challenge)).await?;
                Err(Code::TooManyTwoFactorAttempts.into())
            }
        }
    }

    /// Gives a try back when the code was never judged (locked, a server-side failure).
    pub(super) async fn give_back_attempt(&self, challenge: &str) -> Result<(), AuthError> {
        self.bump(&tf::attempts_id(challenge), -1, |used| used > 0)
            .await
            .map(|_| ())
    }

    /// Deletes a challenge and its counters.
    pub(super) async fn end_challenge(&self, challenge: &str) -> Result<(), AuthError> {
        store::take_verification(&self.db, challenge).await?;
        store::take_verification(&self.db, &tf::attempts_id(challenge)).await?;
        store::take_verification(&self.db, &sends_id(challenge)).await?;
        Ok(())
    }

    /// Counts one mailed code against the challenge (at most [`SENDS_PER_CHALLENGE`]).
    pub(super) async fn count_send(&self, challenge: &str, expires: Ts) -> Result<(), AuthError> {
        // A challenge whose tries are spent mails nothing more.
        let attempts = store::peek_verification(&self.db, &tf::attempts_id(challenge)).await?;
        if attempts.is_none() {
            return Err(Code::InvalidTwoFactorCookie.into());
        }
        let id = sends_id(challenge);
        match self.bump(&id, 1, |sent| sent < SENDS_PER_CHALLENGE).await? {
            Bump::Done => Ok(()),
            Bump::Refused => Err(Code::TooManyTwoFactorAttempts.into()),
            Bump::Missing => {
                let row_id = generate_id(DEFAULT_ID_LEN);
                Ok(store::insert_verification(&self.db, &row_id, &id, "1", expires).await?)
            }
        }
    }

    /// Makes sure an OTP-only user has a lock row before guesses arrive, so that
    /// concurrent first failures all count on it.
    pub(super) async fn ensure_lock_row(&self, user_id: &str) -> Result<(), AuthError> {
        let id = lock_id(user_id);
        if store::peek_verification(&self.db, &id).await?.is_none() {
            let expires = Ts(Utc::now() + dur(LOCK_ROW_TTL));
            let row_id = generate_id(DEFAULT_ID_LEN);
            store::insert_verification(&self.db, &row_id, &id, "0", expires).await?;
        }
        Ok(())
    }

    /// Reserves one failure slot before the code is judged; 429
    /// `ACCOUNT_TEMPORARILY_LOCKED` when the factor is locked.
    pub(super) async fn reserve_failure(&self, target: &LockTarget<'_>) -> Result<(), AuthError> {
        let lock_until = Ts(Utc::now() + dur(tf::LOCKOUT_FOR));
        let reserved = match target {
            LockTarget::Row(row) => {
                if let Some(until) = row.locked_until {
                    if until > Ts::now() {
                        return Err(Code::TwoFactorLocked.into());
                    }
                    self.clear_expired_lock(row, until).await?;
                }
                store::reserve_two_factor_failure(&self.db, &row.id, tf::LOCKOUT_AFTER, lock_until)
                    .await?
            }
            LockTarget::User(user_id) => self.reserve_user_failure(user_id, lock_until).await?,
        };
        if reserved {
            Ok(())
        } else {
            Err(Code::TwoFactorLocked.into())
        }
    }

    /// Clears a lock that ran out, only if no newer lock was set since it was read.
    async fn clear_expired_lock(&self, row: &TwoFactorRow, until: Ts) -> Result<(), AuthError> {
        if store::clear_expired_two_factor_lock(&self.db, &row.id, until).await? {
            return Ok(());
        }
        // Not cleared: a newer lock, or the same lock stored in another date format
        // (Drizzle's epoch milliseconds), which the equality above cannot match.
        let now = store::find_two_factor(&self.db, &row.user_id).await?;
        if now.is_some_and(|r| r.locked_until == Some(until)) {
            store::reset_two_factor_failures(&self.db, &row.id).await?;
        }
        Ok(())
    }

    async fn reserve_user_failure(&self, user_id: &str, lock_until: Ts) -> Result<bool, AuthError> {
        let id = lock_id(user_id);
        for _ in 0..64 {
            let Some(row) = store::peek_verification(&self.db, &id).await? else {
                self.ensure_lock_row(user_id).await?;
                continue;
            };
            let count = parse_count(&row.value);
            let (next, expires) = if count >= tf::LOCKOUT_AFTER {
                if row.expires_at > Ts::now() {
                    return Ok(false);
                }
                // The lock ran out: start counting again, with this failure.
                (1, Ts(Utc::now() + dur(LOCK_ROW_TTL)))
            } else if count + 1 >= tf::LOCKOUT_AFTER {
                (count + 1, lock_until)
            } else {
                (count + 1, row.expires_at)
            };
            let next = next.to_string();
            if store::swap_verification_value(&self.db, &id, &row.value, &next, expires).await? {
                return Ok(true);
            }
        }
        Err(AuthError::Internal(format!("{id}: too much contention")))
    }

    /// Gives a reserved slot back (the code was never judged).
    pub(super) async fn release_failure(&self, target: &LockTarget<'_>) -> Result<(), AuthError> {
        match target {
            LockTarget::Row(row) => Ok(store::release_two_factor_failure(&self.db, &row.id).await?),
            LockTarget::User(user_id) => self
                .bump(&lock_id(user_id), -1, |count| {
                    count > 0 && count < tf::LOCKOUT_AFTER
                })
                .await
                .map(|_| ()),
        }
    }

    /// A right code: the consecutive-failure count starts again.
    pub(super) async fn clear_failures(&self, target: &LockTarget<'_>) -> Result<(), AuthError> {
        match target {
            LockTarget::Row(row) => Ok(store::reset_two_factor_failures(&self.db, &row.id).await?),
            LockTarget::User(user_id) => {
                let id = lock_id(user_id);
                if let Some(row) = store::peek_verification(&self.db, &id).await? {
                    let expires = Ts(Utc::now() + dur(LOCK_ROW_TTL));
                    store::swap_verification_value(&self.db, &id, &row.value, "0", expires).await?;
                }
                Ok(())
            }
        }
    }
}
