//! Ed25519 credentials (COSE key type OKP, algorithm -8), which `webauthn-rs-core` 0.6
//! refuses: the checks it would make (client data type, challenge, origin, RP id hash,
//! user presence, backup flags, counter), with `ed25519-dalek` for the signatures.
//! Registration accepts attestation "none" or packed self-attestation, as asked.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::{Signature, VerifyingKey};
use serde_cbor_2::Value as Cbor;
use serde_json::Value;
use sha2::{Digest, Sha256};
use webauthn_rs_core::{
    error::WebauthnError,
    proto::{PublicKeyCredential, RegisterPublicKeyCredential},
};

use super::{
    attested::{field, Attested},
    Asserted, Refusal, RelyingParty,
};
use crate::auth::model::Passkey;

const FLAG_UP: u8 = 0x01;
pub const FLAG_BE: u8 = 0x08;
const FLAG_BS: u8 = 0x10;

/// COSE key type 1 (OKP).
pub fn is_okp(key: &Cbor) -> bool {
    matches!(field(key, Cbor::Integer(1)), Some(Cbor::Integer(1)))
}

fn ed25519(key: &Cbor) -> Result<VerifyingKey, Refusal> {
    let eddsa = matches!(field(key, Cbor::Integer(3)), Some(Cbor::Integer(-8)));
    let curve = matches!(field(key, Cbor::Integer(-1)), Some(Cbor::Integer(6)));
    let Some(Cbor::Bytes(x)) = field(key, Cbor::Integer(-2)) else {
        return Err(WebauthnError::COSEKeyInvalidType.into());
    };
    let x: [u8; 32] = x
        .as_slice()
        .try_into()
        .map_err(|_| WebauthnError::COSEKeyInvalidType)?;
    if !(eddsa && curve) {
        return Err(WebauthnError::COSEKeyInvalidType.into());
    }
    VerifyingKey::from_bytes(&x).map_err(|_| WebauthnError::COSEKeyInvalidType.into())
}

fn check_client_data(
    rp: &RelyingParty,
    client_data: &[u8],
    kind: &str,
    challenge: &[u8],
) -> Result<(), Refusal> {
    let data: Value =
        serde_json::from_slice(client_data).map_err(|_| Refusal::Malformed("clientDataJSON"))?;
    if data["type"] != kind {
        return Err(WebauthnError::InvalidClientDataType.into());
    }
    let sent = data["challenge"]
        .as_str()
        .and_then(|c| URL_SAFE_NO_PAD.decode(c).ok());
    if sent.as_deref() != Some(challenge) {
        return Err(WebauthnError::MismatchedChallenge.into());
    }
    let origin = data["origin"]
        .as_str()
        .and_then(|o| url::Url::parse(o).ok());
    if origin.as_ref() != Some(&rp.origin) {
        return Err(WebauthnError::InvalidRPOrigin.into());
    }
    if data["crossOrigin"] == Value::Bool(true) {
        return Err(WebauthnError::CredentialCrossOrigin.into());
    }
    Ok(())
}

/// RP id hash, user presence, and no "backed up" without "backup eligible": the flags
/// and the counter.
fn check_auth_data(rp: &RelyingParty, auth_data: &[u8]) -> Result<(u8, u32), Refusal> {
    if auth_data.len() < 37 {
        return Err(Refusal::Malformed("authenticatorData"));
    }
    if auth_data[..32] != Sha256::digest(rp.rp_id.as_bytes())[..] {
        return Err(WebauthnError::InvalidRPIDHash.into());
    }
    let flags = auth_data[32];
    if flags & FLAG_UP == 0 {
        return Err(WebauthnError::UserNotPresent.into());
    }
    if flags & FLAG_BS != 0 && flags & FLAG_BE == 0 {
        return Err(WebauthnError::CredentialMayNotBeHardwareBound.into());
    }
    let counter = u32::from_be_bytes([auth_data[33], auth_data[34], auth_data[35], auth_data[36]]);
    Ok((flags, counter))
}

/// Verifies `signature` over `authData || SHA-256(clientDataJSON)`.
fn check_signature(
    key: &VerifyingKey,
    auth_data: &[u8],
    client_data: &[u8],
    signature: &[u8],
) -> Result<(), Refusal> {
    let mut signed = auth_data.to_vec();
    signed.extend_from_slice(&Sha256::digest(client_data));
    let signature = Signature::from_slice(signature).map_err(|_| Refusal::Signature)?;
    key.verify_strict(&signed, &signature)
        .map_err(|_| Refusal::Signature)
}

/// `(counter, backup eligible, backed up)` of a verified Ed25519 registration.
pub fn verify_registration(
    rp: &RelyingParty,
    response: &RegisterPublicKeyCredential,
    attested: &Attested,
    challenge: &[u8],
) -> Result<(u32, bool, bool), Refusal> {
    let key = ed25519(&attested.key)?;
    let client_data = &response.response.client_data_json;
    check_client_data(rp, client_data, "webauthn.create", challenge)?;
    let (flags, counter) = check_auth_data(rp, &attested.auth_data)?;
    match attested.format.as_str() {
        "none" => {}
        "packed" if field(&attested.statement, Cbor::Text("x5c".into())).is_none() => {
            let Some(Cbor::Bytes(signature)) = field(&attested.statement, Cbor::Text("sig".into()))
            else {
                return Err(Refusal::Malformed("attestation statement"));
            };
            check_signature(&key, &attested.auth_data, client_data, signature)?;
        }
        _ => return Err(WebauthnError::AttestationNotSupported.into()),
    }
    Ok((counter, flags & FLAG_BE != 0, flags & FLAG_BS != 0))
}

/// A verified Ed25519 sign-in with the row's key, its counter moving forward.
pub fn verify_assertion(
    rp: &RelyingParty,
    response: &PublicKeyCredential,
    key: &Cbor,
    challenge: &[u8],
    row: &Passkey,
    stored: u32,
) -> Result<Asserted, Refusal> {
    if URL_SAFE_NO_PAD.encode(&response.raw_id) != row.credential_id {
        return Err(WebauthnError::CredentialNotFound.into());
    }
    let key = ed25519(key)?;
    let r = &response.response;
    check_client_data(rp, &r.client_data_json, "webauthn.get", challenge)?;
    let (_, counter) = check_auth_data(rp, &r.authenticator_data)?;
    check_signature(
        &key,
        &r.authenticator_data,
        &r.client_data_json,
        &r.signature,
    )?;
    if (counter > 0 || stored > 0) && counter <= stored {
        return Err(Refusal::Counter);
    }
    Ok(Asserted { counter })
}
