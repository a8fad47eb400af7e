//! What the auth layer is told at start. The app's configuration module builds it from
//! the environment; the auth layer never reads the app's configuration, so that it can
//! serve any axum app (the first step toward a reusable auth crate).

use std::{path::PathBuf, time::Duration};

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::{client_ip::TrustedProxies, password::HashParams};
use crate::mail::MailTransport;

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
pub struct Settings {
    /// Signs session cookies and HS256 JWTs, encrypts JWKS private keys.
    pub secret: SecretString,
    /// Public origin of the app (`BETTER_AUTH_URL`); JWT `iss`/`aud` and trusted origin.
    pub base_url: Url,
    /// Production rules: no loopback twin among the trusted origins, proxy warnings.
    pub production: bool,
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
    /// Where the outbox transport writes (`DATA_DIR/mail`).
    pub outbox_dir: PathBuf,
    /// Argon2id cost of new password hashes (`PASSWORD_HASH_PARAMS`); stored hashes with
    /// other parameters are rehashed on the next successful sign-in.
    pub password_hash_params: HashParams,
    /// Second-factor codes by e-mail (`TWO_FACTOR_EMAIL_OTP`, default off): a mailbox
    /// alone must not stand in for the authenticator app (NIST SP 800-63B §5.1.3.1),
    /// so `otp` is offered and accepted only when the operator turns it on, as Better
    /// Auth offers it only when `otpOptions.sendOTP` is configured.
    pub two_factor_email_otp: bool,
    /// The WebAuthn relying party: its id (`PASSKEY_RP_ID`, default the base URL's
    /// host) and the name authenticators show (`PASSKEY_RP_NAME`, "Taskdeck").
    pub passkey_rp_id: String,
    pub passkey_rp_name: String,
    /// Sign-in with other accounts (`OAUTH_PROVIDERS`), in the order the buttons show.
    pub social_providers: Vec<super::social::ProviderConfig>,
}

impl Settings {
    /// The origin of `base_url` (`scheme://host[:port]`), as Better Auth reduces it.
    pub fn base_origin(&self) -> String {
        self.base_url.origin().ascii_serialization()
    }

    pub fn secret_bytes(&self) -> &[u8] {
        self.secret.expose_secret().as_bytes()
    }
}
