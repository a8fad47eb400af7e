//! Request bodies for the auth endpoints, parsed the way better-call does: JSON (or,
//! for sign-in/sign-up, an HTML form), an empty body counting as `{}`, any other
//! content type refused with 415, and schema failures as 400 `VALIDATION_ERROR`
//! with `[body.<field>] <reason>` messages.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::header,
};
use serde_json::{Map, Value};
use taskdeck::{auth::AuthError, problem::Code};

use crate::error::ApiError;

/// A JSON object body (form bodies are turned into one, with string values).
pub struct AuthBody(pub Map<String, Value>);

/// The media type of a request (`application/json`, without parameters), lower-cased.
pub fn media_type(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

impl<S: Send + Sync> FromRequest<S> for AuthBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = media_type(req.headers());
        let path = req.uri().path().to_string();
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| read_error(e.status().as_u16(), e.body_text()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(Map::new()));
        }
        let form_allowed = path.ends_with("/sign-in/email") || path.ends_with("/sign-up/email");
        let value: Value = match content_type.as_deref() {
            Some("application/json") | None => serde_json::from_slice(&bytes)
                .map_err(|_| ApiError::from(AuthError::validation("[body] Invalid JSON body")))?,
            Some("application/x-www-form-urlencoded") if form_allowed => Value::Object(
                url::form_urlencoded::parse(&bytes)
                    .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                    .collect(),
            ),
            Some(other) => {
                return Err(AuthError::detailed(
                    Code::UnsupportedMediaType,
                    format!("Unsupported media type: {other}. Use application/json."),
                )
                .into())
            }
        };
        match value {
            Value::Object(map) => Ok(Self(map)),
            _ => Err(AuthError::from(Code::BodyMustBeAnObject).into()),
        }
    }
}

/// A body that could not be read: too large (413, e.g. chunked past the limit) or broken.
fn read_error(status: u16, detail: String) -> ApiError {
    if status == 413 {
        AuthError::from(Code::PayloadTooLarge).into()
    } else {
        AuthError::validation(format!("Request body could not be read: {detail}")).into()
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl AuthBody {
    /// A required string field.
    pub fn string(&self, field: &str) -> Result<String, AuthError> {
        match self.0.get(field) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(AuthError::validation(format!(
                "[body.{field}] Invalid input: expected string, received {}",
                type_name(other)
            ))),
            None => Err(AuthError::validation(format!(
                "[body.{field}] Invalid input: expected string, received undefined"
            ))),
        }
    }

    /// An optional string field (`null` counts as absent).
    pub fn opt_string(&self, field: &str) -> Result<Option<String>, AuthError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(AuthError::validation(format!(
                "[body.{field}] Invalid input: expected string, received {}",
                type_name(other)
            ))),
        }
    }

    /// An optional boolean; form posts send `"true"`/`"on"`/`"false"`.
    pub fn opt_bool(&self, field: &str) -> Result<Option<bool>, AuthError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if matches!(s.as_str(), "true" | "on" | "1") => Ok(Some(true)),
            Some(Value::String(s)) if matches!(s.as_str(), "false" | "off" | "0" | "") => {
                Ok(Some(false))
            }
            Some(other) => Err(AuthError::validation(format!(
                "[body.{field}] Invalid input: expected boolean, received {}",
                type_name(other)
            ))),
        }
    }

    /// A required e-mail field, checked like zod's `email()`.
    pub fn email(&self, field: &str) -> Result<String, AuthError> {
        let email = self.string(field)?;
        if !taskdeck::auth::service::is_valid_email(email.trim()) {
            return Err(AuthError::validation(format!(
                "[body.{field}] Invalid email address"
            )));
        }
        Ok(email)
    }
}
