//! `/api/auth/*`: Better Auth's endpoints, paths, JSON and cookies, so that the
//! official `better-auth` client works against this server unchanged. Each handler
//! parses, calls [`taskdeck::auth::AuthService`], and shapes Better Auth's response.

use std::time::Duration;

use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode},
    middleware,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};
use taskdeck::auth::{
    cookie::encode_uri_component, origin::check_redirect, service::SignUp, AuthError, Incoming,
    SessionWithUser,
};

use taskdeck::problem::Code;

use crate::{
    auth::{body::AuthBody, cookies, extract::Client, guard, CookieSession},
    error::ApiError,
    state::AppState,
};

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/sign-up/email", post(sign_up))
        .route("/sign-in/email", post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/get-session", get(get_session).post(get_session_post))
        .route("/list-sessions", get(list_sessions))
        .route("/revoke-session", post(revoke_session))
        .route("/revoke-sessions", post(revoke_sessions))
        .route("/revoke-other-sessions", post(revoke_other_sessions))
        .route("/update-user", post(update_user))
        .route("/change-password", post(change_password))
        .route("/delete-user", post(delete_user))
        .route("/request-password-reset", post(request_password_reset))
        .route("/reset-password/{token}", get(reset_password_link))
        .route("/reset-password", post(reset_password))
        .route("/send-verification-email", post(send_verification_email))
        .route("/verify-email", get(verify_email))
        .route("/token", get(token))
        .route("/jwks", get(jwks))
        .route("/ok", get(ok))
        // Better Auth answers unknown paths and wrong methods with an empty 404.
        // The guard sees matched routes only: a 404 costs no counter.
        .route_layer(middleware::from_fn_with_state(state, guard::auth_guard))
        .fallback(|| async { StatusCode::NOT_FOUND })
        .method_not_allowed_fallback(|| async { StatusCode::NOT_FOUND })
}

/// A JSON reply with optional cookies and headers.
struct Reply {
    status: StatusCode,
    body: Value,
    cookies: Vec<String>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl Reply {
    fn json(body: Value) -> Self {
        Self {
            status: StatusCode::OK,
            body,
            cookies: Vec::new(),
            headers: Vec::new(),
        }
    }
    fn cookies(mut self, cookies: Vec<String>) -> Self {
        self.cookies.extend(cookies);
        self
    }
    fn header(mut self, name: HeaderName, value: &str) -> Self {
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

fn redirect(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// Appends `key=value` to a URL that may already have a query.
fn with_query(url: &str, key: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{key}={}", encode_uri_component(value))
}

fn redirect_field(
    state: &AppState,
    body: &AuthBody,
    field: &str,
) -> Result<Option<String>, AuthError> {
    let value = body.opt_string(field)?;
    check_redirect(field, value.as_deref(), &state.auth.trusted)?;
    Ok(value)
}

// --- sign-up / sign-in / sign-out ---------------------------------------------------

async fn sign_up(
    State(state): State<AppState>,
    Client(client): Client,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let callback_url = redirect_field(&state, &body, "callbackURL")?;
    let input = SignUp {
        name: body.string("name")?,
        email: body.email("email")?,
        password: body.string("password")?,
        image: body.opt_string("image")?,
        remember_me: body.opt_bool("rememberMe")?.unwrap_or(true),
        callback_url,
    };
    let remember = input.remember_me;
    let (session, user) = state.auth.sign_up(input, &client).await?;
    Ok(Reply::json(json!({ "token": session.token, "user": user }))
        .cookies(cookies::session_cookies(&state, &session, remember)))
}

async fn sign_in(
    State(state): State<AppState>,
    Client(client): Client,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let callback_url = redirect_field(&state, &body, "callbackURL")?;
    let email = body.string("email")?;
    let password = body.string("password")?;
    let remember = body.opt_bool("rememberMe")?.unwrap_or(true);
    let (session, user) = state
        .auth
        .sign_in(&email, password, remember, &client)
        .await?;
    let mut body = json!({ "redirect": false, "token": session.token, "user": user });
    let mut reply_headers = Vec::new();
    if let Some(url) = &callback_url {
        body["redirect"] = json!(true);
        body["url"] = json!(url);
        reply_headers.push(url.clone());
    }
    let mut reply = Reply::json(body).cookies(cookies::session_cookies(&state, &session, remember));
    for url in reply_headers {
        reply = reply.header(header::LOCATION, &url);
    }
    Ok(reply)
}

async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    _body: AuthBody,
) -> Result<Reply, ApiError> {
    if let Some(token) = cookies::session_token(&state, &headers) {
        state.auth.sign_out(&token).await?;
    }
    Ok(Reply::json(json!({ "success": true })).cookies(cookies::expired_cookies(&state)))
}

// --- sessions -----------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetSessionQuery {
    disable_refresh: Option<String>,
    #[allow(dead_code)]
    disable_cookie_cache: Option<String>,
}

async fn get_session(
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
            r.cookies(cookies::expired_cookies(&state))
        } else {
            r
        });
    };
    let jwt = state.auth.issue_jwt(&current.user).await.ok();
    let mut r = reply(json!(current));
    if found.refreshed {
        r = r.cookies(cookies::session_cookies(&state, &current.session, true));
    }
    if let Some(jwt) = jwt {
        r = r
            .header(HeaderName::from_static("set-auth-jwt"), &jwt)
            .header(header::ACCESS_CONTROL_EXPOSE_HEADERS, "set-auth-jwt");
    }
    Ok(r)
}

async fn get_session_post() -> ApiError {
    AuthError::from(Code::DeferSessionRequired).into()
}

fn fresh(current: &SessionWithUser) -> Result<(), AuthError> {
    if taskdeck::auth::AuthService::is_fresh(&current.session) {
        Ok(())
    } else {
        Err(Code::SessionNotFresh.into())
    }
}

async fn list_sessions(
    State(state): State<AppState>,
    session: CookieSession,
) -> Result<Json<Value>, ApiError> {
    let current = session.require()?;
    fresh(current)?;
    let sessions = state.auth.list_sessions(&current.user.id).await?;
    Ok(Json(json!(sessions)))
}

async fn revoke_session(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    let token = body.string("token")?;
    state.auth.revoke_session(&current.user.id, &token).await?;
    Ok(Reply::json(json!({ "status": true })).cookies(cookies::expired_jwt(&state)))
}

async fn revoke_sessions(
    State(state): State<AppState>,
    session: CookieSession,
    _body: AuthBody,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    state.auth.revoke_sessions(&current.user.id, None).await?;
    Ok(Reply::json(json!({ "status": true })).cookies(cookies::expired_jwt(&state)))
}

async fn revoke_other_sessions(
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

// --- account ------------------------------------------------------------------------

async fn update_user(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    if body.0.contains_key("email") {
        return Err(AuthError::from(Code::EmailCannotBeUpdated).into());
    }
    let name = body.opt_string("name")?;
    let image = match body.0.get("image") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(_) => Some(body.opt_string("image")?),
    };
    if name.is_none() && image.is_none() {
        return Err(AuthError::from(Code::NoFieldsToUpdate).into());
    }
    state
        .auth
        .update_user(
            &current.user.id,
            name.as_deref(),
            image.as_ref().map(|i| i.as_deref()),
        )
        .await?;
    Ok(
        Reply::json(json!({ "status": true })).cookies(cookies::session_cookies(
            &state,
            &current.session,
            !session.dont_remember,
        )),
    )
}

async fn change_password(
    State(state): State<AppState>,
    session: CookieSession,
    Client(client): Client,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    let new_password = body.string("newPassword")?;
    let current_password = body.string("currentPassword")?;
    let revoke = body.opt_bool("revokeOtherSessions")?.unwrap_or(false);
    let new_session = state
        .auth
        .change_password(current, current_password, new_password, revoke, &client)
        .await?;
    let token = new_session.as_ref().map(|s| s.token.clone());
    let mut reply = Reply::json(json!({ "token": token, "user": current.user }));
    if let Some(s) = &new_session {
        reply = reply.cookies(cookies::session_cookies(&state, s, true));
    }
    Ok(reply)
}

async fn delete_user(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    redirect_field(&state, &body, "callbackURL")?;
    let password = body.opt_string("password")?;
    state.auth.delete_user(current, password).await?;
    Ok(
        Reply::json(json!({ "success": true, "message": "User deleted" }))
            .cookies(cookies::expired_cookies(&state)),
    )
}

// --- password reset -----------------------------------------------------------------

async fn request_password_reset(
    State(state): State<AppState>,
    body: AuthBody,
) -> Result<Json<Value>, ApiError> {
    let email = body.email("email")?;
    let redirect_to = redirect_field(&state, &body, "redirectTo")?;
    state
        .auth
        .request_password_reset(&email, redirect_to.as_deref())
        .await?;
    Ok(Json(json!({
        "status": true,
        "message": "If this email exists in our system, check your email for the reset link"
    })))
}

#[derive(Deserialize)]
struct CallbackQuery {
    #[serde(rename = "callbackURL")]
    callback_url: Option<String>,
    token: Option<String>,
}

async fn reset_password_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, ApiError> {
    let callback = query
        .callback_url
        .unwrap_or_else(|| "/reset-password".into());
    check_redirect("callbackURL", Some(&callback), &state.auth.trusted)?;
    Ok(if state.auth.reset_token_is_valid(&token).await? {
        redirect(&with_query(&callback, "token", &token))
    } else {
        redirect(&with_query(&callback, "error", "INVALID_TOKEN"))
    })
}

async fn reset_password(
    State(state): State<AppState>,
    Query(query): Query<CallbackQuery>,
    body: AuthBody,
) -> Result<Json<Value>, ApiError> {
    let new_password = body.string("newPassword")?;
    let token = body
        .opt_string("token")?
        .or(query.token)
        .ok_or_else(AuthError::invalid_token)?;
    state.auth.reset_password(&token, new_password).await?;
    Ok(Json(json!({ "status": true })))
}

// --- e-mail verification ------------------------------------------------------------

async fn send_verification_email(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Json<Value>, ApiError> {
    let email = body.email("email")?;
    let callback = redirect_field(&state, &body, "callbackURL")?;
    if let Some(current) = &session.current {
        if !current.user.email.eq_ignore_ascii_case(email.trim()) {
            return Err(AuthError::from(Code::EmailMismatch).into());
        }
        if current.user.email_verified {
            return Err(AuthError::from(Code::EmailAlreadyVerified).into());
        }
        state
            .auth
            .send_verification_mail(&current.user, callback.as_deref())
            .await?;
        return Ok(Json(json!({ "status": true })));
    }
    // Signed out: same answer and (at least) the same time whether or not the address
    // belongs to anyone.
    let started = tokio::time::Instant::now();
    if let Some(user) = state.auth.find_user_by_email(&email).await? {
        if !user.email_verified {
            state
                .auth
                .send_verification_mail(&user, callback.as_deref())
                .await?;
        }
    }
    tokio::time::sleep_until(started + Duration::from_millis(500)).await;
    Ok(Json(json!({ "status": true })))
}

async fn verify_email(
    State(state): State<AppState>,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, ApiError> {
    if let Some(cb) = &query.callback_url {
        check_redirect("callbackURL", Some(cb), &state.auth.trusted)?;
    }
    let Some(token) = query.token else {
        return Err(AuthError::validation(
            "[query.token] Invalid input: expected string, received undefined",
        )
        .into());
    };
    match (state.auth.verify_email(&token).await, query.callback_url) {
        (Ok(_), Some(cb)) => Ok(redirect(&cb)),
        (Ok(_), None) => Ok(Json(json!({ "status": true, "user": null })).into_response()),
        (Err(e), Some(cb)) if e.code().and_then(Code::wire).is_some() => {
            let code = e.code().and_then(Code::wire).unwrap_or_default();
            Ok(redirect(&with_query(&cb, "error", code)))
        }
        (Err(e), _) => Err(e.into()),
    }
}

// --- JWT plugin ---------------------------------------------------------------------

async fn token(
    State(state): State<AppState>,
    session: CookieSession,
) -> Result<Json<Value>, ApiError> {
    let current = session.require()?;
    let token = state.auth.issue_jwt(&current.user).await?;
    Ok(Json(json!({ "token": token })))
}

async fn jwks(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(match state.auth.jwks().await? {
        Some(doc) => Json(doc).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    })
}

async fn ok() -> Json<Value> {
    Json(json!({ "ok": true }))
}
