//! GitHub's sign-in: OAuth 2 (the `oauth2` crate) with PKCE, then the user from its
//! REST API, `GET /user` and `GET /user/emails` (GitHub has no id token). The e-mail is
//! the primary verified one, else another verified one; an address only in the profile
//! is taken as unverified, as GitHub does not vouch for it there.

use oauth2::{
    basic::BasicClient, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, Scope, TokenResponse, TokenUrl,
};
use serde_json::Value;
use url::Url;

use super::{Authorize, ProviderConfig, ProviderUser, SocialError, Tokens};

pub const ISSUER: &str = "https://github.com";
const AUTHORIZE: &str = "https://github.com/login/oauth/authorize";
const TOKEN: &str = "https://github.com/login/oauth/access_token";
const API: &str = "https://api.github.com";
/// What the preset asks for: the profile, and the e-mail addresses with their flags.
pub const SCOPES: [&str; 2] = ["read:user", "user:email"];

fn bad(e: impl std::fmt::Display) -> SocialError {
    SocialError::Code(e.to_string())
}

/// GitHub's authorization URL (its `login` parameter is the e-mail or user name hint).
pub fn authorize_url(config: &ProviderConfig, ask: &Authorize<'_>) -> Result<Url, SocialError> {
    let client = BasicClient::new(ClientId::new(config.client_id.clone()))
        .set_auth_uri(AuthUrl::new(AUTHORIZE.into()).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(ask.redirect.to_string()).map_err(bad)?);
    let state = ask.state.to_string();
    let mut request = client
        .authorize_url(move || CsrfToken::new(state))
        .set_pkce_challenge(PkceCodeChallenge::from_code_verifier_sha256(
            &PkceCodeVerifier::new(ask.verifier.to_string()),
        ));
    for scope in ask.scopes.iter().chain(&config.scopes) {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    if let Some(hint) = ask.login_hint {
        request = request.add_extra_param("login", hint.to_string());
    }
    Ok(request.url().0)
}

/// Exchanges the code (with the PKCE verifier), then reads the user.
pub async fn finish(
    config: &ProviderConfig,
    http: &reqwest::Client,
    redirect: &str,
    code: &str,
    verifier: &str,
) -> Result<(ProviderUser, Tokens), SocialError> {
    let client = token_client(config)?
        .set_redirect_uri(RedirectUrl::new(redirect.to_string()).map_err(bad)?);
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_string()))
        .request_async(http)
        .await
        .map_err(bad)?;
    let (who, _) = user_info(http, token.access_token().secret()).await?;
    Ok((who, Tokens::from_answer(&token, None)))
}

/// The user from GitHub's API (`/user`, and `/user/emails` for the verified address),
/// with `/user`'s answer.
pub async fn user_info(
    http: &reqwest::Client,
    access: &str,
) -> Result<(ProviderUser, Value), SocialError> {
    let user = api(http, "/user", access).await?;
    // Without the `user:email` scope this is refused: then only the profile's address.
    let emails = api(http, "/user/emails", access)
        .await
        .unwrap_or(Value::Null);
    let who = user_from(&user, &emails)
        .ok_or_else(|| SocialError::IdToken("GitHub's /user has no id".into()))?;
    Ok((who, user))
}

/// A new access token for a refresh token (GitHub apps whose tokens expire have one).
pub async fn refresh(
    config: &ProviderConfig,
    http: &reqwest::Client,
    refresh_token: &str,
) -> Result<Tokens, SocialError> {
    let token = token_client(config)?
        .exchange_refresh_token(&RefreshToken::new(refresh_token.to_string()))
        .request_async(http)
        .await
        .map_err(|e| SocialError::Refresh(e.to_string()))?;
    Ok(Tokens::from_answer(&token, None))
}

/// The client that talks to GitHub's token endpoint (with the secret, when set).
fn token_client(
    config: &ProviderConfig,
) -> Result<
    BasicClient<
        oauth2::EndpointSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointSet,
    >,
    SocialError,
> {
    let mut client = BasicClient::new(ClientId::new(config.client_id.clone()))
        .set_auth_uri(AuthUrl::new(AUTHORIZE.into()).map_err(bad)?)
        .set_token_uri(TokenUrl::new(TOKEN.into()).map_err(bad)?);
    if let Some(secret) = &config.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.clone()));
    }
    Ok(client)
}

async fn api(http: &reqwest::Client, path: &str, token: &str) -> Result<Value, SocialError> {
    let answer = http
        .get(format!("{API}{path}"))
        .bearer_auth(token)
        .header("accept", "application/vnd.github+json")
        .header("user-agent", "Taskdeck")
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| SocialError::IdToken(e.to_string()))?;
    answer
        .json()
        .await
        .map_err(|e| SocialError::IdToken(e.to_string()))
}

/// The user from GitHub's documented answers to `GET /user` and `GET /user/emails`.
pub fn user_from(user: &Value, emails: &Value) -> Option<ProviderUser> {
    let id = user["id"].as_u64()?.to_string();
    let listed = emails.as_array().map(Vec::as_slice).unwrap_or_default();
    let verified = |e: &&Value| e["verified"] == Value::Bool(true);
    let chosen = listed
        .iter()
        .filter(verified)
        .find(|e| e["primary"] == Value::Bool(true))
        .or_else(|| listed.iter().find(verified))
        .and_then(|e| e["email"].as_str());
    let (email, email_verified) = match chosen {
        Some(email) => (Some(email.to_lowercase()), true),
        None => (user["email"].as_str().map(str::to_lowercase), false),
    };
    let text = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(String::from);
    Some(ProviderUser {
        subject: id,
        email,
        email_verified,
        name: text(&user["name"]).or_else(|| text(&user["login"])),
        image: text(&user["avatar_url"]),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::auth::social::Kind;

    fn config() -> ProviderConfig {
        ProviderConfig {
            kind: Kind::GitHub,
            id: "github".into(),
            name: "GitHub".into(),
            client_id: "Iv1.abc".into(),
            client_secret: Some("s3cret".into()),
            issuer: Url::parse(ISSUER).unwrap(),
            scopes: SCOPES.map(String::from).to_vec(),
        }
    }

    #[test]
    fn the_authorization_request_is_githubs_with_pkce() {
        let ask = Authorize {
            redirect: "https://tasks.example.com/api/auth/callback/github",
            state: "st4te",
            nonce: "unused",
            verifier: &"v".repeat(64),
            scopes: &[],
            login_hint: Some("octocat"),
        };
        let url = authorize_url(&config(), &ask).unwrap();
        assert_eq!(url.origin().ascii_serialization(), "https://github.com");
        assert_eq!(url.path(), "/login/oauth/authorize");
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "Iv1.abc");
        assert_eq!(q["state"], "st4te");
        assert_eq!(q["scope"], "read:user user:email");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(
            q["code_challenge"],
            PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new("v".repeat(64)))
                .as_str()
        );
        assert_eq!(
            q["redirect_uri"],
            "https://tasks.example.com/api/auth/callback/github"
        );
        assert_eq!(q["login"], "octocat");
        assert!(!q.contains_key("client_secret"));
    }

    /// GitHub's documented examples (REST API docs, "Get the authenticated user" and
    /// "List email addresses for the authenticated user"), trimmed to what is read.
    #[test]
    fn the_user_is_read_from_githubs_documented_answers() {
        let user = json!({
            "login": "octocat", "id": 1, "avatar_url": "https://github.com/images/error/octocat_happy.gif",
            "name": "monalisa octocat", "email": "octocat@github.com", "type": "User"
        });
        let emails = json!([
            { "email": "old@example.com", "verified": true, "primary": false, "visibility": null },
            { "email": "Octocat@GitHub.com", "verified": true, "primary": true, "visibility": "public" },
            { "email": "unverified@example.com", "verified": false, "primary": false, "visibility": null }
        ]);
        let who = user_from(&user, &emails).unwrap();
        assert_eq!(who.subject, "1");
        assert_eq!(who.email.as_deref(), Some("octocat@github.com"));
        assert!(who.email_verified);
        assert_eq!(who.name.as_deref(), Some("monalisa octocat"));
        assert_eq!(
            who.image.as_deref(),
            Some("https://github.com/images/error/octocat_happy.gif")
        );

        // A primary address not yet verified: another verified one is used.
        let emails = json!([
            { "email": "primary@example.com", "verified": false, "primary": true },
            { "email": "second@example.com", "verified": true, "primary": false }
        ]);
        let who = user_from(&user, &emails).unwrap();
        assert_eq!(who.email.as_deref(), Some("second@example.com"));
        assert!(who.email_verified);

        // No e-mail list (scope refused): the profile's address, unverified; no name:
        // the login.
        let bare =
            json!({ "login": "octocat", "id": 1, "email": "octocat@github.com", "name": null });
        let who = user_from(&bare, &Value::Null).unwrap();
        assert_eq!(who.email.as_deref(), Some("octocat@github.com"));
        assert!(!who.email_verified);
        assert_eq!(who.name.as_deref(), Some("octocat"));
        // Nothing at all: no e-mail (the callback says `email_not_found`).
        let hidden = json!({ "login": "ghost", "id": 10137, "email": null });
        assert_eq!(user_from(&hidden, &json!([])).unwrap().email, None);
        // No id: not a user.
        assert!(user_from(&json!({ "login": "x" }), &Value::Null).is_none());
    }
}
