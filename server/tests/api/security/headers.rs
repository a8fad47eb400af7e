//! Headers (review finding L7): pages and the API cannot be framed, and HTTPS sites
//! send HSTS.

use crate::helpers::{Backend, TestApp};

async fn pages_and_api_cannot_be_framed(app: &TestApp) {
    for path in ["/healthz", "/sign-in", "/api/openapi.json"] {
        let res = app.get(path).await;
        let h = res.headers();
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            h.get("strict-transport-security").is_none(),
            "HSTS over http"
        );
    }
}

async fn https_sites_send_hsts(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .env("BETTER_AUTH_URL", "https://tasks.example.com")
        .env("MAIL_OUTBOX", "true")
        .spawn()
        .await;
    let res = app.get("/healthz").await;
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    app.cleanup().await;
}

db_tests!(pages_and_api_cannot_be_framed; backend: https_sites_send_hsts);
