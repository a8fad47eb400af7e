//! The middleware in front of every known `/api/auth/*` route: the core's guard
//! (rate limit first, with 429 + `X-Retry-After`, then the origin / CSRF check).
//! Applied as a route layer, so unknown paths (404) are neither counted nor stored.

use axum::{
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use taskdeck::auth::Incoming;

use crate::{error::ApiError, state::AppState};

pub async fn auth_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // The route's pattern (`/reset-password/{token}`), not the raw path: a limiter key
    // never holds what the client put in the URL.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str())
        .unwrap_or(request.uri().path());
    let route = route.strip_prefix("/api/auth").unwrap_or(route).to_string();
    let (parts, body) = request.into_parts();
    let verdict = state
        .auth
        .guard(
            &Incoming::new(&parts.method, &parts.headers, &parts.extensions),
            &route,
        )
        .await;
    match verdict {
        Ok(()) => next.run(Request::from_parts(parts, body)).await,
        Err(error) => ApiError::from(error).into_response(),
    }
}
