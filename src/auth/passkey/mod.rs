//! WebAuthn as Better Auth's passkey plugin speaks it (SimpleWebAuthn's JSON): creation
//! and request options, and the verification of what the browser answers, with
//! `webauthn-rs-core` doing the checks. Better Auth's choices are kept: user
//! verification "preferred" (not required), attestation "none", discoverable
//! credentials preferred, algorithms EdDSA, ES256, RS256; a row holds the COSE key as
//! padded base64 and is found by its credential id alone (the user handle is random and
//! never stored).
//!
//! `webauthn-rs-core` 0.6 cannot verify Ed25519 keys, which SimpleWebAuthn offers first,
//! so those take [`okp`]: the same checks, with `ed25519-dalek` for the signature.

mod attested;
mod okp;

use std::time::Duration;

use base64::{
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
    Engine,
};
use serde::{Deserialize, Serialize};
use serde_cbor_2::Value as Cbor;
use serde_json::{json, Value};
use url::Url;
use webauthn_rs_core::{
    error::WebauthnError,
    proto::{
        AttestationConveyancePreference, AttestationFormat, AuthenticationState, COSEAlgorithm,
        COSEKey, Credential, ParsedAttestation, PublicKeyCredential, RegisterPublicKeyCredential,
        RegisteredExtensions, RegistrationState, RequestRegistrationExtensions,
        UserVerificationPolicy,
    },
    WebauthnCore,
};

use super::model::Passkey;

/// The plugin's challenge cookie (`better-auth.better-auth-passkey`).
pub const PASSKEY_COOKIE: &str = "better-auth-passkey";
/// How long a ceremony's challenge lives (the cookie and its `verification` row).
pub const PASSKEY_CHALLENGE_TTL: Duration = Duration::from_secs(5 * 60);
/// What the browser is told to wait for the user (SimpleWebAuthn's default).
const TIMEOUT: Duration = Duration::from_secs(60);

/// Why a browser's answer was refused.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// Not shaped like a WebAuthn response.
    #[error("malformed WebAuthn response: {0}")]
    Malformed(&'static str),
    /// The signature does not verify with the stored key.
    #[error("bad signature")]
    Signature,
    /// The counter did not move forward: a cloned authenticator, or a replay.
    #[error("signature counter went backwards")]
    Counter,
    /// Anything else the checks refused (challenge, origin, RP id, flags...).
    #[error(transparent)]
    Webauthn(#[from] WebauthnError),
}

/// A verified registration: the row's fields, as Better Auth fills them.
#[derive(Debug, Clone)]
pub struct NewCredential {
    pub credential_id: String,
    pub public_key: String,
    pub counter: u32,
    pub backup_eligible: bool,
    pub backed_up: bool,
    pub transports: String,
    pub aaguid: String,
}

/// A verified sign-in: the counter to store.
#[derive(Debug, Clone, Copy)]
pub struct Asserted {
    pub counter: u32,
}

/// The ceremony state kept in the challenge's `verification` row between the options
/// and the verify.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
pub enum State {
    Registration(RegistrationState),
    Authentication(AuthenticationState),
}

/// This server as a WebAuthn relying party.
pub struct RelyingParty {
    core: WebauthnCore,
    rp_id: String,
    origin: Url,
}

impl RelyingParty {
    pub fn new(rp_name: &str, rp_id: &str, origin: Url) -> Self {
        let core = WebauthnCore::new_unsafe_experts_only(
            rp_name,
            rp_id,
            vec![origin.clone()],
            TIMEOUT,
            None,
            None,
        );
        Self {
            core,
            rp_id: rp_id.to_string(),
            origin,
        }
    }

    /// Creation options (SimpleWebAuthn's `PublicKeyCredentialCreationOptionsJSON`) for
    /// a new credential of `user_handle`, excluding the user's existing ones.
    pub fn start_registration(
        &self,
        user_handle: &[u8],
        user_name: &str,
        display_name: &str,
        existing: &[Passkey],
        attachment: Option<&str>,
    ) -> Result<(Value, RegistrationState), Refusal> {
        let exclude = existing
            .iter()
            .filter_map(|p| URL_SAFE_NO_PAD.decode(&p.credential_id).ok())
            .collect();
        let builder = self
            .core
            .new_challenge_register_builder(user_handle, user_name, display_name)?
            .attestation(AttestationConveyancePreference::None)
            .user_verification_policy(UserVerificationPolicy::Preferred)
            .credential_algorithms(vec![
                COSEAlgorithm::EDDSA,
                COSEAlgorithm::ES256,
                COSEAlgorithm::RS256,
            ])
            .exclude_credentials(Some(exclude))
            .require_resident_key(false)
            .extensions(Some(RequestRegistrationExtensions {
                cred_protect: None,
                uvm: None,
                cred_props: Some(true),
                min_pin_length: None,
                hmac_create_secret: None,
            }));
        let (created, state) = self.core.generate_challenge_register(builder)?;
        // The inner options, with SimpleWebAuthn's spellings where the crate's differ.
        let mut options = serde_json::to_value(&created.public_key)
            .map_err(|_| Refusal::Malformed("creation options"))?;
        let mut selection = json!({
            "residentKey": "preferred",
            "userVerification": "preferred",
            "requireResidentKey": false,
        });
        if let Some(attachment) = attachment {
            selection["authenticatorAttachment"] = json!(attachment);
        }
        options["authenticatorSelection"] = selection;
        options["excludeCredentials"] = Value::Array(existing.iter().map(descriptor).collect());
        options["extensions"] = json!({ "credProps": true });
        options["hints"] = json!([]);
        Ok((options, state))
    }

    /// Checks a registration response against `state`.
    pub fn finish_registration(
        &self,
        response: &Value,
        state: &RegistrationState,
    ) -> Result<NewCredential, Refusal> {
        let transports: Vec<&str> = response["response"]["transports"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let parsed: RegisterPublicKeyCredential = serde_json::from_value(response.clone())
            .map_err(|_| Refusal::Malformed("registration response"))?;
        let attested = attested::read(&parsed.response.attestation_object)?;
        let (counter, backup_eligible, backed_up) = if okp::is_okp(&attested.key) {
            let challenge = challenge_of(state)?;
            okp::verify_registration(self, &parsed, &attested, &challenge)?
        } else {
            let credential = self.core.register_credential(&parsed, state, None)?;
            (
                credential.counter,
                credential.backup_eligible,
                credential.backup_state,
            )
        };
        Ok(NewCredential {
            credential_id: URL_SAFE_NO_PAD.encode(&attested.credential_id),
            public_key: STANDARD.encode(&attested.key_bytes),
            counter,
            backup_eligible,
            backed_up,
            transports: transports.join(","),
            aaguid: uuid::Uuid::from_bytes(attested.aaguid)
                .hyphenated()
                .to_string(),
        })
    }

    /// Request options: for `allow`'s credentials, or (none) any discoverable one.
    pub fn start_authentication(
        &self,
        allow: &[Passkey],
    ) -> Result<(Value, AuthenticationState), Refusal> {
        // The state carries no credentials: the verify finds the row by credential id.
        let builder = self
            .core
            .new_challenge_authenticate_builder(vec![], Some(UserVerificationPolicy::Preferred))?
            .allow_backup_eligible_upgrade(true);
        let (requested, state) = self.core.generate_challenge_authenticate(builder)?;
        let mut options = serde_json::to_value(&requested.public_key)
            .map_err(|_| Refusal::Malformed("request options"))?;
        if let Some(fields) = options.as_object_mut() {
            fields.remove("allowCredentials");
            fields.remove("extensions");
            fields.remove("hints");
            if !allow.is_empty() {
                fields.insert(
                    "allowCredentials".into(),
                    Value::Array(allow.iter().map(descriptor).collect()),
                );
            }
        }
        Ok((options, state))
    }

    /// Checks a sign-in response against `state` and the row its credential id named.
    pub fn finish_authentication(
        &self,
        response: &Value,
        state: &AuthenticationState,
        row: &Passkey,
    ) -> Result<Asserted, Refusal> {
        let parsed: PublicKeyCredential = serde_json::from_value(response.clone())
            .map_err(|_| Refusal::Malformed("authentication response"))?;
        let key_bytes = STANDARD
            .decode(&row.public_key)
            .map_err(|_| Refusal::Malformed("stored public key"))?;
        let key: Cbor = serde_cbor_2::from_slice(&key_bytes)
            .map_err(|_| Refusal::Malformed("stored public key"))?;
        let stored = u32::try_from(row.counter).unwrap_or(u32::MAX);
        if okp::is_okp(&key) {
            let challenge = challenge_of(state)?;
            return okp::verify_assertion(self, &parsed, &key, &challenge, row, stored);
        }
        let mut credential = Credential {
            cred_id: URL_SAFE_NO_PAD
                .decode(&row.credential_id)
                .map_err(|_| Refusal::Malformed("stored credential id"))?,
            cred: COSEKey::try_from(&key)?,
            counter: stored,
            transports: None,
            // Not required at sign-in (Better Auth: `requireUserVerification: false`).
            user_verified: false,
            backup_eligible: row.device_type == "multiDevice",
            backup_state: row.backed_up,
            registration_policy: UserVerificationPolicy::Preferred,
            extensions: RegisteredExtensions::none(),
            attestation: ParsedAttestation::default(),
            attestation_format: AttestationFormat::None,
        };
        // SimpleWebAuthn does not hold the backup-eligible flag to its first value (the
        // crate does): take this answer's, as Better Auth would accept it.
        if let Some(flags) = parsed.response.authenticator_data.get(32) {
            credential.backup_eligible = flags & okp::FLAG_BE != 0;
        }
        match self
            .core
            .authenticate_single_credential(&parsed, state, &credential)
        {
            Ok(result) => Ok(Asserted {
                counter: result.counter(),
            }),
            Err(WebauthnError::CredentialPossibleCompromise) => Err(Refusal::Counter),
            Err(WebauthnError::AuthenticationFailure) => Err(Refusal::Signature),
            Err(other) => Err(other.into()),
        }
    }
}

/// A credential descriptor as SimpleWebAuthn writes it (`transports` from the row).
fn descriptor(p: &Passkey) -> Value {
    let mut d = json!({ "id": p.credential_id, "type": "public-key" });
    if let Some(t) = p.transports.as_deref().filter(|t| !t.is_empty()) {
        d["transports"] = json!(t.split(',').collect::<Vec<_>>());
    }
    d
}

/// The challenge a ceremony state expects (its serialized `challenge`, base64url).
fn challenge_of<T: Serialize>(state: &T) -> Result<Vec<u8>, Refusal> {
    let value = serde_json::to_value(state).map_err(|_| Refusal::Malformed("state"))?;
    value["challenge"]
        .as_str()
        .and_then(|c| URL_SAFE_NO_PAD.decode(c).ok())
        .ok_or(Refusal::Malformed("state"))
}
