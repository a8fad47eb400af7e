//! Start-up: connect and migrate the database, assemble the router and its middleware,
//! bind the port. Shared by `main` and the integration tests.

use std::{future::Future, net::SocketAddr, sync::Arc};

use app::{shell, App};
use axum::{
    extract::DefaultBodyLimit,
    extract::{Request, State},
    http::Uri,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Router,
};
use leptos::config::{get_configuration, LeptosOptions};
use leptos_axum::{generate_route_list, LeptosRoutes};
use taskdeck::{auth::AuthService, Config, Database, StorageError};
use tokio::net::TcpListener;
use tower_http::{
    compression::CompressionLayer, limit::RequestBodyLimitLayer,
    set_header::SetResponseHeaderLayer, timeout::TimeoutLayer, trace::TraceLayer,
};

use crate::{error::error_response, routes, state::AppState};

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
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await?;
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

    Router::new()
        .merge(routes::health::router())
        .nest("/api/auth", routes::auth::router(state.clone()))
        .merge(routes::me::router())
        .merge(routes::tasks::router())
        .leptos_routes_with_context(&state, routes, ui_context(&state), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(fallback)
        .with_state(state)
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(TraceLayer::new_for_http())
}

/// Unmatched requests: under `/api` a JSON 404 (Better Auth's empty one under
/// `/api/auth`), never the HTML page; elsewhere static files, then the app's 404 page.
async fn fallback(uri: Uri, state: State<AppState>, request: Request) -> Response {
    let path = uri.path();
    if path.starts_with("/api/auth/") {
        return StatusCode::NOT_FOUND.into_response();
    }
    if path == "/api" || path.starts_with("/api/") {
        return error_response(StatusCode::NOT_FOUND, "NOT_FOUND", "No such API endpoint");
    }
    let files =
        leptos_axum::file_and_error_handler_with_context::<AppState, _>(ui_context(&state), shell);
    files(uri, state, request).await
}

/// What server functions and SSR get through Leptos context.
fn ui_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let ui = app::api::session::UiContext {
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
