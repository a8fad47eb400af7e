//! Extractors: who is calling.
//!
//! - [`AuthUser`]: a valid `Authorization: Bearer <jwt>` (any configured JWT mode).
//!   Everything outside `/api/auth` that needs a user takes this; on failure it answers
//!   401 with a JSON error and `WWW-Authenticate: Bearer`.
//! - [`CookieSession`]: Better Auth's signed session cookie, for the auth endpoints.

use axum::{
    extract::{FromRef, FromRequestParts},
    http::{header, request::Parts, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use taskdeck::auth::{AuthError, SessionLookup, SessionWithUser};

use crate::{error::error_response, state::AppState};

use super::cookies;

/// The caller, proven by a bearer JWT. `id` is the token's `sub`.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub claims: serde_json::Value,
}

/// Why a bearer token was refused; always a 401.
pub struct BearerRejection(&'static str, &'static str);

impl IntoResponse for BearerRejection {
    fn into_response(self) -> Response {
        let mut response = error_response(StatusCode::UNAUTHORIZED, self.0, self.1);
        let challenge = if self.0 == "MISSING_TOKEN" {
            "Bearer"
        } else {
            "Bearer error=\"invalid_token\""
        };
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
        response
    }
}

/// Pulls the token out of `Authorization: Bearer <token>`.
pub fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl<S> FromRequestParts<S> for AuthUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = BearerRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let Some(token) = bearer_token(parts) else {
            return Err(BearerRejection(
                "MISSING_TOKEN",
                "Authentication required: send Authorization: Bearer <jwt>",
            ));
        };
        match state.auth.verify_jwt(token).await {
            Ok(claims) => Ok(AuthUser {
                id: claims.sub,
                claims: claims.raw,
            }),
            Err(error) => {
                tracing::debug!(%error, "bearer token refused");
                Err(BearerRejection("INVALID_TOKEN", "Invalid or expired token"))
            }
        }
    }
}

/// The session named by the signed session cookie, if it is live.
pub struct CookieSession {
    pub current: Option<SessionWithUser>,
    /// The session's expiry moved forward: re-set the cookie.
    pub refreshed: bool,
    /// A cookie was sent but named no live session: expire it.
    pub stale: bool,
    pub dont_remember: bool,
}

impl CookieSession {
    pub async fn load(
        state: &AppState,
        headers: &axum::http::HeaderMap,
        no_refresh: bool,
    ) -> Result<Self, AuthError> {
        let dont_remember = cookies::dont_remember(state, headers);
        let Some(token) = cookies::session_token(state, headers) else {
            return Ok(Self {
                current: None,
                refreshed: false,
                stale: false,
                dont_remember,
            });
        };
        Ok(
            match state
                .auth
                .lookup_session(&token, no_refresh || dont_remember)
                .await?
            {
                SessionLookup::Active {
                    session,
                    user,
                    refreshed,
                } => Self {
                    current: Some(SessionWithUser {
                        session: *session,
                        user: *user,
                    }),
                    refreshed,
                    stale: false,
                    dont_remember,
                },
                SessionLookup::Missing | SessionLookup::Expired => Self {
                    current: None,
                    refreshed: false,
                    stale: true,
                    dont_remember,
                },
            },
        )
    }

    /// The session, or Better Auth's 401 `UNAUTHORIZED`.
    pub fn require(&self) -> Result<&SessionWithUser, AuthError> {
        self.current.as_ref().ok_or_else(AuthError::unauthorized)
    }
}

impl<S> FromRequestParts<S> for CookieSession
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        Ok(Self::load(&state, &parts.headers, false).await?)
    }
}
