//! Better Auth's jwt plugin: `/token` and `/jwks`.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Value};

use crate::{auth::CookieSession, error::ApiError, state::AppState};

pub(super) async fn token(
    State(state): State<AppState>,
    session: CookieSession,
) -> Result<Json<Value>, ApiError> {
    let current = session.require()?;
    let token = state.auth.issue_jwt(&current.user).await?;
    Ok(Json(json!({ "token": token })))
}

pub(super) async fn jwks(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(match state.auth.jwks().await? {
        Some(doc) => Json(doc).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    })
}
