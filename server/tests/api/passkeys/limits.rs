//! The sign-in's guards apply to a passkey: the origin check and the rate limit.

use serde_json::json;

use super::*;
use crate::{
    helpers::Backend,
    two_factor::{json_of, PASSWORD},
};

/// A passkey sign-in is a sign-in: another site's page cannot post one (the challenge
/// cookie makes it a cookie-carrying request), and the sign-in rate limit counts it.
async fn origin_check_and_rate_limit(backend: Backend) {
    let app = builder(backend).env("RATE_LIMIT", "on").spawn().await;
    let who = app.sign_up("limited@example.com", PASSWORD).await;
    let mut key = SoftAuthenticator::new(Key::Es256, ORIGIN);
    add_passkey(&app, &mut key, &who.cookie, "Laptop").await;

    let (options, challenge) =
        ask_options(&app, "/passkey/generate-authenticate-options", None).await;
    let response = key.sign(&options).await;
    let res = app
        .client
        .post(app.url("/api/auth/passkey/verify-authentication"))
        .header("cookie", &challenge)
        .header("origin", "https://evil.example")
        .json(&json!({ "response": response }))
        .send()
        .await
        .unwrap();
    assert_eq!(refusal(json_of(res).await), (403, "INVALID_ORIGIN".into()));

    // Three tries in ten seconds (that one counted), then 429 before any check.
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let (status, _, _) = sign_in_with(&app, &mut key).await;
        statuses.push(status);
    }
    assert_eq!(statuses, [200, 200, 429]);
    app.cleanup().await;
}

db_tests!(backend: origin_check_and_rate_limit);
