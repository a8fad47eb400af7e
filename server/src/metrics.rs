//! Prometheus-format metrics at `/metrics`: request counts and latency histograms per
//! route, password hashes in flight, and the database pool's connections.
//!
//! Route names and counts are not for the public: `/metrics` answers a client on this
//! host (by its real address: behind a same-host proxy that is the forwarded client,
//! not the proxy) or one that sends `Authorization: Bearer <METRICS_TOKEN>`; anyone else
//! gets the API's plain 404, as if there were nothing here.

use std::{sync::OnceLock, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use taskdeck::{
    auth::{bearer_token, Incoming},
    problem::Code,
};

use crate::{error::ApiError, state::AppState};

/// Latency buckets in seconds: sub-millisecond reads up to a slow sign-in.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// The process's one recorder (installed on first use; tests start several apps).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".into()),
                &BUCKETS,
            )
            .and_then(PrometheusBuilder::install_recorder)
            .expect("the metrics recorder is installed once")
    })
}

/// Route layer: counts each request and times it, labelled by the route's pattern
/// (`/api/{user_id}/tasks`, never the raw path), method and status.
pub async fn record(request: Request, next: Next) -> Response {
    handle();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = request.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("http_request_duration_seconds", "method" => method.clone(), "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("http_requests_total", "method" => method, "route" => route, "status" => status)
        .increment(1);
    response
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
    metrics::gauge!("password_hashes_in_flight").set(state.auth.hashing_in_flight() as f64);
    let (open, idle) = state.db.pool_usage();
    metrics::gauge!("db_pool_connections", "state" => "open").set(f64::from(open));
    metrics::gauge!("db_pool_connections", "state" => "idle").set(idle as f64);
    let handle = handle();
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        handle.render(),
    )
        .into_response()
}
