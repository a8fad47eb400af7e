//! "Continue with <provider>" for the UI's sign-in and sign-up pages: a plain form post
//! that starts the sign-in on the core's social flow (the same `/api/auth/sign-in/social`
//! uses) and sends the browser to the provider. The provider sends it back to
//! `/api/auth/callback/<id>`, which lands on `next` (or, for a new user, there too),
//! or on the sign-in page with `?error=` in words.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::UiError;
#[cfg(feature = "ssr")]
use super::{
    call::{fail, set_cookies, Call},
    url::encode,
};

/// A configured provider, as the buttons show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocialProvider {
    pub id: String,
    pub name: String,
}

/// The providers to offer (none when `OAUTH_PROVIDERS` is unset).
#[server(prefix = "/api/ui", endpoint = "social_providers")]
pub async fn social_providers() -> Result<Vec<SocialProvider>, UiError> {
    let call = Call::enter(None).await?;
    Ok(call
        .auth
        .social_providers()
        .into_iter()
        .map(|(id, name)| SocialProvider { id, name })
        .collect())
}

#[server(prefix = "/api/ui", endpoint = "sign_in_social")]
pub async fn sign_in_social(provider: String, next: Option<String>) -> Result<(), UiError> {
    // The same rate-limit bucket and origin check as the REST door's.
    let call = Call::enter(Some("/sign-in/social")).await?;
    let next = call.safe_next(next);
    let page = format!("/sign-in?next={}", encode(&next));
    let start = taskdeck::auth::service::SocialStart {
        provider,
        callback_url: Some(next.clone()),
        error_url: Some(page.clone()),
        new_user_url: Some(next),
        ..Default::default()
    };
    let (url, cookie) = call
        .auth
        .start_social_sign_in(start)
        .await
        .map_err(|e| fail(Some(&page), &e))?;
    set_cookies([cookie]);
    leptos_axum::redirect(&url);
    Ok(())
}

/// Settings' "Connected accounts": the providers offered, and which are linked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountLinks {
    pub providers: Vec<SocialProvider>,
    /// `(account row id, provider id)` of the user's provider accounts.
    pub linked: Vec<(String, String)>,
    /// Whether an account may go (never the last way in).
    pub can_unlink: bool,
}

#[server(prefix = "/api/ui", endpoint = "connected_accounts")]
pub async fn connected_accounts() -> Result<AccountLinks, UiError> {
    let call = Call::enter(None).await?;
    let current = call.session().await?;
    let accounts = call
        .auth
        .list_accounts(&current.user.id)
        .await
        .map_err(|e| fail(None, &e))?;
    Ok(AccountLinks {
        providers: call
            .auth
            .social_providers()
            .into_iter()
            .map(|(id, name)| SocialProvider { id, name })
            .collect(),
        can_unlink: accounts.len() > 1,
        linked: accounts
            .into_iter()
            .filter(|a| a.provider_id != "credential")
            .map(|a| (a.id, a.provider_id))
            .collect(),
    })
}

/// "Connect <provider>": the same start as `/api/auth/link-social`, back to settings.
#[server(prefix = "/api/ui", endpoint = "link_social")]
pub async fn link_social(provider: String) -> Result<(), UiError> {
    let call = Call::enter(Some("/link-social")).await?;
    let current = call.session().await?;
    let start = taskdeck::auth::service::SocialStart {
        provider,
        callback_url: Some("/settings?done=account_linked".into()),
        error_url: Some("/settings".into()),
        link: Some((current.user.id.clone(), current.user.email.clone())),
        ..Default::default()
    };
    let (url, cookie) = call
        .auth
        .start_social_sign_in(start)
        .await
        .map_err(|e| fail(Some("/settings"), &e))?;
    set_cookies([cookie]);
    leptos_axum::redirect(&url);
    Ok(())
}

/// "Disconnect": unlinks one of the user's provider accounts (never the last way in).
#[server(prefix = "/api/ui", endpoint = "unlink_account")]
pub async fn unlink_account(id: String) -> Result<(), UiError> {
    let call = Call::enter(Some("/unlink-account")).await?;
    let current = call.session().await?;
    call.auth
        .unlink_account(&current.user.id, &id)
        .await
        .map_err(|e| fail(Some("/settings"), &e))?;
    super::call::done("/settings?done=account_unlinked");
    Ok(())
}
