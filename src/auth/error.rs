//! The auth layer's error: Better Auth's `APIError`, a status plus `{code, message}`.
//! The server turns it into a response in one place; the codes are the wire contract.

use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A client-facing error with Better Auth's status, code and message. A `None` code
    /// is a body with only `{message}` (Better Auth sends a few of those).
    #[error("{message}")]
    Api {
        status: u16,
        code: Option<&'static str>,
        message: String,
    },
    /// Refused by the rate limiter: retry after this many seconds (429).
    #[error("too many requests; retry after {retry_after} s")]
    RateLimited { retry_after: u64 },
    /// The password-hashing queue is full: try again shortly (503 + `Retry-After`).
    #[error("the service is busy")]
    Overloaded,
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AuthError {
    pub fn api(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self::Api {
            status,
            code: Some(code),
            message: message.into(),
        }
    }

    pub fn message_only(status: u16, message: impl Into<String>) -> Self {
        Self::Api {
            status,
            code: None,
            message: message.into(),
        }
    }

    pub fn unauthorized() -> Self {
        Self::api(401, "UNAUTHORIZED", "Unauthorized")
    }
    pub fn invalid_credentials() -> Self {
        Self::api(
            401,
            "INVALID_EMAIL_OR_PASSWORD",
            "Invalid email or password",
        )
    }
    pub fn invalid_email() -> Self {
        Self::api(400, "INVALID_EMAIL", "Invalid email")
    }
    pub fn invalid_password() -> Self {
        Self::api(400, "INVALID_PASSWORD", "Invalid password")
    }
    pub fn password_too_short() -> Self {
        Self::api(400, "PASSWORD_TOO_SHORT", "Password too short")
    }
    pub fn password_too_long() -> Self {
        Self::api(400, "PASSWORD_TOO_LONG", "Password too long")
    }
    pub fn user_exists() -> Self {
        Self::api(
            422,
            "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
            "User already exists. Use another email.",
        )
    }
    pub fn invalid_token() -> Self {
        Self::api(400, "INVALID_TOKEN", "Invalid token")
    }
    pub fn validation(message: impl Into<String>) -> Self {
        Self::api(400, "VALIDATION_ERROR", message)
    }

    /// Status code to send.
    pub fn status(&self) -> u16 {
        match self {
            Self::Api { status, .. } => *status,
            Self::RateLimited { .. } => 429,
            Self::Overloaded => 503,
            Self::Storage(_) | Self::Internal(_) => 500,
        }
    }
}
