//! The JWT module's unit tests, a file per concern: `vectors` (round trips and Better
//! Auth's own tokens and keys, from `better_auth`), `attacks` (algorithm confusion,
//! tampering, unknown keys, malformed tokens), `claims` (time, subject, issuer and
//! audience), `memo` (remembered signatures) and `keys` (private key encryption, JWK and JWKS formats).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use ed25519_dalek::{Signer, VerifyingKey};
use hmac::Mac;
use serde_json::{json, Value};

use super::*;
use crate::auth::{key_envelope::*, mac::hmac_sha256};

mod attacks;
mod better_auth;
mod claims;
mod keys;
mod memo;
mod vectors;

const SECRET: &[u8] = b"better-auth-secret-12345678901234567890";
const ISS: &str = "http://localhost:3000";
const NOW: i64 = 1_700_000_000;

fn claims() -> Value {
    json!({
        "id": "user-1",
        "email": "a@example.com",
        "sub": "user-1",
        "iat": NOW,
        "exp": NOW + 900,
        "iss": ISS,
        "aud": ISS,
    })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    if let Some(map) = claims.as_object_mut() {
        if value.is_null() {
            map.remove(key);
        } else {
            map.insert(key.to_owned(), value);
        }
    }
    claims
}

fn key_set(key: &Ed25519Key) -> Vec<(String, VerifyingKey)> {
    vec![(key.kid().to_owned(), key.verifying_key())]
}

fn b64(s: &str) -> String {
    URL_SAFE_NO_PAD.encode(s)
}

/// Hand-made HS256 token with an arbitrary header.
fn hs256_with_header(header: &str, claims: &Value, secret: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(&claims.to_string()));
    let mut mac = hmac_sha256(secret);
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

fn eddsa(claims: &Value) -> (Ed25519Key, String) {
    let key = Ed25519Key::generate("kid-1");
    let token = sign_eddsa(&key, claims);
    (key, token)
}

/// Every verdict is reached twice: by [`super::verify`] (every claim, as a map) and by
/// the reader the app uses ([`AccessClaims`]), which must agree on every token.
fn verify(
    token: &str,
    key: &VerifyKey<'_>,
    validation: &Validation,
    now: i64,
) -> Result<Value, JwtError> {
    let all = super::verify(token, key, validation, now);
    let read = verify_remembering::<AccessClaims>(token, key, validation, now, None);
    assert_eq!(
        all.as_ref().err(),
        read.as_ref().err(),
        "the readers disagree on {token}"
    );
    if let (Ok(all), Ok(read)) = (&all, &read) {
        assert_eq!(read.subject(), all["sub"].as_str());
        assert_eq!(read.expires_at(), all["exp"].as_i64());
        assert_eq!(read.email(), all["email"].as_str());
    }
    all
}

fn verify_ed(token: &str, key: &Ed25519Key, validation: &Validation) -> Result<Value, JwtError> {
    verify(token, &VerifyKey::Ed25519(&key_set(key)), validation, NOW)
}
