//! Better Auth's cookies for axum handlers: thin wrappers over
//! [`taskdeck::auth::session_cookie`] with the app's settings.

use axum::http::{header, HeaderMap, HeaderValue};
use taskdeck::auth::{session_cookie::CookieSettings, Session};

use crate::state::AppState;

pub fn settings(state: &AppState) -> CookieSettings<'_> {
    CookieSettings {
        secure: state.config.auth.secure_cookies,
        secret: state.config.secret_bytes(),
    }
}

fn cookie_headers(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
}

pub fn session_cookies(state: &AppState, session: &Session, remember: bool) -> Vec<String> {
    settings(state).session(&session.token, remember)
}

pub fn expired_cookies(state: &AppState) -> Vec<String> {
    settings(state).expired()
}

pub fn session_token(state: &AppState, headers: &HeaderMap) -> Option<String> {
    settings(state).session_token(cookie_headers(headers))
}

pub fn dont_remember(state: &AppState, headers: &HeaderMap) -> bool {
    settings(state).dont_remember(cookie_headers(headers))
}

pub fn header_values(cookies: Vec<String>) -> impl Iterator<Item = HeaderValue> {
    cookies
        .into_iter()
        .filter_map(|c| HeaderValue::from_str(&c).ok())
}
