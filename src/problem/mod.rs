//! What a client is told when something fails, decided once for both doors.
//!
//! Every core error becomes a [`Problem`]: an HTTP status, Better Auth's
//! `{code, message}`, and the retry hint when there is one. The REST layer renders it
//! as JSON (`server/src/error.rs`), the UI's server functions as their typed error;
//! neither decides statuses or words of its own. Storage, mail and other internal
//! failures are logged with their cause and reach no client as text.
//!
//! This module is the bottom of the core: it imports nothing from the crate. Each error
//! type converts itself (`impl From<&XError> for Problem` sits beside `XError`), so the
//! catalog never needs to know the modules that use it. The catalog itself, every
//! [`Code`] with its status, wire code and words, is `code.rs`.

mod code;

pub use code::Code;

use serde_json::Value;

/// A client-facing failure.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub status: u16,
    /// `None`: a body with only `{message}` (Better Auth's 429 and a few others).
    pub code: Option<&'static str>,
    pub message: String,
    /// Per-field messages of a 422 (the tasks API's validation).
    pub errors: Option<Value>,
    /// Seconds to wait: `X-Retry-After` on a 429 (Better Auth), `Retry-After` on a 503.
    pub retry_after: Option<u64>,
    /// A refused bearer token: the `WWW-Authenticate` challenge to send with the 401.
    pub challenge: Option<&'static str>,
}

impl Problem {
    /// The one answer to anything that went wrong on our side; the cause is logged.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Code::Internal.into()
    }

    /// The code; a message-only problem (Better Auth's 429 has no code) gets one from
    /// its status, for clients that switch on codes (the UI's `?error=`).
    pub fn code_or_default(&self) -> &'static str {
        match (self.code, self.status) {
            (Some(code), _) => code,
            (None, 429) => "TOO_MANY_REQUESTS",
            (None, _) => "REQUEST_FAILED",
        }
    }
}

impl From<Code> for Problem {
    fn from(code: Code) -> Self {
        let (status, wire, message) = code.parts();
        let challenge = match code {
            Code::MissingBearer => Some("Bearer"),
            Code::InvalidBearer => Some("Bearer error=\"invalid_token\""),
            _ => None,
        };
        Self {
            status,
            code: wire,
            message: message.to_string(),
            errors: None,
            retry_after: matches!(code, Code::Unavailable).then_some(1),
            challenge,
        }
    }
}

impl Problem {
    /// `code` with words of its own.
    pub fn detailed(code: Code, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            ..code.into()
        }
    }
}
