//! Reading the variables: each knob's name, default and parsing in one place.

use std::{env, path::PathBuf, time::Duration};

use rand::{distributions::Alphanumeric, Rng};
use secrecy::SecretString;
use url::Url;

use super::{
    mail::mail_transport,
    mode::resolve_mode,
    parse::{at_least_one, parse_bool, parse_or},
    sign_in::{passkey_rp_id, social_providers},
    Config, ConfigError, DatabaseConfig, LiveConfig, Mode, MIN_SECRET_LEN,
};
use crate::auth::{client_ip::TrustedProxies, password::HashParams, JwtAlgorithm, Settings};

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
        let auth = Settings {
            secret: SecretString::from(secret),
            production: mode == Mode::Production,
            outbox_dir: data_dir.join("mail"),
            jwt_algorithm,
            jwt_expires_in: Duration::from_secs(parse_or(
                get("JWT_EXPIRES_IN_SECS"),
                "JWT_EXPIRES_IN_SECS",
                15 * 60,
            )?),
            jwt_issuer: get("JWT_ISSUER").unwrap_or_else(|| default_issuer.clone()),
            jwt_audience: get("JWT_AUDIENCE").unwrap_or(default_issuer),
            jwks_url,
            base_url: base_url.clone(),
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
            two_factor_email_otp: parse_bool(get("TWO_FACTOR_EMAIL_OTP"), "TWO_FACTOR_EMAIL_OTP")?
                .unwrap_or(false),
            passkey_rp_id: passkey_rp_id(get("PASSKEY_RP_ID"), &base_url)?,
            passkey_rp_name: get("PASSKEY_RP_NAME").unwrap_or_else(|| "Taskdeck".into()),
            social_providers: social_providers(&get)?,
        };

        let live = LiveConfig {
            max_streams_per_user: at_least_one(
                parse_or(
                    get("LIVE_MAX_STREAMS_PER_USER"),
                    "LIVE_MAX_STREAMS_PER_USER",
                    8,
                )?,
                "LIVE_MAX_STREAMS_PER_USER",
            )?,
            heartbeat: Duration::from_secs(at_least_one(
                parse_or(get("LIVE_HEARTBEAT_SECS"), "LIVE_HEARTBEAT_SECS", 15)?,
                "LIVE_HEARTBEAT_SECS",
            )?),
        };

        Ok(Self {
            auth,
            live,
            mode,
            mode_reason,
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
    use crate::config::test_support::cfg;

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
    fn live_streams_have_bounds() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.live.max_streams_per_user, 8);
        assert_eq!(c.live.heartbeat, Duration::from_secs(15));
        let c = cfg(&[
            ("LIVE_MAX_STREAMS_PER_USER", "2"),
            ("LIVE_HEARTBEAT_SECS", "1"),
        ])
        .unwrap();
        assert_eq!(
            (c.live.max_streams_per_user, c.live.heartbeat.as_secs()),
            (2, 1)
        );
        for (name, bad) in [
            ("LIVE_MAX_STREAMS_PER_USER", "0"),
            ("LIVE_HEARTBEAT_SECS", "-1"),
        ] {
            assert!(
                matches!(cfg(&[(name, bad)]), Err(ConfigError::Invalid { .. })),
                "{name}={bad}"
            );
        }
    }

    #[test]
    fn development_generates_a_secret() {
        let c = cfg(&[]).unwrap();
        assert!(c.secret_generated);
        assert!(c.secret_bytes().len() >= MIN_SECRET_LEN);
        assert_eq!(c.base_origin(), "http://127.0.0.1:3000");
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
}
