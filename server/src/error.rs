//! The HTTP layer's one error type, and the one place it becomes a response.
//!
//! Every error is first turned into the core's [`Problem`] (status, code, message,
//! retry hint: one table for both doors), then rendered here as
//! `{ "code": "UPPER_SNAKE", "message": "..." }`, the shape Better Auth uses, so that
//! the REST API and the auth endpoints speak the same error language.

use axum::{
    http::{header, HeaderName, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use taskdeck::{
    auth::{AuthError, CallerError},
    live::LiveError,
    problem::{Code, Problem},
    tasks::TaskError,
};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// An entry of the core's table, with its words.
    #[error("{}", .0.message())]
    Code(Code),
    /// An entry of the core's table, with words of its own.
    #[error("{1}")]
    Detailed(Code, String),
    #[error(transparent)]
    Storage(#[from] taskdeck::StorageError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Task(#[from] TaskError),
    #[error(transparent)]
    Caller(#[from] CallerError),
    #[error(transparent)]
    Live(#[from] LiveError),
}

impl ApiError {
    /// The core's problem this error is (status, code, words).
    pub fn problem(&self) -> Problem {
        match self {
            ApiError::Code(code) => (*code).into(),
            ApiError::Detailed(code, message) => Problem::detailed(*code, message.clone()),
            ApiError::Storage(e) => e.into(),
            ApiError::Auth(e) => e.into(),
            ApiError::Task(e) => e.into(),
            ApiError::Caller(e) => e.into(),
            ApiError::Live(e) => e.into(),
        }
    }
}

/// Renders a problem: Better Auth's body, and the headers that go with its status.
pub fn render(problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut body = serde_json::Map::new();
    if let Some(code) = problem.code {
        body.insert("code".into(), code.into());
    }
    body.insert("message".into(), problem.message.into());
    if let Some(errors) = problem.errors {
        body.insert("errors".into(), errors);
    }
    let mut response = (status, Json(body)).into_response();
    let headers = response.headers_mut();
    if let Some(secs) = problem.retry_after {
        // Better Auth's limiter says `X-Retry-After`; HTTP's own header is for 503s.
        let name = if status == StatusCode::TOO_MANY_REQUESTS {
            HeaderName::from_static("x-retry-after")
        } else {
            header::RETRY_AFTER
        };
        headers.insert(name, HeaderValue::from(secs));
    }
    if let Some(challenge) = problem.challenge {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
    }
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        render(self.problem())
    }
}
