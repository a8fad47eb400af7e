//! Better Auth's twoFactor plugin, the wire-level parts: TOTP codes and their
//! `otpauth://` URI, backup codes, the trust-device token, and the names and limits
//! the plugin uses. The flows are in `service/two_factor.rs`, the table in
//! `store/two_factor.rs`.
//!
//! Formats follow `packages/better-auth/src/plugins/two-factor/` (1.7): the TOTP secret
//! is a 32-character string whose UTF-8 bytes are the HMAC key (not base32-decoded),
//! stored with `symmetricEncrypt`; backup codes are a JSON array stored the same way.

pub mod backup_codes;
pub mod totp;

use std::time::Duration;

use hmac::Mac;

use super::{ids::random_string, mac::hmac_sha256};

/// Signed cookie naming the pending sign-in challenge (`<prefix>.two_factor`).
pub const TWO_FACTOR_COOKIE: &str = "two_factor";
/// Signed cookie remembering a trusted device (`<prefix>.trust_device`).
pub const TRUST_DEVICE_COOKIE: &str = "trust_device";
/// How long a sign-in challenge lasts (the plugin's `twoFactorCookieMaxAge`).
pub const CHALLENGE_TTL: Duration = Duration::from_secs(10 * 60);
/// How long a device stays trusted; renewed at each sign-in within it.
pub const TRUST_DEVICE_TTL: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// Wrong codes allowed against one challenge before a new sign-in is required.
pub const ATTEMPTS_PER_CHALLENGE: u32 = 5;
/// Consecutive failures across challenges that lock the second factor ...
pub const LOCKOUT_AFTER: i64 = 10;
/// ... for this long (NIST SP 800-63B §5.2.2, the plugin's defaults).
pub const LOCKOUT_FOR: Duration = Duration::from_secs(15 * 60);
/// How long an e-mailed one-time code lasts (the plugin's `otpOptions.period`).
pub const OTP_TTL: Duration = Duration::from_secs(3 * 60);
/// Length of the TOTP secret (`generateRandomString(32)`).
pub const SECRET_LEN: usize = 32;

/// Better Auth's default alphabet for `generateRandomString`: `a-z0-9A-Z-_`.
pub const SECRET_ALPHABET: &[u8] =
    b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/// Identifier of a sign-in challenge's verification row: `2fa-<20 chars>`.
pub fn new_challenge_id() -> String {
    format!("2fa-{}", random_string(20, SECRET_ALPHABET))
}

/// The attempt counter row that goes with a challenge.
pub fn attempts_id(challenge: &str) -> String {
    format!("2fa-attempts-{challenge}")
}

/// The row holding an e-mailed code for `key` (a challenge, or `<user>!<session>`).
pub fn otp_id(key: &str) -> String {
    format!("2fa-otp-{key}")
}

/// A new trust-device identifier: `trust-device-<32 chars>`.
pub fn new_trust_id() -> String {
    format!("trust-device-{}", random_string(32, SECRET_ALPHABET))
}

/// The trust cookie's inner value, `<hmac>!<trust id>`, where the HMAC (SHA-256,
/// base64url without padding) binds the identifier to the user.
pub fn trust_token(secret: &[u8], user_id: &str, trust_id: &str) -> String {
    let mut mac = hmac_sha256(secret);
    mac.update(format!("{user_id}!{trust_id}").as_bytes());
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
    format!(
        "{}!{trust_id}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

/// The trust identifier in a trust cookie's inner value, if its HMAC is right for this
/// user (compared in constant time).
pub fn check_trust_token(secret: &[u8], user_id: &str, value: &str) -> Option<String> {
    let (_, trust_id) = value.split_once('!')?;
    let expected = trust_token(secret, user_id, trust_id);
    use subtle::ConstantTimeEq;
    bool::from(expected.as_bytes().ct_eq(value.as_bytes())).then(|| trust_id.to_string())
}

/// What a password sign-in does to the trust-device cookie.
pub enum TrustCookie {
    Unchanged,
    /// A trusted device signed in: its trust starts again, under a new identifier.
    Renewed(String),
    /// The cookie named no trust (expired, revoked, another user's): delete it.
    Forget,
}

/// A one-time code for e-mail: `digits` decimal digits.
pub fn new_otp(digits: usize) -> String {
    random_string(digits, b"0123456789")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_tokens_bind_user_and_identifier() {
        let secret = b"a secret of thirty-two bytes!!!!";
        let token = trust_token(secret, "u1", "trust-device-abc");
        assert!(token.ends_with("!trust-device-abc"));
        assert_eq!(
            check_trust_token(secret, "u1", &token).as_deref(),
            Some("trust-device-abc")
        );
        assert_eq!(check_trust_token(secret, "u2", &token), None);
        assert_eq!(check_trust_token(b"another secret", "u1", &token), None);
        assert_eq!(check_trust_token(secret, "u1", "x!trust-device-abc"), None);
    }

    #[test]
    fn identifiers_have_the_plugin_shapes() {
        let c = new_challenge_id();
        assert!(c.starts_with("2fa-") && c.len() == 24, "{c}");
        assert_eq!(attempts_id("2fa-x"), "2fa-attempts-2fa-x");
        assert_eq!(otp_id("u!s"), "2fa-otp-u!s");
        let otp = new_otp(6);
        assert!(otp.len() == 6 && otp.bytes().all(|b| b.is_ascii_digit()));
    }
}
