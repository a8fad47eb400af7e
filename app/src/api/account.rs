//! The settings page's server functions, with Better Auth's session semantics: the
//! account and its sessions, the name, the password, signing other devices out, and
//! deleting the account. Each needs the live session cookie (not only a JWT).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{
    call::{done, fail, invalid, set_cookies, Call},
    types::{describe_user_agent, PasskeyInfo, SessionInfo, TrustedDeviceInfo},
};
use super::{error::UiError, types::Account};
#[cfg(feature = "ssr")]
use taskdeck::problem::Code;
#[cfg(feature = "ssr")]
use taskdeck::storage::Ts;

#[server(prefix = "/api/ui", endpoint = "account")]
pub async fn get_account() -> Result<Account, UiError> {
    let call = Call::enter(None).await?;
    let current = call.session().await?;
    let sessions = call
        .auth
        .list_sessions(&current.user.id)
        .await
        .map_err(|e| fail(None, &e))?;
    let trusted = call
        .auth
        .trusted_devices(&current.user.id)
        .await
        .map_err(|e| fail(None, &e))?;
    let passkeys = call
        .auth
        .list_passkeys(&current.user.id)
        .await
        .map_err(|e| fail(None, &e))?;
    let has_password = call
        .auth
        .has_password(&current.user.id)
        .await
        .map_err(|e| fail(None, &e))?;
    Ok(Account {
        has_password,
        passkeys: passkeys
            .into_iter()
            .map(|p| PasskeyInfo {
                id: p.id,
                name: p.name,
                added: p.created_at.map(|t| t.to_iso()),
            })
            .collect(),
        trusted_devices: trusted
            .into_iter()
            .map(|d| TrustedDeviceInfo {
                id: d.id,
                trusted_at: Ts(d.trusted_at).to_iso(),
                until: Ts(d.until).to_iso(),
            })
            .collect(),
        name: current.user.name.clone(),
        email: current.user.email.clone(),
        email_verified: current.user.email_verified,
        two_factor_enabled: current.user.two_factor_enabled,
        sessions: sessions
            .into_iter()
            .rev()
            .map(|s| SessionInfo {
                current: s.id == current.session.id,
                device: describe_user_agent(s.user_agent.as_deref().unwrap_or("")),
                ip: s
                    .ip_address
                    .clone()
                    .filter(|i| !i.is_empty())
                    .unwrap_or_else(|| "unknown".into()),
                last_seen: s.updated_at.to_iso(),
                id: s.id,
            })
            .collect(),
    })
}

#[server(prefix = "/api/ui", endpoint = "update_name")]
pub async fn update_name(name: String) -> Result<(), UiError> {
    let call = Call::enter(Some("/update-user")).await?;
    let current = call.session().await?;
    let name = name.trim();
    if name.is_empty() {
        return Err(invalid(None, Code::NameRequired));
    }
    call.auth
        .update_user(&current.user.id, Some(name), None)
        .await
        .map_err(|e| fail(None, &e))?;
    // As Better Auth's update-user (and the REST door): the session cookie is re-set.
    set_cookies(
        call.auth
            .refreshed_session_cookies(&current.session.token, call.remembers()),
    );
    done("/settings?done=name");
    Ok(())
}

#[server(prefix = "/api/ui", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    revoke_others: Option<String>,
) -> Result<(), UiError> {
    let call = Call::enter(Some("/change-password")).await?;
    let current = call.session().await?;
    let remember = call.remembers();
    let new_session = call
        .auth
        .change_password(
            &current,
            current_password,
            new_password,
            revoke_others.is_some(),
            remember,
            &call.client(),
        )
        .await
        .map_err(|e| fail(None, &e))?;
    if let Some(s) = new_session {
        set_cookies(call.auth.session_cookies(&s, &current.user, remember).await);
    }
    done("/settings?done=password");
    Ok(())
}

#[server(prefix = "/api/ui", endpoint = "revoke_session")]
pub async fn revoke_session(id: String) -> Result<(), UiError> {
    let call = Call::enter(Some("/revoke-session")).await?;
    let current = call.session().await?;
    call.auth
        .revoke_session_by_id(&current.user.id, &id)
        .await
        .map_err(|e| fail(None, &e))?;
    done("/settings?done=revoked");
    Ok(())
}

#[server(prefix = "/api/ui", endpoint = "revoke_other_sessions")]
pub async fn revoke_other_sessions() -> Result<(), UiError> {
    let call = Call::enter(Some("/revoke-other-sessions")).await?;
    let current = call.session().await?;
    call.auth
        .revoke_sessions(&current.user.id, Some(&current.session.token))
        .await
        .map_err(|e| fail(None, &e))?;
    done("/settings?done=revoked");
    Ok(())
}

#[server(prefix = "/api/ui", endpoint = "delete_account")]
pub async fn delete_account(password: Option<String>) -> Result<(), UiError> {
    let call = Call::enter(Some("/delete-user")).await?;
    let current = call.session().await?;
    call.auth
        .delete_user(&current, password)
        .await
        .map_err(|e| fail(None, &e))?;
    set_cookies(call.auth.ended_session_cookies());
    done("/?deleted=1");
    Ok(())
}
