//! What a registration's attestation object says about the new credential: its id,
//! its authenticator model (AAGUID) and its public key, as the exact COSE bytes the
//! authenticator sent (stored as they are, as Better Auth stores them).

use serde_cbor_2::Value as Cbor;

use super::Refusal;

pub struct Attested {
    pub format: String,
    pub statement: Cbor,
    pub auth_data: Vec<u8>,
    pub aaguid: [u8; 16],
    pub credential_id: Vec<u8>,
    pub key_bytes: Vec<u8>,
    pub key: Cbor,
}

/// `authData` layout (WebAuthn §6.1): RP id hash (32), flags (1), counter (4), then the
/// attested credential data: AAGUID (16), id length (2), id, COSE key.
const FLAGS_AT: usize = 32;
const AAGUID_AT: usize = 37;
const ID_LEN_AT: usize = 53;
const ID_AT: usize = 55;
const FLAG_AT: u8 = 0x40;

pub fn field(map: &Cbor, key: Cbor) -> Option<&Cbor> {
    match map {
        Cbor::Map(m) => m.get(&key),
        _ => None,
    }
}

pub fn read(attestation_object: &[u8]) -> Result<Attested, Refusal> {
    let bad = || Refusal::Malformed("attestation object");
    let object: Cbor = serde_cbor_2::from_slice(attestation_object).map_err(|_| bad())?;
    let text = |k: &str| field(&object, Cbor::Text(k.into()));
    let Some(Cbor::Text(format)) = text("fmt") else {
        return Err(bad());
    };
    let statement = text("attStmt").cloned().ok_or_else(bad)?;
    let Some(Cbor::Bytes(auth_data)) = text("authData") else {
        return Err(bad());
    };
    if auth_data.len() < ID_AT || auth_data[FLAGS_AT] & FLAG_AT == 0 {
        return Err(bad());
    }
    let aaguid: [u8; 16] = auth_data[AAGUID_AT..ID_LEN_AT]
        .try_into()
        .map_err(|_| bad())?;
    let id_len = usize::from(u16::from_be_bytes([
        auth_data[ID_LEN_AT],
        auth_data[ID_LEN_AT + 1],
    ]));
    let credential_id = auth_data
        .get(ID_AT..ID_AT + id_len)
        .ok_or_else(bad)?
        .to_vec();
    let rest = &auth_data[ID_AT + id_len..];
    let mut reader = serde_cbor_2::Deserializer::from_slice(rest);
    let key: Cbor = serde::Deserialize::deserialize(&mut reader).map_err(|_| bad())?;
    let key_bytes = rest[..reader.byte_offset()].to_vec();
    Ok(Attested {
        format: format.clone(),
        statement,
        auth_data: auth_data.clone(),
        aaguid,
        credential_id,
        key_bytes,
        key,
    })
}
