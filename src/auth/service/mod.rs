//! The auth flows, Better Auth's semantics without its HTTP: sign-up, sign-in, session
//! lookup with sliding refresh, session management, password change and reset, e-mail
//! verification, account deletion, two-factor set-up and sign-in, and JWT
//! issuing/verification.
//!
//! The server's handlers only translate HTTP to these calls and back (cookies, JSON),
//! so every rule lives here once. This module holds the service, its settings and the
//! helpers the flows share; each flow is an `impl AuthService` block in the file named
//! after it (`credentials`, `sessions`, `account`, `recovery`, `verification`,
//! `tokens`, `two_factor` and `second_factor`).

mod account;
mod credentials;
mod guessing;
mod lockout;
mod passkeys;
mod recovery;
mod reveal;
mod second_factor;
mod sessions;
mod social;
mod tokens;
mod trusted_devices;
mod two_factor;
mod verification;

pub use super::two_factor::TrustCookie;
/// An account with its provider tokens (`get-access-token`, `refresh-token`).
pub use crate::auth::store::AccountWithTokens;
pub use credentials::SignIn;
pub use passkeys::RegisterPasskey;
pub use reveal::Reveal;
pub use second_factor::{Challenge, Factor, Passed, Prover, Renewal};
pub use social::{Callback, CallbackParams, IdTokenSignIn, SocialStart};
pub use trusted_devices::TrustedDevice;
pub use two_factor::{Enrolment, ISSUER};

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use crate::{
    mail::{Mail, Mailer},
    storage::Database,
};

use super::{
    error::AuthError,
    hashing::HashPool,
    jwt::{HmacKey, Validation},
    keys::KeyStore,
    model::{Session, User},
    origin::TrustedOrigins,
    passkey::RelyingParty,
    password::{self, LengthError, Verified},
    rate_limit::RateLimiter,
    settings::Settings,
    store::AuthSchema,
};

// The lifetimes live in `auth::policy`; re-exported for the flows and older paths.
pub use super::policy::{
    DONT_REMEMBER_EXPIRES_IN, RESET_TOKEN_EXPIRES_IN, SESSION_EXPIRES_IN, SESSION_FRESH_AGE,
    SESSION_UPDATE_AGE, VERIFY_TOKEN_EXPIRES_IN,
};

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

/// Verified JWT claims: the subject, and what else the app reads of the token.
#[derive(Debug, Clone)]
pub struct Claims {
    pub sub: String,
    pub token: super::jwt::AccessClaims,
}

pub struct AuthService {
    db: Database,
    schema: AuthSchema,
    settings: Arc<Settings>,
    keys: KeyStore,
    /// What a bearer JWT must claim (`iss`, `aud`), built once instead of per request.
    jwt_validation: Validation,
    /// The shared secret as an HMAC-SHA256 key, prepared once: HS256 access tokens,
    /// e-mail verification tokens and signed cookies (read on every signed-in page).
    secret_key: HmacKey,
    mailer: Arc<dyn Mailer>,
    /// Bounds concurrent password hashes to the cores we have, so that a sign-in storm
    /// queues instead of starving every other request.
    hashing: HashPool,
    pub trusted: TrustedOrigins,
    pub rate_limiter: Option<RateLimiter>,
    /// Told the user id whenever this service ends sessions (see
    /// [`AuthService::on_sessions_ended`]).
    sessions_ended: Option<SessionsEnded>,
    /// Whether the "proxy without X-Forwarded-For" warning was logged.
    unforwarded_warned: AtomicBool,
    /// This server as a WebAuthn relying party (passkeys).
    passkeys: RelyingParty,
    /// The providers to sign in with (`OAUTH_PROVIDERS`), and the client that talks
    /// to them.
    social: Vec<super::social::Provider>,
    http: reqwest::Client,
}

/// What the app wants done when sessions end: on SQLite the server tells its live-sync
/// hub, so that streams tied to an ended session stop at once (on PostgreSQL a trigger
/// on `session` does it for every writer, through the database).
pub type SessionsEnded = Arc<dyn Fn(&str) + Send + Sync>;

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
fn trusted_extra(settings: &Settings) -> Vec<String> {
    let mut extra = settings.trusted_origins.clone();
    if !settings.production {
        let mut twin = settings.base_url.clone();
        let other = match settings.base_url.host_str() {
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

/// Longest name accepted, in characters.
pub const NAME_MAX: usize = 255;

/// Names are free text on one line: no control characters (NUL, which PostgreSQL
/// cannot store; CR/LF, which would let a sign-up write lines into the mails we send),
/// at most [`NAME_MAX`] characters.
fn check_name(name: &str) -> Result<(), AuthError> {
    if name.chars().any(char::is_control) {
        return Err(AuthError::validation(
            "[body.name] Invalid input: control characters are not allowed",
        ));
    }
    if name.chars().count() > NAME_MAX {
        return Err(AuthError::validation(format!(
            "[body.name] Too big: expected at most {NAME_MAX} characters"
        )));
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
    pub async fn new(db: Database, settings: Settings) -> Result<Self, AuthError> {
        let schema = AuthSchema::detect(&db).await?;
        let keys = KeyStore::new(
            db.clone(),
            schema,
            settings.secret_bytes(),
            settings.jwks_url.clone(),
        )?;
        let mailer = settings
            .mail
            .mailer(&settings.mail_from, settings.outbox_dir.clone())
            .map_err(|e| AuthError::Internal(e.to_string()))?;
        let rate_limiter = settings.rate_limit_enabled.then(|| {
            if settings.rate_limit_in_database {
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
        // WebAuthn's expected origin is the base URL's origin (no path).
        let origin = url::Url::parse(&settings.base_origin())
            .map_err(|e| AuthError::Internal(e.to_string()))?;
        let passkeys =
            RelyingParty::new(&settings.passkey_rp_name, &settings.passkey_rp_id, origin);
        let social = settings
            .social_providers
            .iter()
            .cloned()
            .map(super::social::Provider::new)
            .collect();
        // Providers' answers are read, never followed elsewhere (a redirect on the
        // token endpoint is refused, as Better Auth refuses it).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| AuthError::Internal(e.to_string()))?;
        Ok(Self {
            trusted: TrustedOrigins::new(&settings.base_origin(), &trusted_extra(&settings)),
            db,
            schema,
            keys,
            jwt_validation: Validation::new(
                settings.jwt_issuer.clone(),
                settings.jwt_audience.clone(),
            ),
            secret_key: HmacKey::new(settings.secret_bytes()),
            mailer,
            hashing: hashers,
            rate_limiter,
            settings: Arc::new(settings),
            sessions_ended: None,
            unforwarded_warned: AtomicBool::new(false),
            passkeys,
            social,
            http,
        })
    }

    /// Calls `hook` with the user id after this service deletes any of the user's
    /// sessions (sign-out, revoke, password change or reset, account deletion).
    pub fn on_sessions_ended(mut self, hook: SessionsEnded) -> Self {
        self.sessions_ended = Some(hook);
        self
    }

    /// Logs, once per process start, that a trusted proxy forwarded a request without
    /// `X-Forwarded-For`. Production only: in development a browser or curl on this
    /// host is the usual peer, and nothing is proxied.
    pub(crate) fn warn_unforwarded_once(&self, peer: Option<std::net::SocketAddr>) {
        if self.settings.production && !self.unforwarded_warned.swap(true, Ordering::Relaxed) {
            let peer = peer.map(|p| p.ip().to_string()).unwrap_or_default();
            tracing::warn!(
                %peer,
                "a request from a trusted proxy had no X-Forwarded-For: every client it \
                 forwards looks like the proxy (one rate-limit bucket for all). Make the \
                 proxy add X-Forwarded-For, or set TRUSTED_PROXIES=none if nothing proxies"
            );
        }
    }

    /// Deletes expired `verification` rows: sign-in challenges and their counters,
    /// reset and e-mail links, trusted devices. The server runs it at start and every
    /// few minutes (review L11: nothing read them again, so nothing removed them).
    pub async fn sweep_expired(&self) -> Result<u64, AuthError> {
        Ok(super::store::delete_expired_verifications(&self.db, crate::storage::Ts::now()).await?)
    }

    fn sessions_ended(&self, user_id: &str) {
        if let Some(hook) = &self.sessions_ended {
            hook(user_id);
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The server secret as a prepared HMAC key (see the field).
    pub(crate) fn secret_key(&self) -> &HmacKey {
        &self.secret_key
    }

    pub fn schema(&self) -> AuthSchema {
        self.schema
    }

    /// Password hashes queued or running now (a gauge for `/metrics`).
    pub fn hashing_in_flight(&self) -> usize {
        self.hashing.in_flight()
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
        let params = self.settings.password_hash_params;
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
        let params = self.settings.password_hash_params;
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

    /// Hands a mail to the mailer on its own task and returns at once: the reply never
    /// waits for (or tells about) an SMTP round trip, so its timing and status say
    /// nothing about whether the address has an account. Failures are logged.
    fn send_later(&self, mail: Mail) {
        let mailer = Arc::clone(&self.mailer);
        tokio::spawn(async move { crate::mail::deliver(mailer.as_ref(), mail).await });
    }
}
