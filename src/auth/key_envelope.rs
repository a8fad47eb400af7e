//! Better Auth's `symmetricEncrypt`: XChaCha20-Poly1305 under SHA-256(secret), the
//! 24-byte nonce prepended, hex; optionally inside the secret-rotation envelope
//! `$ba$<v>$<hex>`. The `jwks` table stores private keys this way (JSON quoted), the
//! `twoFactor` table its TOTP secrets and backup codes (bare hex): a storage format,
//! shared so that rows move between Better Auth and this server both ways.

use std::borrow::Cow;

use chacha20poly1305::{
    aead::{Aead, KeyInit},
    XChaCha20Poly1305, XNonce,
};
use rand::{rngs::OsRng, RngCore};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::jwt::JwtError;

/// XChaCha20 nonce length; Better Auth (noble `managedNonce`) prepends it to the
/// ciphertext.
pub(crate) const NONCE_LEN: usize = 24;
/// Poly1305 tag length, appended to the ciphertext.
pub(crate) const TAG_LEN: usize = 16;
/// Prefix of Better Auth's secret-rotation envelope, `$ba$<version>$<hex>`.
const ENVELOPE_PREFIX: &str = "$ba$";

fn cipher(secret: &[u8]) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(&Sha256::digest(secret))
}

/// Encrypts a private JWK the way Better Auth's `symmetricEncrypt` does and returns the
/// `jwks.privateKey` column text: a JSON string literal (quotes included) holding the
/// lowercase hex of `nonce(24) ‖ ciphertext ‖ tag(16)`, keyed with SHA-256(secret).
pub fn encrypt_private_key(jwk_json: &str, secret: &[u8]) -> Result<String, JwtError> {
    Ok(Value::String(symmetric_encrypt(jwk_json, secret)?).to_string())
}

/// `symmetricEncrypt` with a single secret: lowercase hex of `nonce ‖ ciphertext ‖ tag`.
pub fn symmetric_encrypt(plain: &str, secret: &[u8]) -> Result<String, JwtError> {
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let sealed = cipher(secret)
        .encrypt(&XNonce::from(nonce), plain.as_bytes())
        .map_err(|_| JwtError::Crypto)?;
    let mut bytes = Vec::with_capacity(NONCE_LEN + sealed.len());
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&sealed);
    Ok(hex::encode(bytes))
}

/// Recovers the private JWK JSON from a `jwks.privateKey` column. Accepts:
/// - the JSON string literal Better Auth writes (`"<hex>"`), or the bare hex;
/// - the secret-rotation envelope `$ba$<version>$<hex>` (quoted or not): only the hex is
///   used, so pass the secret of that version (see [`private_key_secret_version`]);
/// - a plain JWK object, stored when `jwks.disablePrivateKeyEncryption` was on; it is
///   returned as is and `secret` is not used.
pub fn decrypt_private_key(column: &str, secret: &[u8]) -> Result<String, JwtError> {
    let text = column.trim();
    if text.starts_with('{') {
        return Ok(text.to_owned());
    }
    let inner: Cow<'_, str> = if text.starts_with('"') {
        Cow::Owned(
            serde_json::from_str::<String>(text)
                .map_err(|_| JwtError::Malformed("privateKey is not a JSON string"))?,
        )
    } else {
        Cow::Borrowed(text)
    };
    if inner.starts_with('{') {
        return Ok(inner.into_owned());
    }
    symmetric_decrypt(&inner, secret)
}

/// `symmetricDecrypt`: bare hex, or the envelope `$ba$<version>$<hex>` whose hex is
/// opened with `secret` (the caller passes the secret of that version).
pub fn symmetric_decrypt(text: &str, secret: &[u8]) -> Result<String, JwtError> {
    let hex_text = match split_envelope(text) {
        Some((_, hex_text)) => hex_text,
        None => text,
    };
    let bytes = hex::decode(hex_text).map_err(|_| JwtError::Malformed("ciphertext is not hex"))?;
    if bytes.len() < NONCE_LEN + TAG_LEN {
        return Err(JwtError::Malformed("ciphertext is too short"));
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce
        .try_into()
        .map_err(|_| JwtError::Malformed("ciphertext is too short"))?;
    let plain = cipher(secret)
        .decrypt(&XNonce::from(nonce), sealed)
        .map_err(|_| JwtError::Decrypt)?;
    String::from_utf8(plain).map_err(|_| JwtError::Decrypt)
}

/// The secret version of a `$ba$<version>$<hex>` column (quoted or not), or `None` for
/// the legacy single-secret format.
pub fn private_key_secret_version(column: &str) -> Option<u32> {
    let text = column.trim();
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    split_envelope(text).map(|(version, _)| version)
}

fn split_envelope(text: &str) -> Option<(u32, &str)> {
    let (version, rest) = text.strip_prefix(ENVELOPE_PREFIX)?.split_once('$')?;
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((version.parse().ok()?, rest))
}
