//! Signed cookie values, byte-compatible with Better Auth / better-call (contract §3).
//!
//! The session cookie holds `encodeURIComponent(token + "." + base64(HMAC-SHA256(secret,
//! token)))`. Producing the exact same bytes lets a browser session survive switching
//! between Better Auth and this server, and lets bearer clients that copied the
//! `set-auth-token` header keep working.

use base64::{engine::general_purpose::STANDARD, Engine as _};
use hmac::Mac;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::mac::HmacKey;

/// What JavaScript's `encodeURIComponent` leaves alone: ASCII alphanumerics and
/// `-_.!~*'()`. Everything else (notably `+`, `/` and `=` from base64) is escaped.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Length of a padded standard-base64 HMAC-SHA256 (32 bytes → 44 characters).
const SIGNATURE_B64_LEN: usize = 44;

/// Percent-encodes `s` exactly like JavaScript's `encodeURIComponent`.
pub fn encode_uri_component(s: &str) -> String {
    utf8_percent_encode(s, URI_COMPONENT).to_string()
}

/// Signs `value` the way better-call's `setSignedCookie` does and returns the cookie
/// value, ready to put after `name=` in a `Set-Cookie` header. The key is prepared once
/// by its owner (the auth service): every signed-in page reads a signed cookie.
pub fn sign_cookie_value(value: &str, key: &HmacKey) -> String {
    let mut mac = key.mac();
    mac.update(value.as_bytes());
    let signature = STANDARD.encode(mac.finalize().into_bytes());
    encode_uri_component(&format!("{value}.{signature}"))
}

/// Checks a cookie value produced by [`sign_cookie_value`] (or by Better Auth) and
/// returns the signed inner value, or `None` for anything that is not a valid signature
/// under `key`. Mirrors better-call's `parseSigned`: percent-decode, split at the
/// last `.`, require a non-empty value and a 44-character signature ending in `=`.
///
/// Also used for `Authorization: Bearer <signed value>` (bearer plugin), which carries
/// the same string.
pub fn verify_cookie_value(raw: &str, key: &HmacKey) -> Option<String> {
    let decoded = percent_decode_str(raw).decode_utf8().ok()?;
    let dot = decoded.rfind('.')?;
    if dot == 0 {
        return None;
    }
    let (value, signature) = (&decoded[..dot], &decoded[dot + 1..]);
    if signature.len() != SIGNATURE_B64_LEN || !signature.ends_with('=') {
        return None;
    }
    let signature = STANDARD.decode(signature).ok()?;
    let mut mac = key.mac();
    mac.update(value.as_bytes());
    // `verify_slice` compares in constant time.
    mac.verify_slice(&signature).ok()?;
    Some(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"better-auth-secret-12345678901234567890";
    const TOKEN: &str = "X3pQ9mK2vL8nR4tY6wZ1aB5cD7eF0gHj";
    const SIGNED: &str =
        "X3pQ9mK2vL8nR4tY6wZ1aB5cD7eF0gHj.f5bs%2BrEcP2cEUuPfgzp30w548d24YjCKCDaSu63HY94%3D";

    fn key() -> HmacKey {
        HmacKey::new(SECRET)
    }

    #[test]
    fn contract_vector_signs() {
        assert_eq!(sign_cookie_value(TOKEN, &key()), SIGNED);
    }

    #[test]
    fn contract_vector_verifies() {
        assert_eq!(verify_cookie_value(SIGNED, &key()).as_deref(), Some(TOKEN));
        // A client or proxy that did not percent-encode still verifies.
        let unencoded = percent_decode_str(SIGNED).decode_utf8().expect("utf-8");
        assert_eq!(
            verify_cookie_value(&unencoded, &key()).as_deref(),
            Some(TOKEN)
        );
    }

    #[test]
    fn round_trips_values_with_dots_and_unicode() {
        for value in ["true", "a.b.c", "ünïcødé value/+=", "x"] {
            let signed = sign_cookie_value(value, &key());
            assert_eq!(verify_cookie_value(&signed, &key()).as_deref(), Some(value));
        }
    }

    #[test]
    fn encodes_like_encode_uri_component() {
        assert_eq!(
            encode_uri_component("aZ09-_.!~*'()+/= ;,é"),
            "aZ09-_.!~*'()%2B%2F%3D%20%3B%2C%C3%A9"
        );
    }

    #[test]
    fn rejects_tampering() {
        // Different token, same signature.
        let forged = SIGNED.replacen("X3pQ", "Y3pQ", 1);
        assert_eq!(verify_cookie_value(&forged, &key()), None);
        // One signature character changed.
        let forged = SIGNED.replacen("f5bs", "f5bt", 1);
        assert_eq!(verify_cookie_value(&forged, &key()), None);
        // Wrong secret.
        assert_eq!(
            verify_cookie_value(SIGNED, &HmacKey::new(b"another-secret")),
            None
        );
    }

    #[test]
    fn rejects_malformed_values() {
        let sig = SIGNED.split_once('.').map(|(_, s)| s).unwrap_or_default();
        for raw in [
            "",
            TOKEN,
            &format!("{TOKEN}."),
            &format!(".{sig}"),
            // Signature without its padding, or truncated.
            &format!("{TOKEN}.f5bs%2BrEcP2cEUuPfgzp30w548d24YjCKCDaSu63HY94"),
            &format!("{TOKEN}.f5bs%2BrEcP2cEUuPfgzp30w548d24YjCKCDaSu63HY9%3D"),
            // 44 characters ending in '=' but not base64.
            &format!("{TOKEN}.{}=", "!".repeat(43)),
            // Invalid UTF-8 after percent-decoding.
            "%FF.f5bs%2BrEcP2cEUuPfgzp30w548d24YjCKCDaSu63HY94%3D",
        ] {
            assert_eq!(verify_cookie_value(raw, &key()), None, "{raw:?}");
        }
    }
}
