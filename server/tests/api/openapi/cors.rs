//! CORS (`CORS_ALLOWED_ORIGINS`): off by default, preflights allow exactly the
//! configured origins, responses expose the API's headers, and get-session's own
//! `set-auth-jwt` exposure survives the CORS layer.

use std::collections::BTreeSet;

use reqwest::Method;

use crate::helpers::TestApp;

const ALLOWED: &str = "https://app.example.com";

fn header<'a>(res: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    res.headers().get(name).map(|v| v.to_str().unwrap())
}

fn list_header(res: &reqwest::Response, name: &str) -> BTreeSet<String> {
    res.headers()
        .get_all(name)
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

async fn preflight(app: &TestApp, path: &str, origin: &str, method: &str) -> reqwest::Response {
    app.client
        .request(Method::OPTIONS, app.url(path))
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap()
}

async fn cors_is_off_by_default(app: &TestApp) {
    let who = app.api_user("nocors@example.com").await;
    let res = app
        .api(&who, Method::GET, &format!("/api/{}/tasks", who.id))
        .header("origin", ALLOWED)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(header(&res, "access-control-allow-origin").is_none());
    assert!(header(&res, "access-control-allow-credentials").is_none());
    // get-session still exposes its JWT header, as before.
    let res = app.auth_get("/get-session", Some(&who.signed.cookie)).await;
    assert_eq!(res.status(), 200);
    assert!(header(&res, "set-auth-jwt").is_some());
    assert_eq!(
        list_header(&res, "access-control-expose-headers"),
        BTreeSet::from(["set-auth-jwt".to_string()])
    );
}

db_tests!(cors_is_off_by_default);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_preflight_allows_exactly_the_configured_origins() {
    let app = TestApp::builder()
        .env("CORS_ALLOWED_ORIGINS", ALLOWED)
        .spawn()
        .await;

    for (path, method) in [
        ("/api/someone/tasks", "POST"),
        ("/api/someone/tasks/1", "PUT"),
        ("/api/someone/tasks/1", "DELETE"),
        ("/api/someone/tasks/1/complete", "PATCH"),
        ("/api/me", "GET"),
        ("/api/auth/sign-in/email", "POST"),
    ] {
        let res = preflight(&app, path, ALLOWED, method).await;
        assert!(
            res.status().is_success(),
            "{method} {path}: {}",
            res.status()
        );
        assert_eq!(header(&res, "access-control-allow-origin"), Some(ALLOWED));
        assert_eq!(
            header(&res, "access-control-allow-credentials"),
            Some("true")
        );
        let methods = list_header(&res, "access-control-allow-methods");
        for m in ["get", "post", "put", "patch", "delete", "options"] {
            assert!(methods.contains(m), "{m} in {methods:?}");
        }
        let headers = list_header(&res, "access-control-allow-headers");
        assert!(headers.contains("authorization") && headers.contains("content-type"));
        assert_eq!(header(&res, "access-control-max-age"), Some("600"));
    }

    for origin in ["https://evil.example.com", "http://app.example.com", "null"] {
        let res = preflight(&app, "/api/someone/tasks", origin, "POST").await;
        assert!(
            header(&res, "access-control-allow-origin").is_none(),
            "{origin} is not allowed"
        );
    }
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_responses_expose_the_api_headers_and_keep_set_auth_jwt() {
    let app = TestApp::builder()
        .env("CORS_ALLOWED_ORIGINS", ALLOWED)
        .spawn()
        .await;
    let who = app.api_user("cors@example.com").await;

    // A cross-origin API call from the allowed origin.
    let res = app
        .api(&who, Method::GET, &format!("/api/{}/tasks", who.id))
        .header("origin", ALLOWED)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "access-control-allow-origin"), Some(ALLOWED));
    assert_eq!(
        header(&res, "access-control-allow-credentials"),
        Some("true")
    );
    let exposed = list_header(&res, "access-control-expose-headers");
    for h in [
        "x-total-count",
        "location",
        "set-auth-jwt",
        "set-auth-token",
    ] {
        assert!(exposed.contains(h), "{h} in {exposed:?}");
    }

    // Better Auth's cross-origin client: get-session with credentials from that origin
    // still exposes `set-auth-jwt` (Better Auth issue #2479), beside the API's headers.
    let res = app
        .client
        .get(app.url("/api/auth/get-session"))
        .header("origin", ALLOWED)
        .header("cookie", &who.signed.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(header(&res, "set-auth-jwt").is_some_and(|jwt| jwt.split('.').count() == 3));
    assert_eq!(header(&res, "access-control-allow-origin"), Some(ALLOWED));
    assert_eq!(
        header(&res, "access-control-allow-credentials"),
        Some("true")
    );
    let exposed = list_header(&res, "access-control-expose-headers");
    assert!(exposed.contains("set-auth-jwt"), "{exposed:?}");
    assert!(exposed.contains("x-total-count"), "{exposed:?}");
    assert_eq!(
        res.headers()
            .get_all("access-control-expose-headers")
            .iter()
            .count(),
        1,
        "one merged header"
    );

    // Another origin gets no CORS grant on a real response either.
    let res = app
        .api(&who, Method::GET, "/api/me")
        .header("origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(header(&res, "access-control-allow-origin").is_none());

    // Pages are not part of the cross-origin API.
    let res = app
        .client
        .get(app.url("/healthz"))
        .header("origin", ALLOWED)
        .send()
        .await
        .unwrap();
    assert!(header(&res, "access-control-allow-origin").is_none());
    app.cleanup().await;
}
