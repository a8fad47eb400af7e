//! `/passkey/*`: Better Auth's passkey plugin, so that `passkeyClient()` works
//! unchanged. Options come with a signed challenge cookie (five minutes); the first
//! verify that presents it uses its challenge up. Registering needs a fresh session
//! (created within the last day); signing in needs nothing but the passkey, and makes
//! the same session as a password sign-in (no second factor is asked after it).

use axum::{
    extract::{Query, State},
    http::HeaderMap,
    Json,
};
use serde::Deserialize;
use serde_json::{json, Value};
use taskdeck::auth::{service::RegisterPasskey, AuthError};

use crate::{
    auth::{body::AuthBody, cookies::cookie_headers, extract::Client, CookieSession},
    error::ApiError,
    state::AppState,
};

use super::{sessions::fresh, Reply};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RegisterQuery {
    authenticator_attachment: Option<String>,
    name: Option<String>,
    context: Option<String>,
}

pub(super) async fn generate_register_options(
    State(state): State<AppState>,
    session: CookieSession,
    Query(query): Query<RegisterQuery>,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    fresh(current)?;
    let attachment = match query.authenticator_attachment.as_deref() {
        None => None,
        Some(a @ ("platform" | "cross-platform")) => Some(a.to_string()),
        Some(_) => {
            return Err(AuthError::validation(
                r#"[query.authenticatorAttachment] Invalid option: expected one of "platform"|"cross-platform""#,
            )
            .into())
        }
    };
    let ask = RegisterPasskey {
        user_name: query.name,
        attachment,
        context: query.context,
    };
    let (options, cookie) = state
        .auth
        .passkey_registration_options(&current.user, ask)
        .await?;
    Ok(Reply::json(options).cookies(vec![cookie]))
}

pub(super) async fn generate_authenticate_options(
    State(state): State<AppState>,
    session: CookieSession,
) -> Result<Reply, ApiError> {
    let user = session.current.as_ref().map(|c| &c.user);
    let (options, cookie) = state.auth.passkey_authentication_options(user).await?;
    Ok(Reply::json(options).cookies(vec![cookie]))
}

/// The client's WebAuthn response (`response`): an object, as the plugin's schema says.
fn response_field(body: &AuthBody) -> Result<Value, AuthError> {
    match body.0.get("response") {
        Some(v @ Value::Object(_)) => Ok(v.clone()),
        _ => Err(AuthError::validation(
            "[body.response] Invalid input: expected record, received undefined",
        )),
    }
}

pub(super) async fn verify_registration(
    State(state): State<AppState>,
    Client(client): Client,
    session: CookieSession,
    headers: HeaderMap,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    fresh(current)?;
    let response = response_field(&body)?;
    let name = body
        .opt_string("name")?
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    let create_session = body.opt_bool("createSession")?.unwrap_or(false);
    let token = state.auth.passkey_challenge_value(cookie_headers(&headers));
    let passkey = state
        .auth
        .verify_passkey_registration(token.as_deref(), &current.user, &response, name)
        .await?;
    if !create_session {
        return Ok(Reply::json(json!(passkey)));
    }
    // `createSession: true`: a new session beside the current one, as the plugin does.
    let new_session = state
        .auth
        .create_session(&current.user.id, true, &client)
        .await?;
    let set = state
        .auth
        .session_cookies(&new_session, &current.user, true)
        .await;
    let mut out = json!(passkey);
    out["session"] = json!(new_session);
    out["user"] = json!(current.user);
    Ok(Reply::json(out).cookies(set))
}

pub(super) async fn verify_authentication(
    State(state): State<AppState>,
    Client(client): Client,
    headers: HeaderMap,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let response = response_field(&body)?;
    let token = state.auth.passkey_challenge_value(cookie_headers(&headers));
    let (session, user) = state
        .auth
        .verify_passkey_authentication(token.as_deref(), &response, &client)
        .await?;
    let set = state.auth.session_cookies(&session, &user, true).await;
    Ok(Reply::json(json!({ "session": session, "user": user })).cookies(set))
}

pub(super) async fn list(
    State(state): State<AppState>,
    session: CookieSession,
) -> Result<Json<Value>, ApiError> {
    let current = session.require()?;
    let passkeys = state.auth.list_passkeys(&current.user.id).await?;
    Ok(Json(json!(passkeys)))
}

pub(super) async fn delete(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Json<Value>, ApiError> {
    let current = session.require()?;
    let id = body.string("id")?;
    state.auth.delete_passkey(&current.user.id, &id).await?;
    Ok(Json(json!({ "status": true })))
}

pub(super) async fn update(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Json<Value>, ApiError> {
    let current = session.require()?;
    let id = body.string("id")?;
    let name = body.string("name")?.trim().to_string();
    if name.is_empty() {
        return Err(AuthError::validation(
            "[body.name] Too small: expected string to have >=1 characters",
        )
        .into());
    }
    let passkey = state
        .auth
        .rename_passkey(&current.user.id, &id, &name)
        .await?;
    Ok(Json(json!({ "passkey": passkey })))
}
