//! The whole HTTP surface in one router, and the middleware every response passes
//! through: body limits, timeout, security headers, request ids and tracing.

use app::{shell, App};
use axum::{
    extract::DefaultBodyLimit,
    extract::{Request, State},
    http::Uri,
    http::{header, HeaderValue, StatusCode},
    middleware,
    response::{IntoResponse, Response},
    Router,
};
use leptos_axum::{generate_route_list, LeptosRoutes};
use taskdeck::problem::Code;
use tower_http::{
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use super::{
    cors::{cors_layer, with_cors},
    ui::{bundle, detached, run_to_completion, ui_context},
};
use crate::{error::ApiError, routes, state::AppState};

/// The whole HTTP surface: probes, API, Leptos pages and static files.
pub fn router(state: AppState) -> Router {
    let leptos_options = state.leptos_options.clone();
    let routes = generate_route_list(App);
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
        .merge(pages)
        .merge(bundle(&leptos_options))
        .route("/metrics", axum::routing::get(crate::metrics::render))
        // Counted per matched route only: unmatched paths cannot grow the label set.
        .route_layer(middleware::from_fn(crate::metrics::record))
        .fallback(fallback)
        .with_state(state)
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        // Outside the size limit and the timeout, so that their early answers count.
        .layer(middleware::from_fn(
            crate::unread_body::close_if_body_unread,
        ))
        .layer(middleware::from_fn(super::no_store::no_store))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        // No page of ours may be framed (clickjacking on settings: revoke, sign out),
        // forms post only here, and no `<base>` or plugin can redirect anything.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            hsts(&config),
        ))
        // A request id on every request, in its trace span and echoed to the client
        // (`x-request-id`; a proxy's own id is kept), so a report can be matched to logs.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// The trace span of a request: method, path and its request id.
fn request_span(request: &Request) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %loggable_path(request.uri().path()),
        request_id = %id,
    )
}

/// The path as logs may show it: a reset link's token (in its path, unlike every
/// other secret, which travels in bodies, cookies or queries) is left out.
fn loggable_path(path: &str) -> &str {
    const RESET: &str = "/api/auth/reset-password/";
    if path.len() > RESET.len() && path.starts_with(RESET) {
        "/api/auth/reset-password/:token"
    } else {
        path
    }
}

/// HSTS for an https site (a year); nothing over plain http, where a browser ignores
/// it and a local `make run` must keep working.
fn hsts(config: &taskdeck::Config) -> Option<HeaderValue> {
    (config.base_url().scheme() == "https").then(|| HeaderValue::from_static("max-age=31536000"))
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

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn logs_never_show_a_reset_token() {
        let logged = loggable_path("/api/auth/reset-password/SECRET-TOKEN");
        assert_eq!(logged, "/api/auth/reset-password/:token");
        assert_eq!(
            loggable_path("/api/auth/reset-password"),
            "/api/auth/reset-password"
        );
        assert_eq!(loggable_path("/settings"), "/settings");
    }
}
