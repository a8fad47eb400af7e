//! Configuration from the environment (and an optional `.env` file).
//!
//! Every knob has a default that makes `make run` work with zero set-up; production mode
//! (`APP_ENV=production`) removes the defaults that would be unsafe there.

use std::{env, path::PathBuf, time::Duration};

use rand::{distributions::Alphanumeric, Rng};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::auth::client_ip::TrustedProxies;

/// Shortest secret accepted in production; the same floor Better Auth warns below.
pub const MIN_SECRET_LEN: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Development,
    Production,
}

/// Where the data lives: the embedded default or a shared PostgreSQL server.
#[derive(Debug, Clone, PartialEq, Eq)]
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

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "BETTER_AUTH_SECRET must be set to at least {MIN_SECRET_LEN} characters in production \
         (generate one with `openssl rand -base64 32`)"
    )]
    WeakSecret,
    #[error("{name} is not a valid value: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// The whole runtime configuration, read once at start.
#[derive(Debug, Clone)]
pub struct Config {
    pub mode: Mode,
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
    pub smtp_url: Option<String>,
    pub mail_from: String,
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
        let mode = match get("APP_ENV")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("development") | Some("dev") | Some("test") => Mode::Development,
            Some("production") | Some("prod") => Mode::Production,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "APP_ENV",
                    reason: format!("{other:?} (use development or production)"),
                })
            }
        };

        let (secret, secret_generated) =
            match get("BETTER_AUTH_SECRET").or_else(|| get("AUTH_SECRET")) {
                Some(s) if s.chars().count() >= MIN_SECRET_LEN => (s, false),
                Some(_) | None if mode == Mode::Production => return Err(ConfigError::WeakSecret),
                Some(s) => (s, false),
                None => (random_secret(), true),
            };

        let site_addr = get("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let base_url = get("BETTER_AUTH_URL").unwrap_or_else(|| format!("http://{site_addr}"));
        let base_url = Url::parse(&base_url).map_err(|e| ConfigError::Invalid {
            name: "BETTER_AUTH_URL",
            reason: e.to_string(),
        })?;

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
            smtp_url: get("SMTP_URL"),
            mail_from: get("MAIL_FROM").unwrap_or_else(|| "Taskdeck <no-reply@localhost>".into()),
        };

        Ok(Self {
            auth,
            mode,
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
        })
    }

    pub fn is_production(&self) -> bool {
        self.mode == Mode::Production
    }

    /// The origin of `base_url` (`scheme://host[:port]`), as Better Auth reduces it.
    pub fn base_origin(&self) -> String {
        self.base_url.origin().ascii_serialization()
    }

    pub fn secret_bytes(&self) -> &[u8] {
        self.secret.expose_secret().as_bytes()
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

    #[test]
    fn production_refuses_missing_or_short_secret() {
        assert!(matches!(
            cfg(&[("APP_ENV", "production")]),
            Err(ConfigError::WeakSecret)
        ));
        assert!(matches!(
            cfg(&[("APP_ENV", "production"), ("BETTER_AUTH_SECRET", "short")]),
            Err(ConfigError::WeakSecret)
        ));
        let ok = cfg(&[
            ("APP_ENV", "production"),
            ("BETTER_AUTH_SECRET", &"x".repeat(32)),
        ]);
        assert!(ok.unwrap().is_production());
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
