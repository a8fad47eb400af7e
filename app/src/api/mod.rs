//! Server functions: the UI's door to the same core rules the REST API uses.
//!
//! **How the JWT reaches them.** Every task function authenticates with a JWT, like the
//! REST API: an `Authorization: Bearer` header if the caller sends one, otherwise the
//! HttpOnly `taskdeck.jwt` cookie that sign-in sets. When that JWT is missing or
//! expired but the Better Auth session cookie is live, the server issues a fresh JWT,
//! sets the cookie on the response and carries on; so the token is refreshed without
//! the user noticing, with JavaScript on (fetches carry cookies) or off (form posts do).
//!
//! **Without JavaScript** forms post here directly (`application/x-www-form-urlencoded`,
//! `Accept: text/html`); on success the browser is redirected back (or onwards), on
//! failure back to the form with `?error=` in the URL, which the page renders.
//!
//! **Errors** are [`UiError`]s: status, code and message from the core's one table
//! (`taskdeck::problem`), the same the REST door answers with.

pub mod error;
pub mod types;

#[cfg(feature = "ssr")]
pub mod session;

pub use error::UiError;
use leptos::prelude::*;
pub use types::{Account, SessionInfo, Summary, TaskListing, TaskView, Viewer};

/// The signed-in user, from the session cookie; `None` when signed out.
#[server(prefix = "/api/ui", endpoint = "viewer")]
pub async fn get_viewer() -> Result<Option<Viewer>, UiError> {
    session::viewer().await
}

#[server(prefix = "/api/ui", endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    remember: Option<String>,
    next: Option<String>,
) -> Result<(), UiError> {
    session::sign_in(email, password, remember.is_some(), next).await
}

#[server(prefix = "/api/ui", endpoint = "sign_up")]
pub async fn sign_up(
    name: String,
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), UiError> {
    session::sign_up(name, email, password, next).await
}

#[server(prefix = "/api/ui", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), UiError> {
    session::sign_out().await
}

/// One page of the caller's tasks with the filters of the board's URL.
#[server(prefix = "/api/ui", endpoint = "list_tasks")]
pub async fn list_tasks(
    status: Option<String>,
    sort: Option<String>,
    order: Option<String>,
    q: Option<String>,
    tag: Option<String>,
    priority: Option<String>,
    limit: Option<i64>,
) -> Result<TaskListing, UiError> {
    session::list_tasks(status, sort, order, q, tag, priority, limit).await
}

#[server(prefix = "/api/ui", endpoint = "task_summary")]
pub async fn task_summary() -> Result<Summary, UiError> {
    session::summary().await
}

#[server(prefix = "/api/ui", endpoint = "create_task")]
pub async fn create_task(
    title: String,
    description: Option<String>,
    priority: Option<String>,
    tags: Option<String>,
    due_date: Option<String>,
) -> Result<TaskView, UiError> {
    session::create_task(title, description, priority, tags, due_date).await
}

#[server(prefix = "/api/ui", endpoint = "toggle_task")]
pub async fn toggle_task(id: i64) -> Result<TaskView, UiError> {
    session::toggle_task(id).await
}

#[server(prefix = "/api/ui", endpoint = "update_task")]
pub async fn update_task(
    id: i64,
    title: String,
    description: Option<String>,
    priority: Option<String>,
    tags: Option<String>,
    due_date: Option<String>,
) -> Result<TaskView, UiError> {
    session::update_task(id, title, description, priority, tags, due_date).await
}

#[server(prefix = "/api/ui", endpoint = "delete_task")]
pub async fn delete_task(id: i64) -> Result<(), UiError> {
    session::delete_task(id).await
}

// --- account and settings (Better Auth session semantics) ---------------------------

#[server(prefix = "/api/ui", endpoint = "account")]
pub async fn get_account() -> Result<Account, UiError> {
    session::account().await
}

#[server(prefix = "/api/ui", endpoint = "update_name")]
pub async fn update_name(name: String) -> Result<(), UiError> {
    session::update_name(name).await
}

#[server(prefix = "/api/ui", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    revoke_others: Option<String>,
) -> Result<(), UiError> {
    session::change_password(current_password, new_password, revoke_others.is_some()).await
}

#[server(prefix = "/api/ui", endpoint = "revoke_session")]
pub async fn revoke_session(id: String) -> Result<(), UiError> {
    session::revoke_session(id).await
}

#[server(prefix = "/api/ui", endpoint = "revoke_other_sessions")]
pub async fn revoke_other_sessions() -> Result<(), UiError> {
    session::revoke_other_sessions().await
}

#[server(prefix = "/api/ui", endpoint = "delete_account")]
pub async fn delete_account(password: String) -> Result<(), UiError> {
    session::delete_account(password).await
}

#[server(prefix = "/api/ui", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), UiError> {
    session::request_password_reset(email).await
}

#[server(prefix = "/api/ui", endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<(), UiError> {
    session::reset_password(token, password).await
}
