//! Prometheus-format metrics at `/metrics`: request counts and latency histograms per
//! route (`requests`), password hashes in flight, and the database pool's connections.
//!
//! Route names and counts are not for the public: `/metrics` answers a client on this
//! host (by its real address: behind a same-host proxy that is the forwarded client,
//! not the proxy) or one that sends `Authorization: Bearer <METRICS_TOKEN>`; anyone else
//! gets the API's plain 404, as if there were nothing here.

mod requests;

use std::{sync::OnceLock, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, response::Parts, HeaderValue, Method},
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use taskdeck::{
    auth::{bearer_token, Incoming},
    problem::Code,
};

use crate::{around::Around, error::ApiError, state::AppState};

/// The process's one recorder, for the gauges (installed on first use; tests start
/// several apps).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .install_recorder()
            .expect("the metrics recorder is installed once")
    })
}

/// Route layer: counts each request and times it, labelled by the route's pattern
/// (`/api/{user_id}/tasks`, never the raw path), method and status.
pub(crate) const RECORD: Around<Started> = Around::new(started, record);

/// What a request's figures need from its start.
pub(crate) struct Started {
    route: Option<MatchedPath>,
    method: Method,
    at: Instant,
}

fn started(request: &mut Request) -> Started {
    Started {
        route: request.extensions().get::<MatchedPath>().cloned(),
        method: request.method().clone(),
        at: Instant::now(),
    }
}

fn record(started: Started, response: &mut Parts) {
    requests::record(
        started
            .route
            .as_ref()
            .map_or("unmatched", MatchedPath::as_str),
        &started.method,
        response.status.as_u16(),
        started.at.elapsed().as_secs_f64(),
    );
}

/// `GET /metrics`, for this host or the holder of `METRICS_TOKEN`.
pub async fn render(State(state): State<AppState>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let incoming = Incoming::new(&parts.method, &parts.headers, &parts.extensions);
    let local = state.auth.is_this_host(&incoming);
    let token_ok =
        bearer_token(&parts.headers).is_some_and(|sent| state.config.metrics_token_matches(sent));
    if !(local || token_ok) {
        return ApiError::Code(Code::NoSuchEndpoint).into_response();
    }
    // Installed before the gauges are set, or the first scrape would lose them.
    let handle = handle();
    metrics::gauge!("password_hashes_in_flight").set(state.auth.hashing_in_flight() as f64);
    let (open, idle) = state.db.pool_usage();
    metrics::gauge!("db_pool_connections", "state" => "open").set(f64::from(open));
    metrics::gauge!("db_pool_connections", "state" => "idle").set(idle as f64);
    handle.run_upkeep();
    let mut text = String::new();
    requests::render(&mut text);
    text.push_str(&handle.render());
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        text,
    )
        .into_response()
}
