//! Compact JWS signing: EdDSA (what the jwt plugin issues) and HS256.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use ed25519_dalek::Signer;
use hmac::Mac;
use serde_json::Value;

use crate::auth::mac::hmac_sha256;

use super::Ed25519Key;

fn signing_input(header_json: &str, claims: &Value) -> String {
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header_json),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// Signs `claims` (a JSON object) with EdDSA, header exactly
/// `{"alg":"EdDSA","kid":"<kid>"}` like Better Auth's JWT plugin. The caller supplies
/// every claim (`sub`, `iat`, `exp`, `iss`, `aud`, user fields).
pub fn sign_eddsa(key: &Ed25519Key, claims: &Value) -> String {
    let header = format!(
        r#"{{"alg":"EdDSA","kid":{}}}"#,
        Value::String(key.kid.clone())
    );
    let input = signing_input(&header, claims);
    let signature = key.signing.sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

/// Signs `claims` with HS256 under `secret` (header `{"alg":"HS256","typ":"JWT"}`), as
/// Better Auth does for email-verification tokens.
pub fn sign_hs256(secret: &[u8], claims: &Value) -> String {
    let input = signing_input(r#"{"alg":"HS256","typ":"JWT"}"#, claims);
    let mut mac = hmac_sha256(secret);
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}
