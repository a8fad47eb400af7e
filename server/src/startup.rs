//! Start-up: connect and migrate the database, assemble the router and its middleware,
//! bind the port. Shared by `main` and the integration tests.

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use app::{shell, App};
use axum::{
    extract::DefaultBodyLimit,
    extract::{Request, State},
    http::Uri,
    http::{header, HeaderName, HeaderValue, Method, StatusCode},
    middleware::{self, map_response, Next},
    response::{IntoResponse, Response},
    Router,
};
use leptos::config::{get_configuration, LeptosOptions};
use leptos_axum::{generate_route_list, LeptosRoutes};
use taskdeck::{auth::AuthService, problem::Code, Config, Database, StorageError};
use tokio::net::TcpListener;
use tower_http::{
    compression::CompressionLayer,
    cors::{AllowOrigin, CorsLayer},
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::ServeDir,
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::{error::ApiError, routes, state::AppState};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("auth set-up failed: {0}")]
    Auth(#[from] taskdeck::auth::AuthError),
    #[error("could not bind {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A built application: the database is migrated and the port is bound.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Connects to the database, runs migrations and binds `leptos_options.site_addr`
    /// (port 0 picks a free port, as the tests do).
    pub async fn build(
        config: Config,
        leptos_options: LeptosOptions,
    ) -> Result<Self, StartupError> {
        let db = Database::connect(&config.database).await?;
        tracing::info!(backend = db.backend_name(), "database ready");
        let addr = leptos_options.site_addr;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartupError::Bind { addr, source })?;
        let config = Arc::new(config);
        let auth = Arc::new(AuthService::new(db.clone(), config.clone()).await?);
        let state = AppState {
            config,
            db,
            auth,
            leptos_options,
        };
        let router = router(state.clone());
        Ok(Self {
            listener,
            router,
            state,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let header_timeout = self.state.config.request_timeout;
        crate::serve::serve(self.listener, self.router, header_timeout, shutdown).await;
        self.state.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// The whole HTTP surface: probes, API, Leptos pages and static files.
pub fn router(state: AppState) -> Router {
    let leptos_options = state.leptos_options.clone();
    let routes = generate_route_list(App);
    let config = state.config.clone();

    // The JSON API, the part other origins may call (CORS, when configured).
    let api = Router::new()
        .nest("/api/auth", routes::auth::router(state.clone()))
        .merge(routes::me::router())
        .merge(routes::tasks::router())
        .merge(routes::openapi::router());
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
        path = %request.uri().path(),
        request_id = %id,
    )
}

/// HSTS for an https site (a year); nothing over plain http, where a browser ignores
/// it and a local `make run` must keep working.
fn hsts(config: &taskdeck::Config) -> Option<HeaderValue> {
    (config.base_url.scheme() == "https").then(|| HeaderValue::from_static("max-age=31536000"))
}

/// CORS for the API (`CORS_ALLOWED_ORIGINS`): exactly those origins, with credentials (Better
/// Auth's cross-origin clients send `credentials: "include"`), the methods and request
/// headers the API uses, and the response headers a client needs to read. `None` (no
/// origins configured) adds no CORS headers at all.
fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
                Method::OPTIONS,
            ])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .allow_credentials(true)
            .expose_headers([
                HeaderName::from_static("set-auth-jwt"),
                HeaderName::from_static("set-auth-token"),
                HeaderName::from_static("x-total-count"),
                header::LOCATION,
            ])
            .max_age(Duration::from_secs(600)),
    )
}

/// Applies `cors` so that it adds to, rather than replaces, the
/// `Access-Control-Expose-Headers` a handler sets itself.
fn with_cors<S: Clone + Send + Sync + 'static>(router: Router<S>, cors: CorsLayer) -> Router<S> {
    router
        .layer(map_response(stash_expose_headers))
        .layer(cors)
        .layer(map_response(merge_expose_headers))
}

/// `Access-Control-Expose-Headers` that a handler set itself (get-session's
/// `set-auth-jwt`), kept aside while the CORS layer writes its own.
#[derive(Clone)]
struct HandlerExposeHeaders(Vec<HeaderValue>);

/// Inside the CORS layer: move the handler's expose list out of the way, since tower-http
/// replaces the header (the framework-CORS problem of Better Auth issue #2479).
async fn stash_expose_headers(mut response: Response) -> Response {
    let own: Vec<HeaderValue> = match response
        .headers_mut()
        .entry(header::ACCESS_CONTROL_EXPOSE_HEADERS)
    {
        header::Entry::Occupied(entry) => entry.remove_entry_mult().1.collect(),
        header::Entry::Vacant(_) => return response,
    };
    response.extensions_mut().insert(HandlerExposeHeaders(own));
    response
}

/// Outside the CORS layer: the union of its expose list and the handler's.
async fn merge_expose_headers(mut response: Response) -> Response {
    let Some(HandlerExposeHeaders(own)) = response.extensions_mut().remove() else {
        return response;
    };
    let headers = response.headers_mut();
    let mut names: Vec<String> = Vec::new();
    for value in headers
        .get_all(header::ACCESS_CONTROL_EXPOSE_HEADERS)
        .iter()
        .chain(own.iter())
    {
        for name in value.to_str().unwrap_or("").split(',') {
            let name = name.trim().to_ascii_lowercase();
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    if let Ok(value) = HeaderValue::from_str(&names.join(", ")) {
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, value);
    }
    response
}

/// The WASM, JS and CSS bundle (`/pkg/*`). Its file names do not change between
/// releases, so browsers must revalidate (`no-cache`, answered with a 304 from
/// `Last-Modified`) rather than run a cached WASM against a newer server. Leptos' own
/// file handler drops the request headers, so it could never answer 304.
fn bundle(options: &LeptosOptions) -> Router<AppState> {
    let dir = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    Router::new()
        .nest_service(&format!("/{}", options.site_pkg_dir), ServeDir::new(dir))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
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

/// Runs a page render (or server function) on its own task, so that a client hanging
/// up mid-render does not drop it halfway: dropping the handler disposed the page's
/// reactive owner while Leptos' spawned render tasks still read its signals, which
/// panicked ("reactive value already disposed", seen under load at wrk's cut-off).
async fn run_to_completion(request: Request, next: Next) -> Response {
    detached(next.run(request)).await
}

/// Runs a response future on its own task: dropping the caller no longer drops it.
async fn detached(render: impl Future<Output = Response> + Send + 'static) -> Response {
    match tokio::spawn(render).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(%error, "page render failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// What server functions and SSR get through Leptos context.
fn ui_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let ui = app::api::UiContext {
        auth: state.auth.clone(),
        db: state.db.clone(),
    };
    move || leptos::prelude::provide_context(ui.clone())
}

/// Leptos settings from the `LEPTOS_*` variables cargo-leptos sets, with defaults that
/// let the binary run on its own (`target/site`, output `taskdeck`).
pub fn leptos_options_from_env() -> LeptosOptions {
    let mut options = get_configuration(None)
        .map(|c| c.leptos_options)
        .unwrap_or_else(|_| LeptosOptions::builder().output_name("taskdeck").build());
    if options.output_name.is_empty() {
        options.output_name = "taskdeck".into();
    }
    if std::env::var_os("LEPTOS_SITE_ROOT").is_none() && options.site_root.is_empty() {
        options.site_root = "target/site".into();
    }
    options
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (what orchestrators send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received, draining requests");
}

#[cfg(test)]
mod tests {
    use axum::{body::Body, routing::get};
    use tower::ServiceExt;

    use super::*;

    #[tokio::test]
    async fn cors_keeps_the_handlers_own_exposed_headers() {
        // A CORS layer that does not list `set-auth-jwt` itself.
        let cors = CorsLayer::new()
            .allow_origin(AllowOrigin::list([HeaderValue::from_static(
                "https://app.example.com",
            )]))
            .expose_headers([HeaderName::from_static("x-total-count")]);
        let router: Router = with_cors(
            Router::new()
                .route(
                    "/session",
                    get(|| async {
                        (
                            [
                                ("set-auth-jwt", "jwt"),
                                ("access-control-expose-headers", "set-auth-jwt"),
                            ],
                            "{}",
                        )
                    }),
                )
                .route("/plain", get(|| async { "{}" })),
            cors,
        );
        let call = |path: &'static str| {
            router.clone().oneshot(
                Request::get(path)
                    .header(header::ORIGIN, "https://app.example.com")
                    .body(Body::empty())
                    .unwrap(),
            )
        };
        let expose = |r: &Response| {
            r.headers()
                .get_all(header::ACCESS_CONTROL_EXPOSE_HEADERS)
                .iter()
                .map(|v| v.to_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };

        let res = call("/session").await.unwrap();
        assert_eq!(
            res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://app.example.com"
        );
        assert_eq!(expose(&res), ["x-total-count, set-auth-jwt"]);
        assert!(res.extensions().get::<HandlerExposeHeaders>().is_none());

        let res = call("/plain").await.unwrap();
        assert_eq!(expose(&res), ["x-total-count"]);
    }

    #[test]
    fn no_origins_no_cors() {
        assert!(cors_layer(&[]).is_none());
        assert!(cors_layer(&["https://app.example.com".into()]).is_some());
    }
}
