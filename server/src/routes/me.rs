//! `GET /api/me`: who the bearer token says the caller is. Lets a client (or an
//! operator with curl) check a token without touching any data.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{auth::AuthUser, routes::openapi::errors::TokenErrors, state::AppState};

/// The route, with its operation in the document.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me))
}

/// Who the bearer token names (from its claims).
#[derive(Serialize, ToSchema)]
pub struct Me {
    /// The user id (`sub`), the `user_id` of the task paths.
    pub id: String,
    #[schema(required = true)]
    pub email: Option<String>,
    #[schema(required = true)]
    pub name: Option<String>,
    /// The token's expiry, in seconds since the epoch.
    #[schema(required = true)]
    pub exp: Option<i64>,
}

/// Who am I
///
/// The identity in the bearer token, without touching any data: a cheap way to check a
/// token and learn the `user_id` for the task paths.
#[utoipa::path(
    get,
    path = "/api/me",
    tag = "me",
    operation_id = "me",
    responses(
        (status = 200, description = "The token's subject and claims", body = Me),
        TokenErrors,
    ),
    security(("bearer" = [])),
)]
pub async fn me(user: AuthUser) -> Json<Me> {
    Json(Me {
        email: user.claims.email().map(String::from),
        name: user.claims.name().map(String::from),
        exp: user.claims.expires_at(),
        id: user.id,
    })
}
