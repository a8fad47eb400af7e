//! Two-factor set-up, Better Auth's twoFactor plugin without its HTTP: turning it on
//! (a TOTP secret to confirm with a first code, or e-mailed codes) and off, the URI
//! and the backup codes. The sign-in's second step is in `second_factor.rs`.

use chrono::Utc;

use crate::{problem::Code, storage::Ts};

use super::{AuthService, ClientInfo, Renewal};
use crate::auth::{
    error::AuthError,
    ids::{generate_id, random_string, DEFAULT_ID_LEN},
    key_envelope::{symmetric_decrypt, symmetric_encrypt},
    model::{Session, SessionWithUser, User},
    store::{self, TwoFactorRow},
    two_factor::{self as tf, backup_codes, totp},
};

/// The issuer authenticator apps show next to the account.
pub const ISSUER: &str = "Taskdeck";

/// How long a set-up may wait for its first code before it is void.
const PENDING_TTL: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// The verification row whose expiry is the end of a pending set-up.
fn pending_id(user_id: &str) -> String {
    format!("2fa-setup-{user_id}")
}

/// What `enable` hands back for an authenticator app: the URI to scan (or type) and
/// the backup codes, shown once.
pub struct Enrolment {
    pub totp_uri: String,
    pub backup_codes: Vec<String>,
}

fn internal(e: impl std::fmt::Display) -> AuthError {
    AuthError::Internal(e.to_string())
}

impl AuthService {
    pub(super) fn seal(&self, plain: &str) -> Result<String, AuthError> {
        symmetric_encrypt(plain, self.settings.secret_bytes()).map_err(internal)
    }

    pub(super) fn totp_secret(&self, row: &TwoFactorRow) -> Result<String, AuthError> {
        symmetric_decrypt(&row.secret, self.settings.secret_bytes()).map_err(internal)
    }

    /// The plugin checks the password with "invalid password" whatever went wrong.
    async fn password_for_two_factor(
        &self,
        user_id: &str,
        password: &str,
    ) -> Result<(), AuthError> {
        self.confirm_password(user_id, password.to_string())
            .await
            .map(|_| ())
            .map_err(|e| match e.code() {
                Some(Code::CredentialAccountNotFound) => AuthError::invalid_password(),
                _ => e,
            })
    }

    /// The user's `twoFactor` row; a set-up left unconfirmed for 10 minutes is void
    /// (and deleted): its secret and codes were shown once, long ago.
    pub(super) async fn two_factor_row(
        &self,
        user_id: &str,
    ) -> Result<Option<TwoFactorRow>, AuthError> {
        let Some(row) = store::find_two_factor(&self.db, user_id).await? else {
            return Ok(None);
        };
        if row.verified {
            return Ok(Some(row));
        }
        let marker = store::peek_verification(&self.db, &pending_id(user_id)).await?;
        if marker.is_some_and(|m| m.expires_at > Ts::now()) {
            return Ok(Some(row));
        }
        store::delete_pending_two_factor(&self.db, &row.id).await?;
        Ok(None)
    }

    /// Replaces the caller's session with a new one (after the user row changed),
    /// keeping its "remember me" choice; optionally every other session ends too (a
    /// user turning two-factor on may be locking a thief out).
    pub(super) async fn renew_session(
        &self,
        current: &SessionWithUser,
        renewal: Renewal,
    ) -> Result<Session, AuthError> {
        let client = ClientInfo {
            ip: current.session.ip_address.clone(),
            user_agent: current.session.user_agent.clone(),
        };
        let user_id = &current.user.id;
        let session = self
            .create_session(user_id, renewal.remember, &client)
            .await?;
        self.end_session(&current.session.token).await?;
        if renewal.revoke_others {
            self.end_sessions(user_id, Some(&session.token)).await?;
        }
        Ok(session)
    }

    /// Starts authenticator set-up: a new secret (stored encrypted, unconfirmed until
    /// a first code is verified) and new backup codes, in the user's one row. Devices
    /// trusted under the old secret and pending sign-ins end.
    #[tracing::instrument(skip_all, fields(user = %current.user.id))]
    pub async fn enable_two_factor(
        &self,
        current: &SessionWithUser,
        password: &str,
        issuer: Option<&str>,
    ) -> Result<Enrolment, AuthError> {
        let user = &current.user;
        self.password_for_two_factor(&user.id, password).await?;
        let codes = backup_codes::generate();
        let sealed_codes = backup_codes::seal(&codes, self.settings.secret_bytes())?;
        let secret = random_string(tf::SECRET_LEN, tf::SECRET_ALPHABET);
        let sealed_secret = self.seal(&secret)?;
        store::upsert_two_factor(
            &self.db,
            &generate_id(DEFAULT_ID_LEN),
            &user.id,
            &sealed_secret,
            &sealed_codes,
        )
        .await?;
        self.end_second_factor_trust(&user.id).await?;
        let marker = pending_id(&user.id);
        store::take_verification(&self.db, &marker).await?;
        let until = Ts(Utc::now() + super::dur(PENDING_TTL));
        let id = generate_id(DEFAULT_ID_LEN);
        store::insert_verification(&self.db, &id, &marker, "pending", until).await?;
        Ok(Enrolment {
            totp_uri: totp::otpauth_uri(&secret, issuer.unwrap_or(ISSUER), &user.email),
            backup_codes: codes,
        })
    }

    /// Turns on e-mailed codes alone (`method: "otp"`, only with
    /// `TWO_FACTOR_EMAIL_OTP`): on at once, in a new session.
    pub async fn enable_otp_two_factor(
        &self,
        current: &SessionWithUser,
        password: &str,
        renewal: Renewal,
    ) -> Result<(Session, User), AuthError> {
        self.require_email_otp()?;
        self.password_for_two_factor(&current.user.id, password)
            .await?;
        store::set_two_factor_enabled(&self.db, &current.user.id, true).await?;
        self.end_second_factor_trust(&current.user.id).await?;
        let session = self.renew_session(current, renewal).await?;
        let user = User {
            two_factor_enabled: true,
            ..current.user.clone()
        };
        Ok((session, user))
    }

    /// Turns two-factor off: the flag, the secret and codes, every trusted device and
    /// pending sign-in go; the caller gets a new session.
    #[tracing::instrument(skip_all, fields(user = %current.user.id))]
    pub async fn disable_two_factor(
        &self,
        current: &SessionWithUser,
        password: &str,
        renewal: Renewal,
    ) -> Result<(Session, User), AuthError> {
        let user_id = &current.user.id;
        self.password_for_two_factor(user_id, password).await?;
        store::set_two_factor_enabled(&self.db, user_id, false).await?;
        store::delete_two_factor(&self.db, user_id).await?;
        self.end_second_factor_trust(user_id).await?;
        let session = self.renew_session(current, renewal).await?;
        let user = User {
            two_factor_enabled: false,
            ..current.user.clone()
        };
        Ok((session, user))
    }

    /// The `otpauth://` URI of the stored secret, behind the password.
    pub async fn totp_uri(
        &self,
        current: &SessionWithUser,
        password: &str,
    ) -> Result<String, AuthError> {
        let user = &current.user;
        let row = self
            .two_factor_row(&user.id)
            .await?
            .ok_or(AuthError::from(Code::TotpNotEnabled))?;
        self.password_for_two_factor(&user.id, password).await?;
        let secret = self.totp_secret(&row)?;
        Ok(totp::otpauth_uri(&secret, ISSUER, &user.email))
    }

    /// New backup codes (the old ones stop working), behind the password.
    pub async fn regenerate_backup_codes(
        &self,
        current: &SessionWithUser,
        password: &str,
    ) -> Result<Vec<String>, AuthError> {
        let user = &current.user;
        if !user.two_factor_enabled {
            return Err(Code::TwoFactorNotEnabled.into());
        }
        self.password_for_two_factor(&user.id, password).await?;
        let row = self
            .two_factor_row(&user.id)
            .await?
            .ok_or(AuthError::from(Code::TwoFactorNotEnabled))?;
        let codes = backup_codes::generate();
        let sealed = backup_codes::seal(&codes, self.settings.secret_bytes())?;
        store::set_backup_codes(&self.db, &row.id, &sealed).await?;
        Ok(codes)
    }

    /// The user's set-up as the settings page shows it: the secret's URI and the
    /// unused backup codes, or `None` without a row.
    pub async fn two_factor_setup(
        &self,
        user: &User,
    ) -> Result<Option<(Enrolment, bool)>, AuthError> {
        let Some(row) = self.two_factor_row(&user.id).await? else {
            return Ok(None);
        };
        let secret = self.totp_secret(&row)?;
        let codes =
            backup_codes::open(&row.backup_codes, self.settings.secret_bytes()).unwrap_or_default();
        let enrolment = Enrolment {
            totp_uri: totp::otpauth_uri(&secret, ISSUER, &user.email),
            backup_codes: codes,
        };
        Ok(Some((enrolment, row.verified)))
    }
}
