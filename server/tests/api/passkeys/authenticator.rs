//! A software authenticator standing in for a browser and a fingerprint reader: 1Password's
//! `passkey` crate, holding one discoverable credential, answering the server's options
//! as SimpleWebAuthn's `startRegistration`/`startAuthentication` would (base64url JSON,
//! no `clientExtensionResults`).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use passkey::{
    authenticator::{Authenticator, UiHint, UserCheck, UserValidationMethod},
    client::{Client, DefaultClientData},
    crypto::{iana, rust_crypto::RustCryptoBackend},
    types::{
        ctap2::{Aaguid, Ctap2Error},
        webauthn, Passkey,
    },
};
use serde_json::{json, Value};
use url::Url;

/// The user touches the sensor every time (presence and verification).
struct Touch;

#[async_trait::async_trait]
impl UserValidationMethod for Touch {
    type PasskeyItem = Passkey;
    async fn check_user<'a>(
        &self,
        _hint: UiHint<'a, Passkey>,
        presence: bool,
        verification: bool,
    ) -> Result<UserCheck, Ctap2Error> {
        Ok(UserCheck {
            presence,
            verification,
        })
    }
    fn is_presence_enabled(&self) -> bool {
        true
    }
    fn is_verification_enabled(&self) -> Option<bool> {
        Some(true)
    }
}

type Inner = Client<Option<Passkey>, Touch, RustCryptoBackend, public_suffix::PublicSuffixList, ()>;

/// Which key the authenticator makes.
#[derive(Clone, Copy, Debug)]
pub enum Key {
    /// P-256 (what platform authenticators and Chromium's virtual one make).
    Es256,
    /// Ed25519 (security keys; SimpleWebAuthn offers it first).
    Ed25519,
}

pub struct SoftAuthenticator {
    client: Inner,
    origin: Url,
}

impl SoftAuthenticator {
    /// An authenticator in a page of `origin`.
    pub fn new(key: Key, origin: &str) -> Self {
        let mut auth = Authenticator::new(Aaguid::new_empty(), None, Touch, RustCryptoBackend);
        auth.set_make_credentials_with_signature_counter(true);
        let alg = match key {
            Key::Es256 => iana::Algorithm::ES256,
            Key::Ed25519 => iana::Algorithm::EdDSA,
        };
        auth.set_algorithms(&[alg]).expect("a supported algorithm");
        Self {
            client: Client::new(auth).allows_insecure_localhost(true),
            origin: Url::parse(origin).expect("origin"),
        }
    }

    /// The same authenticator, now in a page of another origin (a phishing site).
    pub fn at(mut self, origin: &str) -> Self {
        self.origin = Url::parse(origin).expect("origin");
        self
    }

    /// `navigator.credentials.create` with the server's creation options.
    pub async fn register(&mut self, options: &Value) -> Value {
        let request: webauthn::CredentialCreationOptions =
            serde_json::from_value(json!({ "publicKey": options })).expect("creation options");
        let made = self
            .client
            .register(&self.origin, request, DefaultClientData)
            .await
            .expect("the authenticator makes a credential");
        let r = &made.response;
        json!({
            "id": made.id,
            "rawId": b64(&made.raw_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&r.client_data_json),
                "attestationObject": b64(&r.attestation_object),
                "authenticatorData": b64(&r.authenticator_data),
                "transports": r.transports.clone().unwrap_or_default(),
            },
            "authenticatorAttachment": "platform",
        })
    }

    /// `navigator.credentials.get` with the server's request options.
    pub async fn sign(&mut self, options: &Value) -> Value {
        let request: webauthn::CredentialRequestOptions =
            serde_json::from_value(json!({ "publicKey": options })).expect("request options");
        let got = self
            .client
            .authenticate(&self.origin, request, DefaultClientData)
            .await
            .expect("the authenticator signs");
        let r = &got.response;
        json!({
            "id": got.id,
            "rawId": b64(&got.raw_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&r.client_data_json),
                "authenticatorData": b64(&r.authenticator_data),
                "signature": b64(&r.signature),
                "userHandle": r.user_handle.as_ref().map(|h| b64(h)),
            },
            "authenticatorAttachment": "platform",
        })
    }

    /// Sets the signature counter, as a copy of this authenticator made earlier has it.
    pub fn roll_counter_back_to(&mut self, counter: u32) {
        if let Some(key) = self.client.authenticator_mut().store_mut().as_mut() {
            key.counter = Some(counter);
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}
