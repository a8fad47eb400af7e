//! Server-side half of the server functions: reading the session and JWT cookies,
//! issuing and refreshing the JWT, redirects for form posts without JavaScript, and
//! the calls into the core (`taskdeck::auth`, `taskdeck::tasks`).

use std::sync::Arc;

use http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use serde_json::{Map, Value};
use taskdeck::{
    auth::{
        origin::{check_request, RequestOrigin},
        service::SignUp,
        session_cookie::{read_cookie, CookieSettings},
        AuthError, AuthService, ClientInfo, SessionLookup,
    },
    tasks::{self, ListQuery, NewTask, TaskError, TaskPatch},
    Database,
};

use super::types::{Summary, TaskListing, TaskView, Viewer};

/// What the server hands the UI (provided as Leptos context by the server crate).
#[derive(Clone)]
pub struct UiContext {
    pub auth: Arc<AuthService>,
    pub db: Database,
}

/// The server context, after Better Auth's origin check: every server function is a
/// POST, and one that carries cookies must come from a trusted origin (CSRF).
fn ctx() -> Result<UiContext, ServerFnError> {
    let ctx =
        use_context::<UiContext>().ok_or_else(|| ServerFnError::new("server context missing"))?;
    // Server-side rendering calls server functions in-process while answering a GET
    // (no Origin on navigations, and nothing to forge); only real calls are POSTs.
    let parts = use_context::<Parts>();
    let method = parts
        .as_ref()
        .map_or("POST", |p| p.method.as_str())
        .to_string();
    let headers = headers();
    let request = RequestOrigin::from_headers(&method, "/ui", |name| header_text(&headers, name));
    if let Err(error) = check_request(&request, &ctx.auth.trusted) {
        if let Some(response) = use_context::<ResponseOptions>() {
            response.set_status(StatusCode::FORBIDDEN);
        }
        return Err(ServerFnError::new(format!(
            "{}: {error}",
            auth_code(&error)
        )));
    }
    Ok(ctx)
}

fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn headers() -> HeaderMap {
    use_context::<Parts>()
        .map(|p| p.headers)
        .unwrap_or_default()
}

fn cookie_headers(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(String::from))
        .collect()
}

fn settings(auth: &AuthService) -> CookieSettings<'_> {
    CookieSettings {
        secure: auth.config().auth.secure_cookies,
        secret: auth.config().secret_bytes(),
    }
}

fn jwt_cookie_name(auth: &AuthService) -> &'static str {
    if auth.config().auth.secure_cookies {
        "__Secure-taskdeck.jwt"
    } else {
        "taskdeck.jwt"
    }
}

fn set_cookies(cookies: impl IntoIterator<Item = String>) {
    if let Some(response) = use_context::<ResponseOptions>() {
        for c in cookies {
            if let Ok(v) = HeaderValue::from_str(&c) {
                response.append_header(header::SET_COOKIE, v);
            }
        }
    }
}

/// The HttpOnly cookie carrying the UI's JWT (`max_age` 0 deletes it).
fn jwt_cookie_line(auth: &AuthService, value: &str, max_age: u64) -> String {
    let secure = if auth.config().auth.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}={value}; Max-Age={max_age}; Path=/; HttpOnly{secure}; SameSite=Lax",
        jwt_cookie_name(auth)
    )
}

fn jwt_cookie(auth: &AuthService, jwt: &str) -> String {
    jwt_cookie_line(auth, jwt, auth.config().auth.jwt_expires_in.as_secs())
}

fn expired_jwt_cookie(auth: &AuthService) -> String {
    jwt_cookie_line(auth, "", 0)
}

/// A plain browser form post (no JavaScript): answer with redirects, not data.
fn is_form_navigation(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

fn encode(s: &str) -> String {
    taskdeck::auth::cookie::encode_uri_component(s)
}

/// The path (and query) of the page the form was on, from `Referer`.
fn referer_path(headers: &HeaderMap) -> String {
    headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        })
        .unwrap_or_else(|| "/".into())
}

/// Replaces (or adds) `key` in a path's query string.
fn with_param(path: &str, key: &str, value: &str) -> String {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(key))
        .map(String::from)
        .collect();
    pairs.push(format!("{key}={}", encode(value)));
    format!("{base}?{}", pairs.join("&"))
}

/// An error for the caller: without JavaScript, a redirect to `page` with `?error=`.
fn fail(page: Option<&str>, code: &str, message: impl Into<String>) -> ServerFnError {
    let headers = headers();
    if is_form_navigation(&headers) {
        let target = page
            .map(String::from)
            .unwrap_or_else(|| referer_path(&headers));
        leptos_axum::redirect(&with_param(&target, "error", code));
    } else if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(StatusCode::BAD_REQUEST);
    }
    // "CODE: message": the page shows the code's words (see `api::error_parts`).
    ServerFnError::new(format!("{code}: {}", message.into()))
}

fn auth_code(error: &AuthError) -> &'static str {
    match error {
        AuthError::Api {
            code: Some(code), ..
        } => code,
        AuthError::Api { code: None, .. } => "REQUEST_FAILED",
        _ => "INTERNAL_SERVER_ERROR",
    }
}

fn client_info(headers: &HeaderMap, auth: &AuthService) -> ClientInfo {
    let forwarded = auth
        .config()
        .auth
        .trust_forwarded_for
        .then(|| {
            headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(|v| v.trim().to_string())
        })
        .flatten();
    ClientInfo {
        ip: forwarded.or_else(|| Some("127.0.0.1".into())),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(String::from),
    }
}

/// Better Auth's origin / CSRF check and rate limit, as the REST auth routes have them.
async fn guard(auth: &AuthService, headers: &HeaderMap, path: &str) -> Result<(), ServerFnError> {
    let request = RequestOrigin::from_headers("POST", path, |name| header_text(headers, name));
    if let Err(error) = check_request(&request, &auth.trusted) {
        return Err(fail(None, auth_code(&error), error.to_string()));
    }
    if let Some(limiter) = &auth.rate_limiter {
        let ip = client_info(headers, auth).ip.unwrap_or_default();
        let now = chrono::Utc::now().timestamp_millis();
        match limiter.check(&ip, path, now).await {
            Ok(Ok(())) => {}
            Ok(Err(retry)) => {
                return Err(fail(
                    None,
                    "TOO_MANY_REQUESTS",
                    format!("Too many attempts. Try again in {} seconds.", retry.0),
                ))
            }
            Err(error) => return Err(ServerFnError::new(error.to_string())),
        }
    }
    Ok(())
}

/// Only same-site paths are followed after sign-in.
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\"))
        .unwrap_or_else(|| "/".into())
}

// --- session --------------------------------------------------------------------------

pub async fn viewer() -> Result<Option<Viewer>, ServerFnError> {
    let ctx = ctx()?;
    let headers = headers();
    let cookies = cookie_headers(&headers);
    let settings = settings(&ctx.auth);
    let Some(token) = settings.session_token(cookies.iter().map(String::as_str)) else {
        return Ok(None);
    };
    let dont_remember = settings.dont_remember(cookies.iter().map(String::as_str));
    match ctx.auth.lookup_session(&token, dont_remember).await? {
        SessionLookup::Active {
            session,
            user,
            refreshed,
        } => {
            if refreshed {
                set_cookies(settings.session(&session.token, true));
            }
            Ok(Some(Viewer {
                id: user.id.clone(),
                name: user.name.clone(),
                email: user.email.clone(),
            }))
        }
        _ => {
            // A dead session: forget its cookies, and the JWT minted from it.
            let mut expired = settings.expired();
            expired.push(expired_jwt_cookie(&ctx.auth));
            set_cookies(expired);
            Ok(None)
        }
    }
}

/// The caller's user id, from a verified JWT (header, cookie, or freshly issued from a
/// live session). 401 otherwise; a form post without JavaScript goes to sign-in.
async fn require_user(ctx: &UiContext) -> Result<String, ServerFnError> {
    let headers = headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if let Some(token) = bearer {
        return match ctx.auth.verify_jwt(token).await {
            Ok(claims) => Ok(claims.sub),
            Err(_) => Err(unauthorized(&headers)),
        };
    }
    let cookies = cookie_headers(&headers);
    if let Some(jwt) = read_cookie(
        cookies.iter().map(String::as_str),
        jwt_cookie_name(&ctx.auth),
    ) {
        if let Ok(claims) = ctx.auth.verify_jwt(jwt).await {
            return Ok(claims.sub);
        }
    }
    // No usable JWT: mint one from the session, if there is a live one.
    let settings = settings(&ctx.auth);
    if let Some(token) = settings.session_token(cookies.iter().map(String::as_str)) {
        if let SessionLookup::Active { user, .. } = ctx.auth.lookup_session(&token, true).await? {
            let jwt = ctx.auth.issue_jwt(&user).await?;
            let claims = ctx
                .auth
                .verify_jwt(&jwt)
                .await
                .map_err(|e| ServerFnError::new(e.to_string()))?;
            set_cookies([jwt_cookie(&ctx.auth, &jwt)]);
            return Ok(claims.sub);
        }
    }
    Err(unauthorized(&headers))
}

fn unauthorized(headers: &HeaderMap) -> ServerFnError {
    if is_form_navigation(headers) {
        let back = referer_path(headers);
        leptos_axum::redirect(&format!("/sign-in?next={}", encode(&back)));
    } else if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(StatusCode::UNAUTHORIZED);
    }
    ServerFnError::new("UNAUTHORIZED")
}

fn establish(ctx: &UiContext, token: &str, remember: bool, jwt: Option<String>) {
    let mut cookies = settings(&ctx.auth).session(token, remember);
    if let Some(jwt) = jwt {
        cookies.push(jwt_cookie(&ctx.auth, &jwt));
    }
    set_cookies(cookies);
}

pub async fn sign_in(
    email: String,
    password: String,
    remember: bool,
    next: Option<String>,
) -> Result<(), ServerFnError> {
    let ctx = ctx()?;
    let headers = headers();
    let next = safe_next(next);
    let form = format!("/sign-in?email={}&next={}", encode(&email), encode(&next));
    guard(&ctx.auth, &headers, "/sign-in/email").await?;
    let client = client_info(&headers, &ctx.auth);
    match ctx.auth.sign_in(&email, password, remember, &client).await {
        Ok((session, user)) => {
            let jwt = ctx.auth.issue_jwt(&user).await.ok();
            establish(&ctx, &session.token, remember, jwt);
            leptos_axum::redirect(&next);
            Ok(())
        }
        Err(error) => Err(fail(Some(&form), auth_code(&error), error.to_string())),
    }
}

pub async fn sign_up(
    name: String,
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), ServerFnError> {
    let ctx = ctx()?;
    let headers = headers();
    let next = safe_next(next);
    let form = format!(
        "/sign-up?name={}&email={}&next={}",
        encode(&name),
        encode(&email),
        encode(&next)
    );
    guard(&ctx.auth, &headers, "/sign-up/email").await?;
    if name.trim().is_empty() {
        return Err(fail(
            Some(&form),
            "NAME_REQUIRED",
            "Please tell us your name.",
        ));
    }
    let client = client_info(&headers, &ctx.auth);
    let input = SignUp {
        name: name.trim().to_string(),
        email,
        password,
        image: None,
        remember_me: true,
        callback_url: None,
    };
    match ctx.auth.sign_up(input, &client).await {
        Ok((session, user)) => {
            let jwt = ctx.auth.issue_jwt(&user).await.ok();
            establish(&ctx, &session.token, true, jwt);
            leptos_axum::redirect(&next);
            Ok(())
        }
        Err(error) => Err(fail(Some(&form), auth_code(&error), error.to_string())),
    }
}

pub async fn sign_out() -> Result<(), ServerFnError> {
    let ctx = ctx()?;
    let headers = headers();
    guard(&ctx.auth, &headers, "/sign-out").await?;
    let cookies = cookie_headers(&headers);
    let settings = settings(&ctx.auth);
    if let Some(token) = settings.session_token(cookies.iter().map(String::as_str)) {
        ctx.auth.sign_out(&token).await?;
    }
    let mut expired = settings.expired();
    expired.push(expired_jwt_cookie(&ctx.auth));
    set_cookies(expired);
    leptos_axum::redirect("/");
    Ok(())
}

// --- tasks ----------------------------------------------------------------------------

fn task_error(error: TaskError) -> ServerFnError {
    match error {
        TaskError::NotFound => fail(None, "NOT_FOUND", "That task no longer exists."),
        TaskError::Invalid(fields) => fail(None, "VALIDATION_ERROR", fields.summary()),
        TaskError::UnknownUser => unauthorized(&headers()),
        TaskError::Storage(e) => {
            leptos::logging::error!("task storage error: {e}");
            ServerFnError::new("Something went wrong on our side. Please try again.")
        }
    }
}

/// A form field left empty means "none" (`null`) to the core's validators.
fn blank_to_null(value: String) -> Value {
    if value.trim().is_empty() {
        Value::Null
    } else {
        Value::String(value)
    }
}

/// Builds the JSON object the core validates from form fields (empty means absent).
fn form_fields(
    title: Option<String>,
    description: Option<String>,
    priority: Option<String>,
    tags: Option<String>,
    due_date: Option<String>,
) -> Map<String, Value> {
    let mut map = Map::new();
    if let Some(t) = title {
        map.insert("title".into(), Value::String(t));
    }
    if let Some(d) = description {
        map.insert("description".into(), blank_to_null(d));
    }
    if let Some(p) = priority.filter(|p| !p.is_empty()) {
        map.insert("priority".into(), Value::String(p));
    }
    if let Some(t) = tags {
        let list: Vec<Value> = t
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_string()))
            .collect();
        map.insert("tags".into(), Value::Array(list));
    }
    if let Some(d) = due_date {
        map.insert("due_date".into(), blank_to_null(d));
    }
    map
}

#[allow(clippy::too_many_arguments)]
pub async fn list_tasks(
    status: Option<String>,
    sort: Option<String>,
    order: Option<String>,
    q: Option<String>,
    tag: Option<String>,
    priority: Option<String>,
    limit: Option<i64>,
) -> Result<TaskListing, ServerFnError> {
    let ctx = ctx()?;
    let user = require_user(&ctx).await?;
    let limit = limit.map(|l| l.to_string());
    let pairs = [
        ("status", status),
        ("sort", sort),
        ("order", order),
        ("q", q),
        ("tag", tag),
        ("priority", priority),
        ("limit", limit),
    ];
    let query = ListQuery::from_pairs(
        pairs
            .iter()
            .filter_map(|(k, v)| v.as_deref().map(|v| (*k, v))),
    )
    .unwrap_or_default();
    let page = tasks::list(&ctx.db, &user, &query)
        .await
        .map_err(task_error)?;
    Ok(TaskListing {
        tasks: page.tasks.into_iter().map(TaskView::from).collect(),
        total: page.total,
        limit: page.limit,
        today: chrono::Utc::now().date_naive().to_string(),
    })
}

pub async fn summary() -> Result<Summary, ServerFnError> {
    let ctx = ctx()?;
    let user = require_user(&ctx).await?;
    let s = tasks::summary(&ctx.db, &user).await.map_err(task_error)?;
    Ok(Summary {
        all: s.all,
        pending: s.pending,
        completed: s.completed,
    })
}

pub async fn create_task(
    title: String,
    description: Option<String>,
    priority: Option<String>,
    tags: Option<String>,
    due_date: Option<String>,
) -> Result<TaskView, ServerFnError> {
    let ctx = ctx()?;
    let user = require_user(&ctx).await?;
    let fields = form_fields(Some(title), description, priority, tags, due_date);
    let new = NewTask::from_json(&fields).map_err(|e| task_error(TaskError::Invalid(e)))?;
    let task = tasks::create(&ctx.db, &user, new)
        .await
        .map_err(task_error)?;
    Ok(task.into())
}

pub async fn toggle_task(id: i64) -> Result<TaskView, ServerFnError> {
    let ctx = ctx()?;
    let user = require_user(&ctx).await?;
    Ok(tasks::toggle(&ctx.db, &user, id)
        .await
        .map_err(task_error)?
        .into())
}

pub async fn update_task(
    id: i64,
    title: String,
    description: Option<String>,
    priority: Option<String>,
    tags: Option<String>,
    due_date: Option<String>,
) -> Result<TaskView, ServerFnError> {
    let ctx = ctx()?;
    let user = require_user(&ctx).await?;
    // The edit form always sends every field; an empty one (which may arrive as
    // absent) means "clear it".
    let fields = form_fields(
        Some(title),
        Some(description.unwrap_or_default()),
        priority,
        Some(tags.unwrap_or_default()),
        Some(due_date.unwrap_or_default()),
    );
    let patch = TaskPatch::from_json(&fields).map_err(|e| task_error(TaskError::Invalid(e)))?;
    Ok(tasks::update(&ctx.db, &user, id, patch)
        .await
        .map_err(task_error)?
        .into())
}

pub async fn delete_task(id: i64) -> Result<(), ServerFnError> {
    let ctx = ctx()?;
    let user = require_user(&ctx).await?;
    tasks::delete(&ctx.db, &user, id).await.map_err(task_error)
}

// --- account --------------------------------------------------------------------------

/// The live session named by the session cookie, or 401 (sign-in for form posts).
async fn require_session(
    ctx: &UiContext,
) -> Result<taskdeck::auth::SessionWithUser, ServerFnError> {
    let headers = headers();
    let cookies = cookie_headers(&headers);
    let settings = settings(&ctx.auth);
    if let Some(token) = settings.session_token(cookies.iter().map(String::as_str)) {
        let dont_remember = settings.dont_remember(cookies.iter().map(String::as_str));
        if let SessionLookup::Active { session, user, .. } =
            ctx.auth.lookup_session(&token, dont_remember).await?
        {
            return Ok(taskdeck::auth::SessionWithUser {
                session: *session,
                user: *user,
            });
        }
    }
    Err(unauthorized(&headers))
}

/// After a successful form post without JavaScript, go to `to`.
fn done(to: &str) {
    if is_form_navigation(&headers()) {
        leptos_axum::redirect(to);
    }
}

pub async fn account() -> Result<super::types::Account, ServerFnError> {
    let ctx = ctx()?;
    let current = require_session(&ctx).await?;
    let sessions = ctx.auth.list_sessions(&current.user.id).await?;
    Ok(super::types::Account {
        name: current.user.name.clone(),
        email: current.user.email.clone(),
        email_verified: current.user.email_verified,
        sessions: sessions
            .into_iter()
            .rev()
            .map(|s| super::types::SessionInfo {
                current: s.id == current.session.id,
                device: super::types::describe_user_agent(s.user_agent.as_deref().unwrap_or("")),
                ip: s
                    .ip_address
                    .clone()
                    .filter(|i| !i.is_empty())
                    .unwrap_or_else(|| "unknown".into()),
                last_seen: s.updated_at.to_iso(),
                id: s.id,
            })
            .collect(),
    })
}

pub async fn update_name(name: String) -> Result<(), ServerFnError> {
    let ctx = ctx()?;
    let current = require_session(&ctx).await?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(fail(
            None,
            "NAME_REQUIRED",
            "Please enter a name of 1 to 100 characters.",
        ));
    }
    ctx.auth
        .update_user(&current.user.id, Some(name), None)
        .await?;
    done("/settings?done=name");
    Ok(())
}

pub async fn change_password(
    current_password: String,
    new_password: String,
    revoke_others: bool,
) -> Result<(), ServerFnError> {
    let ctx = ctx()?;
    let headers = headers();
    guard(&ctx.auth, &headers, "/change-password").await?;
    let current = require_session(&ctx).await?;
    let client = client_info(&headers, &ctx.auth);
    match ctx
        .auth
        .change_password(
            &current,
            current_password,
            new_password,
            revoke_others,
            &client,
        )
        .await
    {
        Ok(new_session) => {
            if let Some(s) = new_session {
                establish(&ctx, &s.token, true, None);
            }
            done("/settings?done=password");
            Ok(())
        }
        Err(error) => Err(fail(None, auth_code(&error), error.to_string())),
    }
}

pub async fn revoke_session(id: String) -> Result<(), ServerFnError> {
    let ctx = ctx()?;
    let current = require_session(&ctx).await?;
    ctx.auth.revoke_session_by_id(&current.user.id, &id).await?;
    Ok(())
}

pub async fn revoke_other_sessions() -> Result<(), ServerFnError> {
    let ctx = ctx()?;
    let current = require_session(&ctx).await?;
    ctx.auth
        .revoke_sessions(&current.user.id, Some(&current.session.token))
        .await?;
    Ok(())
}

pub async fn delete_account(password: String) -> Result<(), ServerFnError> {
    let ctx = ctx()?;
    let headers = headers();
    guard(&ctx.auth, &headers, "/delete-user").await?;
    let current = require_session(&ctx).await?;
    match ctx.auth.delete_user(&current, Some(password)).await {
        Ok(()) => {
            let mut expired = settings(&ctx.auth).expired();
            expired.push(expired_jwt_cookie(&ctx.auth));
            set_cookies(expired);
            // With JavaScript the page reloads itself (the whole UI changes).
            done("/?deleted=1");
            Ok(())
        }
        Err(error) => Err(fail(None, auth_code(&error), error.to_string())),
    }
}

pub async fn request_password_reset(email: String) -> Result<(), ServerFnError> {
    let ctx = ctx()?;
    let headers = headers();
    guard(&ctx.auth, &headers, "/request-password-reset").await?;
    if !taskdeck::auth::service::is_valid_email(email.trim()) {
        return Err(fail(
            None,
            "INVALID_EMAIL",
            "That doesn't look like an e-mail address.",
        ));
    }
    ctx.auth
        .request_password_reset(&email, Some("/reset-password"))
        .await?;
    done("/forgot-password?sent=1");
    Ok(())
}

pub async fn reset_password(token: String, password: String) -> Result<(), ServerFnError> {
    let ctx = ctx()?;
    let form = format!("/reset-password?token={}", encode(&token));
    match ctx.auth.reset_password(&token, password).await {
        Ok(()) => {
            leptos_axum::redirect("/sign-in?reset=1");
            Ok(())
        }
        Err(error) => Err(fail(Some(&form), auth_code(&error), error.to_string())),
    }
}
