//! The UI door's typed error: what a server function answers when it fails, with the
//! status, code and words the core's [`taskdeck::problem::Problem`] table decided
//! (the same as the REST door's). It travels as JSON and is compiled on both sides,
//! so the pages read `code` and `message` instead of parsing error strings.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UiError {
    /// HTTP status; 0 when the request never got an answer.
    pub status: u16,
    /// Better Auth's `UPPER_SNAKE` code.
    pub code: String,
    pub message: String,
}

impl UiError {
    pub fn is_unauthorized(&self) -> bool {
        self.status == 401
    }
}

impl std::fmt::Display for UiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl FromServerFnError for UiError {
    type Encoder = JsonEncoding;

    /// Transport and encoding failures (offline, a proxy's HTML error page, …).
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let status = match &value {
            ServerFnErrorErr::Request(_) => 0,
            _ => 500,
        };
        Self {
            status,
            code: "REQUEST_FAILED".into(),
            message: value.to_string(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<taskdeck::problem::Problem> for UiError {
    fn from(p: taskdeck::problem::Problem) -> Self {
        Self {
            status: p.status,
            code: p.code_or_default().to_string(),
            message: p.message,
        }
    }
}
