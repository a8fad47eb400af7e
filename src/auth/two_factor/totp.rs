//! TOTP (RFC 6238) as Better Auth's `createOTP` computes it: HMAC-SHA1, 6 digits,
//! 30-second steps, one step of drift either way; the key is the secret's UTF-8 bytes.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

pub const DIGITS: u32 = 6;
pub const PERIOD_SECS: u64 = 30;

/// The HOTP value (RFC 4226) of `secret` at `counter`.
pub fn hotp(secret: &[u8], counter: u64) -> String {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(secret).expect("HMAC accepts any key");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[digest.len() - 1] & 0x0f) as usize;
    let truncated = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!(
        "{:0width$}",
        truncated % 10u32.pow(DIGITS),
        width = DIGITS as usize
    )
}

/// The code for `secret` at Unix time `now_secs`.
pub fn code_at(secret: &str, now_secs: u64) -> String {
    hotp(secret.as_bytes(), now_secs / PERIOD_SECS)
}

/// Whether `code` is right for the step of `now_secs` or one step either side. Every
/// candidate is compared (in constant time), so timing says nothing about which.
pub fn verify(secret: &str, code: &str, now_secs: u64) -> bool {
    matching_step(secret, code, now_secs).is_some()
}

/// The time step `code` belongs to (the step of `now_secs` or one either side), the
/// latest if several match; all three are compared, in constant time.
pub fn matching_step(secret: &str, code: &str, now_secs: u64) -> Option<u64> {
    let step = now_secs / PERIOD_SECS;
    let mut matched = None;
    for counter in [step.saturating_sub(1), step, step + 1] {
        let expected = hotp(secret.as_bytes(), counter);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            matched = Some(counter);
        }
    }
    matched
}

/// The `otpauth://` URI authenticator apps scan, byte for byte as Better Auth writes
/// it: label `encodeURIComponent(issuer):encodeURIComponent(account)`, then
/// `URLSearchParams` of secret (base32, unpadded), issuer, digits and period.
pub fn otpauth_uri(secret: &str, issuer: &str, account: &str) -> String {
    use super::super::cookie::encode_uri_component;
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("secret", &base32(secret.as_bytes()))
        .append_pair("issuer", issuer)
        .append_pair("digits", &DIGITS.to_string())
        .append_pair("period", &PERIOD_SECS.to_string())
        .finish();
    format!(
        "otpauth://totp/{}:{}?{query}",
        encode_uri_component(issuer),
        encode_uri_component(account)
    )
}

/// The secret carried by an `otpauth://` URI (base32-decoded), for clients and tests.
pub fn secret_from_uri(uri: &str) -> Option<String> {
    String::from_utf8(unbase32(&base32_secret_of(uri)?)?).ok()
}

/// The URI's `secret` as written there (base32): what a person types into an app.
pub fn base32_secret_of(uri: &str) -> Option<String> {
    let query = uri.split_once('?')?.1;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "secret")
        .map(|(_, v)| v.into_owned())
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding.
pub fn base32(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in data {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn unbase32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let value = BASE32.iter().position(|&b| b == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA-1 key "12345678901234567890", last 6 digits.
        let key = "12345678901234567890";
        assert_eq!(code_at(key, 59), "287082");
        assert_eq!(code_at(key, 1_111_111_109), "081804");
        assert_eq!(code_at(key, 1_234_567_890), "005924");
        assert_eq!(code_at(key, 2_000_000_000), "279037");
    }

    #[test]
    fn one_step_of_drift_either_way() {
        let key = "abcdefghijklmnopqrstuvwxyz012345";
        let now = 1_800_000_015;
        assert!(verify(key, &code_at(key, now), now));
        assert!(verify(key, &code_at(key, now - 30), now));
        assert!(verify(key, &code_at(key, now + 30), now));
        assert!(!verify(key, &code_at(key, now - 90), now));
        assert!(!verify(key, "", now));
        assert!(!verify(key, "12345", now));
    }

    #[test]
    fn uri_matches_better_auth_and_round_trips() {
        let uri = otpauth_uri("12345678901234567890", "My App", "a+b@example.com");
        assert_eq!(
            uri,
            "otpauth://totp/My%20App:a%2Bb%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=My+App&digits=6&period=30"
        );
        assert_eq!(
            secret_from_uri(&uri).as_deref(),
            Some("12345678901234567890")
        );
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
    }
}
