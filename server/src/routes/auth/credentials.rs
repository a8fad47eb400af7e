//! Sign-up, sign-in (JSON or an HTML form) and sign-out.

use axum::{
    extract::State,
    http::{header, HeaderMap},
};
use serde_json::json;
use taskdeck::auth::service::{SignIn, SignUp};

use crate::{
    auth::{
        body::AuthBody,
        cookies::{self, cookie_headers},
        extract::Client,
    },
    error::ApiError,
    state::AppState,
};

use super::{redirect_field, Reply};

pub(super) async fn sign_up(
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
    let set = state.auth.session_cookies(&session, &user, remember).await;
    Ok(Reply::json(json!({ "token": session.token, "user": user })).cookies(set))
}

pub(super) async fn sign_in(
    State(state): State<AppState>,
    Client(client): Client,
    headers: HeaderMap,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let callback_url = redirect_field(&state, &body, "callbackURL")?;
    let email = body.string("email")?;
    let password = body.string("password")?;
    let remember = body.opt_bool("rememberMe")?.unwrap_or(true);
    let trust = state.auth.trust_value(cookie_headers(&headers));
    let outcome = state
        .auth
        .sign_in(&email, password, remember, &client, trust.as_deref())
        .await?;
    let set = state.auth.sign_in_cookies(&outcome, remember).await;
    let (session, user) = match outcome {
        SignIn::Done { session, user, .. } => (session, user),
        // Better Auth's twoFactor after-hook: no session, a challenge cookie instead.
        SignIn::SecondFactor { challenge, .. } => {
            return Ok(Reply::json(json!({
                "twoFactorRedirect": true,
                "twoFactorMethods": challenge.methods,
            }))
            .cookies(set));
        }
    };
    let mut body = json!({ "redirect": false, "token": session.token, "user": user });
    let mut reply_headers = Vec::new();
    if let Some(url) = &callback_url {
        body["redirect"] = json!(true);
        body["url"] = json!(url);
        reply_headers.push(url.clone());
    }
    let mut reply = Reply::json(body).cookies(set);
    for url in reply_headers {
        reply = reply.header(header::LOCATION, &url);
    }
    Ok(reply)
}

pub(super) async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    _body: AuthBody,
) -> Result<Reply, ApiError> {
    if let Some(token) = cookies::session_token(&state, &headers) {
        state.auth.sign_out(&token).await?;
    }
    Ok(Reply::json(json!({ "success": true })).cookies(state.auth.ended_session_cookies()))
}
