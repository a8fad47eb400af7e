//! Trusted devices (the plugin's `trust-device-*` rows behind the signed
//! `trust_device` cookie): made by a second factor with "trust this device", redeemed
//! (and re-issued under a new identifier) by a password sign-in, listed and forgotten
//! from settings. Trust ends 30 days after the code that earned it, however often it
//! is used, and every recovery action (password change or reset, two-factor off, on or
//! a new secret) ends it together with pending sign-in challenges (review 2026-12 L4).

use chrono::{DateTime, Utc};

use super::AuthService;
use crate::{
    auth::{
        error::AuthError,
        ids::{generate_id, DEFAULT_ID_LEN},
        model::User,
        store,
        two_factor::{self as tf, TrustCookie},
    },
    storage::Ts,
};

const TRUST_PREFIX: &str = "trust-device-";
/// Sign-in challenges are `2fa-<20 chars>` rows whose value is the user id (the
/// counters beside them hold numbers, so they never match a user id).
const CHALLENGE_PREFIX: &str = "2fa-";

/// A trusted device as settings lists it.
#[derive(Debug, Clone)]
pub struct TrustedDevice {
    /// The row's id (not the identifier, which is half of the cookie's secret).
    pub id: String,
    pub trusted_at: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

impl AuthService {
    /// Trusts this device until `until`: a verification row and the cookie value.
    pub(super) async fn trust_device(&self, user_id: &str, until: Ts) -> Result<String, AuthError> {
        let trust_id = tf::new_trust_id();
        store::insert_verification(
            &self.db,
            &generate_id(DEFAULT_ID_LEN),
            &trust_id,
            user_id,
            until,
        )
        .await?;
        Ok(tf::trust_token(
            self.settings.secret_bytes(),
            user_id,
            &trust_id,
        ))
    }

    /// A trust cookie presented with the right password: single use, re-issued under a
    /// new identifier that ends when the old one would have.
    pub(super) async fn redeem_trust(
        &self,
        user: &User,
        value: &str,
    ) -> Result<TrustCookie, AuthError> {
        let secret = self.settings.secret_bytes();
        if let Some(trust_id) = tf::check_trust_token(secret, &user.id, value) {
            let row = store::take_verification(&self.db, &trust_id).await?;
            if let Some(row) = row.filter(|r| r.value == user.id && r.expires_at > Ts::now()) {
                let renewed = self.trust_device(&user.id, row.expires_at).await?;
                return Ok(TrustCookie::Renewed(renewed));
            }
        }
        Ok(TrustCookie::Forget)
    }

    /// The user's trusted devices, the most recently trusted first.
    pub async fn trusted_devices(&self, user_id: &str) -> Result<Vec<TrustedDevice>, AuthError> {
        let rows = store::list_user_verifications(&self.db, TRUST_PREFIX, user_id).await?;
        let ttl = super::dur(tf::TRUST_DEVICE_TTL);
        Ok(rows
            .into_iter()
            .map(|r| TrustedDevice {
                id: r.id,
                trusted_at: r.expires_at.0 - ttl,
                until: r.expires_at.0,
            })
            .collect())
    }

    /// Forgets one trusted device of the user (by its row id), or all of them.
    pub async fn forget_trusted_devices(
        &self,
        user_id: &str,
        id: Option<&str>,
    ) -> Result<(), AuthError> {
        match id {
            Some(id) => {
                store::delete_user_verification_by_id(&self.db, TRUST_PREFIX, user_id, id).await?
            }
            None => store::delete_user_verifications(&self.db, TRUST_PREFIX, user_id).await?,
        }
        Ok(())
    }

    /// After a recovery action: no device stays trusted and no pending sign-in
    /// challenge can still be finished.
    pub(super) async fn end_second_factor_trust(&self, user_id: &str) -> Result<(), AuthError> {
        store::delete_user_verifications(&self.db, TRUST_PREFIX, user_id).await?;
        store::delete_user_verifications(&self.db, CHALLENGE_PREFIX, user_id).await?;
        Ok(())
    }
}
