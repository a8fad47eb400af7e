//! The settings page's passkey forms: rename and delete, on the core's passkey flows
//! (the same `/api/auth/passkey/*` uses). Adding one and signing in with one need the
//! browser's WebAuthn calls, so they go to Better Auth's endpoints from the pages'
//! script (`app/assets/passkey.js`); these two work as plain form posts.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::call::{done, fail, invalid, Call};
use super::error::UiError;
#[cfg(feature = "ssr")]
use taskdeck::problem::Code;

#[server(prefix = "/api/ui", endpoint = "rename_passkey")]
pub async fn rename_passkey(id: String, name: String) -> Result<(), UiError> {
    let call = Call::enter(None).await?;
    let current = call.session().await?;
    let name = name.trim();
    if name.is_empty() {
        return Err(invalid(Some("/settings"), Code::InvalidBody));
    }
    call.auth
        .rename_passkey(&current.user.id, &id, name)
        .await
        .map_err(|e| fail(Some("/settings"), &e))?;
    done("/settings?done=passkey_renamed");
    Ok(())
}

#[server(prefix = "/api/ui", endpoint = "delete_passkey")]
pub async fn delete_passkey(id: String) -> Result<(), UiError> {
    let call = Call::enter(None).await?;
    let current = call.session().await?;
    call.auth
        .delete_passkey(&current.user.id, &id)
        .await
        .map_err(|e| fail(Some("/settings"), &e))?;
    done("/settings?done=passkey_deleted");
    Ok(())
}
