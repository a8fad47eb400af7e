//! The whole HTTP surface in one router: probes, the JSON API (with CORS when configured),
//! the UI's pages and server functions, the bundle and `/metrics`. The middleware every
//! response passes through is wrapped around it once, in `middleware`.

use app::shell;
use axum::{
    extract::{Request, State},
    http::{StatusCode, Uri},
    middleware,
    response::{IntoResponse, Response},
    Router,
};
use leptos_axum::LeptosRoutes;
use taskdeck::problem::Code;

use super::{
    cors::{cors_layer, with_cors},
    ui::{bundle, detached, route_list, run_to_completion, ui_context},
};
use crate::{error::ApiError, routes, state::AppState};

/// The whole HTTP surface: probes, API, Leptos pages and static files.
pub fn router(state: AppState) -> Router {
    let leptos_options = state.leptos_options.clone();
    let routes = route_list();
    let config = state.config.clone();

    // The JSON API, the part other origins may call (CORS, when configured). The tasks
    // routes and `/api/me` come with their OpenAPI document, generated from those routes.
    let (documented, document) = routes::documented().split_for_parts();
    let api = Router::new()
        .nest("/api/auth", routes::auth::router(state.clone()))
        .merge(documented)
        .merge(routes::openapi::router(&document));
    let api = match cors_layer(&config.cors_allowed_origins) {
        Some(cors) => with_cors(api, cors),
        None => api,
    };

    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, ui_context(&state), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .route_layer(middleware::from_fn(run_to_completion));

    Router::new()
        .merge(routes::health::router())
        .merge(api)
        // The UI's event stream, beside its server functions (same origin, no CORS).
        .merge(routes::live::ui_router())
        .merge(routes::tasks::ui_router())
        .merge(pages)
        .merge(bundle(&leptos_options))
        .route("/metrics", axum::routing::get(crate::metrics::render))
        // Counted per matched route only: unmatched paths cannot grow the label set.
        .route_layer(crate::metrics::RECORD)
        .fallback(fallback)
        .with_state(state)
}

/// Unmatched requests: under `/api` a JSON 404 (Better Auth's empty one under
/// `/api/auth`), never the HTML page; elsewhere static files, then the app's 404 page.
async fn fallback(uri: Uri, state: State<AppState>, request: Request) -> Response {
    let path = uri.path();
    if path.starts_with("/api/auth/") {
        return StatusCode::NOT_FOUND.into_response();
    }
    if path == "/api" || path.starts_with("/api/") {
        return ApiError::Code(Code::NoSuchEndpoint).into_response();
    }
    let files =
        leptos_axum::file_and_error_handler_with_context::<AppState, _>(ui_context(&state), shell);
    // Error pages are rendered by Leptos too: the same care as `run_to_completion`.
    detached(files(uri, state, request)).await
}
