//! Configuration from the environment (and an optional `.env` file), read once at start.
//!
//! Every knob has a default that makes `make run` work with zero set-up; production mode
//! removes the defaults that would be unsafe there (`mode`). The variables are read in
//! `env`, with the helpers in `parse`. The settings each part owns are its own types
//! (`auth::Settings`, `storage::DatabaseConfig`, `mail::MailTransport`), built here: the
//! configuration knows the parts, no part knows the configuration.

use std::{path::PathBuf, time::Duration};

use secrecy::{ExposeSecret, SecretString};

mod env;
mod mail;
mod mode;
mod parse;
mod sign_in;

pub use crate::storage::DatabaseConfig;
pub use mail::MailTransport;
pub use mode::Mode;
// The auth layer owns its settings; they are re-exported for the app's callers.
pub use crate::auth::{JwtAlgorithm, Settings as AuthConfig};

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
    /// A setting whose name is made from another's value (`OAUTH_<ID>_CLIENT_ID`).
    #[error("{name}: {reason}")]
    Provider { name: String, reason: String },
}

/// The whole runtime configuration, read once at start.
#[derive(Debug, Clone)]
pub struct Config {
    pub mode: Mode,
    /// Why `mode` applies, for the start-up log (see [`Config::mode_reason`]).
    mode_reason: String,
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
    /// The auth layer's settings, the secret and the public URL among them.
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
        self.auth.base_origin()
    }

    /// Public URL of the app (`BETTER_AUTH_URL`).
    pub fn base_url(&self) -> &url::Url {
        &self.auth.base_url
    }

    pub fn secret_bytes(&self) -> &[u8] {
        self.auth.secret_bytes()
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

#[cfg(test)]
mod tests {
    use super::test_support::{cfg, SECRET};

    #[test]
    fn debug_of_the_whole_configuration_hides_every_secret() {
        // As a start-up log would print it.
        let c = cfg(&[
            (
                "DATABASE_URL",
                "postgres://app:s3cr%40t-pw@db.example.com:5432/taskdeck?password=q-pw",
            ),
            ("SMTP_URL", "smtps://mailer:smtp-pw@smtp.example.com"),
            ("BETTER_AUTH_SECRET", SECRET),
        ])
        .unwrap();
        let shown = format!("{c:?}");
        for secret in ["s3cr", "q-pw", "smtp-pw", SECRET] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("db.example.com"), "{shown}");
    }
}
