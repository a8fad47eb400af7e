//! The auth layer's error: Better Auth's `APIError`, named by a [`Code`] from the one
//! table in `crate::problem` (status, wire code, default words), with an optional
//! message of its own (validation details). The codes are the wire contract.

use crate::{
    problem::{Code, Problem},
    storage::StorageError,
};

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

impl From<&AuthError> for Problem {
    fn from(error: &AuthError) -> Self {
        match error {
            AuthError::Api { code, message } => {
                let mut problem = Self::from(*code);
                if let Some(message) = message {
                    problem.message.clone_from(message);
                }
                problem
            }
            AuthError::RateLimited { retry_after } => Self {
                retry_after: Some(*retry_after),
                ..Code::TooManyRequests.into()
            },
            AuthError::Overloaded => Code::Unavailable.into(),
            AuthError::Storage(e) => e.into(),
            AuthError::Internal(_) => Self::internal(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_never_reach_the_client() {
        let p = Problem::from(&AuthError::Internal("smtp: 535 bad password".into()));
        assert_eq!(p.status, 500);
        assert!(!p.message.contains("smtp"));
        let p = Problem::from(&AuthError::Storage(StorageError::Query(
            sqlx::Error::Protocol("relation \"user\" does not exist".into()),
        )));
        assert_eq!(p.status, 500);
        assert!(!p.message.contains("relation"));
    }

    #[test]
    fn limits_and_busy_carry_a_retry_hint() {
        let p = Problem::from(&AuthError::RateLimited { retry_after: 7 });
        assert_eq!((p.status, p.code, p.retry_after), (429, None, Some(7)));
        let p = Problem::from(&AuthError::Overloaded);
        assert_eq!((p.status, p.retry_after), (503, Some(1)));
    }
}
