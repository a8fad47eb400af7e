//! `GET /api/openapi.json`: the OpenAPI 3.1 document of the tasks REST API (and
//! `GET /api/me`).
//!
//! The document is generated from the router itself: the tasks and `/api/me` routers are
//! utoipa-axum `OpenApiRouter`s whose routes are registered with `routes!`, which adds
//! each handler's `#[utoipa::path]` operation (and the schemas it names) as it adds the
//! route, so a served route cannot be left out of the document.
//! [`crate::routes::documented`] merges them onto [`ApiDoc`], the part no handler says
//! (info, tags, the `bearer` scheme, the shared error responses), and the start-up
//! serves the result with [`router`].
//!
//! This module and the handlers do not import each other: both build on the leaf modules
//! [`schemas`] (bodies and parameters) and [`errors`] (the shared error responses and the
//! sets the handlers name). The unit tests (`tests.rs`) and `server/tests/api/openapi/`
//! keep the document honest against the real types and the running API, and
//! `.ci/contract.sh` has an independent fuzzer (Schemathesis) check that the API accepts
//! exactly what the document allows and answers only as it says.

use axum::{
    body::Bytes,
    http::{header, HeaderValue},
    routing::get,
    Router,
};
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

use crate::state::AppState;

pub mod errors;
pub mod schemas;
#[cfg(test)]
mod tests;

use errors::{
    BadRequest, Forbidden, InternalError, NotFound, PayloadTooLarge, ServiceUnavailable,
    TooManyStreams, Unauthorized, Unprocessable, UnsupportedMediaType,
};
use schemas::{ErrorBody, ValidationError};

/// Serves `document`, serialized once: it never changes while the server runs.
pub fn router(document: &utoipa::openapi::OpenApi) -> Router<AppState> {
    let json = Bytes::from(
        document
            .to_pretty_json()
            .expect("the OpenAPI document serializes"),
    );
    Router::new().route(
        "/api/openapi.json",
        get(move || async move {
            (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                json,
            )
        }),
    )
}

/// The base of the document: everything but the paths (and the schemas they name), which
/// the documented routers add.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Taskdeck API",
        description = "The tasks REST API (on the original FastAPI service's paths), its \
            live change stream (Server-Sent Events) and `GET /api/me`. Every operation needs \
            `Authorization: Bearer <jwt>`: get a JWT from Better Auth's `GET /api/auth/token` \
            (session cookie) or the `set-auth-jwt` header of `GET /api/auth/get-session`. Errors are `{code, message}`, Better Auth's shape; \
            invalid input is a 422 that names each field.",
    ),
    components(
        // Referenced only from the shared responses, so not collected from the paths.
        schemas(ErrorBody, ValidationError),
        // What the error sets of `errors` refer to.
        responses(
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            PayloadTooLarge,
            UnsupportedMediaType,
            Unprocessable,
            TooManyStreams,
            InternalError,
            ServiceUnavailable,
        ),
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "tasks", description = "The caller's tasks; another user's task is a 404"),
        (name = "me", description = "Who the bearer token names"),
    ),
)]
pub struct ApiDoc;

/// The `bearer` security scheme every operation names.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        // utoipa copies the crate's (unset) license: an empty name is not a license.
        openapi.info.license = None;
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT from Better Auth's jwt plugin (`GET /api/auth/token`, or the \
                         `set-auth-jwt` header of `get-session`): EdDSA by default, HS256 with \
                         `JWT_ALGORITHM=HS256`, or verified against `JWT_JWKS_URL`. Its `sub` is \
                         the `user_id` of the paths.",
                    ))
                    .build(),
            ),
        );
    }
}
