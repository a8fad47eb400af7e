//! `/api/auth/*`: Better Auth's endpoints, paths, JSON and cookies, so that the
//! official `better-auth` client works against this server unchanged. Each handler
//! parses, calls [`taskdeck::auth::AuthService`], and shapes Better Auth's response.
//! The handlers live in files named like the core's flows (`credentials`, `sessions`,
//! `account`, `recovery`, `verification`, `tokens`); this module holds the router and
//! the reply helpers they share.

mod account;
mod credentials;
mod passkey;
mod recovery;
mod sessions;
mod social;
mod tokens;
mod two_factor;
mod verification;

use axum::{
    http::{header, HeaderName, HeaderValue, StatusCode},
    middleware,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};
use taskdeck::auth::{cookie::encode_uri_component, origin::check_redirect, AuthError};

use crate::{
    auth::{body::AuthBody, cookies, guard},
    state::AppState,
};

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/sign-up/email", post(credentials::sign_up))
        .route("/sign-in/email", post(credentials::sign_in))
        .route("/sign-out", post(credentials::sign_out))
        .route(
            "/get-session",
            get(sessions::get_session).post(sessions::get_session_post),
        )
        .route("/list-sessions", get(sessions::list_sessions))
        .route("/revoke-session", post(sessions::revoke_session))
        .route("/revoke-sessions", post(sessions::revoke_sessions))
        .route(
            "/revoke-other-sessions",
            post(sessions::revoke_other_sessions),
        )
        .route("/update-user", post(account::update_user))
        .route("/change-password", post(account::change_password))
        .route("/delete-user", post(account::delete_user))
        .route(
            "/request-password-reset",
            post(recovery::request_password_reset),
        )
        .route(
            "/reset-password/{token}",
            get(recovery::reset_password_link),
        )
        .route("/reset-password", post(recovery::reset_password))
        .route(
            "/send-verification-email",
            post(verification::send_verification_email),
        )
        .route("/verify-email", get(verification::verify_email))
        .route("/token", get(tokens::token))
        .route("/jwks", get(tokens::jwks))
        .route("/two-factor/enable", post(two_factor::enable))
        .route("/two-factor/disable", post(two_factor::disable))
        .route("/two-factor/get-totp-uri", post(two_factor::get_totp_uri))
        .route(
            "/two-factor/generate-backup-codes",
            post(two_factor::generate_backup_codes),
        )
        .route("/two-factor/send-otp", post(two_factor::send_otp))
        .route("/two-factor/verify-totp", post(two_factor::verify))
        .route("/two-factor/verify-backup-code", post(two_factor::verify))
        .route("/two-factor/verify-otp", post(two_factor::verify))
        .route(
            "/passkey/generate-register-options",
            get(passkey::generate_register_options),
        )
        .route(
            "/passkey/generate-authenticate-options",
            get(passkey::generate_authenticate_options),
        )
        .route(
            "/passkey/verify-registration",
            post(passkey::verify_registration),
        )
        .route(
            "/passkey/verify-authentication",
            post(passkey::verify_authentication),
        )
        .route("/passkey/list-user-passkeys", get(passkey::list))
        .route("/passkey/delete-passkey", post(passkey::delete))
        .route("/passkey/update-passkey", post(passkey::update))
        .route("/sign-in/social", post(social::sign_in_social))
        .route(
            "/callback/{provider}",
            get(social::callback).post(social::callback_post),
        )
        .route("/error", get(social::error_page))
        .route("/link-social", post(social::link_social))
        .route("/list-accounts", get(social::list_accounts))
        .route("/unlink-account", post(social::unlink_account))
        .route("/get-access-token", post(social::get_access_token))
        .route("/refresh-token", post(social::refresh_token))
        .route("/account-info", get(social::account_info))
        .route("/ok", get(ok))
        // The guard sees matched routes only: a 404 costs no counter.
        .route_layer(middleware::from_fn_with_state(state, guard::auth_guard))
        // Better Auth answers unknown paths and wrong methods with an empty 404.
        .fallback(|| async { StatusCode::NOT_FOUND })
        .method_not_allowed_fallback(|| async { StatusCode::NOT_FOUND })
}

/// A JSON reply with optional cookies and headers.
pub(super) struct Reply {
    status: StatusCode,
    body: Value,
    cookies: Vec<String>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl Reply {
    pub(super) fn json(body: Value) -> Self {
        Self {
            status: StatusCode::OK,
            body,
            cookies: Vec::new(),
            headers: Vec::new(),
        }
    }
    pub(super) fn cookies(mut self, cookies: Vec<String>) -> Self {
        self.cookies.extend(cookies);
        self
    }
    pub(super) fn header(mut self, name: HeaderName, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.push((name, v));
        }
        self
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        let headers = response.headers_mut();
        for cookie in cookies::header_values(self.cookies) {
            headers.append(header::SET_COOKIE, cookie);
        }
        for (name, value) in self.headers {
            headers.append(name, value);
        }
        response
    }
}

pub(super) fn redirect(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// Appends `key=value` to a URL that may already have a query.
pub(super) fn with_query(url: &str, key: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{key}={}", encode_uri_component(value))
}

pub(super) fn redirect_field(
    state: &AppState,
    body: &AuthBody,
    field: &str,
) -> Result<Option<String>, AuthError> {
    let value = body.opt_string(field)?;
    check_redirect(field, value.as_deref(), &state.auth.trusted)?;
    Ok(value)
}

#[derive(Deserialize)]
pub(super) struct CallbackQuery {
    #[serde(rename = "callbackURL")]
    pub(super) callback_url: Option<String>,
    pub(super) token: Option<String>,
}

async fn ok() -> Json<Value> {
    Json(json!({ "ok": true }))
}
