//! Server-side half of the server functions: the request's identity through the
//! core's one path (`taskdeck::auth::request`: client address, guard, caller), the UI
//! door's cookies, redirects for form posts without JavaScript, and the calls into the
//! core (`taskdeck::auth`, `taskdeck::tasks`). Failures become [`UiError`]s through
//! the core's `Problem` table, like the REST door's responses.

use std::sync::Arc;

use http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use serde_json::{Map, Value};
use taskdeck::{
    auth::{service::SignUp, AuthError, AuthService, CallerError, ClientInfo, Incoming},
    problem::{Code, Problem},
    tasks::{self, ListQuery, NewTask, TaskError, TaskPatch},
    Database,
};

use super::{
    error::UiError,
    types::{Summary, TaskListing, TaskView, Viewer},
};

/// What the server hands the UI (provided as Leptos context by the server crate).
#[derive(Clone)]
pub struct UiContext {
    pub auth: Arc<AuthService>,
    pub db: Database,
}

/// One server-function call: the server context and the request it answers.
struct Call {
    auth: Arc<AuthService>,
    db: Database,
    parts: Parts,
}

impl Call {
    /// Enters a call after the core's guard: for an auth action named by its Better
    /// Auth `path` (`/sign-in/email`), the rate limit then the origin check, exactly as
    /// the REST door runs them; for anything else the origin check alone (every
    /// server function is a POST, and one carrying cookies must come from a trusted
    /// origin). Server-side rendering calls server functions in-process while answering
    /// a GET (no Origin on navigations, nothing to forge): the check lets GETs pass.
    async fn enter(auth_path: Option<&str>) -> Result<Self, UiError> {
        // Both are always provided by the server; without them, fail closed.
        let (Some(ctx), Some(parts)) = (use_context::<UiContext>(), use_context::<Parts>()) else {
            return Err(Problem::internal(&"server function context missing").into());
        };
        let call = Self {
            auth: ctx.auth,
            db: ctx.db,
            parts,
        };
        let verdict = match auth_path {
            Some(path) => call.auth.guard(&call.incoming(), path).await,
            None => call.auth.check_origin(&call.incoming(), "/ui"),
        };
        verdict.map_err(|e| fail(None, &e))?;
        Ok(call)
    }

    fn incoming(&self) -> Incoming<'_> {
        Incoming::new(
            &self.parts.method,
            &self.parts.headers,
            &self.parts.extensions,
        )
    }

    fn client(&self) -> ClientInfo {
        self.auth.client_info(&self.incoming())
    }

    /// The caller's user id (bearer JWT → the JWT cookie bound to the live session →
    /// a JWT minted from that session, then set as the cookie). 401 otherwise; a form
    /// post without JavaScript goes to sign-in.
    async fn user(&self) -> Result<String, UiError> {
        match self.auth.ui_caller(&self.incoming()).await {
            Ok(caller) => {
                if let Some(jwt) = &caller.minted_jwt {
                    set_cookies([self.jwt_cookie(jwt)]);
                }
                Ok(caller.user_id)
            }
            Err(CallerError::Auth(error)) => Err(fail(None, &error)),
            Err(error) => Err(unauthorized(&Problem::from(&error))),
        }
    }

    /// The live session named by the session cookie, or 401 (sign-in for form posts).
    async fn session(&self) -> Result<taskdeck::auth::SessionWithUser, UiError> {
        let found = self
            .auth
            .cookie_session(&self.incoming(), false)
            .await
            .map_err(|e| fail(None, &e))?;
        let current = found
            .current
            .ok_or_else(|| unauthorized(&Problem::from(&AuthError::unauthorized())))?;
        if found.refreshed {
            let settings = self.auth.cookie_settings();
            set_cookies(settings.session(&current.session.token, !found.dont_remember));
        }
        Ok(current)
    }

    fn jwt_cookie(&self, jwt: &str) -> String {
        let max_age = self.auth.config().auth.jwt_expires_in.as_secs();
        self.auth.cookie_settings().jwt(jwt, max_age)
    }

    /// Sets the session cookies (and the JWT bound to that session) after sign-in.
    async fn establish(&self, token: &str, remember: bool, user: &taskdeck::auth::User) {
        let mut cookies = self.auth.cookie_settings().session(token, remember);
        if let Ok(jwt) = self.auth.issue_session_jwt(user, token).await {
            cookies.push(self.jwt_cookie(&jwt));
        }
        set_cookies(cookies);
    }

    /// Where to go after signing in: a path on this site, or `/`.
    fn safe_next(&self, next: Option<String>) -> String {
        next.and_then(|n| self.auth.trusted.local_path(&n))
            .unwrap_or_else(|| "/".into())
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

fn request_headers() -> HeaderMap {
    use_context::<Parts>()
        .map(|p| p.headers)
        .unwrap_or_default()
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

/// A failure as the caller sees it, with the status and words of the core's table;
/// without JavaScript, a redirect back to `page` (default: the form's page) with
/// `?error=CODE`, which the page renders in words.
fn fail(page: Option<&str>, error: impl Into<Problem>) -> UiError {
    let problem: Problem = error.into();
    let headers = request_headers();
    if is_form_navigation(&headers) {
        let target = page
            .map(String::from)
            .unwrap_or_else(|| referer_path(&headers));
        leptos_axum::redirect(&with_param(&target, "error", problem.code_or_default()));
    } else if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    problem.into()
}

/// A 401: without JavaScript, off to sign-in and back to the form's page afterwards.
fn unauthorized(problem: &Problem) -> UiError {
    let headers = request_headers();
    if is_form_navigation(&headers) {
        let back = referer_path(&headers);
        leptos_axum::redirect(&format!("/sign-in?next={}", encode(&back)));
    } else if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(StatusCode::UNAUTHORIZED);
    }
    UiError {
        status: 401,
        code: "UNAUTHORIZED".into(),
        message: problem.message.clone(),
    }
}

/// A form-level validation failure of the UI's own (a field the core does not see).
fn invalid(page: Option<&str>, code: Code) -> UiError {
    fail(page, &AuthError::from(code))
}

// --- session --------------------------------------------------------------------------

pub async fn viewer() -> Result<Option<Viewer>, UiError> {
    let call = Call::enter(None).await?;
    let found = call
        .auth
        .cookie_session(&call.incoming(), false)
        .await
        .map_err(|e| fail(None, &e))?;
    let settings = call.auth.cookie_settings();
    match found.current {
        Some(current) => {
            if found.refreshed {
                set_cookies(settings.session(&current.session.token, true));
            }
            Ok(Some(Viewer {
                id: current.user.id,
                name: current.user.name,
                email: current.user.email,
            }))
        }
        None => {
            if found.stale {
                // A dead session: forget its cookies, and the JWT minted from it.
                set_cookies(settings.expired());
            }
            Ok(None)
        }
    }
}

pub async fn sign_in(
    email: String,
    password: String,
    remember: bool,
    next: Option<String>,
) -> Result<(), UiError> {
    let call = Call::enter(Some("/sign-in/email")).await?;
    let next = call.safe_next(next);
    let form = format!("/sign-in?email={}&next={}", encode(&email), encode(&next));
    match call
        .auth
        .sign_in(&email, password, remember, &call.client())
        .await
    {
        Ok((session, user)) => {
            call.establish(&session.token, remember, &user).await;
            leptos_axum::redirect(&next);
            Ok(())
        }
        Err(error) => Err(fail(Some(&form), &error)),
    }
}

pub async fn sign_up(
    name: String,
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), UiError> {
    let call = Call::enter(Some("/sign-up/email")).await?;
    let next = call.safe_next(next);
    let form = format!(
        "/sign-up?name={}&email={}&next={}",
        encode(&name),
        encode(&email),
        encode(&next)
    );
    if name.trim().is_empty() {
        return Err(invalid(Some(&form), Code::NameRequired));
    }
    let input = SignUp {
        name: name.trim().to_string(),
        email,
        password,
        image: None,
        remember_me: true,
        callback_url: None,
    };
    match call.auth.sign_up(input, &call.client()).await {
        Ok((session, user)) => {
            call.establish(&session.token, true, &user).await;
            leptos_axum::redirect(&next);
            Ok(())
        }
        Err(error) => Err(fail(Some(&form), &error)),
    }
}

pub async fn sign_out() -> Result<(), UiError> {
    let call = Call::enter(Some("/sign-out")).await?;
    let settings = call.auth.cookie_settings();
    if let Some(token) = settings.session_token(call.incoming().cookies()) {
        call.auth
            .sign_out(&token)
            .await
            .map_err(|e| fail(None, &e))?;
    }
    set_cookies(settings.expired());
    leptos_axum::redirect("/");
    Ok(())
}

// --- tasks ----------------------------------------------------------------------------

fn task_error(error: TaskError) -> UiError {
    match error {
        TaskError::UnknownUser => unauthorized(&Problem::from(&error)),
        error => fail(None, &error),
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
) -> Result<TaskListing, UiError> {
    let call = Call::enter(None).await?;
    let user = call.user().await?;
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
    let page = tasks::list(&call.db, &user, &query)
        .await
        .map_err(task_error)?;
    Ok(TaskListing {
        tasks: page.tasks.into_iter().map(TaskView::from).collect(),
        total: page.total,
        limit: page.limit,
        today: chrono::Utc::now().date_naive().to_string(),
    })
}

pub async fn summary() -> Result<Summary, UiError> {
    let call = Call::enter(None).await?;
    let user = call.user().await?;
    let s = tasks::summary(&call.db, &user).await.map_err(task_error)?;
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
) -> Result<TaskView, UiError> {
    let call = Call::enter(None).await?;
    let user = call.user().await?;
    let fields = form_fields(Some(title), description, priority, tags, due_date);
    let new = NewTask::from_json(&fields).map_err(|e| task_error(TaskError::Invalid(e)))?;
    let task = tasks::create(&call.db, &user, new)
        .await
        .map_err(task_error)?;
    Ok(task.into())
}

pub async fn toggle_task(id: i64) -> Result<TaskView, UiError> {
    let call = Call::enter(None).await?;
    let user = call.user().await?;
    Ok(tasks::toggle(&call.db, &user, id)
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
) -> Result<TaskView, UiError> {
    let call = Call::enter(None).await?;
    let user = call.user().await?;
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
    Ok(tasks::update(&call.db, &user, id, patch)
        .await
        .map_err(task_error)?
        .into())
}

pub async fn delete_task(id: i64) -> Result<(), UiError> {
    let call = Call::enter(None).await?;
    let user = call.user().await?;
    tasks::delete(&call.db, &user, id).await.map_err(task_error)
}

// --- account --------------------------------------------------------------------------

/// After a successful form post without JavaScript, go to `to`.
fn done(to: &str) {
    if is_form_navigation(&request_headers()) {
        leptos_axum::redirect(to);
    }
}

pub async fn account() -> Result<super::types::Account, UiError> {
    let call = Call::enter(None).await?;
    let current = call.session().await?;
    let sessions = call
        .auth
        .list_sessions(&current.user.id)
        .await
        .map_err(|e| fail(None, &e))?;
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

pub async fn update_name(name: String) -> Result<(), UiError> {
    let call = Call::enter(Some("/update-user")).await?;
    let current = call.session().await?;
    let name = name.trim();
    if name.is_empty() {
        return Err(invalid(None, Code::NameRequired));
    }
    call.auth
        .update_user(&current.user.id, Some(name), None)
        .await
        .map_err(|e| fail(None, &e))?;
    done("/settings?done=name");
    Ok(())
}

pub async fn change_password(
    current_password: String,
    new_password: String,
    revoke_others: bool,
) -> Result<(), UiError> {
    let call = Call::enter(Some("/change-password")).await?;
    let current = call.session().await?;
    let new_session = call
        .auth
        .change_password(
            &current,
            current_password,
            new_password,
            revoke_others,
            &call.client(),
        )
        .await
        .map_err(|e| fail(None, &e))?;
    if let Some(s) = new_session {
        call.establish(&s.token, true, &current.user).await;
    }
    done("/settings?done=password");
    Ok(())
}

pub async fn revoke_session(id: String) -> Result<(), UiError> {
    let call = Call::enter(Some("/revoke-session")).await?;
    let current = call.session().await?;
    call.auth
        .revoke_session_by_id(&current.user.id, &id)
        .await
        .map_err(|e| fail(None, &e))
}

pub async fn revoke_other_sessions() -> Result<(), UiError> {
    let call = Call::enter(Some("/revoke-other-sessions")).await?;
    let current = call.session().await?;
    call.auth
        .revoke_sessions(&current.user.id, Some(&current.session.token))
        .await
        .map_err(|e| fail(None, &e))
}

pub async fn delete_account(password: String) -> Result<(), UiError> {
    let call = Call::enter(Some("/delete-user")).await?;
    let current = call.session().await?;
    call.auth
        .delete_user(&current, Some(password))
        .await
        .map_err(|e| fail(None, &e))?;
    set_cookies(call.auth.cookie_settings().expired());
    // With JavaScript the page reloads itself (the whole UI changes).
    done("/?deleted=1");
    Ok(())
}

pub async fn request_password_reset(email: String) -> Result<(), UiError> {
    let call = Call::enter(Some("/request-password-reset")).await?;
    if !taskdeck::auth::service::is_valid_email(email.trim()) {
        return Err(invalid(None, Code::InvalidEmail));
    }
    call.auth
        .request_password_reset(&email, Some("/reset-password"))
        .await
        .map_err(|e| fail(None, &e))?;
    done("/forgot-password?sent=1");
    Ok(())
}

pub async fn reset_password(token: String, password: String) -> Result<(), UiError> {
    let call = Call::enter(Some("/reset-password")).await?;
    let form = format!("/reset-password?token={}", encode(&token));
    call.auth
        .reset_password(&token, password)
        .await
        .map_err(|e| fail(Some(&form), &e))?;
    // Every session ended with the reset (this browser's too): its cookies go.
    set_cookies(call.auth.cookie_settings().expired());
    leptos_axum::redirect("/sign-in?reset=1");
    Ok(())
}
