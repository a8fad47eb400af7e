//! The sign-in's second step (Better Auth's twoFactor plugin): the challenge a password
//! sign-in of a two-factor user becomes, and the factor that ends it (TOTP, a backup
//! code or an e-mailed code), with the per-challenge attempt cap, the account
//! lock-out and trusted devices; also re-verification and confirming set-up while
//! signed in.

use chrono::Utc;
use subtle::ConstantTimeEq;

use crate::{mail::templates, problem::Code, storage::Ts};

use super::{dur, AuthService, ClientInfo};
use crate::auth::{
    error::AuthError,
    ids::{generate_id, DEFAULT_ID_LEN},
    model::{Session, SessionWithUser, User},
    store::{self, TwoFactorRow},
    two_factor::{self as tf, backup_codes, totp, TrustCookie},
};

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
    /// once (its trust renewed); otherwise a challenge (10 minutes, its own attempt
    /// counter) replaces the session.
    pub(super) async fn second_factor_gate(
        &self,
        user: &User,
        trust: Option<&str>,
    ) -> Result<(Option<Challenge>, TrustCookie), AuthError> {
        let mut cookie = TrustCookie::Unchanged;
        if let Some(value) = trust {
            let secret = self.config.secret_bytes();
            if let Some(trust_id) = tf::check_trust_token(secret, &user.id, value) {
                let row = store::take_verification(&self.db, &trust_id).await?;
                if row.is_some_and(|r| r.value == user.id && r.expires_at > Ts::now()) {
                    let renewed = self.trust_device(&user.id).await?;
                    return Ok((None, TrustCookie::Renewed(renewed)));
                }
            }
            cookie = TrustCookie::Forget;
        }
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
        if store::find_two_factor(&self.db, &user.id)
            .await?
            .is_some_and(|row| row.verified)
        {
            methods.push("totp");
        }
        methods.push("otp");
        Ok((Some(Challenge { id, methods }), cookie))
    }

    /// Trusts this device for 30 days: a verification row and the cookie value.
    async fn trust_device(&self, user_id: &str) -> Result<String, AuthError> {
        let trust_id = tf::new_trust_id();
        store::insert_verification(
            &self.db,
            &generate_id(DEFAULT_ID_LEN),
            &trust_id,
            user_id,
            Ts(Utc::now() + dur(tf::TRUST_DEVICE_TTL)),
        )
        .await?;
        Ok(tf::trust_token(
            self.config.secret_bytes(),
            user_id,
            &trust_id,
        ))
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

    /// Takes one attempt from the challenge's budget (the counter row is consumed, so
    /// concurrent guesses cannot share a count); returns the attempts used before.
    async fn begin_attempt(&self, challenge: &str) -> Result<u32, AuthError> {
        let row = store::take_verification(&self.db, &tf::attempts_id(challenge))
            .await?
            .ok_or(AuthError::from(Code::InvalidTwoFactorCookie))?;
        let used = row
            .value
            .parse::<u32>()
            .unwrap_or(tf::ATTEMPTS_PER_CHALLENGE);
        if used >= tf::ATTEMPTS_PER_CHALLENGE {
            // Budget spent: the whole challenge ends; a new sign-in is needed.
            store::take_verification(&self.db, challenge).await?;
            return Err(Code::TooManyTwoFactorAttempts.into());
        }
        Ok(used)
    }

    async fn rearm_attempts(
        &self,
        challenge: &str,
        used: u32,
        expires: Ts,
    ) -> Result<(), AuthError> {
        store::insert_verification(
            &self.db,
            &generate_id(DEFAULT_ID_LEN),
            &tf::attempts_id(challenge),
            &used.to_string(),
            expires,
        )
        .await?;
        Ok(())
    }

    /// 429 while the factor is locked; a lock that has run out is cleared.
    async fn check_lock(&self, row: &TwoFactorRow) -> Result<(), AuthError> {
        match row.locked_until {
            Some(until) if until > Ts::now() => Err(Code::TwoFactorLocked.into()),
            Some(_) => Ok(store::reset_two_factor_failures(&self.db, &row.id).await?),
            None => Ok(()),
        }
    }

    async fn record_failure(&self, row: &TwoFactorRow) -> Result<(), AuthError> {
        let until = Ts(Utc::now() + dur(tf::LOCKOUT_FOR));
        Ok(store::record_two_factor_failure(&self.db, &row.id, tf::LOCKOUT_AFTER, until).await?)
    }

    /// Whether `code` is one of the row's backup codes; if so it is used up (of two
    /// concurrent uses, one wins).
    async fn use_backup_code(&self, row: &TwoFactorRow, code: &str) -> Result<bool, AuthError> {
        let Some(codes) = backup_codes::open(&row.backup_codes, self.config.secret_bytes()) else {
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
        let sealed = backup_codes::seal(&rest, self.config.secret_bytes())?;
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
    pub async fn send_two_factor_otp(&self, prover: &Prover) -> Result<(), AuthError> {
        let (user, key) = match prover {
            Prover::SigningIn(challenge) => {
                let (user, _) = self.challenge_user(challenge).await?;
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
        remember: bool,
        client: &ClientInfo,
    ) -> Result<Passed, AuthError> {
        match prover {
            Prover::SigningIn(challenge) => {
                let (user, expires) = self.challenge_user(challenge).await?;
                self.answer_challenge(challenge, expires, &user, factor)
                    .await?;
                let taken = store::take_verification(&self.db, challenge).await?;
                if !taken.is_some_and(|r| r.value == user.id && r.expires_at > Ts::now()) {
                    return Err(Code::InvalidTwoFactorCookie.into());
                }
                let session = self.create_session(&user.id, remember, client).await?;
                let trust = if trust_device {
                    Some(self.trust_device(&user.id).await?)
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
            Prover::SignedIn(current) => self.reverify(current, factor).await,
        }
    }

    /// The sign-in half: lock, budget, then the factor itself.
    async fn answer_challenge(
        &self,
        challenge: &str,
        expires: Ts,
        user: &User,
        factor: &Factor,
    ) -> Result<(), AuthError> {
        let row = store::find_two_factor(&self.db, &user.id).await?;
        match factor {
            Factor::Totp(code) => {
                let row = row
                    .filter(|r| r.verified)
                    .ok_or(AuthError::from(Code::TotpNotEnabled))?;
                self.check_lock(&row).await?;
                let used = self.begin_attempt(challenge).await?;
                let secret = match self.totp_secret(&row) {
                    Ok(secret) => secret,
                    Err(e) => {
                        self.rearm_attempts(challenge, used, expires).await?;
                        return Err(e);
                    }
                };
                if !totp::verify(&secret, code, Utc::now().timestamp() as u64) {
                    self.rearm_attempts(challenge, used + 1, expires).await?;
                    self.record_failure(&row).await?;
                    return Err(Code::InvalidTwoFactorCode.into());
                }
                Ok(store::reset_two_factor_failures(&self.db, &row.id).await?)
            }
            Factor::BackupCode(code) => {
                let row = row.ok_or(AuthError::from(Code::BackupCodesNotEnabled))?;
                self.check_lock(&row).await?;
                let used = self.begin_attempt(challenge).await?;
                if !self.use_backup_code(&row, code).await? {
                    self.rearm_attempts(challenge, used + 1, expires).await?;
                    self.record_failure(&row).await?;
                    return Err(Code::InvalidBackupCode.into());
                }
                Ok(store::reset_two_factor_failures(&self.db, &row.id).await?)
            }
            Factor::Otp(code) => {
                if let Some(row) = &row {
                    self.check_lock(row).await?;
                }
                let checked = self.check_otp(challenge, code).await;
                match (&checked, &row) {
                    (Err(e), Some(row)) if e.code() == Some(Code::InvalidTwoFactorCode) => {
                        self.record_failure(row).await?
                    }
                    (Ok(()), Some(row)) => {
                        store::reset_two_factor_failures(&self.db, &row.id).await?
                    }
                    _ => {}
                }
                checked
            }
        }
    }

    /// The signed-in half: no budget (the caller is authenticated); a first right code
    /// turns two-factor on and renews the session, as the plugin does.
    async fn reverify(
        &self,
        current: &SessionWithUser,
        factor: &Factor,
    ) -> Result<Passed, AuthError> {
        let user = &current.user;
        let row = store::find_two_factor(&self.db, &user.id).await?;
        let mut confirms_setup = None;
        match factor {
            Factor::Totp(code) => {
                let row = row.ok_or(AuthError::from(Code::TotpNotEnabled))?;
                let secret = self.totp_secret(&row)?;
                if !totp::verify(&secret, code, Utc::now().timestamp() as u64) {
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
            let session = self.renew_session(current).await?;
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
