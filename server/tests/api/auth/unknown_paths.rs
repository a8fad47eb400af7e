//! Paths under `/api/auth` that Better Auth does not have are empty 404s.

use serde_json::{json, Value};

use crate::helpers::TestApp;

async fn unknown_auth_paths_are_empty_404s(app: &TestApp) {
    for (method, path) in [
        ("GET", "/nope"),
        ("GET", "/sign-in/email"),
        ("POST", "/ok"),
        ("GET", "/get-session/"),
    ] {
        let res = app
            .client
            .request(
                method.parse().unwrap(),
                app.url(&format!("/api/auth{path}")),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{method} {path}");
        assert!(res.text().await.unwrap().is_empty(), "{method} {path}");
    }
    let res = app.auth_get("/ok", None).await;
    assert_eq!(res.json::<Value>().await.unwrap(), json!({ "ok": true }));
}

db_tests!(unknown_auth_paths_are_empty_404s);
