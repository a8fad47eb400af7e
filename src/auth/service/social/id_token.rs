//! `sign-in/social` with an `idToken`: a client that already holds the provider's id
//! token (a native app's Google sign-in, say) hands it over instead of being sent to
//! the provider. The token is verified as the callback's would be (the provider's
//! keys, issuer, audience, expiry, the nonce when given), and the user found or made
//! by the same rules; Better Auth answers with a session at once.

use crate::{
    auth::{
        error::AuthError,
        model::{Session, User},
        service::{AuthService, ClientInfo},
        social::{SocialError, Tokens},
    },
    problem::Code,
};

/// What the client brought (Better Auth's `idToken` object).
#[derive(Debug, Default)]
pub struct IdTokenSignIn {
    pub provider: String,
    pub token: String,
    pub nonce: Option<String>,
    /// Kept on the account row with the id token, as Better Auth keeps them.
    pub access_token: Option<String>,
}

impl AuthService {
    /// Signs the token's user in: their session and user, or Better Auth's refusal
    /// (`ID_TOKEN_NOT_SUPPORTED`, `INVALID_TOKEN`, `USER_EMAIL_NOT_FOUND`, or
    /// `OAUTH_LINK_ERROR` with the callback's code as its message).
    pub async fn sign_in_with_id_token(
        &self,
        ask: IdTokenSignIn,
        client: &ClientInfo,
    ) -> Result<(Session, User), AuthError> {
        let provider = self.provider(&ask.provider).ok_or(Code::ProviderNotFound)?;
        if !provider.takes_id_tokens() {
            return Err(Code::IdTokenNotSupported.into());
        }
        let who = match provider
            .verify_id_token(&self.http, &ask.token, ask.nonce.as_deref())
            .await
        {
            Ok(who) => who,
            Err(SocialError::Discovery(_)) => return Err(Code::ProviderUnavailable.into()),
            Err(e) => {
                tracing::info!(provider = %ask.provider, error = %e, "id token refused");
                return Err(Code::InvalidIdToken.into());
            }
        };
        let email = who
            .email
            .clone()
            .filter(|e| !e.is_empty())
            .ok_or(Code::UserEmailNotFound)?;
        let issuer = provider
            .issuer(&self.http)
            .await
            .map_err(|_| AuthError::from(Code::ProviderUnavailable))?;
        let tokens = Tokens {
            access_token: ask.access_token,
            id_token: Some(ask.token),
            ..Tokens::default()
        };
        let (user, _) = self
            .provider_user(&ask.provider, &issuer, &who, &email, &tokens)
            .await?
            .map_err(|code| AuthError::detailed(Code::OAuthLinkError, code))?;
        let session = self.create_session(&user.id, true, client).await?;
        Ok((session, user))
    }
}
