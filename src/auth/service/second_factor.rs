//! The sign-in's second step (Better Auth's twoFactor plugin): the challenge a password
//! sign-in of a two-factor user becomes, and the factor that ends it (TOTP, a backup
//! code or an e-mailed code, the last only with `TWO_FACTOR_EMAIL_OTP`), with the
//! per-challenge attempt cap and the account lock-out (`lockout.rs`), trusted devices
//! (30 days from the verification that trusted them), and no TOTP code accepted twice;
//! also re-verification and confirming set-up while signed in.

use chrono::Utc;
use subtle::ConstantTimeEq;

use crate::{mail::templates, problem::Code, storage::Ts};

use super::{dur, lockout::LockTarget, AuthService, ClientInfo};
use crate::auth::{
    error::AuthError,
    ids::{generate_id, DEFAULT_ID_LEN},
    model::{Session, SessionWithUser, User},
    store::{self, TwoFactorRow},
    two_factor::{self as tf, backup_codes, totp, TrustCookie},
};

/// What the signed-in half does besides checking the code.
#[derive(Debug, Clone, Copy, Default)]
pub struct Renewal {
    /// The new session (when set-up completes) is persistent (not "don't remember me").
    pub remember: bool,
    /// Completing set-up also ends every other session of the user.
    pub revoke_others: bool,
}

/// A password sign-in that needs a second factor: the challenge (the `two_factor`
/// cookie's value) and the factors the user can answer it with.
pub struct Challenge {
    pub id: String,
    pub methods: Vec<&'static str>,
}

/// Who presents a second factor: someone half-way through signing in (the challenge
/// from their cookie), or a signed-in user confirming set-up or re-verifying.
pub enum Prover {
    SigningIn(String),
    SignedIn(Box<SessionWithUser>),
}

pub enum Factor {
    Totp(String),
    BackupCode(String),
    Otp(String),
}

/// A second factor accepted.
pub struct Passed {
    pub user: User,
    /// A session made now (sign-in, or the set-up's fresh session): its cookies must
    /// be set. `None`: the caller's session goes on.
    pub new_session: Option<Session>,
    /// The current token (the new session's, or the caller's).
    pub token: String,
    /// The trust-device cookie's new value, when the device is to be trusted.
    pub trust: Option<String>,
}

impl AuthService {
    /// After a right password for a two-factor user: a trusted device signs in at
    /// once (under a new identifier, its trust still ending 30 days after the code that
    /// earned it); otherwise a challenge (10 minutes, its own attempt counter) replaces
    /// the session.
    pub(super) async fn second_factor_gate(
        &self,
        user: &User,
        trust: Option<&str>,
    ) -> Result<(Option<Challenge>, TrustCookie), AuthError> {
        let cookie = match trust {
            Some(value) => match self.redeem_trust(user, value).await? {
                renewed @ TrustCookie::Renewed(_) => return Ok((None, renewed)),
                other => other,
            },
            None => TrustCookie::Unchanged,
        };
        let id = tf::new_challenge_id();
        let expires = Ts(Utc::now() + dur(tf::CHALLENGE_TTL));
        store::insert_verification(
            &self.db,
            &generate_id(DEFAULT_ID_LEN),
            &id,
            &user.id,
            expires,
        )
        .await?;
        store::insert_verification(
            &self.db,
            &generate_id(DEFAULT_ID_LEN),
            &tf::attempts_id(&id),
            "0",
            expires,
        )
        .await?;
        let mut methods = Vec::new();
        match self.two_factor_row(&user.id).await? {
            Some(row) if row.verified => methods.push("totp"),
            Some(_) => {}
            None => self.ensure_lock_row(&user.id).await?,
        }
        // Better Auth lists `otp` only when the app can send codes.
        if self.email_otp() {
            methods.push("otp");
        }
        Ok((Some(Challenge { id, methods }), cookie))
    }

    /// Whether second-factor codes by e-mail are on (`TWO_FACTOR_EMAIL_OTP`).
    fn email_otp(&self) -> bool {
        self.settings.two_factor_email_otp
    }

    pub(super) fn require_email_otp(&self) -> Result<(), AuthError> {
        if self.email_otp() {
            Ok(())
        } else {
            Err(Code::OtpNotConfigured.into())
        }
    }

    /// The user a live challenge belongs to, and when it ends.
    async fn challenge_user(&self, challenge: &str) -> Result<(User, Ts), AuthError> {
        let invalid = || AuthError::from(Code::InvalidTwoFactorCookie);
        let row = store::peek_verification(&self.db, challenge)
            .await?
            .filter(|r| r.expires_at > Ts::now())
            .ok_or_else(invalid)?;
        let user = store::find_user_by_id(&self.db, &row.value)
            .await?
            .ok_or_else(invalid)?;
        Ok((user, row.expires_at))
    }

    /// Whether `code` is one of the row's backup codes; if so it is used up (of two
    /// concurrent uses, one wins).
    async fn use_backup_code(&self, row: &TwoFactorRow, code: &str) -> Result<bool, AuthError> {
        let Some(codes) = backup_codes::open(&row.backup_codes, self.settings.secret_bytes())
        else {
            return Ok(false);
        };
        let mut found = false;
        for c in &codes {
            found |= bool::from(c.as_bytes().ct_eq(code.as_bytes()));
        }
        if !found {
            return Ok(false);
        }
        let rest: Vec<String> = codes.into_iter().filter(|c| c != code).collect();
        let sealed = backup_codes::seal(&rest, self.settings.secret_bytes())?;
        if !store::swap_backup_codes(&self.db, &row.id, &row.backup_codes, &sealed).await? {
            return Err(Code::BackupCodeRace.into());
        }
        Ok(true)
    }

    /// Checks an e-mailed code for `key`: the row is consumed, and put back with one
    /// more attempt counted when the code is wrong.
    async fn check_otp(&self, key: &str, code: &str) -> Result<(), AuthError> {
        let id = tf::otp_id(key);
        let row = store::take_verification(&self.db, &id)
            .await?
            .filter(|r| r.expires_at > Ts::now())
            .ok_or(AuthError::from(Code::OtpHasExpired))?;
        let (otp, used) = row.value.rsplit_once(':').unwrap_or((&row.value, "0"));
        let used: u32 = used.parse().unwrap_or(0);
        if used >= tf::ATTEMPTS_PER_CHALLENGE {
            return Err(Code::TooManyTwoFactorAttempts.into());
        }
        if bool::from(otp.as_bytes().ct_eq(code.as_bytes())) {
            return Ok(());
        }
        let value = format!("{otp}:{}", used + 1);
        store::insert_verification(
            &self.db,
            &generate_id(DEFAULT_ID_LEN),
            &id,
            &value,
            row.expires_at,
        )
        .await?;
        Err(Code::InvalidTwoFactorCode.into())
    }

    /// Mails a one-time code (3 minutes) for the challenge or the signed-in session.
    /// A challenge mails at most three; its budget of wrong codes covers them all.
    pub async fn send_two_factor_otp(&self, prover: &Prover) -> Result<(), AuthError> {
        self.require_email_otp()?;
        let (user, key) = match prover {
            Prover::SigningIn(challenge) => {
                let (user, expires) = self.challenge_user(challenge).await?;
                self.count_send(challenge, expires).await?;
                (user, challenge.clone())
            }
            Prover::SignedIn(current) => (
                current.user.clone(),
                format!("{}!{}", current.user.id, current.session.id),
            ),
        };
        let code = tf::new_otp(totp::DIGITS as usize);
        let id = tf::otp_id(&key);
        store::take_verification(&self.db, &id).await?;
        store::insert_verification(
            &self.db,
            &generate_id(DEFAULT_ID_LEN),
            &id,
            &format!("{code}:0"),
            Ts(Utc::now() + dur(tf::OTP_TTL)),
        )
        .await?;
        self.send_later(templates::two_factor_code(&user.email, &code));
        Ok(())
    }

    /// Checks a second factor. Signing in: the challenge's budget and the account
    /// lock apply, and a right answer consumes the challenge and makes the session.
    /// Signed in: a first right TOTP (or e-mailed) code completes set-up.
    #[tracing::instrument(skip_all)]
    pub async fn verify_second_factor(
        &self,
        prover: &Prover,
        factor: &Factor,
        trust_device: bool,
        renewal: Renewal,
        client: &ClientInfo,
    ) -> Result<Passed, AuthError> {
        match prover {
            Prover::SigningIn(challenge) => {
                let (user, _) = self.challenge_user(challenge).await?;
                self.answer_challenge(challenge, &user, factor).await?;
                let taken = store::take_verification(&self.db, challenge).await?;
                if !taken.is_some_and(|r| r.value == user.id && r.expires_at > Ts::now()) {
                    return Err(Code::InvalidTwoFactorCookie.into());
                }
                self.end_challenge(challenge).await?;
                let session = self
                    .create_session(&user.id, renewal.remember, client)
                    .await?;
                let trust = if trust_device {
                    let until = Ts(Utc::now() + dur(tf::TRUST_DEVICE_TTL));
                    Some(self.trust_device(&user.id, until).await?)
                } else {
                    None
                };
                Ok(Passed {
                    user,
                    token: session.token.clone(),
                    new_session: Some(session),
                    trust,
                })
            }
            Prover::SignedIn(current) => self.reverify(current, factor, renewal).await,
        }
    }

    /// The sign-in half: the factor must be set up; then a try from the challenge's
    /// budget and a failure slot are reserved, and only then is the code judged.
    async fn answer_challenge(
        &self,
        challenge: &str,
        user: &User,
        factor: &Factor,
    ) -> Result<(), AuthError> {
        let row = self.two_factor_row(&user.id).await?;
        match factor {
            Factor::Totp(_) if !row.as_ref().is_some_and(|r| r.verified) => {
                return Err(Code::TotpNotEnabled.into())
            }
            Factor::BackupCode(_) if row.is_none() => {
                return Err(Code::BackupCodesNotEnabled.into())
            }
            Factor::Otp(_) => self.require_email_otp()?,
            _ => {}
        }
        let target = match &row {
            Some(row) => LockTarget::Row(row),
            None => LockTarget::User(&user.id),
        };
        self.begin_attempt(challenge).await?;
        if let Err(locked) = self.reserve_failure(&target).await {
            self.give_back_attempt(challenge).await?;
            return Err(locked);
        }
        match self.judge(row.as_ref(), challenge, factor).await {
            Ok(true) => self.clear_failures(&target).await,
            // The try and the failure slot stay spent.
            Ok(false) => Err(match factor {
                Factor::BackupCode(_) => Code::InvalidBackupCode.into(),
                _ => Code::InvalidTwoFactorCode.into(),
            }),
            Err(e) => {
                // Never judged: both go back.
                self.release_failure(&target).await?;
                self.give_back_attempt(challenge).await?;
                Err(e)
            }
        }
    }

    /// Whether the code is right (a TOTP step is used up, a backup code spent, an
    /// e-mailed code consumed); `Err` when it could not be judged.
    async fn judge(
        &self,
        row: Option<&TwoFactorRow>,
        challenge: &str,
        factor: &Factor,
    ) -> Result<bool, AuthError> {
        match (factor, row) {
            (Factor::Totp(code), Some(row)) => self.use_totp(row, code).await,
            (Factor::BackupCode(code), Some(row)) => self.use_backup_code(row, code).await,
            (Factor::Otp(code), _) => match self.check_otp(challenge, code).await {
                Ok(()) => Ok(true),
                Err(e) if e.code() == Some(Code::InvalidTwoFactorCode) => Ok(false),
                Err(e) => Err(e),
            },
            (Factor::Totp(_), None) => Err(Code::TotpNotEnabled.into()),
            (Factor::BackupCode(_), None) => Err(Code::BackupCodesNotEnabled.into()),
        }
    }

    /// Whether `code` is the row's TOTP for a time step not used before; if so, that
    /// step (and every earlier one) is used up (RFC 6238 §5.2).
    async fn use_totp(&self, row: &TwoFactorRow, code: &str) -> Result<bool, AuthError> {
        let secret = self.totp_secret(row)?;
        let Some(step) = totp::matching_step(&secret, code, Utc::now().timestamp() as u64) else {
            return Ok(false);
        };
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        Ok(store::use_totp_step(&self.db, &row.id, step).await?)
    }

    /// The signed-in half: no budget (the caller is authenticated); a first right code
    /// turns two-factor on and renews the session, as the plugin does.
    async fn reverify(
        &self,
        current: &SessionWithUser,
        factor: &Factor,
        renewal: Renewal,
    ) -> Result<Passed, AuthError> {
        let user = &current.user;
        let row = self.two_factor_row(&user.id).await?;
        let mut confirms_setup = None;
        match factor {
            Factor::Totp(code) => {
                let row = row.ok_or(AuthError::from(Code::TotpNotEnabled))?;
                if !self.use_totp(&row, code).await? {
                    return Err(Code::InvalidTwoFactorCode.into());
                }
                if !row.verified {
                    confirms_setup = Some(row.id);
                }
            }
            Factor::BackupCode(code) => {
                let row = row.ok_or(AuthError::from(Code::BackupCodesNotEnabled))?;
                if !self.use_backup_code(&row, code).await? {
                    return Err(Code::InvalidBackupCode.into());
                }
            }
            Factor::Otp(code) => {
                self.require_email_otp()?;
                self.check_otp(&format!("{}!{}", user.id, current.session.id), code)
                    .await?;
            }
        }
        let turns_on = !user.two_factor_enabled
            && (confirms_setup.is_some() || matches!(factor, Factor::Otp(_)));
        let mut passed = Passed {
            user: user.clone(),
            token: current.session.token.clone(),
            new_session: None,
            trust: None,
        };
        if turns_on {
            store::set_two_factor_enabled(&self.db, &user.id, true).await?;
            let session = self.renew_session(current, renewal).await?;
            passed.user.two_factor_enabled = true;
            passed.token = session.token.clone();
            passed.new_session = Some(session);
        }
        // Marked confirmed only once the session work is done (retry-safe).
        if let Some(id) = confirms_setup {
            store::mark_two_factor_verified(&self.db, &id).await?;
        }
        Ok(passed)
    }
}
