//! Signing in and out, signing up and password recovery, for the UI's forms. They
//! post here with or without JavaScript; the answers are redirects (onwards on
//! success, back to the form with `?error=CODE` on failure).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{
    call::{done, fail, invalid, remember_form, set_cookies, Call},
    url::encode,
};
use super::{error::UiError, types::Viewer};
#[cfg(feature = "ssr")]
use taskdeck::{
    auth::service::{SignIn as SignedIn, SignUp as NewAccount},
    problem::Code,
};

/// The signed-in user, from the session cookie; `None` when signed out.
#[server(prefix = "/api/ui", endpoint = "viewer")]
pub async fn get_viewer() -> Result<Option<Viewer>, UiError> {
    let call = Call::enter(None).await?;
    let found = call
        .auth
        .cookie_session(&call.incoming(), false)
        .await
        .map_err(|e| fail(None, &e))?;
    match found.current {
        Some(current) => {
            if found.refreshed {
                set_cookies(
                    call.auth
                        .refreshed_session_cookies(&current.session.token, true),
                );
            }
            Ok(Some(Viewer {
                id: current.user.id,
                name: current.user.name,
                email: current.user.email,
            }))
        }
        None => {
            if found.stale {
                // A dead session: forget its cookies, and the JWT minted from it.
                set_cookies(call.auth.ended_session_cookies());
            }
            Ok(None)
        }
    }
}

#[server(prefix = "/api/ui", endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    remember: Option<String>,
    next: Option<String>,
) -> Result<(), UiError> {
    let call = Call::enter(Some("/sign-in/email")).await?;
    let remember = remember.is_some();
    let next = call.safe_next(next);
    let form = format!("/sign-in?next={}", encode(&next));
    let trust = call.auth.trust_value(call.incoming().cookies());
    let outcome = call
        .auth
        .sign_in(&email, password, remember, &call.client(), trust.as_deref())
        .await;
    if let Ok(outcome) = &outcome {
        set_cookies(call.auth.sign_in_cookies(outcome, remember).await);
    }
    match outcome {
        Ok(SignedIn::Done { .. }) => {
            leptos_axum::redirect(&next);
            Ok(())
        }
        Ok(SignedIn::SecondFactor { challenge, .. }) => {
            let method = if challenge.methods.contains(&"totp") {
                "totp"
            } else {
                "otp"
            };
            leptos_axum::redirect(&format!(
                "/sign-in/two-factor?next={}&method={method}",
                encode(&next)
            ));
            Ok(())
        }
        Err(error) => {
            remember_form(&call.auth, &[("email", &email)]);
            Err(fail(Some(&form), &error))
        }
    }
}

#[server(prefix = "/api/ui", endpoint = "sign_up")]
pub async fn sign_up(
    name: String,
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), UiError> {
    let call = Call::enter(Some("/sign-up/email")).await?;
    let next = call.safe_next(next);
    let form = format!("/sign-up?next={}", encode(&next));
    let keep = |call: &Call| remember_form(&call.auth, &[("name", &name), ("email", &email)]);
    if name.trim().is_empty() {
        keep(&call);
        return Err(invalid(Some(&form), Code::NameRequired));
    }
    let input = NewAccount {
        name: name.trim().to_string(),
        email: email.clone(),
        password,
        image: None,
        remember_me: true,
        callback_url: None,
    };
    match call.auth.sign_up(input, &call.client()).await {
        Ok((session, user)) => {
            set_cookies(call.auth.session_cookies(&session, &user, true).await);
            leptos_axum::redirect(&next);
            Ok(())
        }
        Err(error) => {
            keep(&call);
            Err(fail(Some(&form), &error))
        }
    }
}

#[server(prefix = "/api/ui", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), UiError> {
    let call = Call::enter(Some("/sign-out")).await?;
    let token = call
        .auth
        .cookie_settings()
        .session_token(call.incoming().cookies());
    if let Some(token) = token {
        call.auth
            .sign_out(&token)
            .await
            .map_err(|e| fail(None, &e))?;
    }
    set_cookies(call.auth.ended_session_cookies());
    leptos_axum::redirect("/");
    Ok(())
}

/// Mails a reset link if the address has an account; answers the same either way.
#[server(prefix = "/api/ui", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), UiError> {
    let call = Call::enter(Some("/request-password-reset")).await?;
    if !taskdeck::auth::service::is_valid_email(email.trim()) {
        return Err(invalid(None, Code::InvalidEmail));
    }
    call.auth
        .request_password_reset(&email, Some("/reset-password"))
        .await
        .map_err(|e| fail(None, &e))?;
    done("/forgot-password?sent=1");
    Ok(())
}

#[server(prefix = "/api/ui", endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<(), UiError> {
    let call = Call::enter(Some("/reset-password")).await?;
    let form = format!("/reset-password?token={}", encode(&token));
    call.auth
        .reset_password(&token, password)
        .await
        .map_err(|e| fail(Some(&form), &e))?;
    // Every session ended with the reset (this browser's too): its cookies go.
    set_cookies(call.auth.ended_session_cookies());
    leptos_axum::redirect("/sign-in?reset=1");
    Ok(())
}
