//! Signing in with another account, as Better Auth's social sign-in does it: the start
//! keeps its state (PKCE verifier, nonce, where to go after) in a `verification` row
//! named `auth-state:<state>` for ten minutes, and the signed `state` cookie binds it to
//! this browser for five; the callback checks both, exchanges the code, and signs the
//! provider's user in: the account's owner, or a user with the same e-mail when both
//! the provider and this server say the e-mail is verified, or a new user. Everything
//! that goes wrong there ends in a redirect to the error page with Better Auth's
//! `?error=` code.

mod accounts;
mod id_token;
mod tokens;

pub use id_token::IdTokenSignIn;

use serde::{Deserialize, Serialize};

use super::{AuthService, ClientInfo};
use crate::{
    auth::{
        error::AuthError,
        ids::{generate_id, random_string, DEFAULT_ID_LEN},
        model::{Session, User},
        social::{Authorize, Provider, SocialError},
        store,
    },
    problem::Code,
    storage::Ts,
};

/// How long a started sign-in may take (the state row; its cookie lives five minutes).
const STATE_TTL_MS: i64 = 10 * 60 * 1000;
/// Better Auth's random strings: `a-z0-9A-Z-_`.
const STATE_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/// What `sign-in/social` was asked (its URLs already checked against the trusted
/// origins).
#[derive(Debug, Default)]
pub struct SocialStart {
    pub provider: String,
    pub callback_url: Option<String>,
    pub error_url: Option<String>,
    pub new_user_url: Option<String>,
    pub scopes: Vec<String>,
    pub login_hint: Option<String>,
    pub request_sign_up: Option<bool>,
    /// `link-social`: the signed-in user to link the account to (`(id, e-mail)`).
    pub link: Option<(String, String)>,
}

/// The callback's parameters.
#[derive(Debug, Default, Deserialize)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    pub iss: Option<String>,
}

/// How a callback ended: signed in (the session, and where to go), or a redirect to
/// `to` with `?error=code`.
pub enum Callback {
    SignedIn {
        session: Box<Session>,
        user: Box<User>,
        to: String,
    },
    Failed {
        to: String,
        error: String,
        description: Option<String>,
    },
    /// `link-social` done: the account is the signed-in user's now (no new session).
    Linked { to: String },
}

/// The state row's value, with Better Auth's keys.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OAuthState {
    #[serde(rename = "callbackURL")]
    callback_url: String,
    code_verifier: String,
    #[serde(rename = "errorURL", skip_serializing_if = "Option::is_none", default)]
    error_url: Option<String>,
    #[serde(
        rename = "newUserURL",
        skip_serializing_if = "Option::is_none",
        default
    )]
    new_user_url: Option<String>,
    /// `link-social`: the signed-in user the provider's account is for.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    link: Option<LinkTo>,
    expires_at: i64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    request_sign_up: Option<bool>,
    #[serde(default)]
    id_token_nonce: Option<String>,
    #[serde(default)]
    oauth_state: Option<String>,
}

/// Who asked to link an account (Better Auth's `link` in the state).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LinkTo {
    pub(super) user_id: String,
    pub(super) email: String,
}

fn state_key(state: &str) -> String {
    format!("auth-state:{state}")
}

impl AuthService {
    /// The configured providers, for the sign-in page's buttons: `(id, name)`.
    pub fn social_providers(&self) -> Vec<(String, String)> {
        self.social
            .iter()
            .map(|p| (p.config.id.clone(), p.config.name.clone()))
            .collect()
    }

    fn provider(&self, id: &str) -> Option<&Provider> {
        self.social.iter().find(|p| p.config.id == id)
    }

    /// Where the provider sends the browser back: `/api/auth/callback/<id>`.
    fn callback_uri(&self, provider: &str) -> String {
        format!(
            "{}/api/auth/callback/{provider}",
            self.settings.base_origin()
        )
    }

    /// Starts a sign-in at a provider: the authorization URL, and the state cookie.
    pub async fn start_social_sign_in(
        &self,
        start: SocialStart,
    ) -> Result<(String, String), AuthError> {
        let provider = self
            .provider(&start.provider)
            .ok_or(Code::ProviderNotFound)?;
        let state = random_string(32, STATE_ALPHABET);
        let verifier = random_string(128, STATE_ALPHABET);
        let nonce = random_string(32, STATE_ALPHABET);
        let redirect = self.callback_uri(&provider.config.id);
        let ask = Authorize {
            redirect: &redirect,
            state: &state,
            nonce: &nonce,
            verifier: &verifier,
            scopes: &start.scopes,
            login_hint: start.login_hint.as_deref(),
        };
        let url = provider
            .authorize_url(&self.http, &ask)
            .await
            .map_err(|e| match e {
                SocialError::Discovery(why) => {
                    tracing::warn!(provider = %provider.config.id, error = %why,
                        "provider discovery failed");
                    AuthError::from(Code::ProviderUnavailable)
                }
                other => AuthError::Internal(other.to_string()),
            })?;
        let value = OAuthState {
            callback_url: start
                .callback_url
                .unwrap_or_else(|| self.settings.base_origin()),
            code_verifier: verifier,
            error_url: start.error_url,
            new_user_url: start.new_user_url,
            link: start.link.map(|(user_id, email)| LinkTo { user_id, email }),
            expires_at: Ts::now().0.timestamp_millis() + STATE_TTL_MS,
            request_sign_up: start.request_sign_up,
            id_token_nonce: Some(nonce),
            oauth_state: Some(state.clone()),
        };
        let value =
            serde_json::to_string(&value).map_err(|e| AuthError::Internal(e.to_string()))?;
        let expires = Ts::from_millis(Ts::now().0.timestamp_millis() + STATE_TTL_MS)
            .ok_or_else(|| AuthError::Internal("time out of range".into()))?;
        store::insert_verification(
            &self.db,
            &generate_id(DEFAULT_ID_LEN),
            &state_key(&state),
            &value,
            expires,
        )
        .await?;
        Ok((url.to_string(), self.cookie_settings().oauth_state(&state)))
    }

    /// The default error page (`/api/auth/error`), where failures without an
    /// `errorCallbackURL` go.
    fn default_error_url(&self) -> String {
        format!("{}/api/auth/error", self.settings.base_origin())
    }

    /// Finishes a sign-in at `provider` with the callback's parameters and the state
    /// cookie's value.
    pub async fn social_callback(
        &self,
        provider_id: &str,
        params: CallbackParams,
        state_cookie: Option<String>,
        signed_in: Option<&str>,
        client: &ClientInfo,
    ) -> Result<Callback, AuthError> {
        let failed = |to: &str, error: &str| Callback::Failed {
            to: to.to_string(),
            error: error.to_string(),
            description: None,
        };
        let default_error = self.default_error_url();
        let Some(state) = params.state.filter(|s| !s.is_empty()) else {
            return Ok(failed(&default_error, "state_not_found"));
        };
        let Some(row) = store::peek_verification(&self.db, &state_key(&state)).await? else {
            return Ok(failed(&default_error, "state_mismatch"));
        };
        let Ok(saved) = serde_json::from_str::<OAuthState>(&row.value) else {
            return Ok(failed(&default_error, "state_mismatch"));
        };
        let error_url = saved.error_url.clone().unwrap_or(default_error);
        // The state is this browser's: the signed cookie names it (a link from someone
        // else's sign-in fails here), and it has not been used.
        let ours = saved.oauth_state.as_deref().is_none_or(|s| s == state)
            && state_cookie.as_deref() == Some(state.as_str());
        if !ours
            || store::take_verification(&self.db, &state_key(&state))
                .await?
                .is_none()
        {
            return Ok(failed(&error_url, "state_mismatch"));
        }
        if saved.expires_at < Ts::now().0.timestamp_millis() {
            return Ok(failed(&error_url, "state_mismatch"));
        }
        if let Some(error) = params.error {
            return Ok(Callback::Failed {
                to: error_url,
                error,
                description: params.error_description,
            });
        }
        let Some(code) = params.code.filter(|c| !c.is_empty()) else {
            return Ok(failed(&error_url, "no_code"));
        };
        let Some(provider) = self.provider(provider_id) else {
            return Ok(failed(&error_url, "oauth_provider_not_found"));
        };
        let Ok(issuer) = provider.issuer(&self.http).await else {
            return Ok(failed(&error_url, "unable_to_get_user_info"));
        };
        // RFC 9207: an `iss` that is not this provider's is a mix-up attack.
        if params.iss.as_deref().is_some_and(|iss| iss != issuer) {
            return Ok(failed(&error_url, "issuer_mismatch"));
        }
        let Some(nonce) = saved.id_token_nonce.as_deref() else {
            return Ok(failed(&error_url, "nonce_binding_missing"));
        };
        let finished = provider
            .finish(
                &self.http,
                &self.callback_uri(provider_id),
                &code,
                &saved.code_verifier,
                nonce,
            )
            .await;
        let (who, tokens) = match finished {
            Ok(found) => found,
            Err(e) => {
                tracing::info!(provider = provider_id, error = %e, "social sign-in refused");
                let code = match e {
                    SocialError::Code(_) => "invalid_code",
                    _ => "unable_to_get_user_info",
                };
                return Ok(failed(&error_url, code));
            }
        };
        let Some(email) = who.email.clone().filter(|e| !e.is_empty()) else {
            return Ok(failed(&error_url, "email_not_found"));
        };
        if let Some(link) = &saved.link {
            // Still the same signed-in user who asked (not signed out meanwhile).
            let code = if signed_in != Some(link.user_id.as_str()) {
                Some("unable_to_link_account")
            } else {
                self.link_provider_account(provider_id, &issuer, &who, &email, link, &tokens)
                    .await?
            };
            return Ok(match code {
                Some(code) => failed(&error_url, code),
                None => Callback::Linked {
                    to: saved.callback_url,
                },
            });
        }
        let (user, is_new) = match self
            .provider_user(provider_id, &issuer, &who, &email, &tokens)
            .await?
        {
            Ok(found) => found,
            Err(code) => return Ok(failed(&error_url, code)),
        };
        let session = self.create_session(&user.id, true, client).await?;
        let to = match (is_new, saved.new_user_url) {
            (true, Some(new_user)) => new_user,
            _ => saved.callback_url,
        };
        Ok(Callback::SignedIn {
            session: Box::new(session),
            user: Box::new(user),
            to,
        })
    }
}
