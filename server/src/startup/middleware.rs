//! The middleware every request passes through, wrapped once around the finished router:
//! request ids and tracing, security headers, `no-store`, `Connection: close` for unread
//! bodies, the timeout, compression and the body limits.
//!
//! Why here and not `Router::layer`: axum's `Router::layer` wraps every route (and the
//! fallback) in its own boxed copy of the stack, and a boxed service clones everything
//! under it on each call, so a request paid for about 114 boxed clones through the
//! fourteen layers (issue 23: a third of the instructions of `GET /api/me`). Around the
//! router, each layer is one plain struct and a clone is a few reference counts.

use std::convert::Infallible;

use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, Request},
    http::{header, HeaderValue, Response, StatusCode},
    response::IntoResponse,
    BoxError, Router,
};
use http_body::Body as HttpBody;
use rand::RngCore;
use taskdeck::Config;
use tower::{Service, ServiceBuilder};
use tower_http::{
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

/// No page of ours may be framed (clickjacking on settings: revoke, sign out), forms
/// post only here (and, for "Continue with …", on to the configured providers: a form's
/// redirect is held to `form-action` too), and no `<base>` or plugin can redirect
/// anything.
fn content_security_policy(config: &Config) -> HeaderValue {
    let mut form_action = String::from("'self'");
    for provider in &config.auth.social_providers {
        let origin = provider.issuer.origin().ascii_serialization();
        if !form_action.split(' ').any(|o| o == origin) {
            form_action.push(' ');
            form_action.push_str(&origin);
        }
    }
    let policy = format!(
        "frame-ancestors 'none'; base-uri 'self'; form-action {form_action}; object-src 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or_else(|_| {
        HeaderValue::from_static(
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
        )
    })
}

/// `router` with the whole stack around it, outermost first. The answer's body type is
/// the layers' own (tracing, compression, limit), sent as is.
pub fn wrap(
    router: Router,
    config: &Config,
) -> impl Service<
    Request,
    Response = Response<impl HttpBody<Data = Bytes, Error: Into<BoxError>> + Send + 'static>,
    Error = Infallible,
    Future: Send,
> + Clone
       + Send
       + 'static {
    ServiceBuilder::new()
        // A request id on every request, in its trace span and echoed to the client
        // (`x-request-id`; a proxy's own id is kept), so a report can be matched to logs.
        .layer(SetRequestIdLayer::x_request_id(RandomRequestId))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            hsts(config),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            content_security_policy(config),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(super::no_store::NO_STORE)
        // Outside the size limit and the timeout, so that their early answers count.
        .layer(crate::unread_body::CLOSE_IF_BODY_UNREAD)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        // The timeout's own answer needs an empty body of the inner layers' type.
        .map_response(IntoResponse::into_response)
        // gzip only (the crate's Brotli feature is off): Brotli's encoder sets up
        // megabytes of window and hash tables for every response, which made the board's
        // HTML 1.2 ms slower to answer than gzip (4.3 against 3.0 ms) for 3 % fewer bytes.
        // The bundle keeps its Brotli copies, compressed once (`precompressed`), which
        // this layer passes through as they are.
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(DefaultBodyLimit::max(config.body_limit))
        .service(router)
}

/// Request ids as random UUIDs (version 4), from the thread's own generator: tower-http's
/// `MakeRequestUuid` asked the kernel for 16 bytes on every request (a system call),
/// then formatted and re-parsed the text.
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        HeaderValue::from_str(&uuid_v4(bytes))
            .ok()
            .map(RequestId::new)
    }
}

/// `bytes` as a version-4, RFC 4122-variant UUID in its hyphenated lower-case form.
fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    text
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
fn hsts(config: &Config) -> Option<HeaderValue> {
    (config.base_url().scheme() == "https").then(|| HeaderValue::from_static("max-age=31536000"))
}

#[cfg(test)]
mod tests {
    use super::{loggable_path, uuid_v4};

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

    #[test]
    fn request_ids_are_version_4_uuids() {
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert_eq!(uuid_v4([0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let id = uuid_v4(*b"0123456789abcdef");
        assert_eq!(id, "30313233-3435-4637-b839-616263646566");
    }
}
