//! The request's cookies for axum handlers. Which cookies an outcome sets or expires is
//! the core's decision (`AuthService::{sign_in_cookies, second_factor_cookies, …}`), the
//! same for the UI's server functions; this only reads the `Cookie` headers and turns
//! the core's lines into header values.

use axum::http::{header, HeaderMap, HeaderValue};

use crate::state::AppState;

pub fn cookie_headers(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
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
