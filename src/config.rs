//! Configuration from the environment (and an optional `.env` file).
//!
//! Every knob has a default that makes `make run` work with zero set-up; production mode
//! removes the defaults that would be unsafe there. Production is `APP_ENV=production`,
//! and also what a server reachable by others gets when `APP_ENV` is unset (a
//! non-loopback listen address or an `https` base URL): forgetting the variable must not
//! switch rate limits off and accept a guessable secret (review M8).

use std::{env, fmt, net::SocketAddr, path::PathBuf, time::Duration};

use rand::{distributions::Alphanumeric, Rng};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::auth::{client_ip::TrustedProxies, password::HashParams};

/// Shortest secret accepted in production; the same floor Better Auth warns below.
pub const MIN_SECRET_LEN: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Development,
    Production,
}

/// Where the data lives: the embedded default or a shared PostgreSQL server. `Debug`
/// hides the PostgreSQL password: configurations get logged.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseConfig {
    /// A SQLite file (created on first use) or any `sqlite:` URL.
    Sqlite(String),
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
}

impl DatabaseConfig {
    /// Picks the backend from a URL; `None` means the embedded file under `data_dir`.
    pub fn from_url(url: Option<&str>, data_dir: &std::path::Path) -> Self {
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Self::Postgres(u.to_owned())
            }
            Some(u) => Self::Sqlite(u.to_owned()),
            None => Self::Sqlite(data_dir.join("app.db").to_string_lossy().into_owned()),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(location) => f.debug_tuple("Sqlite").field(location).finish(),
            Self::Postgres(url) => f.debug_tuple("Postgres").field(&redact_url(url)).finish(),
        }
    }
}

/// `url` with each password (in the userinfo, or a query pair such as `password=` or
/// `sslpassword=`) replaced by `***`; text that is not a URL is hidden whole.
fn redact_url(url: &str) -> String {
    let Ok(mut url) = Url::parse(url) else {
        return "<not a URL, hidden>".into();
    };
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    let secret_key = |key: &str| key.to_ascii_lowercase().contains("password");
    if url.query_pairs().any(|(key, _)| secret_key(&key)) {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(key, value)| {
                let value = if secret_key(&key) {
                    "***".into()
                } else {
                    value
                };
                (key.into_owned(), value.into_owned())
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

/// How mail leaves: through SMTP, or into the outbox file (`DATA_DIR/mail/outbox.jsonl`).
#[derive(Debug, Clone)]
pub enum MailTransport {
    /// `SMTP_URL`, e.g. `smtps://user:pass@smtp.example.com`; secret, as it may hold a
    /// password.
    Smtp(SecretString),
    /// The default in development; in production only with `MAIL_OUTBOX=true`.
    Outbox,
}

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
}

impl Config {
    /// Reads `.env` (if present) and the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|k| env::var(k).ok())
    }

    /// Builds the configuration from any key lookup (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let site_addr = get("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let base_url = get("BETTER_AUTH_URL").unwrap_or_else(|| format!("http://{site_addr}"));
        let base_url = Url::parse(&base_url).map_err(|e| ConfigError::Invalid {
            name: "BETTER_AUTH_URL",
            reason: e.to_string(),
        })?;
        let (mode, mode_reason) = resolve_mode(get("APP_ENV").as_deref(), &site_addr, &base_url)?;

        let (secret, secret_generated) =
            match get("BETTER_AUTH_SECRET").or_else(|| get("AUTH_SECRET")) {
                Some(s) if s.chars().count() >= MIN_SECRET_LEN => (s, false),
                Some(_) | None if mode == Mode::Production => {
                    return Err(ConfigError::WeakSecret { why: mode_reason })
                }
                Some(s) => (s, false),
                None => (random_secret(), true),
            };

        let data_dir = PathBuf::from(get("DATA_DIR").unwrap_or_else(|| "data".into()));
        let database = DatabaseConfig::from_url(get("DATABASE_URL").as_deref(), &data_dir);

        let origin = base_url.origin().ascii_serialization();
        let jwt_algorithm = match get("JWT_ALGORITHM")
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            None | Some("EDDSA") => JwtAlgorithm::EdDsa,
            Some("HS256") => JwtAlgorithm::Hs256,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "JWT_ALGORITHM",
                    reason: format!("{other:?} (use EdDSA or HS256)"),
                })
            }
        };
        let jwks_url = get("JWT_JWKS_URL")
            .map(|u| {
                Url::parse(&u).map_err(|e| ConfigError::Invalid {
                    name: "JWT_JWKS_URL",
                    reason: e.to_string(),
                })
            })
            .transpose()?;
        let default_issuer = jwks_url
            .as_ref()
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|| origin.clone());
        let auth = AuthConfig {
            jwt_algorithm,
            jwt_expires_in: Duration::from_secs(parse_or(
                get("JWT_EXPIRES_IN_SECS"),
                "JWT_EXPIRES_IN_SECS",
                15 * 60,
            )?),
            jwt_issuer: get("JWT_ISSUER").unwrap_or_else(|| default_issuer.clone()),
            jwt_audience: get("JWT_AUDIENCE").unwrap_or(default_issuer),
            jwks_url,
            trusted_origins: get("BETTER_AUTH_TRUSTED_ORIGINS")
                .or_else(|| get("TRUSTED_ORIGINS"))
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
            secure_cookies: parse_bool(get("SECURE_COOKIES"), "SECURE_COOKIES")?
                .unwrap_or(base_url.scheme() == "https"),
            // Better Auth limits only in production unless told otherwise.
            rate_limit_enabled: parse_bool(get("RATE_LIMIT"), "RATE_LIMIT")?
                .unwrap_or(mode == Mode::Production),
            rate_limit_in_database: match get("RATE_LIMIT_STORAGE").as_deref() {
                Some("database") => true,
                Some("memory") => false,
                None => matches!(database, DatabaseConfig::Postgres(_)),
                Some(other) => {
                    return Err(ConfigError::Invalid {
                        name: "RATE_LIMIT_STORAGE",
                        reason: format!("{other:?} (use memory or database)"),
                    })
                }
            },
            trusted_proxies: match get("TRUSTED_PROXIES") {
                None => TrustedProxies::default(),
                Some(list) => {
                    TrustedProxies::parse(&list).map_err(|reason| ConfigError::Invalid {
                        name: "TRUSTED_PROXIES",
                        reason,
                    })?
                }
            },
            mail: mail_transport(get("SMTP_URL"), get("MAIL_OUTBOX"), mode, &mode_reason)?,
            mail_from: get("MAIL_FROM").unwrap_or_else(|| "Taskdeck <no-reply@localhost>".into()),
            password_hash_params: match get("PASSWORD_HASH_PARAMS") {
                None => HashParams::DEFAULT,
                Some(text) => text.parse().map_err(|reason| ConfigError::Invalid {
                    name: "PASSWORD_HASH_PARAMS",
                    reason,
                })?,
            },
        };

        Ok(Self {
            auth,
            mode,
            mode_reason,
            secret: SecretString::from(secret),
            base_url,
            database,
            data_dir,
            log_filter: get("RUST_LOG")
                .or_else(|| get("LOG_LEVEL"))
                .unwrap_or_else(|| "info,sqlx=warn,tower_http=info".into()),
            body_limit: parse_or(get("BODY_LIMIT_BYTES"), "BODY_LIMIT_BYTES", 1024 * 1024)?,
            request_timeout: Duration::from_secs(parse_or(
                get("REQUEST_TIMEOUT_SECS"),
                "REQUEST_TIMEOUT_SECS",
                30,
            )?),
            cors_allowed_origins: parse_origins(
                get("CORS_ALLOWED_ORIGINS"),
                "CORS_ALLOWED_ORIGINS",
            )?,
            secret_generated,
            metrics_token: get("METRICS_TOKEN").map(SecretString::from),
        })
    }

    /// Whether `sent` is the configured `METRICS_TOKEN` (compared in constant time).
    pub fn metrics_token_matches(&self, sent: &str) -> bool {
        self.metrics_token.as_ref().is_some_and(|expected| {
            subtle::ConstantTimeEq::ct_eq(expected.expose_secret().as_bytes(), sent.as_bytes())
                .into()
        })
    }

    pub fn is_production(&self) -> bool {
        self.mode == Mode::Production
    }

    /// Why the development or production rules apply, e.g. `APP_ENV is unset and
    /// LEPTOS_SITE_ADDR 0.0.0.0:3000 is not a loopback address`; for the start-up log.
    pub fn mode_reason(&self) -> &str {
        &self.mode_reason
    }

    /// Each protection of the production rules that this configuration goes without
    /// (empty for production defaults); the start-up log should warn about each.
    pub fn relaxed_protections(&self) -> Vec<&'static str> {
        let mut relaxed = Vec::new();
        if !self.auth.rate_limit_enabled {
            relaxed.push("rate limiting is off (RATE_LIMIT)");
        }
        if self.secret_generated {
            relaxed.push("BETTER_AUTH_SECRET is random for this run");
        } else if self.secret.expose_secret().chars().count() < MIN_SECRET_LEN {
            relaxed.push("BETTER_AUTH_SECRET is shorter than 32 characters");
        }
        if matches!(self.auth.mail, MailTransport::Outbox) {
            relaxed.push("mails, sign-in links included, go to DATA_DIR/mail/outbox.jsonl");
        }
        relaxed
    }

    /// The origin of `base_url` (`scheme://host[:port]`), as Better Auth reduces it.
    pub fn base_origin(&self) -> String {
        self.base_url.origin().ascii_serialization()
    }

    pub fn secret_bytes(&self) -> &[u8] {
        self.secret.expose_secret().as_bytes()
    }
}

/// Development or production, and why. Without `APP_ENV`, a server others can reach
/// (listening beyond loopback, or public under an `https` URL) gets production rules.
fn resolve_mode(
    app_env: Option<&str>,
    site_addr: &str,
    base_url: &Url,
) -> Result<(Mode, String), ConfigError> {
    if let Some(value) = app_env {
        let mode = match value.trim().to_ascii_lowercase().as_str() {
            "development" | "dev" | "test" => Mode::Development,
            "production" | "prod" => Mode::Production,
            other => {
                return Err(ConfigError::Invalid {
                    name: "APP_ENV",
                    reason: format!("{other:?} (use development or production)"),
                })
            }
        };
        return Ok((mode, format!("APP_ENV={value}")));
    }
    let mut public = Vec::new();
    if !is_loopback_addr(site_addr) {
        public.push(format!(
            "LEPTOS_SITE_ADDR {site_addr} is not a loopback address"
        ));
    }
    if base_url.scheme() == "https" {
        public.push(format!("BETTER_AUTH_URL {base_url} is https"));
    }
    Ok(if public.is_empty() {
        (
            Mode::Development,
            format!("APP_ENV is unset and the server listens on {site_addr} (loopback) over http"),
        )
    } else {
        (
            Mode::Production,
            format!(
                "APP_ENV is unset and {} (set APP_ENV=development to opt out)",
                public.join(" and ")
            ),
        )
    })
}

/// `127.0.0.0/8`, `::1` or `localhost`, with or without a port.
fn is_loopback_addr(addr: &str) -> bool {
    if let Ok(socket) = addr.trim().parse::<SocketAddr>() {
        return socket.ip().is_loopback();
    }
    let host = addr
        .trim()
        .rsplit_once(':')
        .map_or(addr.trim(), |(host, _)| host);
    crate::auth::client_ip::is_loopback_host(host)
}

/// SMTP when `SMTP_URL` is set; otherwise the outbox, which production takes only when
/// told (`MAIL_OUTBOX=true`) because the file holds live sign-in links.
fn mail_transport(
    smtp_url: Option<String>,
    outbox: Option<String>,
    mode: Mode,
    mode_reason: &str,
) -> Result<MailTransport, ConfigError> {
    let outbox = parse_bool(outbox, "MAIL_OUTBOX")?;
    match (smtp_url, outbox) {
        (Some(_), Some(true)) => Err(ConfigError::Invalid {
            name: "MAIL_OUTBOX",
            reason: "true sends no mail, yet SMTP_URL is set: unset one of them".into(),
        }),
        (Some(url), _) => Ok(MailTransport::Smtp(SecretString::from(url))),
        (None, Some(true)) => Ok(MailTransport::Outbox),
        (None, _) if mode == Mode::Production => Err(ConfigError::NoMailTransport {
            why: mode_reason.to_owned(),
        }),
        (None, None) => Ok(MailTransport::Outbox),
        (None, Some(false)) => Err(ConfigError::Invalid {
            name: "MAIL_OUTBOX",
            reason: "false, and SMTP_URL is unset: no mail could be sent".into(),
        }),
    }
}

fn parse_or<T: std::str::FromStr>(
    value: Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    value.map_or(Ok(default), |v| {
        v.trim().parse().map_err(|e: T::Err| ConfigError::Invalid {
            name,
            reason: e.to_string(),
        })
    })
}

fn parse_bool(value: Option<String>, name: &'static str) -> Result<Option<bool>, ConfigError> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(None),
        Some("1" | "true" | "on" | "yes") => Ok(Some(true)),
        Some("0" | "false" | "off" | "no") => Ok(Some(false)),
        Some(other) => Err(ConfigError::Invalid {
            name,
            reason: format!("{other:?} is not a boolean"),
        }),
    }
}

/// A comma-separated list of exact origins, each reduced to `scheme://host[:port]` as a
/// browser sends it in `Origin` (lower-case host, default port dropped). Wildcards are
/// refused: credentials are allowed, and a browser rejects `*` with them.
fn parse_origins(value: Option<String>, name: &'static str) -> Result<Vec<String>, ConfigError> {
    let mut origins: Vec<String> = Vec::new();
    for raw in value.iter().flat_map(|v| v.split(',')).map(str::trim) {
        if raw.is_empty() {
            continue;
        }
        let invalid = |reason: &str| ConfigError::Invalid {
            name,
            reason: format!("{raw:?} {reason}"),
        };
        let url = Url::parse(raw).map_err(|e| invalid(&format!("is not an origin ({e})")))?;
        if !matches!(url.scheme(), "http" | "https") || raw.contains('*') {
            return Err(invalid("must be an exact http:// or https:// origin"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("must be an origin only, without a path"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("must not contain credentials"));
        }
        let origin = url.origin().ascii_serialization();
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    Ok(origins)
}

fn random_secret() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(48)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    const SECRET: &str = "0123456789abcdefghijklmnopqrstuv";

    #[test]
    fn production_refuses_missing_or_short_secret() {
        assert!(matches!(
            cfg(&[("APP_ENV", "production"), ("MAIL_OUTBOX", "true")]),
            Err(ConfigError::WeakSecret { .. })
        ));
        assert!(matches!(
            cfg(&[
                ("APP_ENV", "production"),
                ("BETTER_AUTH_SECRET", "short"),
                ("MAIL_OUTBOX", "true")
            ]),
            Err(ConfigError::WeakSecret { .. })
        ));
        let ok = cfg(&[
            ("APP_ENV", "production"),
            ("BETTER_AUTH_SECRET", SECRET),
            ("SMTP_URL", "smtp://localhost"),
        ])
        .unwrap();
        assert!(ok.is_production());
        assert_eq!(ok.mode_reason(), "APP_ENV=production");
        assert!(ok.auth.rate_limit_enabled);
        assert!(ok.relaxed_protections().is_empty());
    }

    #[test]
    fn production_needs_smtp_or_an_explicit_outbox() {
        let prod = [("APP_ENV", "production"), ("BETTER_AUTH_SECRET", SECRET)];
        let with = |extra: &[(&str, &str)]| cfg(&[&prod[..], extra].concat());
        let error = with(&[]).unwrap_err();
        assert!(matches!(error, ConfigError::NoMailTransport { .. }));
        assert!(error.to_string().contains("MAIL_OUTBOX=true"), "{error}");
        assert!(matches!(
            with(&[("MAIL_OUTBOX", "false")]),
            Err(ConfigError::NoMailTransport { .. })
        ));
        let outbox = with(&[("MAIL_OUTBOX", "true")]).unwrap();
        assert!(matches!(outbox.auth.mail, MailTransport::Outbox));
        assert_eq!(outbox.relaxed_protections().len(), 1);
        let smtp = with(&[("SMTP_URL", "smtps://u:pw@smtp.example.com")]).unwrap();
        assert!(matches!(smtp.auth.mail, MailTransport::Smtp(_)));
        // Both at once is ambiguous.
        assert!(matches!(
            with(&[("SMTP_URL", "smtp://localhost"), ("MAIL_OUTBOX", "true")]),
            Err(ConfigError::Invalid {
                name: "MAIL_OUTBOX",
                ..
            })
        ));
    }

    #[test]
    fn development_keeps_the_outbox() {
        assert!(matches!(cfg(&[]).unwrap().auth.mail, MailTransport::Outbox));
        let smtp = cfg(&[("SMTP_URL", "smtp://localhost")]).unwrap();
        assert!(matches!(smtp.auth.mail, MailTransport::Smtp(_)));
        assert!(matches!(
            cfg(&[("MAIL_OUTBOX", "false")]),
            Err(ConfigError::Invalid {
                name: "MAIL_OUTBOX",
                ..
            })
        ));
    }

    #[test]
    fn unset_app_env_on_loopback_is_development() {
        for addr in [
            "127.0.0.1:3000",
            "127.0.1.1:8080",
            "[::1]:3000",
            "localhost:3000",
            "LOCALHOST:3000",
        ] {
            let c = cfg(&[("LEPTOS_SITE_ADDR", addr)]).unwrap();
            assert_eq!(c.mode, Mode::Development, "{addr}");
            assert!(c.mode_reason().contains("loopback"), "{}", c.mode_reason());
            assert!(!c.auth.rate_limit_enabled);
            assert_eq!(c.relaxed_protections().len(), 3, "{addr}");
        }
        // An http base URL on loopback is still development.
        let c = cfg(&[("BETTER_AUTH_URL", "http://localhost:3000")]).unwrap();
        assert_eq!(c.mode, Mode::Development);
    }

    #[test]
    fn unset_app_env_on_a_public_address_is_production() {
        for addr in [
            "0.0.0.0:3000",
            "[::]:3000",
            "192.168.1.10:3000",
            "app.example.com:80",
        ] {
            let site = [("LEPTOS_SITE_ADDR", addr)];
            // Production rules: no generated or short secret, no silent outbox.
            assert!(
                matches!(cfg(&site), Err(ConfigError::WeakSecret { .. })),
                "{addr}"
            );
            let error = cfg(&[site[0], ("BETTER_AUTH_SECRET", "changeme")]).unwrap_err();
            assert!(matches!(error, ConfigError::WeakSecret { .. }), "{addr}");
            assert!(error.to_string().contains("LEPTOS_SITE_ADDR"), "{error}");
            assert!(matches!(
                cfg(&[site[0], ("BETTER_AUTH_SECRET", SECRET)]),
                Err(ConfigError::NoMailTransport { .. })
            ));
            let c = cfg(&[
                site[0],
                ("BETTER_AUTH_SECRET", SECRET),
                ("SMTP_URL", "smtp://localhost"),
            ])
            .unwrap();
            assert!(c.is_production(), "{addr}");
            assert!(c.auth.rate_limit_enabled, "{addr}");
            assert!(c.mode_reason().contains(addr), "{}", c.mode_reason());
        }
    }

    #[test]
    fn unset_app_env_with_an_https_base_url_is_production() {
        let https = ("BETTER_AUTH_URL", "https://tasks.example.com");
        assert!(matches!(cfg(&[https]), Err(ConfigError::WeakSecret { .. })));
        let c = cfg(&[https, ("BETTER_AUTH_SECRET", SECRET), ("MAIL_OUTBOX", "1")]).unwrap();
        assert!(c.is_production());
        assert!(c.auth.rate_limit_enabled);
        assert!(c.mode_reason().contains("https"), "{}", c.mode_reason());
        // RATE_LIMIT=false still wins, and is reported.
        let c = cfg(&[
            https,
            ("BETTER_AUTH_SECRET", SECRET),
            ("MAIL_OUTBOX", "1"),
            ("RATE_LIMIT", "false"),
        ])
        .unwrap();
        assert!(!c.auth.rate_limit_enabled);
        assert!(c
            .relaxed_protections()
            .iter()
            .any(|p| p.contains("RATE_LIMIT")));
    }

    #[test]
    fn explicit_development_keeps_development_rules() {
        let c = cfg(&[
            ("APP_ENV", "development"),
            ("LEPTOS_SITE_ADDR", "0.0.0.0:3000"),
            ("BETTER_AUTH_URL", "https://tasks.example.com"),
        ])
        .unwrap();
        assert_eq!(c.mode, Mode::Development);
        assert_eq!(c.mode_reason(), "APP_ENV=development");
        assert!(c.secret_generated);
        assert!(!c.auth.rate_limit_enabled);
        assert!(matches!(c.auth.mail, MailTransport::Outbox));
    }

    #[test]
    fn password_hash_params_are_a_setting() {
        assert_eq!(
            cfg(&[]).unwrap().auth.password_hash_params,
            HashParams::DEFAULT
        );
        let c = cfg(&[("PASSWORD_HASH_PARAMS", "m=9216,t=4,p=1")]).unwrap();
        assert_eq!(c.auth.password_hash_params, HashParams::OWASP[3]);
        for weak in ["m=9216,t=3,p=1", "m=65536,t=2,p=4", "19 MiB"] {
            assert!(
                matches!(
                    cfg(&[("PASSWORD_HASH_PARAMS", weak)]),
                    Err(ConfigError::Invalid {
                        name: "PASSWORD_HASH_PARAMS",
                        ..
                    })
                ),
                "{weak}"
            );
        }
    }

    #[test]
    fn debug_hides_database_and_smtp_passwords() {
        let url =
            "postgres://app:s3cr%40t-pw@db.example.com:5432/taskdeck?sslmode=require&password=q-pw";
        let shown = format!("{:?}", DatabaseConfig::Postgres(url.into()));
        assert!(
            !shown.contains("s3cr") && !shown.contains("q-pw"),
            "{shown}"
        );
        assert!(
            shown.contains("app:***@db.example.com:5432/taskdeck"),
            "{shown}"
        );
        assert!(shown.contains("sslmode=require"), "{shown}");
        let shown = format!("{:?}", DatabaseConfig::Postgres("not a url s3cr".into()));
        assert!(!shown.contains("s3cr"), "{shown}");
        // The whole configuration, as a start-up log would print it.
        let c = cfg(&[
            ("DATABASE_URL", url),
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

    #[test]
    fn development_generates_a_secret() {
        let c = cfg(&[]).unwrap();
        assert!(c.secret_generated);
        assert!(c.secret_bytes().len() >= MIN_SECRET_LEN);
        assert_eq!(c.base_origin(), "http://127.0.0.1:3000");
    }

    #[test]
    fn database_url_selects_the_backend() {
        let dir = std::path::Path::new("d");
        assert_eq!(
            DatabaseConfig::from_url(None, dir),
            DatabaseConfig::Sqlite("d/app.db".into())
        );
        for url in ["postgres://x/y", "postgresql://x/y"] {
            assert_eq!(
                DatabaseConfig::from_url(Some(url), dir).backend_name(),
                "postgres"
            );
        }
        assert_eq!(
            DatabaseConfig::from_url(Some("sqlite://a.db"), dir).backend_name(),
            "sqlite"
        );
    }

    #[test]
    fn cors_origins_are_exact_and_normalized() {
        assert!(cfg(&[]).unwrap().cors_allowed_origins.is_empty());
        let c = cfg(&[(
            "CORS_ALLOWED_ORIGINS",
            " https://App.Example.com/ , http://localhost:5173,https://app.example.com:443,, ",
        )])
        .unwrap();
        assert_eq!(
            c.cors_allowed_origins,
            ["https://app.example.com", "http://localhost:5173"]
        );
        for bad in [
            "*",
            "https://*.example.com",
            "app.example.com",
            "ftp://example.com",
            "https://example.com/app",
            "https://user:pw@example.com",
        ] {
            assert!(
                matches!(
                    cfg(&[("CORS_ALLOWED_ORIGINS", bad)]),
                    Err(ConfigError::Invalid {
                        name: "CORS_ALLOWED_ORIGINS",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn bad_app_env_is_reported() {
        assert!(matches!(
            cfg(&[("APP_ENV", "staging")]),
            Err(ConfigError::Invalid {
                name: "APP_ENV",
                ..
            })
        ));
    }
}
