//! `update-user`, `change-password`, `delete-user`.

use axum::extract::State;
use serde_json::{json, Value};
use taskdeck::auth::AuthError;

use taskdeck::problem::Code;

use crate::{
    auth::{body::AuthBody, extract::Client, CookieSession},
    error::ApiError,
    state::AppState,
};

use super::{redirect_field, Reply};

pub(super) async fn update_user(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    if body.0.contains_key("email") {
        return Err(AuthError::from(Code::EmailCannotBeUpdated).into());
    }
    let name = body.opt_string("name")?;
    let image = match body.0.get("image") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(_) => Some(body.opt_string("image")?),
    };
    if name.is_none() && image.is_none() {
        return Err(AuthError::from(Code::NoFieldsToUpdate).into());
    }
    state
        .auth
        .update_user(
            &current.user.id,
            name.as_deref(),
            image.as_ref().map(|i| i.as_deref()),
        )
        .await?;
    Ok(Reply::json(json!({ "status": true })).cookies(
        state
            .auth
            .refreshed_session_cookies(&current.session.token, !session.dont_remember),
    ))
}

pub(super) async fn change_password(
    State(state): State<AppState>,
    session: CookieSession,
    Client(client): Client,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    let new_password = body.string("newPassword")?;
    let current_password = body.string("currentPassword")?;
    let revoke = body.opt_bool("revokeOtherSessions")?.unwrap_or(false);
    let new_session = state
        .auth
        .change_password(
            current,
            current_password,
            new_password,
            revoke,
            !session.dont_remember,
            &client,
        )
        .await?;
    let token = new_session.as_ref().map(|s| s.token.clone());
    let mut reply = Reply::json(json!({ "token": token, "user": current.user }));
    if let Some(s) = &new_session {
        let set = state
            .auth
            .session_cookies(s, &current.user, !session.dont_remember)
            .await;
        reply = reply.cookies(set);
    }
    Ok(reply)
}

pub(super) async fn delete_user(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    redirect_field(&state, &body, "callbackURL")?;
    let password = body.opt_string("password")?;
    state.auth.delete_user(current, password).await?;
    Ok(
        Reply::json(json!({ "success": true, "message": "User deleted" }))
            .cookies(state.auth.ended_session_cookies()),
    )
}
