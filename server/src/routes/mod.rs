//! HTTP routes, one module per resource; each exposes a `router()`.
//!
//! The documented ones (`tasks`, `live`, `me`) return utoipa-axum `OpenApiRouter`s, merged by
//! [`documented`] into the router and the OpenAPI document at once; `openapi` serves that
//! document.

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub mod auth;
pub mod health;
pub mod live;
pub mod me;
pub mod openapi;
pub mod tasks;

/// The documented part of the API, the tasks routes (with their event stream) and
/// `GET /api/me`, with its OpenAPI document: [`openapi::ApiDoc`] plus the operation of
/// every route registered. Split it with `split_for_parts` to serve both.
pub fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(tasks::router())
        .merge(live::router())
        .merge(me::router())
}
