//! The HTTP layer's one error type, and the one place it becomes a response.
//!
//! Bodies are `{ "code": "UPPER_SNAKE", "message": "..." }`, the shape Better Auth uses,
//! so that the REST API and the auth endpoints speak the same error language. Internal
//! failures are logged with their cause and shown only as a generic message.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use taskdeck::{auth::AuthError, tasks::TaskError};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("not found")]
    NotFound,
    #[error("{message}")]
    Status {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    #[error(transparent)]
    Storage(#[from] taskdeck::StorageError),
    #[error(transparent)]
    Auth(#[from] taskdeck::auth::AuthError),
    #[error(transparent)]
    Task(#[from] TaskError),
}

#[derive(Serialize)]
pub struct ErrorBody<'a> {
    pub code: &'a str,
    pub message: &'a str,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self::Status {
            status,
            code,
            message: message.into(),
        }
    }
}

/// A JSON error response with the given status, code and message.
pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(ErrorBody { code, message })).into_response()
}

/// A storage failure: 503 with `Retry-After` when the database is unreachable (it
/// recovers by itself, and clients and load balancers should retry), 500 otherwise.
fn storage(error: &taskdeck::StorageError) -> Response {
    if !error.is_unavailable() {
        return internal(error);
    }
    tracing::warn!(error = %error, "database unavailable");
    let mut response = error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        "SERVICE_UNAVAILABLE",
        "The service is temporarily unavailable. Please try again shortly.",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// Logs the cause; the client sees only a generic message.
fn internal(error: &dyn std::error::Error) -> Response {
    tracing::error!(error = %error, "internal error");
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_SERVER_ERROR",
        "Something went wrong on our side. Please try again.",
    )
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::NotFound => error_response(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found"),
            ApiError::Status {
                status,
                code,
                message,
            } => error_response(status, code, &message),
            ApiError::Storage(error)
            | ApiError::Auth(AuthError::Storage(error))
            | ApiError::Task(TaskError::Storage(error)) => storage(&error),
            ApiError::Auth(AuthError::Api {
                status,
                code,
                message,
            }) => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                match code {
                    Some(code) => error_response(status, code, &message),
                    // Better Auth sends a few errors as `{message}` only.
                    None => {
                        (status, Json(serde_json::json!({ "message": message }))).into_response()
                    }
                }
            }
            ApiError::Auth(error) => internal(&error),
            ApiError::Task(TaskError::NotFound) => {
                error_response(StatusCode::NOT_FOUND, "NOT_FOUND", "Task not found")
            }
            ApiError::Task(TaskError::Invalid(fields)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(serde_json::json!({
                    "code": "VALIDATION_ERROR",
                    "message": fields.summary(),
                    "errors": fields,
                })),
            )
                .into_response(),
            ApiError::Task(TaskError::UnknownUser) => error_response(
                StatusCode::UNAUTHORIZED,
                "INVALID_TOKEN",
                "The account behind this token no longer exists",
            ),
        }
    }
}
