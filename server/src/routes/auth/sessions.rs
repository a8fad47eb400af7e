//! `get-session` (with a fresh JWT in `set-auth-jwt`), listing and revoking sessions.

use axum::{
    extract::{Query, State},
    http::{header, HeaderMap, HeaderName},
    Json,
};
use serde::Deserialize;
use serde_json::{json, Value};
use taskdeck::auth::{AuthError, Incoming, SessionWithUser};

use taskdeck::problem::Code;

use crate::{
    auth::{body::AuthBody, CookieSession},
    error::ApiError,
    state::AppState,
};

use super::Reply;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GetSessionQuery {
    disable_refresh: Option<String>,
    #[allow(dead_code)]
    disable_cookie_cache: Option<String>,
}

pub(super) async fn get_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<GetSessionQuery>,
) -> Result<Reply, ApiError> {
    let no_refresh = query.disable_refresh.as_deref() == Some("true");
    let request = Incoming {
        method: "GET",
        headers: &headers,
        peer: None,
    };
    let found = state.auth.cookie_session(&request, no_refresh).await?;
    let reply = |body| {
        Reply::json(body)
            .header(header::CACHE_CONTROL, "no-store")
            .header(header::PRAGMA, "no-cache")
    };
    let Some(current) = found.current else {
        let r = reply(Value::Null);
        return Ok(if found.stale {
            r.cookies(state.auth.ended_session_cookies())
        } else {
            r
        });
    };
    let jwt = state.auth.issue_jwt(&current.user).await.ok();
    let mut r = reply(json!(current));
    if found.refreshed {
        r = r.cookies(
            state
                .auth
                .refreshed_session_cookies(&current.session.token, true),
        );
    }
    if let Some(jwt) = jwt {
        r = r
            .header(HeaderName::from_static("set-auth-jwt"), &jwt)
            .header(header::ACCESS_CONTROL_EXPOSE_HEADERS, "set-auth-jwt");
    }
    Ok(r)
}

pub(super) async fn get_session_post() -> ApiError {
    AuthError::from(Code::DeferSessionRequired).into()
}

pub(super) fn fresh(current: &SessionWithUser) -> Result<(), AuthError> {
    if taskdeck::auth::AuthService::is_fresh(&current.session) {
        Ok(())
    } else {
        Err(Code::SessionNotFresh.into())
    }
}

pub(super) async fn list_sessions(
    State(state): State<AppState>,
    session: CookieSession,
) -> Result<Json<Value>, ApiError> {
    let current = session.require()?;
    fresh(current)?;
    let sessions = state.auth.list_sessions(&current.user.id).await?;
    Ok(Json(json!(sessions)))
}

pub(super) async fn revoke_session(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    let token = body.string("token")?;
    state.auth.revoke_session(&current.user.id, &token).await?;
    Ok(Reply::json(json!({ "status": true })).cookies(state.auth.revoked_sessions_cookies()))
}

pub(super) async fn revoke_sessions(
    State(state): State<AppState>,
    session: CookieSession,
    _body: AuthBody,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    state.auth.revoke_sessions(&current.user.id, None).await?;
    Ok(Reply::json(json!({ "status": true })).cookies(state.auth.revoked_sessions_cookies()))
}

pub(super) async fn revoke_other_sessions(
    State(state): State<AppState>,
    session: CookieSession,
    _body: AuthBody,
) -> Result<Json<Value>, ApiError> {
    let current = session.require()?;
    state
        .auth
        .revoke_sessions(&current.user.id, Some(&current.session.token))
        .await?;
    Ok(Json(json!({ "status": true })))
}
