//! The server half every server function shares: the request's identity through the
//! core's one path (`taskdeck::auth::request`: client address, guard, caller), sending
//! the cookies the core decides an outcome sets (`set_cookies`), and the answers for
//! form posts without JavaScript (redirects with `?error=CODE`). Failures become
//! [`UiError`]s through the core's `Problem` table, like the REST door's responses.
//! Compiled into the server only.

use std::sync::Arc;

use http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use taskdeck::{
    auth::{AuthError, AuthService, CallerError, ClientInfo, Incoming},
    live::Changes,
    problem::{Code, Problem},
    Database,
};
use tokio::sync::OnceCell;

use super::{
    error::UiError,
    url::{encode, referer_path, with_param},
};

/// What the server hands the UI (provided as Leptos context by the server crate).
#[derive(Clone)]
pub struct UiContext {
    pub auth: Arc<AuthService>,
    pub db: Database,
    /// The live-sync hub every task write is announced to.
    pub changes: Changes,
    /// Made up afresh for each request (never taken from it): what tells one request
    /// from another, e.g. for a value shown once that a page render reads twice.
    pub request_nonce: String,
    /// This request's caller, once known (see [`Call::user`]); empty for each request.
    pub caller: Arc<OnceCell<String>>,
}

/// One server-function call: the server context and the request it answers.
pub struct Call {
    pub auth: Arc<AuthService>,
    pub db: Database,
    pub changes: Changes,
    request_nonce: String,
    caller: Arc<OnceCell<String>>,
    parts: Parts,
}

impl Call {
    /// Enters a call after the core's guard: for an auth action named by its Better
    /// Auth `path` (`/sign-in/email`), the rate limit then the origin check, exactly as
    /// the REST door runs them; for anything else the origin check alone (every
    /// server function is a POST, and one carrying cookies must come from a trusted
    /// origin). Server-side rendering calls server functions in-process while answering
    /// a GET (no Origin on navigations, nothing to forge): the check lets GETs pass.
    pub async fn enter(auth_path: Option<&str>) -> Result<Self, UiError> {
        // Both are always provided by the server; without them, fail closed.
        let (Some(ctx), Some(parts)) = (use_context::<UiContext>(), use_context::<Parts>()) else {
            return Err(Problem::internal(&"server function context missing").into());
        };
        let call = Self {
            auth: ctx.auth,
            db: ctx.db,
            changes: ctx.changes,
            request_nonce: ctx.request_nonce,
            caller: ctx.caller,
            parts,
        };
        let verdict = match auth_path {
            Some(path) => call.auth.guard(&call.incoming(), path).await,
            None => call.auth.check_origin(&call.incoming(), "/ui"),
        };
        verdict.map_err(|e| fail(None, &e))?;
        Ok(call)
    }

    pub fn incoming(&self) -> Incoming<'_> {
        Incoming::new(
            &self.parts.method,
            &self.parts.headers,
            &self.parts.extensions,
        )
    }

    /// The server secret, for values the UI signs (undo tokens).
    pub fn secret(&self) -> &[u8] {
        self.auth.settings().secret_bytes()
    }

    pub fn client(&self) -> ClientInfo {
        self.auth.client_info(&self.incoming())
    }

    /// The caller's user id (bearer JWT → the JWT cookie bound to the live session →
    /// a JWT minted from that session, then set as the cookie). 401 otherwise; a form
    /// post without JavaScript goes to sign-in.
    ///
    /// A page render asks once per resource, concurrently: the caller is found once per
    /// request and the others wait for it, so a JWT minted for a page without the
    /// cookie is signed and set once (it was twice on the board, two identical
    /// `Set-Cookie` lines and two session reads).
    pub async fn user(&self) -> Result<String, UiError> {
        let found = self.caller.get_or_try_init(|| async {
            match self.auth.ui_caller(&self.incoming()).await {
                Ok(caller) => {
                    set_cookies(self.auth.minted_jwt_cookie(&caller));
                    Ok(caller.user_id)
                }
                Err(CallerError::Auth(error)) => Err(fail(None, &error)),
                Err(error) => Err(unauthorized(&Problem::from(&error))),
            }
        });
        found.await.cloned()
    }

    /// The live session named by the session cookie, or 401 (sign-in for form posts).
    pub async fn session(&self) -> Result<taskdeck::auth::SessionWithUser, UiError> {
        let found = self
            .auth
            .cookie_session(&self.incoming(), false)
            .await
            .map_err(|e| fail(None, &e))?;
        let current = found
            .current
            .ok_or_else(|| unauthorized(&Problem::from(&AuthError::unauthorized())))?;
        if found.refreshed {
            set_cookies(
                self.auth
                    .refreshed_session_cookies(&current.session.token, !found.dont_remember),
            );
        }
        Ok(current)
    }

    /// This request's own random identity (see [`UiContext::request_nonce`]).
    pub fn request_nonce(&self) -> &str {
        &self.request_nonce
    }

    /// Whether the caller's session is to be remembered (no "don't remember me" marker):
    /// a session made in its place keeps that choice.
    pub fn remembers(&self) -> bool {
        self.auth.remembers(self.incoming().cookies())
    }

    /// Where to go after signing in: a path on this site, or `/`.
    pub fn safe_next(&self, next: Option<String>) -> String {
        next.and_then(|n| self.auth.trusted.local_path(&n))
            .unwrap_or_else(|| "/".into())
    }
}

pub fn set_cookies(cookies: impl IntoIterator<Item = String>) {
    if let Some(response) = use_context::<ResponseOptions>() {
        for c in cookies {
            if let Ok(v) = HeaderValue::from_str(&c) {
                response.append_header(header::SET_COOKIE, v);
            }
        }
    }
}

pub fn request_headers() -> HeaderMap {
    use_context::<Parts>()
        .map(|p| p.headers)
        .unwrap_or_default()
}

/// A plain browser form post (no JavaScript): answer with redirects, not data.
pub fn is_form_navigation(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// A failure as the caller sees it, with the status and words of the core's table;
/// without JavaScript, a redirect back to `page` (default: the form's page) with
/// `?error=CODE`, which the page renders in words.
pub fn fail(page: Option<&str>, error: impl Into<Problem>) -> UiError {
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
pub fn unauthorized(problem: &Problem) -> UiError {
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
pub fn invalid(page: Option<&str>, code: Code) -> UiError {
    fail(page, &AuthError::from(code))
}

/// After a successful form post without JavaScript, go to `to`.
pub fn done(to: &str) {
    if is_form_navigation(&request_headers()) {
        leptos_axum::redirect(to);
    }
}

/// The cookie that carries a failed form's fields back to it (see [`remember_form`]).
fn form_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Secure-taskdeck.form"
    } else {
        "taskdeck.form"
    }
}

/// Keeps what a form sent (the e-mail, the name) for the page a failure sends the
/// browser back to, in a one-minute HttpOnly cookie: such details never travel in the
/// URL, where history and logs would keep them.
pub fn remember_form(auth: &AuthService, fields: &[(&str, &str)]) {
    let settings = auth.cookie_settings();
    let value = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    set_cookies([format!(
        "{}={}{}",
        form_cookie_name(settings.secure),
        encode(&value),
        settings.attributes(Some(60))
    )]);
}

/// The value of the request's cookie `name`, as sent.
pub fn request_cookie(name: &str) -> Option<String> {
    let parts = use_context::<Parts>()?;
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_string())
}

/// A field [`remember_form`] kept for this page, read once: the cookie is cleared.
pub fn remembered(key: &str) -> Option<String> {
    let ctx = use_context::<UiContext>()?;
    let settings = ctx.auth.cookie_settings();
    let name = form_cookie_name(settings.secure);
    let raw = request_cookie(name)?;
    set_cookies([format!("{name}={}", settings.attributes(Some(0)))]);
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .map(|c| c.into_owned())
            .ok()
    };
    let fields = decode(&raw)?;
    fields
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| decode(v))
}
