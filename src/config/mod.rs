//! Configuration from the environment (and an optional `.env` file), read once at start.
//!
//! Every knob has a default that makes `make run` work with zero set-up; production mode
//! removes the defaults that would be unsafe there (`mode`). The variables are read in
//! `env`; `database` and `mail` are the backends they choose.

use std::{path::PathBuf, time::Duration};

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::auth::{client_ip::TrustedProxies, password::HashParams};

mod database;
mod env;
mod mail;
mod mode;

pub use database::DatabaseConfig;
pub use mail::MailTransport;
pub use mode::Mode;

/// Shortest secret accepted in production; the same floor Better Auth warns below.
pub const MIN_SECRET_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `why` is [`Config::mode_reason`].
    #[error(
        "BETTER_AUTH_SECRET must be set to at least {MIN_SECRET_LEN} characters in production \
         (generate one with `openssl rand -base64 32`); production rules apply because {why}"
    )]
    WeakSecret { why: String },
    /// Without SMTP, production would have nowhere to send reset links but a file.
    #[error(
        "SMTP_URL must be set in production, or MAIL_OUTBOX=true to write every mail, \
         password-reset links included, to DATA_DIR/mail/outbox.jsonl (readable by this \
         user only); production rules apply because {why}"
    )]
    NoMailTransport { why: String },
    #[error("{name} is not a valid value: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// The whole runtime configuration, read once at start.
#[derive(Debug, Clone)]
pub struct Config {
    pub mode: Mode,
    /// Why `mode` applies, for the start-up log (see [`Config::mode_reason`]).
    mode_reason: String,
    /// Signs session cookies and HS256 JWTs, encrypts JWKS private keys.
    pub secret: SecretString,
    /// Public origin of the app (`BETTER_AUTH_URL`); JWT `iss`/`aud` and trusted origin.
    pub base_url: Url,
    pub database: DatabaseConfig,
    /// Holds the SQLite file and the development mailbox.
    pub data_dir: PathBuf,
    pub log_filter: String,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    pub request_timeout: Duration,
    /// Origins allowed to call the API cross-origin, with credentials
    /// (`CORS_ALLOWED_ORIGINS`, comma-separated, exact `scheme://host[:port]`). Empty: no
    /// CORS headers at all.
    pub cors_allowed_origins: Vec<String>,
    /// True when the secret was generated at start (development only).
    pub secret_generated: bool,
    /// Lets a scraper off this host read `/metrics` with `Authorization: Bearer <token>`
    /// (`METRICS_TOKEN`); loopback clients need none.
    pub metrics_token: Option<SecretString>,
    pub auth: AuthConfig,
    pub live: LiveConfig,
}

/// The live change streams (`/api/{user_id}/tasks/events`, `/api/ui/events`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveConfig {
    /// Open streams one user may have on one instance (`LIVE_MAX_STREAMS_PER_USER`);
    /// beyond it 429.
    pub max_streams_per_user: usize,
    /// A comment line this often keeps proxies from closing an idle stream; a stream
    /// tied to a session re-checks it as often (`LIVE_HEARTBEAT_SECS`).
    pub heartbeat: Duration,
}

/// How JWTs are issued and verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtAlgorithm {
    /// Better Auth's default: Ed25519 keys in the `jwks` table, published at `/jwks`.
    EdDsa,
    /// The original design: HMAC-SHA256 with the shared `BETTER_AUTH_SECRET`.
    Hs256,
}

/// Settings of the Better-Auth-compatible auth layer.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub jwt_algorithm: JwtAlgorithm,
    pub jwt_expires_in: Duration,
    /// `iss` and `aud` of issued tokens, and what verification demands.
    pub jwt_issuer: String,
    pub jwt_audience: String,
    /// Verify bearer tokens against an external Better Auth server's JWKS instead.
    pub jwks_url: Option<Url>,
    /// Extra trusted origins (`BETTER_AUTH_TRUSTED_ORIGINS`, comma-separated patterns).
    pub trusted_origins: Vec<String>,
    /// `__Secure-` cookies with `Secure`: on for an https base URL.
    pub secure_cookies: bool,
    pub rate_limit_enabled: bool,
    /// Keep rate-limit counters in the database (several instances) or in memory.
    pub rate_limit_in_database: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`TRUSTED_PROXIES`;
    /// default the loopback addresses, i.e. a proxy on the same host).
    pub trusted_proxies: TrustedProxies,
    pub mail: MailTransport,
    pub mail_from: String,
    /// Argon2id cost of new password hashes (`PASSWORD_HASH_PARAMS`); stored hashes with
    /// other parameters are rehashed on the next successful sign-in.
    pub password_hash_params: HashParams,
    /// Second-factor codes by e-mail (`TWO_FACTOR_EMAIL_OTP`, default off): a mailbox
    /// alone must not stand in for the authenticator app (NIST SP 800-63B §5.1.3.1),
    /// so `otp` is offered and accepted only when the operator turns it on, as Better
    /// Auth offers it only when `otpOptions.sendOTP` is configured.
    pub two_factor_email_otp: bool,
}

impl Config {
    /// Whether `sent` is the configured `METRICS_TOKEN` (compared in constant time).
    pub fn metrics_token_matches(&self, sent: &str) -> bool {
        self.metrics_token.as_ref().is_some_and(|expected| {
            subtle::ConstantTimeEq::ct_eq(expected.expose_secret().as_bytes(), sent.as_bytes())
                .into()
        })
    }

    /// The origin of `base_url` (`scheme://host[:port]`), as Better Auth reduces it.
    pub fn base_origin(&self) -> String {
        self.base_url.origin().ascii_serialization()
    }

    pub fn secret_bytes(&self) -> &[u8] {
        self.secret.expose_secret().as_bytes()
    }
}

#[cfg(test)]
mod test_support {
    //! The configuration the tests build, from a list of variables.

    use super::*;
    use std::collections::HashMap;

    pub(super) fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    pub(super) const SECRET: &str = "0123456789abcdefghijklmnopqrstuv";
}
