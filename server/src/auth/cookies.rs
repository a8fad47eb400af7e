//! Better Auth's cookies for axum handlers: thin wrappers over the core's
//! [`taskdeck::auth::session_cookie`] with this server's settings.

use axum::http::{header, HeaderMap, HeaderValue};
use taskdeck::auth::Session;

use crate::state::AppState;

pub fn cookie_headers(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
}

pub fn session_cookies(state: &AppState, session: &Session, remember: bool) -> Vec<String> {
    state
        .auth
        .cookie_settings()
        .session(&session.token, remember)
}

/// Expires the session cookies and the UI's JWT cookie minted from them.
pub fn expired_cookies(state: &AppState) -> Vec<String> {
    state.auth.cookie_settings().expired()
}

/// Expires only the UI's JWT cookie (a revoked session's JWT must not act on).
pub fn expired_jwt(state: &AppState) -> Vec<String> {
    vec![state.auth.cookie_settings().jwt("", 0)]
}

pub fn session_token(state: &AppState, headers: &HeaderMap) -> Option<String> {
    state
        .auth
        .cookie_settings()
        .session_token(cookie_headers(headers))
}

pub fn header_values(cookies: Vec<String>) -> impl Iterator<Item = HeaderValue> {
    cookies
        .into_iter()
        .filter_map(|c| HeaderValue::from_str(&c).ok())
}
