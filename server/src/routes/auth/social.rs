//! Sign-in with other accounts, on Better Auth's wire: `sign-in/social` answers the
//! provider's authorization URL (`{url, redirect}` and `Location`) with the state
//! cookie; `callback/:id` finishes (a POST, a provider's `form_post`, is sent on to the
//! GET with the same parameters, as Better Auth does: it comes cross-site without
//! cookies); `list-accounts` and `unlink-account` manage them. `/error` is where a
//! failed sign-in lands without an `errorCallbackURL`: the sign-in page, which says
//! what went wrong in words.

use axum::{
    extract::{Path, Query, RawQuery, State},
    http::{header, HeaderMap},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Value};
use taskdeck::auth::{
    service::{AccountWithTokens, Callback, CallbackParams, IdTokenSignIn, SocialStart},
    AuthError,
};

use crate::{
    auth::{body::AuthBody, cookies::cookie_headers, extract::Client, CookieSession},
    error::ApiError,
    state::AppState,
};

use super::{redirect, redirect_field, sessions::fresh, with_query, Reply};

/// The callback's parameters that are passed on (Better Auth's schema; others dropped).
const CALLBACK_PARAMS: [&str; 5] = ["code", "state", "error", "error_description", "iss"];

pub(super) async fn sign_in_social(
    State(state): State<AppState>,
    Client(client): Client,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let start = social_start(&state, &body)?;
    match id_token_sign_in(&body, &start.provider)? {
        Some(ask) => {
            let (session, user) = state.auth.sign_in_with_id_token(ask, &client).await?;
            let set = state.auth.session_cookies(&session, &user, true).await;
            let body = json!({ "redirect": false, "token": session.token, "user": user });
            Ok(Reply::json(body).cookies(set))
        }
        None => started(&state, &body, start).await,
    }
}

/// The `idToken` object of `sign-in/social`, when one is sent: `{token, nonce?,
/// accessToken?, refreshToken?, user?}` (the refresh token and user are not kept, as
/// in Better Auth).
fn id_token_sign_in(body: &AuthBody, provider: &str) -> Result<Option<IdTokenSignIn>, AuthError> {
    let invalid = |what: &str| AuthError::validation(format!("[body.idToken{what}] Invalid input"));
    let fields = match body.0.get("idToken") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(fields)) => AuthBody(fields.clone()),
        Some(_) => return Err(invalid("")),
    };
    Ok(Some(IdTokenSignIn {
        provider: provider.to_string(),
        token: fields.string("token").map_err(|_| invalid(".token"))?,
        nonce: fields.opt_string("nonce").map_err(|_| invalid(".nonce"))?,
        access_token: fields
            .opt_string("accessToken")
            .map_err(|_| invalid(".accessToken"))?,
    }))
}

/// `link-social`: the same start, for the signed-in user; the callback adds the
/// provider's account to theirs instead of signing anyone in.
pub(super) async fn link_social(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Reply, ApiError> {
    let current = session.require()?;
    let mut start = social_start(&state, &body)?;
    start.link = Some((current.user.id.clone(), current.user.email.clone()));
    started(&state, &body, start).await
}

/// `{url, redirect}`, `Location` unless `disableRedirect`, and the state cookie.
async fn started(state: &AppState, body: &AuthBody, start: SocialStart) -> Result<Reply, ApiError> {
    let follow = !body.opt_bool("disableRedirect")?.unwrap_or(false);
    let (url, cookie) = state.auth.start_social_sign_in(start).await?;
    let mut reply = Reply::json(json!({ "url": url, "redirect": follow })).cookies(vec![cookie]);
    if follow {
        reply = reply.header(header::LOCATION, &url);
    }
    Ok(reply)
}

/// The body both starts take (Better Auth's fields; URLs checked as redirect targets).
fn social_start(state: &AppState, body: &AuthBody) -> Result<SocialStart, ApiError> {
    let provider = body.string("provider")?;
    let scopes = match body.0.get("scopes") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|s| s.as_str().map(String::from))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                AuthError::validation("[body.scopes] Invalid input: expected array of strings")
            })?,
        Some(_) => {
            return Err(AuthError::validation(
                "[body.scopes] Invalid input: expected array of strings",
            )
            .into())
        }
    };
    Ok(SocialStart {
        provider,
        callback_url: redirect_field(state, body, "callbackURL")?,
        error_url: redirect_field(state, body, "errorCallbackURL")?,
        new_user_url: redirect_field(state, body, "newUserCallbackURL")?,
        scopes,
        login_hint: body.opt_string("loginHint")?,
        request_sign_up: body.opt_bool("requestSignUp")?,
        link: None,
    })
}

pub(super) async fn callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Client(client): Client,
    session: CookieSession,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Result<Response, ApiError> {
    let cookie = state.auth.oauth_state_value(cookie_headers(&headers));
    let signed_in = session.current.as_ref().map(|c| c.user.id.as_str());
    let outcome = state
        .auth
        .social_callback(&provider, params, cookie, signed_in, &client)
        .await?;
    let ended = state.auth.ended_oauth_state_cookie();
    Ok(match outcome {
        Callback::SignedIn { session, user, to } => {
            let mut set = vec![ended];
            set.extend(state.auth.session_cookies(&session, &user, true).await);
            with_cookies(redirect(&to), set)
        }
        Callback::Linked { to } => with_cookies(redirect(&to), vec![ended]),
        Callback::Failed {
            to,
            error,
            description,
        } => {
            let mut to = with_query(&to, "error", &error);
            if let Some(description) = description {
                to = with_query(&to, "error_description", &description);
            }
            with_cookies(redirect(&to), vec![ended])
        }
    })
}

fn with_cookies(mut response: Response, cookies: Vec<String>) -> Response {
    for cookie in crate::auth::cookies::header_values(cookies) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// A provider's `form_post` answer: on to the GET callback with the same parameters
/// (the query's win), so that the browser comes back with its cookies.
pub(super) async fn callback_post(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let pairs = |text: &[u8]| -> Vec<(String, String)> {
        url::form_urlencoded::parse(text).into_owned().collect()
    };
    let query = pairs(query.unwrap_or_default().as_bytes());
    // Providers post a form (`form_post`); a JSON body is read too, as Better Auth does.
    let json = crate::auth::body::media_type(&headers).as_deref() == Some("application/json");
    let body: Vec<(String, String)> = if json {
        serde_json::from_slice::<serde_json::Map<String, Value>>(&body)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k, v.to_string())))
            .collect()
    } else {
        pairs(&body)
    };
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for name in CALLBACK_PARAMS {
        let find = |list: &[(String, String)]| {
            list.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        };
        if let Some(value) = find(&query).or_else(|| find(&body)) {
            out.append_pair(name, &value);
        }
    }
    let target = format!(
        "{}/api/auth/callback/{}?{}",
        state.config.base_origin(),
        taskdeck::auth::cookie::encode_uri_component(&provider),
        out.finish()
    );
    redirect(&target)
}

/// Where a failed sign-in lands by default: the sign-in page, with its `?error=`.
pub(super) async fn error_page(RawQuery(query): RawQuery) -> Response {
    match query.filter(|q| !q.is_empty()) {
        Some(q) => redirect(&format!("/sign-in?{q}")),
        None => redirect("/sign-in"),
    }
    .into_response()
}

pub(super) async fn list_accounts(
    State(state): State<AppState>,
    session: CookieSession,
) -> Result<Json<Value>, ApiError> {
    let current = session.require()?;
    let accounts = state.auth.list_accounts(&current.user.id).await?;
    let out: Vec<Value> = accounts
        .into_iter()
        .map(|a| {
            let scopes = scopes(a.scope.as_deref());
            json!({
                "id": a.id,
                "providerId": a.provider_id,
                "accountId": a.account_id,
                "userId": a.user_id,
                "scopes": scopes,
                "createdAt": a.created_at,
                "updatedAt": a.updated_at,
            })
        })
        .collect();
    Ok(Json(Value::Array(out)))
}

pub(super) async fn unlink_account(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Json<Value>, ApiError> {
    let current = session.require()?;
    fresh(current)?;
    let id = body.string("accountId")?;
    state.auth.unlink_account(&current.user.id, &id).await?;
    Ok(Json(json!({ "status": true })))
}

/// `get-access-token`: a valid access token for one of the user's accounts (refreshed
/// first when it is about to run out).
pub(super) async fn get_access_token(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Json<Value>, ApiError> {
    let account = account_tokens(&state, &session, &body, false).await?;
    let mut out = json!({
        "accessToken": account.access_token.clone().unwrap_or_default(),
        "scopes": scopes(account.scope.as_deref()),
    });
    let expires = &account.access_token_expires_at;
    optional(&mut out, "accessTokenExpiresAt", expires);
    optional(&mut out, "idToken", &account.id_token);
    Ok(Json(out))
}

/// `refresh-token`: new tokens from the provider for one of the user's accounts.
pub(super) async fn refresh_token(
    State(state): State<AppState>,
    session: CookieSession,
    body: AuthBody,
) -> Result<Json<Value>, ApiError> {
    let account = account_tokens(&state, &session, &body, true).await?;
    let mut out = json!({
        "accessToken": account.access_token,
        "refreshToken": account.refresh_token,
        "providerId": account.provider_id,
        "accountId": account.id,
    });
    let expires = &account.access_token_expires_at;
    optional(&mut out, "accessTokenExpiresAt", expires);
    optional(
        &mut out,
        "refreshTokenExpiresAt",
        &account.refresh_token_expires_at,
    );
    optional(&mut out, "scope", &account.scope);
    optional(&mut out, "idToken", &account.id_token);
    Ok(Json(out))
}

/// `account-info?accountId=`: what the provider says about the user now.
pub(super) async fn account_info(
    State(state): State<AppState>,
    session: CookieSession,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let current = session.require()?;
    let Some(id) = query.get("accountId") else {
        return Err(AuthError::validation(
            "[query.accountId] Invalid input: expected string, received undefined",
        )
        .into());
    };
    let (account, who, data) = state
        .auth
        .provider_account_info(&current.user.id, id)
        .await?;
    let mut user = json!({
        "id": who.subject,
        "name": who.name,
        "email": who.email,
        "emailVerified": who.email_verified,
    });
    optional(&mut user, "image", &who.image);
    Ok(Json(json!({
        "user": user,
        "data": data,
        "account": {
            "id": account.id,
            "providerId": account.provider_id,
            "accountId": account.account_id,
        },
    })))
}

/// The signed-in user's account `accountId` with its tokens: as kept (renewed if about
/// to run out), or freshly `refresh`ed.
async fn account_tokens(
    state: &AppState,
    session: &CookieSession,
    body: &AuthBody,
    refresh: bool,
) -> Result<AccountWithTokens, ApiError> {
    let current = session.require()?;
    let (user, id) = (&current.user.id, body.string("accountId")?);
    Ok(if refresh {
        state.auth.refresh_provider_token(user, &id).await?
    } else {
        state.auth.provider_access_token(user, &id).await?
    })
}

/// Sets `key` when there is a value (Better Auth leaves `undefined` ones out).
fn optional<T: serde::Serialize>(out: &mut Value, key: &str, value: &Option<T>) {
    if let Some(value) = value {
        out[key] = json!(value);
    }
}

/// A stored scope list (comma-separated, as Better Auth joins them) as an array.
fn scopes(stored: Option<&str>) -> Vec<String> {
    stored
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}
