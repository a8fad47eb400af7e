//! `/two-factor/*`: Better Auth's twoFactor plugin, so that `twoFactorClient()` works
//! unchanged. Set-up and its management need the session; the three `verify-*`
//! endpoints and `send-otp` take either the session (re-verification, confirming
//! set-up) or, half-way through signing in, the signed `two_factor` cookie. One
//! addition to the plugin's bodies: `revokeOtherSessions` (optional boolean, as
//! `/change-password` has it) on `enable` (`otp`), `verify-*` (confirming set-up) and
//! `disable` ends every other session of the user.

use axum::{
    extract::{MatchedPath, State},
    http::HeaderMap,
};
use serde_json::json;
use taskdeck::{
    auth::{
        service::{Factor, Prover, Renewal},
        AuthError,
    },
    problem::Code,
};

use crate::{
    auth::{body::AuthBody, cookies::cookie_headers, extract::Client, CookieSession},
    error::ApiError,
    state::AppState,
};

use super::Reply;

/// The session renewal a set-up change asks for: the caller's "remember me" kept, and
/// the other sessions ended if the body says `revokeOtherSessions: true`.
fn renewal(session: &CookieSession, body: &AuthBody) -> Result<Renewal, ApiError> {
    Ok(Renewal {
        remember: !session.dont_remember,
        revoke_others: body.opt_bool("revokeOtherSessions")?.unwrap_or(false),
    })
}

/// The signed-in session, or else the sign-in challenge from the `two_factor` cookie.
fn prover(
    state: &AppState,
    session: &CookieSession,
    headers: &HeaderMap,
) -> Result<Prover, ApiError> {
    if let Some(current) = &session.current {
        return Ok(Prover::SignedIn(Box::new(current.clone())));
    }
    state
        .auth
        .challenge_value(cookie_headers(headers))
        .map(Prover::SigningIn)
        .ok_or_else(|| AuthError::from(Code::InvalidTwoFactorCookie).into())
}

pub(super) async fn enable(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    let password = body.string("password")?;
    let issuer = body.opt_string("issuer")?;
    match body.opt_string("method")?.as_deref() {
        None | Some("totp") => {
            let enrolment = state
                .auth
                .enable_two_factor(current, &password, issuer.as_deref())
                .await?;
            Ok(Reply::json(json!({
                "method": "totp",
                "totpURI": enrolment.totp_uri,
                "backupCodes": enrolment.backup_codes,
            })))
        }
        Some("otp") => {
            let renewal = renewal(&session, &body)?;
            let (new_session, user) = state
                .auth
                .enable_otp_two_factor(current, &password, renewal)
                .await?;
            let set = state
                .auth
                .session_cookies(&new_session, &user, renewal.remember)
                .await;
            Ok(Reply::json(json!({ "method": "otp" })).cookies(set))
        }
        Some(_) => Err(AuthError::validation(
            r#"[body.method] Invalid option: expected one of "otp"|"totp""#,
        )
        .into()),
    }
}

pub(super) async fn disable(
    State(state): State<AppState>,
    session: CookieSession,
    headers: HeaderMap,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    let password = body.string("password")?;
    let trusted_device = state.auth.trust_value(cookie_headers(&headers)).is_some();
    let renewal = renewal(&session, &body)?;
    let (new_session, user) = state
        .auth
        .disable_two_factor(current, &password, renewal)
        .await?;
    let set = state
        .auth
        .two_factor_off_cookies(&new_session, &user, renewal.remember, trusted_device)
        .await;
    Ok(Reply::json(json!({ "status": true })).cookies(set))
}

pub(super) async fn get_totp_uri(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    let password = body.string("password")?;
    let uri = state.auth.totp_uri(current, &password).await?;
    Ok(Reply::json(json!({ "totpURI": uri })))
}

pub(super) async fn generate_backup_codes(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    let password = body.string("password")?;
    let codes = state
        .auth
        .regenerate_backup_codes(current, &password)
        .await?;
    Ok(Reply::json(json!({ "status": true, "backupCodes": codes })))
}

pub(super) async fn send_otp(
    State(state): State<AppState>,
    session: CookieSession,
    headers: HeaderMap,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    body.opt_bool("trustDevice")?;
    let prover = prover(&state, &session, &headers)?;
    state.auth.send_two_factor_otp(&prover).await?;
    Ok(Reply::json(json!({ "status": true })))
}

/// The second factor checked, and Better Auth's `{token, user}` with the cookies of
/// whatever changed: a new session, the challenge gone, a trusted device.
/// `verify-totp`, `verify-backup-code` and `verify-otp` (the path names the factor).
pub(super) async fn verify(
    State(state): State<AppState>,
    session: CookieSession,
    Client(client): Client,
    headers: HeaderMap,
    path: MatchedPath,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let code = body.string("code")?;
    let factor = match path.as_str().rsplit('/').next() {
        Some("verify-backup-code") => {
            // Accepted for the client's sake; a session is made all the same.
            body.opt_bool("disableSession")?;
            Factor::BackupCode(code)
        }
        Some("verify-otp") => Factor::Otp(code),
        _ => Factor::Totp(code),
    };
    let trust_device = body.opt_bool("trustDevice")?.unwrap_or(false);
    let prover = prover(&state, &session, &headers)?;
    // Signing in, "remember me" is what the sign-in's marker says (see `renewal`).
    let renewal = renewal(&session, &body)?;
    let passed = state
        .auth
        .verify_second_factor(&prover, &factor, trust_device, renewal, &client)
        .await?;
    let set = state
        .auth
        .second_factor_cookies(&prover, &passed, renewal.remember)
        .await;
    Ok(Reply::json(json!({ "token": passed.token, "user": passed.user })).cookies(set))
}
