//! Better Auth's cookies: names, attributes (in Better Auth's order) and signatures.

use axum::http::{header, HeaderMap, HeaderValue};
use taskdeck::auth::{
    service::SESSION_EXPIRES_IN, sign_cookie_value, verify_cookie_value, Session,
};

use crate::state::AppState;

const PREFIX: &str = "better-auth";
pub const SESSION_TOKEN: &str = "session_token";
pub const SESSION_DATA: &str = "session_data";
pub const DONT_REMEMBER: &str = "dont_remember";

/// Full cookie name: `better-auth.<name>`, with `__Secure-` on https.
pub fn name(state: &AppState, short: &str) -> String {
    if state.config.auth.secure_cookies {
        format!("__Secure-{PREFIX}.{short}")
    } else {
        format!("{PREFIX}.{short}")
    }
}

fn attributes(state: &AppState, max_age: Option<i64>) -> String {
    let mut attrs = String::new();
    if let Some(age) = max_age {
        attrs.push_str(&format!("; Max-Age={age}"));
    }
    attrs.push_str("; Path=/; HttpOnly");
    if state.config.auth.secure_cookies {
        attrs.push_str("; Secure");
    }
    attrs.push_str("; SameSite=Lax");
    attrs
}

/// `Set-Cookie` values that establish a session. `remember == false` gives a
/// browser-session cookie (no Max-Age) plus the signed `dont_remember` marker.
pub fn session_cookies(state: &AppState, session: &Session, remember: bool) -> Vec<String> {
    let secret = state.config.secret_bytes();
    let value = sign_cookie_value(&session.token, secret);
    // Better Auth always sends the configured lifetime, not the time left.
    let max_age = SESSION_EXPIRES_IN.as_secs() as i64;
    let mut out = vec![format!(
        "{}={value}{}",
        name(state, SESSION_TOKEN),
        attributes(state, remember.then_some(max_age))
    )];
    if !remember {
        out.push(format!(
            "{}={}{}",
            name(state, DONT_REMEMBER),
            sign_cookie_value("true", secret),
            attributes(state, None)
        ));
    }
    out
}

/// `Set-Cookie` values that delete the session cookies.
pub fn expired_cookies(state: &AppState) -> Vec<String> {
    [SESSION_TOKEN, SESSION_DATA, DONT_REMEMBER]
        .iter()
        .map(|short| format!("{}={}", name(state, short), attributes(state, Some(0))))
        .collect()
}

/// The raw value of cookie `name` from the request.
pub fn read<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The session token from the signed session cookie; `None` if absent or forged.
pub fn session_token(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let raw = read(headers, &name(state, SESSION_TOKEN))?;
    verify_cookie_value(raw, state.config.secret_bytes())
}

/// Whether the signed "don't remember me" marker is present.
pub fn dont_remember(state: &AppState, headers: &HeaderMap) -> bool {
    read(headers, &name(state, DONT_REMEMBER))
        .and_then(|raw| verify_cookie_value(raw, state.config.secret_bytes()))
        .is_some_and(|v| v == "true")
}

pub fn has_any_cookie(headers: &HeaderMap) -> bool {
    headers
        .get(header::COOKIE)
        .is_some_and(|v| !v.as_bytes().is_empty())
}

pub fn header_values(cookies: Vec<String>) -> impl Iterator<Item = HeaderValue> {
    cookies
        .into_iter()
        .filter_map(|c| HeaderValue::from_str(&c).ok())
}
