//! The auth layer's error: Better Auth's `APIError`, named by a [`Code`] from the one
//! table in `crate::problem` (status, wire code, default words), with an optional
//! message of its own (validation details). The codes are the wire contract.

use crate::{problem::Code, storage::StorageError};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A client-facing error; `message` replaces the table's words when set.
    #[error("{}", message.as_deref().unwrap_or(code.message()))]
    Api { code: Code, message: Option<String> },
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

impl From<Code> for AuthError {
    fn from(code: Code) -> Self {
        Self::Api {
            code,
            message: None,
        }
    }
}

impl AuthError {
    /// `code` with words of its own (the table's status and wire code).
    pub fn detailed(code: Code, message: impl Into<String>) -> Self {
        Self::Api {
            code,
            message: Some(message.into()),
        }
    }

    /// The table entry, for callers that branch on what happened.
    pub fn code(&self) -> Option<Code> {
        match self {
            Self::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    pub fn unauthorized() -> Self {
        Code::Unauthorized.into()
    }
    pub fn invalid_credentials() -> Self {
        Code::InvalidCredentials.into()
    }
    pub fn invalid_email() -> Self {
        Code::InvalidEmail.into()
    }
    pub fn invalid_password() -> Self {
        Code::InvalidPassword.into()
    }
    pub fn password_too_short() -> Self {
        Code::PasswordTooShort.into()
    }
    pub fn password_too_long() -> Self {
        Code::PasswordTooLong.into()
    }
    pub fn user_exists() -> Self {
        Code::UserExists.into()
    }
    pub fn invalid_token() -> Self {
        Code::InvalidResetToken.into()
    }
    /// Better Auth's schema failure: 400 `VALIDATION_ERROR`, `[body.field] reason`.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::detailed(Code::InvalidBody, message)
    }

    /// Status code to send.
    pub fn status(&self) -> u16 {
        match self {
            Self::Api { code, .. } => code.status(),
            Self::RateLimited { .. } => 429,
            Self::Overloaded => 503,
            Self::Storage(_) | Self::Internal(_) => 500,
        }
    }
}
