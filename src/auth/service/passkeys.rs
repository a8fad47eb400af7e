//! Passkeys (Better Auth's passkey plugin): options with a challenge held in a
//! `verification` row named by the signed challenge cookie, verification by
//! [`crate::auth::passkey`], and the user's list. A challenge is taken (deleted) by the
//! first verify that names it, so each one is used once even when two verifies race;
//! a sign-in moves the counter only from the value it checked against, so two uses of
//! one counter value (a cloned authenticator) cannot both succeed.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{AuthService, ClientInfo};
use crate::{
    auth::{
        error::AuthError,
        ids::{generate_id, random_string, DEFAULT_ID_LEN},
        model::{Passkey, Session, User},
        passkey::{Refusal, State, PASSKEY_CHALLENGE_TTL},
        store,
    },
    problem::Code,
    storage::Ts,
};

/// What the registration options were asked for (the plugin's query).
#[derive(Debug, Default)]
pub struct RegisterPasskey {
    /// The name the authenticator shows for the account (default: the e-mail).
    pub user_name: Option<String>,
    /// `platform` or `cross-platform`.
    pub attachment: Option<String>,
    /// Kept with the challenge, as the plugin keeps it.
    pub context: Option<String>,
}

/// The challenge row's value: Better Auth's keys (`type`, `expectedChallenge`,
/// `userData`, `context`), and the ceremony state this server checks against.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Challenge {
    #[serde(rename = "type")]
    ceremony: String,
    expected_challenge: String,
    user_data: ChallengeUser,
    #[serde(default)]
    context: Option<String>,
    webauthn: State,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChallengeUser {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
}

const REGISTRATION: &str = "registration";
const AUTHENTICATION: &str = "authentication";
/// Better Auth's user handles: 32 random characters from `[a-z0-9]`, never stored.
const HANDLE_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Logs why WebAuthn refused an answer; the client hears only the plugin's code.
fn refused(code: Code, why: &Refusal) -> AuthError {
    tracing::info!(reason = %why, code = ?code, "passkey ceremony refused");
    code.into()
}

impl AuthService {
    /// Creation options for a new passkey of `user`, and the challenge cookie.
    pub async fn passkey_registration_options(
        &self,
        user: &User,
        ask: RegisterPasskey,
    ) -> Result<(Value, String), AuthError> {
        let existing = store::list_passkeys(&self.db, &user.id).await?;
        let handle = random_string(32, HANDLE_ALPHABET);
        let user_name = ask
            .user_name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| user.email.clone());
        let (options, state) = self
            .passkeys
            .start_registration(
                handle.as_bytes(),
                &user_name,
                &user.email,
                &existing,
                ask.attachment.as_deref(),
            )
            .map_err(|e| AuthError::Internal(e.to_string()))?;
        let challenge = Challenge {
            ceremony: REGISTRATION.into(),
            expected_challenge: options["challenge"].as_str().unwrap_or_default().into(),
            user_data: ChallengeUser {
                id: user.id.clone(),
                name: Some(user.email.clone()),
                display_name: Some(user.email.clone()),
            },
            context: ask.context,
            webauthn: State::Registration(state),
        };
        let cookie = self.store_challenge(&challenge).await?;
        Ok((options, cookie))
    }

    /// Request options: for the signed-in `user`'s passkeys, or (nobody signed in) for
    /// any discoverable one; and the challenge cookie.
    pub async fn passkey_authentication_options(
        &self,
        user: Option<&User>,
    ) -> Result<(Value, String), AuthError> {
        let allow = match user {
            Some(u) => store::list_passkeys(&self.db, &u.id).await?,
            None => Vec::new(),
        };
        let (options, state) = self
            .passkeys
            .start_authentication(&allow)
            .map_err(|e| AuthError::Internal(e.to_string()))?;
        let challenge = Challenge {
            ceremony: AUTHENTICATION.into(),
            expected_challenge: options["challenge"].as_str().unwrap_or_default().into(),
            user_data: ChallengeUser {
                id: user.map(|u| u.id.clone()).unwrap_or_default(),
                name: None,
                display_name: None,
            },
            context: None,
            webauthn: State::Authentication(state),
        };
        let cookie = self.store_challenge(&challenge).await?;
        Ok((options, cookie))
    }

    async fn store_challenge(&self, challenge: &Challenge) -> Result<String, AuthError> {
        let token = generate_id(DEFAULT_ID_LEN);
        let value =
            serde_json::to_string(challenge).map_err(|e| AuthError::Internal(e.to_string()))?;
        let expires = Ts(Ts::now().0 + super::dur(PASSKEY_CHALLENGE_TTL));
        store::insert_verification(
            &self.db,
            &generate_id(DEFAULT_ID_LEN),
            &token,
            &value,
            expires,
        )
        .await?;
        Ok(self.cookie_settings().passkey_challenge(&token))
    }

    /// Takes the challenge the cookie names, if it is a live one of `ceremony`.
    async fn take_challenge(
        &self,
        token: Option<&str>,
        ceremony: &str,
    ) -> Result<Challenge, AuthError> {
        let missing = || AuthError::from(Code::PasskeyChallengeNotFound);
        let row = store::take_verification(&self.db, token.ok_or_else(missing)?)
            .await?
            .ok_or_else(missing)?;
        if row.expires_at.0 < Ts::now().0 {
            return Err(missing());
        }
        let challenge: Challenge = serde_json::from_str(&row.value).map_err(|_| missing())?;
        if challenge.ceremony != ceremony {
            return Err(missing());
        }
        Ok(challenge)
    }

    /// Verifies a registration and stores the passkey for `user` (who asked for the
    /// options: a challenge minted for someone else is refused).
    pub async fn verify_passkey_registration(
        &self,
        token: Option<&str>,
        user: &User,
        response: &Value,
        name: Option<String>,
    ) -> Result<Passkey, AuthError> {
        let challenge = self.take_challenge(token, REGISTRATION).await?;
        if challenge.user_data.id != user.id {
            return Err(Code::PasskeyNotAllowed.into());
        }
        let State::Registration(state) = &challenge.webauthn else {
            return Err(Code::PasskeyChallengeNotFound.into());
        };
        let credential = self
            .passkeys
            .finish_registration(response, state)
            .map_err(|why| refused(Code::PasskeyRegistrationFailed, &why))?;
        let taken = store::find_passkey_by_credential(&self.db, &credential.credential_id).await?;
        if taken.is_some() {
            return Err(Code::PasskeyRegistrationFailed.into());
        }
        let passkey = Passkey {
            id: generate_id(DEFAULT_ID_LEN),
            name,
            public_key: credential.public_key,
            user_id: user.id.clone(),
            credential_id: credential.credential_id,
            counter: i64::from(credential.counter),
            device_type: if credential.backup_eligible {
                "multiDevice"
            } else {
                "singleDevice"
            }
            .into(),
            backed_up: credential.backed_up,
            transports: Some(credential.transports),
            created_at: Some(Ts::now()),
            aaguid: Some(credential.aaguid),
        };
        store::insert_passkey(&self.db, &passkey).await?;
        Ok(passkey)
    }

    /// Signs in with a passkey: a new session for its user, as a password would give.
    pub async fn verify_passkey_authentication(
        &self,
        token: Option<&str>,
        response: &Value,
        client: &ClientInfo,
    ) -> Result<(Session, User), AuthError> {
        let challenge = self.take_challenge(token, AUTHENTICATION).await?;
        let State::Authentication(state) = &challenge.webauthn else {
            return Err(Code::PasskeyChallengeNotFound.into());
        };
        let credential_id = response["id"].as_str().unwrap_or_default();
        let row = store::find_passkey_by_credential(&self.db, credential_id)
            .await?
            .ok_or(Code::PasskeyUnknownCredential)?;
        let asserted = self
            .passkeys
            .finish_authentication(response, state, &row)
            .map_err(|why| {
                if matches!(why, Refusal::Counter) {
                    tracing::warn!(user = %row.user_id, passkey = %row.id,
                        "passkey counter did not move forward: a cloned authenticator?");
                }
                refused(Code::PasskeyAuthenticationFailed, &why)
            })?;
        let moved = store::advance_passkey_counter(
            &self.db,
            &row.id,
            row.counter,
            i64::from(asserted.counter),
        )
        .await?;
        if !moved {
            return Err(Code::PasskeyAuthenticationFailed.into());
        }
        let user = store::find_user_by_id(&self.db, &row.user_id)
            .await?
            .ok_or(Code::PasskeyUnknownCredential)?;
        let session = self.create_session(&user.id, true, client).await?;
        Ok((session, user))
    }

    pub async fn list_passkeys(&self, user_id: &str) -> Result<Vec<Passkey>, AuthError> {
        Ok(store::list_passkeys(&self.db, user_id).await?)
    }

    /// One of the user's passkeys; the plugin's answers for one that does not exist
    /// (404) and for someone else's (`not_yours`).
    async fn own_passkey(
        &self,
        user_id: &str,
        id: &str,
        not_yours: Code,
    ) -> Result<Passkey, AuthError> {
        let found = store::find_passkey(&self.db, id)
            .await?
            .ok_or(Code::PasskeyNotFound)?;
        if found.user_id != user_id {
            return Err(not_yours.into());
        }
        Ok(found)
    }

    pub async fn rename_passkey(
        &self,
        user_id: &str,
        id: &str,
        name: &str,
    ) -> Result<Passkey, AuthError> {
        let mut passkey = self
            .own_passkey(user_id, id, Code::PasskeyNotAllowed)
            .await?;
        store::rename_passkey(&self.db, id, user_id, name).await?;
        passkey.name = Some(name.to_string());
        Ok(passkey)
    }

    pub async fn delete_passkey(&self, user_id: &str, id: &str) -> Result<(), AuthError> {
        self.own_passkey(user_id, id, Code::PasskeyNotOwned).await?;
        store::delete_passkey(&self.db, id, user_id).await?;
        Ok(())
    }
}
