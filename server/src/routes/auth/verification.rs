//! E-mail verification: sending the link, and the link itself.

use std::time::Duration;

use axum::{
    extract::{Query, State},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Value};
use taskdeck::auth::{origin::check_redirect, AuthError};

use taskdeck::problem::Code;

use crate::{
    auth::{body::AuthBody, CookieSession},
    error::ApiError,
    state::AppState,
};

use super::{redirect, redirect_field, with_query, CallbackQuery};

pub(super) async fn send_verification_email(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Json<Value>, ApiError> {
    let email = body.email("email")?;
    let callback = redirect_field(&state, &body, "callbackURL")?;
    if let Some(current) = &session.current {
        if !current.user.email.eq_ignore_ascii_case(email.trim()) {
            return Err(AuthError::from(Code::EmailMismatch).into());
        }
        if current.user.email_verified {
            return Err(AuthError::from(Code::EmailAlreadyVerified).into());
        }
        state
            .auth
            .send_verification_mail(&current.user, callback.as_deref())
            .await?;
        return Ok(Json(json!({ "status": true })));
    }
    // Signed out: same answer and (at least) the same time whether or not the address
    // belongs to anyone.
    let started = tokio::time::Instant::now();
    if let Some(user) = state.auth.find_user_by_email(&email).await? {
        if !user.email_verified {
            state
                .auth
                .send_verification_mail(&user, callback.as_deref())
                .await?;
        }
    }
    tokio::time::sleep_until(started + Duration::from_millis(500)).await;
    Ok(Json(json!({ "status": true })))
}

pub(super) async fn verify_email(
    State(state): State<AppState>,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, ApiError> {
    if let Some(cb) = &query.callback_url {
        check_redirect("callbackURL", Some(cb), &state.auth.trusted)?;
    }
    let Some(token) = query.token else {
        return Err(AuthError::validation(
            "[query.token] Invalid input: expected string, received undefined",
        )
        .into());
    };
    match (state.auth.verify_email(&token).await, query.callback_url) {
        (Ok(_), Some(cb)) => Ok(redirect(&cb)),
        (Ok(_), None) => Ok(Json(json!({ "status": true, "user": null })).into_response()),
        (Err(e), Some(cb)) if e.code().and_then(Code::wire).is_some() => {
            let code = e.code().and_then(Code::wire).unwrap_or_default();
            Ok(redirect(&with_query(&cb, "error", code)))
        }
        (Err(e), _) => Err(e.into()),
    }
}
