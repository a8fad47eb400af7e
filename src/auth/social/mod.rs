//! Sign-in with another account ("Continue with Google"), as Better Auth's social
//! providers and its generic OAuth plugin do it: OpenID Connect's authorization code
//! flow with PKCE (S256), a nonce, and the `iss` check of RFC 9207, spoken by the
//! `openidconnect` crate (discovery, the token request, the id token's signature
//! against the provider's JWKS). This module holds the providers as configured and
//! what one says about its user; the flow's state and accounts are in
//! `service::social`.

mod discovery;
pub mod github;
#[cfg(test)]
mod google_tests;

use std::time::Duration;

use openidconnect::{
    core::{
        CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenClaims, CoreProviderMetadata,
    },
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, Scope,
    SignatureVerificationError, TokenResponse,
};
use url::Url;

use discovery::Discovered;

/// How a provider is spoken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// OpenID Connect, found by discovery (Google, Microsoft, Keycloak, ...).
    OpenIdConnect,
    /// GitHub's OAuth 2 apps: no id token; the user and e-mails from its API.
    GitHub,
}

/// A provider as configured (`OAUTH_PROVIDERS` and its `OAUTH_<ID>_*` settings).
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub kind: Kind,
    /// The id in URLs and in `account.providerId` (`google`, `company-sso`).
    pub id: String,
    /// The button's words: "Continue with <name>".
    pub name: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// The issuer: its `/.well-known/openid-configuration` is the discovery document
    /// (GitHub: `https://github.com`, where the sign-in page is).
    pub issuer: Url,
    /// Asked for beside `openid` (default `email profile`).
    pub scopes: Vec<String>,
}

/// What the provider says about the user, from its verified id token.
#[derive(Debug, Clone)]
pub struct ProviderUser {
    /// The id token's `sub`: the account id.
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub image: Option<String>,
}

/// The tokens, as Better Auth keeps them on the account row.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    pub access_token_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub scope: Option<String>,
}

impl Tokens {
    /// A token endpoint's answer as the account row keeps it (scopes comma-joined, as
    /// Better Auth joins them).
    fn from_answer(token: &impl OAuth2TokenResponse, id_token: Option<String>) -> Self {
        Self {
            access_token: Some(token.access_token().secret().clone()),
            refresh_token: token.refresh_token().map(|t| t.secret().clone()),
            id_token,
            access_token_expires_at: token.expires_in().and_then(|d| {
                chrono::Duration::from_std(d)
                    .ok()
                    .map(|d| chrono::Utc::now() + d)
            }),
            scope: token
                .scopes()
                .map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")),
        }
    }
}

/// Why a provider could not be used or its answer was refused (each becomes the
/// callback's `?error=` code).
#[derive(Debug, thiserror::Error)]
pub enum SocialError {
    #[error("the provider's discovery failed: {0}")]
    Discovery(String),
    #[error("the code exchange failed: {0}")]
    Code(String),
    #[error("the id token was refused: {0}")]
    IdToken(String),
    #[error("the provider refused the refresh token: {0}")]
    Refresh(String),
}

/// One authorization request: where the provider sends the browser back, the values
/// the callback checks, and what the caller asked for beside the provider's scopes.
pub struct Authorize<'a> {
    pub redirect: &'a str,
    pub state: &'a str,
    pub nonce: &'a str,
    pub verifier: &'a str,
    pub scopes: &'a [String],
    pub login_hint: Option<&'a str>,
}

/// One configured provider, with its discovery document fetched once and kept.
pub struct Provider {
    pub config: ProviderConfig,
    discovered: discovery::Cache,
}

/// How long a discovery document (and its keys) is trusted before it is fetched again.
const DISCOVERY_TTL: Duration = Duration::from_secs(15 * 60);
/// An id token signed by a key the kept set lacks makes the keys be fetched again (the
/// provider may have rotated them), but not more often than this.
const KEY_RELOAD_MIN: Duration = Duration::from_secs(60);

type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

impl Provider {
    pub fn new(config: ProviderConfig) -> Self {
        Self {
            config,
            discovered: discovery::Cache::default(),
        }
    }

    /// A provider whose discovery document is already known (unit tests, no network).
    #[cfg(test)]
    fn discovered(config: ProviderConfig, metadata: CoreProviderMetadata) -> Self {
        Self {
            config,
            discovered: discovery::Cache::holding(Discovered {
                issuer: metadata.issuer().as_str().to_string(),
                metadata,
            }),
        }
    }

    /// The issuer the provider names itself with (checked against a callback's `iss`,
    /// and kept on the account row).
    pub async fn issuer(&self, http: &reqwest::Client) -> Result<String, SocialError> {
        match self.config.kind {
            Kind::GitHub => Ok(github::ISSUER.to_string()),
            Kind::OpenIdConnect => Ok(self.metadata(http).await?.issuer),
        }
    }

    /// The provider's metadata: discovered now, or kept from earlier.
    async fn metadata(&self, http: &reqwest::Client) -> Result<Discovered, SocialError> {
        self.discovered
            .get(&self.config.issuer, http, DISCOVERY_TTL)
            .await
    }

    fn client(
        &self,
        metadata: CoreProviderMetadata,
        redirect: Option<&str>,
    ) -> Result<Client, SocialError> {
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            self.config.client_secret.clone().map(ClientSecret::new),
        );
        Ok(match redirect {
            Some(to) => client.set_redirect_uri(
                RedirectUrl::new(to.to_string()).map_err(|e| SocialError::Code(e.to_string()))?,
            ),
            None => client,
        })
    }

    /// Whether a client may sign in with an id token it got from the provider itself
    /// (`sign-in/social`'s `idToken`): only where the token can be verified against the
    /// provider's keys (GitHub issues none).
    pub fn takes_id_tokens(&self) -> bool {
        self.config.kind == Kind::OpenIdConnect
    }

    /// Checks an id token (signature against the provider's keys, issuer, audience =
    /// this client, expiry, and the nonce when one is expected) and reads its user.
    /// A key the kept set lacks makes the keys be fetched again once.
    pub async fn verify_id_token(
        &self,
        http: &reqwest::Client,
        token: &str,
        nonce: Option<&str>,
    ) -> Result<ProviderUser, SocialError> {
        let bad = |e: &dyn std::fmt::Display| SocialError::IdToken(e.to_string());
        let token: CoreIdToken = token.parse().map_err(|e| bad(&e))?;
        let check = |client: &Client| -> Result<CoreIdTokenClaims, ClaimsVerificationError> {
            let verifier = client.id_token_verifier();
            match nonce {
                Some(nonce) => token.claims(&verifier, &Nonce::new(nonce.to_string())),
                // A client that brings a token without its nonce (Better Auth allows it).
                None => token.claims(&verifier, |_: Option<&Nonce>| Ok(())),
            }
            .cloned()
        };
        let metadata = self.metadata(http).await?;
        let claims = match check(&self.client(metadata.metadata, None)?) {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                // Kept for at most KEY_RELOAD_MIN now: fetched again unless that was
                // just done (one fetch at a time, so a burst asks the provider once).
                let metadata = self
                    .discovered
                    .get(&self.config.issuer, http, KEY_RELOAD_MIN)
                    .await?;
                check(&self.client(metadata.metadata, None)?)
            }
            other => other,
        }
        .map_err(|e| bad(&e))?;
        Ok(user_of(&claims))
    }

    /// What the provider says about its user now, asked with an access token
    /// (`account-info`): the user as an account row would take it, and the provider's
    /// own answer. OpenID Connect's userinfo endpoint; GitHub's `/user`.
    pub async fn user_info(
        &self,
        http: &reqwest::Client,
        access_token: &str,
    ) -> Result<(ProviderUser, serde_json::Value), SocialError> {
        let bad = |e: &dyn std::fmt::Display| SocialError::IdToken(e.to_string());
        if self.config.kind == Kind::GitHub {
            return github::user_info(http, access_token).await;
        }
        let metadata = self.metadata(http).await?;
        let endpoint = metadata
            .metadata
            .userinfo_endpoint()
            .ok_or_else(|| SocialError::IdToken("the provider has no userinfo endpoint".into()))?
            .url()
            .clone();
        let data: serde_json::Value = http
            .get(endpoint)
            .bearer_auth(access_token)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| bad(&e))?
            .json()
            .await
            .map_err(|e| bad(&e))?;
        let text = |k: &str| data[k].as_str().filter(|s| !s.is_empty()).map(String::from);
        let user = ProviderUser {
            subject: text("sub").ok_or_else(|| bad(&"no subject in the answer"))?,
            email: text("email").map(|e| e.to_lowercase()),
            // Some providers send the flag as a string (see the Google tests).
            email_verified: matches!(&data["email_verified"], serde_json::Value::Bool(true))
                || data["email_verified"] == "true",
            name: text("name"),
            image: text("picture"),
        };
        Ok((user, data))
    }

    /// A new access token for a refresh token (`refresh-token`, and `get-access-token`
    /// when the kept one has run out). A new id token in the answer is kept as sent.
    pub async fn refresh(
        &self,
        http: &reqwest::Client,
        refresh_token: &str,
    ) -> Result<Tokens, SocialError> {
        if self.config.kind == Kind::GitHub {
            return github::refresh(&self.config, http, refresh_token).await;
        }
        let metadata = self.metadata(http).await?;
        let client = self.client(metadata.metadata, None)?;
        let token = client
            .exchange_refresh_token(&RefreshToken::new(refresh_token.to_string()))
            .map_err(|e| SocialError::Refresh(e.to_string()))?
            .request_async(http)
            .await
            .map_err(|e| SocialError::Refresh(e.to_string()))?;
        let id_token = token.id_token().map(|t| t.to_string());
        Ok(Tokens::from_answer(&token, id_token))
    }

    /// The authorization URL for one sign-in: its state, nonce and PKCE verifier are
    /// the caller's (kept in the state row until the callback).
    pub async fn authorize_url(
        &self,
        http: &reqwest::Client,
        ask: &Authorize<'_>,
    ) -> Result<Url, SocialError> {
        if self.config.kind == Kind::GitHub {
            return github::authorize_url(&self.config, ask);
        }
        let metadata = self.metadata(http).await?;
        let client = self.client(metadata.metadata, Some(ask.redirect))?;
        let (state, nonce) = (ask.state.to_string(), ask.nonce.to_string());
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state),
                move || Nonce::new(nonce),
            )
            .set_pkce_challenge(PkceCodeChallenge::from_code_verifier_sha256(
                &PkceCodeVerifier::new(ask.verifier.to_string()),
            ));
        for scope in ask.scopes.iter().chain(&self.config.scopes) {
            if scope != "openid" {
                request = request.add_scope(Scope::new(scope.clone()));
            }
        }
        if let Some(hint) = ask.login_hint {
            request = request.add_extra_param("login_hint", hint.to_string());
        }
        Ok(request.url().0)
    }

    /// Exchanges the callback's code (with the PKCE verifier) and verifies the id token
    /// (signature against the provider's keys, issuer, audience, expiry, nonce).
    pub async fn finish(
        &self,
        http: &reqwest::Client,
        redirect: &str,
        code: &str,
        verifier: &str,
        nonce: &str,
    ) -> Result<(ProviderUser, Tokens), SocialError> {
        if self.config.kind == Kind::GitHub {
            return github::finish(&self.config, http, redirect, code, verifier).await;
        }
        let metadata = self.metadata(http).await?;
        let client = self.client(metadata.metadata, Some(redirect))?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| SocialError::Code(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_string()))
            .request_async(http)
            .await
            .map_err(|e| SocialError::Code(e.to_string()))?;
        let id_token = token
            .id_token()
            .ok_or_else(|| SocialError::IdToken("no id token in the answer".into()))?
            .to_string();
        let user = self.verify_id_token(http, &id_token, Some(nonce)).await?;
        Ok((user, Tokens::from_answer(&token, Some(id_token))))
    }
}

/// What an id token's claims say about the user.
fn user_of(claims: &CoreIdTokenClaims) -> ProviderUser {
    ProviderUser {
        subject: claims.subject().as_str().to_string(),
        email: claims.email().map(|e| e.as_str().to_lowercase()),
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_string()),
        image: claims
            .picture()
            .and_then(|p| p.get(None))
            .map(|p| p.as_str().to_string()),
    }
}
