//! The auth flows, Better Auth's semantics without its HTTP: sign-up, sign-in, session
//! lookup with sliding refresh, session management, password change and reset, e-mail
//! verification, account deletion, and JWT issuing/verification.
//!
//! The server's handlers only translate HTTP to these calls and back (cookies, JSON),
//! so every rule lives here once.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use serde_json::{json, Value};

use crate::{
    config::{Config, JwtAlgorithm},
    mail::{DevMailer, Mail, Mailer, SmtpMailer},
    problem::Code,
    storage::{Database, Ts},
};

use super::{
    error::AuthError,
    hashing::HashPool,
    ids::{generate_id, DEFAULT_ID_LEN, RESET_TOKEN_LEN},
    jwt::{self, JwtError, Validation},
    keys::KeyStore,
    model::{Session, SessionWithUser, User},
    origin::TrustedOrigins,
    password::{self, LengthError, Verified},
    rate_limit::RateLimiter,
    store::{self, AuthSchema},
};

/// Session lifetime (`session.expiresIn`, 7 days).
pub const SESSION_EXPIRES_IN: Duration = Duration::from_secs(7 * 24 * 3600);
/// A session is extended on use once this much has passed (`session.updateAge`).
pub const SESSION_UPDATE_AGE: Duration = Duration::from_secs(24 * 3600);
/// Sensitive operations need a session younger than this (`session.freshAge`).
pub const SESSION_FRESH_AGE: Duration = Duration::from_secs(24 * 3600);
/// Lifetime of a `rememberMe: false` session.
pub const DONT_REMEMBER_EXPIRES_IN: Duration = Duration::from_secs(24 * 3600);
/// Password reset links (`resetPasswordTokenExpiresIn`).
pub const RESET_TOKEN_EXPIRES_IN: Duration = Duration::from_secs(3600);
/// E-mail verification tokens (`emailVerification.expiresIn`).
pub const VERIFY_TOKEN_EXPIRES_IN: Duration = Duration::from_secs(3600);

/// Who is making the request, for the session row.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Result of looking a session token up.
#[derive(Debug)]
pub enum SessionLookup {
    /// No such session (or a bad signature): the caller is signed out.
    Missing,
    /// The session existed but has expired; it has been deleted.
    Expired,
    Active {
        session: Box<Session>,
        user: Box<User>,
        /// The expiry was pushed forward: the cookie must be re-set.
        refreshed: bool,
    },
}

pub struct SignUp {
    pub name: String,
    pub email: String,
    pub password: String,
    pub image: Option<String>,
    pub remember_me: bool,
    pub callback_url: Option<String>,
}

/// Verified JWT claims.
#[derive(Debug, Clone)]
pub struct Claims {
    pub sub: String,
    pub raw: Value,
}

pub struct AuthService {
    db: Database,
    schema: AuthSchema,
    config: Arc<Config>,
    keys: KeyStore,
    mailer: Arc<dyn Mailer>,
    /// Bounds concurrent password hashes to the cores we have, so that a sign-in storm
    /// queues instead of starving every other request.
    hashing: HashPool,
    pub trusted: TrustedOrigins,
    pub rate_limiter: Option<RateLimiter>,
}

fn dur(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Better Auth's email check (zod `email()`, simplified): one `@`, a dotted domain, no
/// spaces, at most 254 characters.
pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && email.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Configured trusted origins, plus, in development, the loopback twin of the base URL
/// (`localhost` for `127.0.0.1` and back), so that opening either address just works.
fn trusted_extra(config: &Config) -> Vec<String> {
    let mut extra = config.auth.trusted_origins.clone();
    if !config.is_production() {
        let mut twin = config.base_url.clone();
        let other = match config.base_url.host_str() {
            Some("127.0.0.1") => Some("localhost"),
            Some("localhost") => Some("127.0.0.1"),
            _ => None,
        };
        if let Some(host) = other {
            if twin.set_host(Some(host)).is_ok() {
                extra.push(twin.origin().ascii_serialization());
            }
        }
    }
    extra
}

/// Names are free text on one line: no control characters (NUL, which PostgreSQL
/// cannot store; CR/LF, which would let a sign-up write lines into the mails we send),
/// at most 255 characters.
fn check_name(name: &str) -> Result<(), AuthError> {
    if name.chars().any(char::is_control) {
        return Err(AuthError::validation(
            "[body.name] Invalid input: control characters are not allowed",
        ));
    }
    if name.chars().count() > 255 {
        return Err(AuthError::validation(
            "[body.name] Too big: expected at most 255 characters",
        ));
    }
    Ok(())
}

/// Longest `image` accepted: it is copied into every JWT and cookie-sized headers.
const MAX_IMAGE_LEN: usize = 2048;

/// A profile picture is an `https:` URL or a small `data:image/…` URL, nothing else.
fn check_image(image: &str) -> Result<(), AuthError> {
    let scheme_ok = image.starts_with("https://") || image.starts_with("data:image/");
    if image.len() > MAX_IMAGE_LEN
        || image.chars().any(char::is_control)
        || !scheme_ok
        || url::Url::parse(image).is_err()
    {
        return Err(AuthError::validation(format!(
            "[body.image] Invalid input: expected an https: or data:image URL of at most \
             {MAX_IMAGE_LEN} characters"
        )));
    }
    Ok(())
}

fn length_error(e: LengthError) -> AuthError {
    match e {
        LengthError::TooShort => AuthError::password_too_short(),
        LengthError::TooLong => AuthError::password_too_long(),
    }
}

impl AuthService {
    /// Sets up the auth layer on an open, migrated database.
    pub async fn new(db: Database, config: Arc<Config>) -> Result<Self, AuthError> {
        let schema = AuthSchema::detect(&db).await?;
        let keys = KeyStore::new(
            db.clone(),
            schema,
            config.secret_bytes(),
            config.auth.jwks_url.clone(),
        )?;
        // `Config` already refused production without SMTP unless MAIL_OUTBOX=true.
        let mailer: Arc<dyn Mailer> = match &config.auth.mail {
            crate::config::MailTransport::Smtp(url) => Arc::new(
                SmtpMailer::new(
                    secrecy::ExposeSecret::expose_secret(url),
                    &config.auth.mail_from,
                )
                .map_err(|e| AuthError::Internal(e.to_string()))?,
            ),
            crate::config::MailTransport::Outbox => {
                Arc::new(DevMailer::new(config.data_dir.join("mail")))
            }
        };
        let rate_limiter = config.auth.rate_limit_enabled.then(|| {
            if config.auth.rate_limit_in_database {
                RateLimiter::in_database(db.clone())
            } else {
                RateLimiter::in_memory()
            }
        });
        // Half the cores (at least one) may hash at once: a sign-in storm then queues
        // for its turn while the other half keeps serving everything else (bench/
        // measured the list's p99 at 8.5x idle during a storm with all cores hashing).
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        // The queue is bounded too (`JOBS_PER_THREAD` each): beyond it, 503 at once.
        let hashers = HashPool::new((cores / 2).max(1));
        Ok(Self {
            trusted: TrustedOrigins::new(&config.base_origin(), &trusted_extra(&config)),
            db,
            schema,
            keys,
            mailer,
            hashing: hashers,
            rate_limiter,
            config,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn schema(&self) -> AuthSchema {
        self.schema
    }

    /// Runs CPU-heavy work (password hashing) on the low-priority hashing threads;
    /// [`AuthError::Overloaded`] at once when their queue is full.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AuthError> {
        use super::hashing::PoolError;
        self.hashing.run(work).await.map_err(|e| match e {
            PoolError::Busy => AuthError::Overloaded,
            PoolError::Failed => AuthError::Internal("hashing task failed".into()),
        })
    }

    async fn hash(&self, password: String) -> Result<String, AuthError> {
        let params = self.config.auth.password_hash_params;
        self.blocking(move || password::hash_password(&password, params))
            .await?
            .map_err(|e| AuthError::Internal(e.to_string()))
    }

    /// Verifies against a stored hash (argon2id or Better Auth scrypt), or burns the
    /// same time on a dummy when there is none, so absent users are not revealed.
    async fn check_password(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<Verified, AuthError> {
        let params = self.config.auth.password_hash_params;
        self.blocking(move || match stored {
            Some(hash) => password::verify_password(&password, &hash, params).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "stored password hash is malformed");
                Verified::Mismatch
            }),
            None => {
                password::dummy_verify(&password, params);
                Verified::Mismatch
            }
        })
        .await
    }

    // --- sign-up / sign-in ----------------------------------------------------------

    pub async fn sign_up(
        &self,
        input: SignUp,
        client: &ClientInfo,
    ) -> Result<(Session, User), AuthError> {
        let email = input.email.trim().to_lowercase();
        if !is_valid_email(&email) {
            return Err(AuthError::invalid_email());
        }
        password::check_length(&input.password).map_err(length_error)?;
        check_name(&input.name)?;
        if let Some(image) = &input.image {
            check_image(image)?;
        }
        if store::find_user_by_email(&self.db, &email).await?.is_some() {
            return Err(AuthError::user_exists());
        }
        let hash = self.hash(input.password).await?;
        let now = Ts::now();
        let user = User {
            id: generate_id(DEFAULT_ID_LEN),
            name: input.name,
            email,
            email_verified: false,
            image: input.image,
            created_at: now,
            updated_at: now,
        };
        match store::create_user_with_password(
            &self.db,
            self.schema,
            &user,
            &generate_id(DEFAULT_ID_LEN),
            &hash,
        )
        .await
        {
            Ok(()) => {}
            // A concurrent sign-up with the same e-mail won the race.
            Err(e) if e.is_unique_violation() => return Err(AuthError::user_exists()),
            Err(e) => return Err(e.into()),
        }
        if let Err(error) = self
            .send_verification_mail(&user, input.callback_url.as_deref())
            .await
        {
            tracing::warn!(%error, "could not send the verification e-mail");
        }
        let session = self
            .create_session(&user.id, input.remember_me, client)
            .await?;
        Ok((session, user))
    }

    pub async fn sign_in(
        &self,
        email: &str,
        password: String,
        remember_me: bool,
        client: &ClientInfo,
    ) -> Result<(Session, User), AuthError> {
        let email = email.trim().to_lowercase();
        if !is_valid_email(&email) {
            return Err(AuthError::invalid_email());
        }
        let user = store::find_user_by_email(&self.db, &email).await?;
        let account = match &user {
            Some(u) => store::credential_password(&self.db, self.schema, &u.id).await?,
            None => None,
        };
        let stored = account.as_ref().and_then(|(_, hash)| hash.clone());
        let verdict = self.check_password(password.clone(), stored).await?;
        let (Some(user), Some((account_row, _)), Verified::Ok { needs_rehash }) =
            (user, account, verdict)
        else {
            return Err(AuthError::invalid_credentials());
        };
        if needs_rehash {
            // A Better Auth scrypt hash (or old argon2 parameters): upgrade in place.
            match self.hash(password).await {
                Ok(new_hash) => {
                    store::set_account_password(&self.db, &account_row, &new_hash).await?;
                    tracing::info!(user = %user.id, "password rehashed to argon2id");
                }
                Err(error) => tracing::warn!(%error, "rehash failed; keeping the old hash"),
            }
        }
        let session = self.create_session(&user.id, remember_me, client).await?;
        Ok((session, user))
    }

    pub async fn create_session(
        &self,
        user_id: &str,
        remember_me: bool,
        client: &ClientInfo,
    ) -> Result<Session, AuthError> {
        let now = Ts::now();
        let lifetime = if remember_me {
            SESSION_EXPIRES_IN
        } else {
            DONT_REMEMBER_EXPIRES_IN
        };
        let session = Session {
            id: generate_id(DEFAULT_ID_LEN),
            expires_at: Ts(now.0 + dur(lifetime)),
            token: generate_id(DEFAULT_ID_LEN),
            created_at: now,
            updated_at: now,
            ip_address: Some(client.ip.clone().unwrap_or_default()),
            user_agent: Some(client.user_agent.clone().unwrap_or_default()),
            user_id: user_id.to_string(),
        };
        store::insert_session(&self.db, &session).await?;
        Ok(session)
    }

    // --- sessions -------------------------------------------------------------------

    /// Looks up a session by raw token, deleting it if expired and extending it when
    /// `updateAge` has passed (unless `no_refresh`, e.g. a "don't remember" session).
    pub async fn lookup_session(
        &self,
        token: &str,
        no_refresh: bool,
    ) -> Result<SessionLookup, AuthError> {
        let Some(mut session) = store::find_session(&self.db, token).await? else {
            return Ok(SessionLookup::Missing);
        };
        let now = Ts::now();
        if session.expires_at <= now {
            store::delete_session_by_token(&self.db, token).await?;
            return Ok(SessionLookup::Expired);
        }
        let Some(user) = store::find_user_by_id(&self.db, &session.user_id).await? else {
            store::delete_session_by_token(&self.db, token).await?;
            return Ok(SessionLookup::Expired);
        };
        let mut refreshed = false;
        let due = session.expires_at.0 - dur(SESSION_EXPIRES_IN) + dur(SESSION_UPDATE_AGE);
        if !no_refresh && due <= now.0 {
            let expires_at = Ts(now.0 + dur(SESSION_EXPIRES_IN));
            store::extend_session(&self.db, &session.id, expires_at, now).await?;
            session.expires_at = expires_at;
            session.updated_at = now;
            refreshed = true;
        }
        Ok(SessionLookup::Active {
            session: Box::new(session),
            user: Box::new(user),
            refreshed,
        })
    }

    pub fn is_fresh(session: &Session) -> bool {
        Utc::now() - session.created_at.0 < dur(SESSION_FRESH_AGE)
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), AuthError> {
        Ok(store::delete_session_by_token(&self.db, token).await?)
    }

    pub async fn list_sessions(&self, user_id: &str) -> Result<Vec<Session>, AuthError> {
        Ok(store::list_sessions(&self.db, user_id, Ts::now()).await?)
    }

    pub async fn revoke_session(&self, user_id: &str, token: &str) -> Result<(), AuthError> {
        Ok(store::delete_user_session(&self.db, user_id, token).await?)
    }

    pub async fn revoke_session_by_id(&self, user_id: &str, id: &str) -> Result<(), AuthError> {
        Ok(store::delete_user_session_by_id(&self.db, user_id, id).await?)
    }

    pub async fn revoke_sessions(
        &self,
        user_id: &str,
        keep: Option<&str>,
    ) -> Result<(), AuthError> {
        Ok(store::delete_user_sessions(&self.db, user_id, keep).await?)
    }

    // --- account --------------------------------------------------------------------

    pub async fn update_user(
        &self,
        user_id: &str,
        name: Option<&str>,
        image: Option<Option<&str>>,
    ) -> Result<(), AuthError> {
        if let Some(name) = name {
            check_name(name)?;
        }
        if let Some(Some(image)) = image {
            check_image(image)?;
        }
        Ok(store::update_user_profile(&self.db, user_id, name, image).await?)
    }

    /// Checks the user's password before a sensitive change (Better Auth answers 400
    /// `INVALID_PASSWORD` here, not 401); returns the credential account's row id.
    async fn confirm_password(&self, user_id: &str, password: String) -> Result<String, AuthError> {
        let Some((account_row, stored)) =
            store::credential_password(&self.db, self.schema, user_id).await?
        else {
            return Err(Code::CredentialAccountNotFound.into());
        };
        if !self.check_password(password, stored).await?.is_ok() {
            return Err(AuthError::invalid_password());
        }
        Ok(account_row)
    }

    /// Changes the password after checking the current one; with `revoke_others`, every
    /// session is deleted and a new one returned (Better Auth's behaviour).
    pub async fn change_password(
        &self,
        current: &SessionWithUser,
        current_password: String,
        new_password: String,
        revoke_others: bool,
        client: &ClientInfo,
    ) -> Result<Option<Session>, AuthError> {
        password::check_length(&new_password).map_err(length_error)?;
        let user_id = &current.user.id;
        let account_row = self.confirm_password(user_id, current_password).await?;
        let hash = self.hash(new_password).await?;
        store::set_account_password(&self.db, &account_row, &hash).await?;
        // ASVS 3.3.3: whoever else held a session or a reset link is out. Better Auth
        // keeps other sessions unless asked; we always end them.
        store::delete_reset_tokens(&self.db, user_id).await?;
        if !revoke_others {
            store::delete_user_sessions(&self.db, user_id, Some(&current.session.token)).await?;
            return Ok(None);
        }
        store::delete_user_sessions(&self.db, user_id, None).await?;
        let session = self.create_session(user_id, true, client).await?;
        Ok(Some(session))
    }

    /// Deletes the account (and its tasks) after checking the password. Better Auth
    /// also accepts a merely fresh session; a borrowed or stolen one must not be
    /// enough for something that cannot be undone (ASVS 3.7.1).
    pub async fn delete_user(
        &self,
        current: &SessionWithUser,
        password: Option<String>,
    ) -> Result<(), AuthError> {
        let user_id = &current.user.id;
        let Some(password) = password.filter(|p| !p.is_empty()) else {
            return Err(Code::PasswordRequired.into());
        };
        self.confirm_password(user_id, password).await?;
        Ok(store::delete_user(&self.db, user_id).await?)
    }

    // --- password reset -------------------------------------------------------------

    /// Mails a reset link if the address belongs to a user; says nothing either way.
    pub async fn request_password_reset(
        &self,
        email: &str,
        redirect_to: Option<&str>,
    ) -> Result<(), AuthError> {
        let email = email.trim().to_lowercase();
        let Some(user) = store::find_user_by_email(&self.db, &email).await? else {
            return Ok(());
        };
        let token = generate_id(RESET_TOKEN_LEN);
        store::insert_verification(
            &self.db,
            &generate_id(DEFAULT_ID_LEN),
            &format!("reset-password:{token}"),
            &user.id,
            Ts(Utc::now() + dur(RESET_TOKEN_EXPIRES_IN)),
        )
        .await?;
        let callback = redirect_to.unwrap_or("/reset-password");
        let link = format!(
            "{}/api/auth/reset-password/{token}?callbackURL={}",
            self.config.base_origin(),
            super::cookie::encode_uri_component(callback)
        );
        self.send_later(Mail {
            to: user.email.clone(),
            subject: "Reset your Taskdeck password".into(),
            text: format!(
                "Hello {},\n\nSomeone (hopefully you) asked to reset your password. \
                     Open this link within an hour to choose a new one:\n\n{link}\n\n\
                     If it wasn't you, ignore this e-mail.",
                user.name
            ),
            link: Some(link),
        });
        Ok(())
    }

    /// Hands a mail to the mailer on its own task and returns at once: the reply never
    /// waits for (or tells about) an SMTP round trip, so its timing and status say
    /// nothing about whether the address has an account. Failures are logged.
    fn send_later(&self, mail: Mail) {
        let mailer = Arc::clone(&self.mailer);
        tokio::spawn(async move {
            let subject = mail.subject.clone();
            if let Err(error) = mailer.send(mail).await {
                tracing::warn!(%error, %subject, "could not send a mail");
            }
        });
    }

    /// Whether a reset token is currently valid (for the GET link's redirect).
    pub async fn reset_token_is_valid(&self, token: &str) -> Result<bool, AuthError> {
        let row = store::peek_verification(&self.db, &format!("reset-password:{token}")).await?;
        Ok(row.is_some_and(|r| r.expires_at > Ts::now()))
    }

    /// Consumes the token (single use) and sets the new password.
    pub async fn reset_password(&self, token: &str, new_password: String) -> Result<(), AuthError> {
        password::check_length(&new_password).map_err(length_error)?;
        let Some(row) =
            store::take_verification(&self.db, &format!("reset-password:{token}")).await?
        else {
            return Err(AuthError::invalid_token());
        };
        if row.expires_at <= Ts::now() {
            return Err(AuthError::invalid_token());
        }
        let user_id = row.value;
        let hash = self.hash(new_password).await?;
        match store::credential_password(&self.db, self.schema, &user_id).await? {
            Some((account_row, _)) => {
                store::set_account_password(&self.db, &account_row, &hash).await?
            }
            None => {
                store::insert_credential_account(
                    &self.db,
                    self.schema,
                    &generate_id(DEFAULT_ID_LEN),
                    &user_id,
                    &hash,
                )
                .await?
            }
        }
        // Reset is how a victim takes an account back: every session (the attacker's
        // too) and every other reset link ends here (Better Auth's
        // `revokeSessionsOnPasswordReset`, on).
        store::delete_user_sessions(&self.db, &user_id, None).await?;
        store::delete_reset_tokens(&self.db, &user_id).await?;
        Ok(())
    }

    // --- e-mail verification --------------------------------------------------------

    /// Mails a verification link: an HS256 JWT `{email}` signed with the secret, as
    /// Better Auth makes them (nothing is stored).
    pub async fn send_verification_mail(
        &self,
        user: &User,
        callback_url: Option<&str>,
    ) -> Result<(), AuthError> {
        let now = Utc::now().timestamp();
        let token = jwt::sign_hs256(
            self.config.secret_bytes(),
            &json!({
                "email": user.email.to_lowercase(),
                "iat": now,
                "exp": now + VERIFY_TOKEN_EXPIRES_IN.as_secs() as i64,
            }),
        );
        let callback = callback_url.unwrap_or("/verify-email");
        let link = format!(
            "{}/api/auth/verify-email?token={token}&callbackURL={}",
            self.config.base_origin(),
            super::cookie::encode_uri_component(callback)
        );
        self.send_later(Mail {
            to: user.email.clone(),
            subject: "Verify your e-mail address".into(),
            text: format!(
                "Hello {},\n\nConfirm your e-mail address for Taskdeck by opening:\n\n{link}\n",
                user.name
            ),
            link: Some(link),
        });
        Ok(())
    }

    pub async fn find_user_by_email(&self, email: &str) -> Result<Option<User>, AuthError> {
        Ok(store::find_user_by_email(&self.db, &email.trim().to_lowercase()).await?)
    }

    /// Checks a verification token and marks the address verified.
    pub async fn verify_email(&self, token: &str) -> Result<User, AuthError> {
        let validation = Validation {
            require_subject: false,
            ..Validation::default()
        };
        let claims = jwt::verify(
            token,
            &jwt::VerifyKey::Hs256(self.config.secret_bytes()),
            &validation,
            Utc::now().timestamp(),
        )
        .map_err(|e| match e {
            JwtError::Expired => AuthError::from(Code::VerificationTokenExpired),
            _ => AuthError::from(Code::InvalidVerificationToken),
        })?;
        // Access JWTs are signed with the same secret in HS256 mode (the original
        // design; Better Auth signs verification tokens with it too), so the kinds are
        // told apart by their claims: an access token always names `sub`, `iss`, `aud`.
        let is_access_token = ["sub", "iss", "aud"]
            .iter()
            .any(|claim| claims.get(*claim).is_some());
        let email = claims
            .get("email")
            .and_then(Value::as_str)
            .filter(|_| !is_access_token)
            .ok_or(AuthError::from(Code::InvalidVerificationToken))?;
        let user = store::find_user_by_email(&self.db, &email.to_lowercase())
            .await?
            .ok_or(AuthError::from(Code::UserNotFound))?;
        if !user.email_verified {
            store::mark_email_verified(&self.db, &user.id).await?;
        }
        Ok(User {
            email_verified: true,
            ..user
        })
    }

    // --- JWTs -----------------------------------------------------------------------

    /// Issues a JWT for the user, with the claims Better Auth's jwt plugin sets: the
    /// user object, `sub`, `iat`, `exp`, `iss`, `aud`.
    pub async fn issue_jwt(&self, user: &User) -> Result<String, AuthError> {
        self.issue_jwt_with(user, &[]).await
    }

    /// [`Self::issue_jwt`] with extra claims.
    pub(super) async fn issue_jwt_with(
        &self,
        user: &User,
        extra: &[(&str, Value)],
    ) -> Result<String, AuthError> {
        let auth = &self.config.auth;
        let now = Utc::now().timestamp();
        let mut claims =
            serde_json::to_value(user).map_err(|e| AuthError::Internal(e.to_string()))?;
        if let Value::Object(map) = &mut claims {
            map.insert("iat".into(), json!(now));
            map.insert("sub".into(), json!(user.id));
            map.insert(
                "exp".into(),
                json!(now + auth.jwt_expires_in.as_secs() as i64),
            );
            map.insert("iss".into(), json!(auth.jwt_issuer));
            map.insert("aud".into(), json!(auth.jwt_audience));
            for (name, value) in extra {
                map.insert((*name).into(), value.clone());
            }
        }
        match auth.jwt_algorithm {
            JwtAlgorithm::Hs256 => Ok(jwt::sign_hs256(self.config.secret_bytes(), &claims)),
            JwtAlgorithm::EdDsa => {
                if self.keys.is_remote() {
                    return Err(Code::JwtIssuingDisabled.into());
                }
                let key = self.keys.signing_key().await?;
                Ok(jwt::sign_eddsa(&key, &claims))
            }
        }
    }

    /// The JWKS document, or `None` when this server publishes none (HS256 mode or
    /// remote keys, where Better Auth's `/jwks` is a 404).
    pub async fn jwks(&self) -> Result<Option<Value>, AuthError> {
        if self.keys.is_remote() {
            return Ok(None);
        }
        Ok(Some(self.keys.jwks_document().await?))
    }

    /// Verifies a bearer JWT in the configured mode (HS256 secret, local Ed25519 keys,
    /// or a remote JWKS) and returns its claims.
    pub async fn verify_jwt(&self, token: &str) -> Result<Claims, JwtError> {
        let auth = &self.config.auth;
        let validation = Validation::new(auth.jwt_issuer.clone(), auth.jwt_audience.clone());
        let now = Utc::now().timestamp();
        let raw = match (auth.jwt_algorithm, self.keys.is_remote()) {
            (JwtAlgorithm::Hs256, false) => jwt::verify(
                token,
                &jwt::VerifyKey::Hs256(self.config.secret_bytes()),
                &validation,
                now,
            )?,
            _ => self.keys.verify(token, &validation, now).await?,
        };
        let sub = raw
            .get("sub")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or(JwtError::MissingClaim("sub"))?
            .to_string();
        Ok(Claims { sub, raw })
    }
}
