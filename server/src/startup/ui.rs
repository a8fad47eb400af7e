//! The Leptos side: what server functions and SSR get through context, page renders that
//! survive a client hanging up, the WASM bundle and Leptos' settings.

use std::{future::Future, sync::OnceLock};

use axum::{
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use leptos::config::{get_configuration, LeptosOptions};
use leptos_axum::{generate_route_list, AxumRouteListing};
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer};

use crate::state::AppState;

/// Leptos' route list (the pages' paths), generated on the first call only.
///
/// Generating it renders the app once with `leptos_server`'s process-wide
/// `SuppressResourceLoad` flag raised: meanwhile every resource that starts loading, in
/// any app of the process, waits forever, and so does the page that renders it (issue
/// 12). Built per app, a second app starting (tests, or a future in-process restart)
/// could hang the first one's renders; once per process, before any app serves, no
/// render can ever overlap it.
pub(super) fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// The WASM, JS and CSS bundle (`/pkg/*`). Its file names do not change between
/// releases, so browsers must revalidate (`no-cache`, answered with a 304 from
/// `Last-Modified`) rather than run a cached WASM against a newer server. Leptos' own
/// file handler drops the request headers, so it could never answer 304.
pub(super) fn bundle(options: &LeptosOptions) -> Router<AppState> {
    let dir = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let prefix = format!("/{}", options.site_pkg_dir);
    let compressed = super::precompressed::Bundle::start(&prefix, &dir);
    Router::new()
        .nest_service(&prefix, ServeDir::new(dir))
        .route(app::PASSKEY_SCRIPT_PATH, get(passkey_script))
        .layer(axum::middleware::from_fn_with_state(
            compressed,
            super::precompressed::serve,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}

/// The passkey pages' script (sign-in and settings; see `app/assets/passkey.js`), kept
/// out of the WASM bundle so that the board's first load does not carry it.
async fn passkey_script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        app::PASSKEY_SCRIPT,
    )
}

/// Runs a page render (or server function) on its own task, so that a client hanging
/// up mid-render does not drop it halfway: dropping the handler disposed the page's
/// reactive owner while Leptos' spawned render tasks still read its signals, which
/// panicked ("reactive value already disposed", seen under load at wrk's cut-off).
pub(super) async fn run_to_completion(request: Request, next: Next) -> Response {
    detached(next.run(request)).await
}

/// Runs a response future on its own task: dropping the caller no longer drops it.
pub(super) async fn detached(render: impl Future<Output = Response> + Send + 'static) -> Response {
    match tokio::spawn(render).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(%error, "page render failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// What server functions and SSR get through Leptos context.
pub(super) fn ui_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let ui = app::api::UiContext {
        auth: state.auth.clone(),
        db: state.db.clone(),
        changes: state.changes.clone(),
        request_nonce: String::new(),
        caller: Default::default(),
    };
    // Called for every request: each gets its own nonce.
    move || {
        leptos::prelude::provide_context(app::api::UiContext {
            request_nonce: taskdeck::auth::ids::generate_id(32),
            caller: Default::default(),
            ..ui.clone()
        })
    }
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
