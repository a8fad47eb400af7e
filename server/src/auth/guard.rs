//! The middleware in front of every `/api/auth/*` endpoint, in Better Auth's order:
//! rate limit first (429 + `X-Retry-After`), then the origin / CSRF check.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;
use taskdeck::auth::origin::{check_request, RequestOrigin};

use crate::{error::ApiError, state::AppState};

/// The client's IP: the first `X-Forwarded-For` entry when proxies are trusted (as
/// Better Auth takes it), else the socket's peer address.
pub fn client_ip(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> Option<String> {
    if state.config.auth.trust_forwarded_for {
        if let Some(first) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
        {
            return Some(first.to_string());
        }
    }
    peer.map(|p| p.ip().to_string())
}

pub async fn auth_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request
        .uri()
        .path()
        .strip_prefix("/api/auth")
        .unwrap_or(request.uri().path())
        .to_string();
    let headers = request.headers();

    if let Some(limiter) = &state.auth.rate_limiter {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        // No IP at all: every such client shares one bucket (fail closed).
        let ip = client_ip(&state, headers, peer).unwrap_or_default();
        let now_ms = chrono::Utc::now().timestamp_millis();
        match limiter.check(&ip, &path, now_ms).await {
            Ok(Ok(())) => {}
            Ok(Err(retry)) => {
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(json!({ "message": "Too many requests. Please try again later." })),
                )
                    .into_response();
                if let Ok(v) = HeaderValue::from_str(&retry.0.to_string()) {
                    response.headers_mut().insert("x-retry-after", v);
                }
                return response;
            }
            Err(error) => return ApiError::from(error).into_response(),
        }
    }

    let origin = RequestOrigin::from_headers(request.method().as_str(), &path, |name| {
        headers.get(name).and_then(|v| v.to_str().ok())
    });
    if let Err(error) = check_request(&origin, &state.auth.trusted) {
        return ApiError::from(error).into_response();
    }
    next.run(request).await
}
