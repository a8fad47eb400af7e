//! Extractors: who is calling, answered by the core's one identity path
//! ([`taskdeck::auth::request`]).
//!
//! - [`AuthUser`]: a valid `Authorization: Bearer <jwt>` (any configured JWT mode).
//!   Everything outside `/api/auth` that needs a user takes this; on failure it answers
//!   401 with a JSON error and `WWW-Authenticate: Bearer`.
//! - [`TaskOwner`]: an [`AuthUser`] whose subject is the `{user_id}` of the path (403
//!   otherwise), for the routes under `/api/{user_id}/…`.
//! - [`CookieSession`]: Better Auth's signed session cookie, for the auth endpoints.
//! - [`Client`]: the caller's address (peer or trusted proxy's `X-Forwarded-For`) and
//!   user agent, for session rows.

use axum::{
    extract::{FromRef, FromRequestParts, RawPathParams},
    http::request::Parts,
};
use taskdeck::{
    auth::{CallerError, ClientInfo, Incoming},
    problem::Code,
};

use crate::{error::ApiError, state::AppState};

fn incoming(parts: &Parts) -> Incoming<'_> {
    Incoming::new(&parts.method, &parts.headers, &parts.extensions)
}

/// The caller, proven by a bearer JWT. `id` is the token's `sub`.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub claims: taskdeck::auth::jwt::AccessClaims,
}

impl<S> FromRequestParts<S> for AuthUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        match state.auth.bearer_caller(&incoming(parts)).await {
            Ok(caller) => Ok(AuthUser {
                id: caller.user_id,
                claims: caller.claims,
            }),
            Err(error) => {
                if let CallerError::Invalid(reason) = &error {
                    tracing::debug!(%reason, "bearer token refused");
                }
                Err(error.into())
            }
        }
    }
}

/// The caller of a `/api/{user_id}/…` route: proven by a bearer JWT (401 first), then
/// allowed only to address their own collection (403).
#[derive(Debug, Clone)]
pub struct TaskOwner(pub AuthUser);

impl<S> FromRequestParts<S> for TaskOwner
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::Code(Code::NoSuchEndpoint))?;
        let path_user = params.iter().find(|(name, _)| *name == "user_id");
        match path_user {
            Some((_, id)) if id == user.id => Ok(Self(user)),
            _ => Err(ApiError::Code(Code::NotYourTasks)),
        }
    }
}

/// The session named by the signed session cookie, if it is live (the core's
/// [`taskdeck::auth::CookieSession`], as an extractor).
pub struct CookieSession(taskdeck::auth::CookieSession);

impl std::ops::Deref for CookieSession {
    type Target = taskdeck::auth::CookieSession;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<S> FromRequestParts<S> for CookieSession
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        Ok(Self(
            state.auth.cookie_session(&incoming(parts), false).await?,
        ))
    }
}

/// The caller's IP and user agent, for session rows.
pub struct Client(pub ClientInfo);

impl<S> FromRequestParts<S> for Client
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        Ok(Client(state.auth.client_info(&incoming(parts))))
    }
}
