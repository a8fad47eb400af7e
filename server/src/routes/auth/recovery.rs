//! Password reset: the request (mail sent after the reply), the mailed link, the reset.

use axum::{
    extract::{Path, Query, State},
    response::Response,
    Json,
};
use serde_json::{json, Value};
use taskdeck::auth::{origin::check_redirect, AuthError};

use crate::{auth::body::AuthBody, error::ApiError, state::AppState};

use super::{redirect, redirect_field, with_query, CallbackQuery};

pub(super) async fn request_password_reset(
    State(state): State<AppState>,
    body: AuthBody,
) -> Result<Json<Value>, ApiError> {
    let email = body.email("email")?;
    let redirect_to = redirect_field(&state, &body, "redirectTo")?;
    state
        .auth
        .request_password_reset(&email, redirect_to.as_deref())
        .await?;
    Ok(Json(json!({
        "status": true,
        "message": "If this email exists in our system, check your email for the reset link"
    })))
}

pub(super) async fn reset_password_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, ApiError> {
    let callback = query
        .callback_url
        .unwrap_or_else(|| "/reset-password".into());
    check_redirect("callbackURL", Some(&callback), &state.auth.trusted)?;
    Ok(if state.auth.reset_token_is_valid(&token).await? {
        redirect(&with_query(&callback, "token", &token))
    } else {
        redirect(&with_query(&callback, "error", "INVALID_TOKEN"))
    })
}

pub(super) async fn reset_password(
    State(state): State<AppState>,
    Query(query): Query<CallbackQuery>,
    body: AuthBody,
) -> Result<Json<Value>, ApiError> {
    let new_password = body.string("newPassword")?;
    let token = body
        .opt_string("token")?
        .or(query.token)
        .ok_or_else(AuthError::invalid_token)?;
    state.auth.reset_password(&token, new_password).await?;
    Ok(Json(json!({ "status": true })))
}
