//! Development or production rules, and why. Production is `APP_ENV=production`, and
//! also what a server reachable by others gets when `APP_ENV` is unset (a non-loopback
//! listen address or an `https` base URL): forgetting the variable must not switch rate
//! limits off and accept a guessable secret (review M8).

use std::net::SocketAddr;

use secrecy::ExposeSecret;
use url::Url;

use super::{Config, ConfigError, MailTransport, MIN_SECRET_LEN};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Development,
    Production,
}

impl Config {
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
        } else if self.auth.secret.expose_secret().chars().count() < MIN_SECRET_LEN {
            relaxed.push("BETTER_AUTH_SECRET is shorter than 32 characters");
        }
        if matches!(self.auth.mail, MailTransport::Outbox) {
            relaxed.push("mails, sign-in links included, go to DATA_DIR/mail/outbox.jsonl");
        }
        if self.auth.two_factor_email_otp {
            relaxed.push("two-factor codes by e-mail are on: the mailbox alone passes the second factor (TWO_FACTOR_EMAIL_OTP)");
        }
        relaxed
    }
}

/// Development or production, and why. Without `APP_ENV`, a server others can reach
/// (listening beyond loopback, or public under an `https` URL) gets production rules.
pub(super) fn resolve_mode(
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
    } else if !base_url
        .host_str()
        .is_some_and(crate::auth::client_ip::is_loopback_host)
    {
        // Served to others through a same-host proxy (listening on loopback), over
        // plain http or with TLS ended at the proxy: still public.
        public.push(format!(
            "BETTER_AUTH_URL {base_url} names a host other than this one"
        ));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_support::{cfg, SECRET};

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
    fn a_public_http_base_url_behind_a_local_proxy_is_production() {
        // L12: listening on loopback behind a proxy, but served as a public host.
        let public = [
            ("LEPTOS_SITE_ADDR", "127.0.0.1:3000"),
            ("BETTER_AUTH_URL", "http://tasks.example.com"),
        ];
        let error = cfg(&[public[0], public[1], ("BETTER_AUTH_SECRET", "changeme")]);
        assert!(matches!(error, Err(ConfigError::WeakSecret { .. })));
        let c = cfg(&[
            public[0],
            public[1],
            ("BETTER_AUTH_SECRET", SECRET),
            ("MAIL_OUTBOX", "1"),
        ])
        .unwrap();
        assert!(c.is_production());
        assert!(c.auth.rate_limit_enabled);
        assert!(
            c.mode_reason().contains("tasks.example.com"),
            "{}",
            c.mode_reason()
        );
        for local in [
            "http://localhost:3000",
            "http://127.0.0.1:3000",
            "http://[::1]:3000",
        ] {
            let c = cfg(&[public[0], ("BETTER_AUTH_URL", local)]).unwrap();
            assert_eq!(c.mode, Mode::Development, "{local}");
        }
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
    fn bad_app_env_is_reported() {
        assert!(matches!(
            cfg(&[("APP_ENV", "staging")]),
            Err(ConfigError::Invalid {
                name: "APP_ENV",
                ..
            })
        ));
    }

    #[test]
    fn email_codes_for_two_factor_are_off_unless_asked_for() {
        let off = cfg(&[]).unwrap();
        assert!(!off.auth.two_factor_email_otp);
        let on = cfg(&[("TWO_FACTOR_EMAIL_OTP", "true")]).unwrap();
        assert!(on.auth.two_factor_email_otp);
        let warned = on.relaxed_protections();
        assert!(
            warned.iter().any(|w| w.contains("TWO_FACTOR_EMAIL_OTP")),
            "{warned:?}"
        );
        assert!(matches!(
            cfg(&[("TWO_FACTOR_EMAIL_OTP", "maybe")]),
            Err(ConfigError::Invalid {
                name: "TWO_FACTOR_EMAIL_OTP",
                ..
            })
        ));
    }
}
