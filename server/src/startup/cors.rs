//! CORS for the API, only towards the configured origins. tower-http's layer replaces the
//! `Access-Control-Expose-Headers` a handler sets itself, so the two lists are merged.

use std::time::Duration;

use axum::{
    http::{header, response::Parts, HeaderName, HeaderValue, Method},
    Router,
};
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::around::Around;

/// CORS for the API (`CORS_ALLOWED_ORIGINS`): exactly those origins, with credentials (Better
/// Auth's cross-origin clients send `credentials: "include"`), the methods and request
/// headers the API uses, and the response headers a client needs to read. `None` (no
/// origins configured) adds no CORS headers at all.
pub(super) fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
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
/// `Access-Control-Expose-Headers` a handler sets itself. The three layers go on as one
/// stack: `Router::layer` boxes each layer it is given around every route.
pub(super) fn with_cors<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    cors: CorsLayer,
) -> Router<S> {
    router.layer(
        ServiceBuilder::new()
            .layer(Around::new(|_| (), merge_expose_headers))
            .layer(cors)
            .layer(Around::new(|_| (), stash_expose_headers)),
    )
}

/// `Access-Control-Expose-Headers` that a handler set itself (get-session's
/// `set-auth-jwt`), kept aside while the CORS layer writes its own.
#[derive(Clone)]
struct HandlerExposeHeaders(Vec<HeaderValue>);

/// Inside the CORS layer: move the handler's expose list out of the way, since tower-http
/// replaces the header (the framework-CORS problem of Better Auth issue #2479).
fn stash_expose_headers((): (), response: &mut Parts) {
    let own: Vec<HeaderValue> = match response
        .headers
        .entry(header::ACCESS_CONTROL_EXPOSE_HEADERS)
    {
        header::Entry::Occupied(entry) => entry.remove_entry_mult().1.collect(),
        header::Entry::Vacant(_) => return,
    };
    response.extensions.insert(HandlerExposeHeaders(own));
}

/// Outside the CORS layer: the union of its expose list and the handler's.
fn merge_expose_headers((): (), response: &mut Parts) {
    let Some(HandlerExposeHeaders(own)) = response.extensions.remove() else {
        return;
    };
    let headers = &mut response.headers;
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
}

#[cfg(test)]
mod tests {
    use axum::{body::Body, extract::Request, response::Response, routing::get};
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
