//! What must not sign anyone in: a callback without this browser's state cookie, a
//! state used twice or unknown, a forged code, an `iss` naming another provider; the
//! provider's own refusal is passed on; an unknown provider is a 404 and one that
//! cannot be reached a clear 503, not a hang.

use serde_json::json;

use super::*;
use crate::helpers::Backend;

async fn state_and_code_are_checked(backend: Backend) {
    let (app, _idp) = app_with_provider(backend).await;

    // Someone else's sign-in link (its state) in this browser: no cookie, no session.
    let (url, cookie) = start(&app, "hank@example.com", json!({})).await;
    let query = authorize(&app, &url).await;
    let (to, session) = come_back(&app, &query, None).await;
    assert_eq!(to, "/sign-in?error=state_mismatch");
    assert!(session.is_none());
    // Another sign-in's cookie does not fit either.
    let (_, other_cookie) = start(&app, "hank@example.com", json!({})).await;
    let (to, _) = come_back(&app, &query, Some(&other_cookie)).await;
    assert_eq!(to, "/sign-in?error=state_mismatch");
    // The right cookie works, once.
    let (to, session) = come_back(&app, &query, Some(&cookie)).await;
    assert_eq!(to, "/welcome");
    assert!(session.is_some());
    let (to, session) = come_back(&app, &query, Some(&cookie)).await;
    assert!(to.ends_with("error=state_mismatch"), "{to}");
    assert!(session.is_none());

    // A forged code (the state is right): the provider refuses the exchange.
    let (url, cookie) = start(&app, "hank@example.com", json!({})).await;
    let query = authorize(&app, &url).await;
    let forged: String = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| {
            let v = if k == "code" { "forged".into() } else { v };
            format!("{k}={}", urlencoding(&v))
        })
        .collect::<Vec<_>>()
        .join("&");
    let (to, session) = come_back(&app, &forged, Some(&cookie)).await;
    assert_eq!(to, "/sign-in?error=invalid_code");
    assert!(session.is_none());

    // No state at all, or one never issued.
    let (to, _) = come_back(&app, "code=x", None).await;
    assert!(
        to.ends_with("/api/auth/error?error=state_not_found"),
        "{to}"
    );
    let (to, _) = come_back(&app, "code=x&state=never-issued", None).await;
    assert!(to.ends_with("/api/auth/error?error=state_mismatch"), "{to}");
    app.cleanup().await;
}

fn urlencoding(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

/// RFC 9207: an authorization response naming another issuer is a mix-up attack.
async fn another_issuer_is_refused(backend: Backend) {
    let (app, _idp) = app_with_provider(backend).await;
    let (to, session) = sign_in_as(&app, "mixup:ivy@example.com").await;
    assert_eq!(to, "/sign-in?error=issuer_mismatch");
    assert!(session.is_none());
    app.cleanup().await;
}

/// The provider's refusal (the user said no) reaches the error page with its words.
async fn the_providers_refusal_is_passed_on(backend: Backend) {
    let (app, _idp) = app_with_provider(backend).await;
    let (url, cookie) = start(&app, "jo@example.com", json!({})).await;
    let state = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .to_string();
    let (to, session) = come_back(
        &app,
        &format!("state={state}&error=access_denied&error_description=User%20said%20no"),
        Some(&cookie),
    )
    .await;
    assert_eq!(
        to,
        "/sign-in?error=access_denied&error_description=User%20said%20no"
    );
    assert!(session.is_none());
    app.cleanup().await;
}

/// A provider's `form_post` answer comes cross-site without cookies: it is sent on to
/// the GET callback (the origin check does not refuse it), keeping only the callback's
/// parameters.
async fn a_form_post_answer_goes_on_to_the_get(backend: Backend) {
    let (app, _idp) = app_with_provider(backend).await;
    let res = app
        .client
        .post(app.url("/api/auth/callback/mock"))
        .header("origin", "https://id.example.com")
        .header("sec-fetch-site", "cross-site")
        .form(&[("code", "c0de"), ("state", "st4te"), ("extra", "dropped")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(
        res.headers()["location"],
        format!(
            "{}/api/auth/callback/mock?code=c0de&state=st4te",
            app.origin()
        )
        .as_str()
    );
    app.cleanup().await;
}

async fn unknown_or_unreachable_providers(backend: Backend) {
    // A provider whose discovery cannot be fetched: a clear 503 at sign-in.
    let app = TestApp::for_backend(backend)
        .env("OAUTH_PROVIDERS", "gone")
        .env("OAUTH_GONE_CLIENT_ID", "x")
        .env(
            "OAUTH_GONE_DISCOVERY_URL",
            "http://127.0.0.1:9/.well-known/openid-configuration",
        )
        .spawn()
        .await;
    let res = app
        .auth_post("/sign-in/social", json!({ "provider": "gone" }), None)
        .await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "PROVIDER_UNAVAILABLE");
    // One not configured at all: Better Auth's 404.
    let res = app
        .auth_post("/sign-in/social", json!({ "provider": "github" }), None)
        .await;
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "PROVIDER_NOT_FOUND");
    // A callback URL elsewhere is refused before anything starts.
    let res = app
        .auth_post(
            "/sign-in/social",
            json!({ "provider": "gone", "callbackURL": "https://evil.example/" }),
            None,
        )
        .await;
    assert_eq!(res.status(), 403);
    app.cleanup().await;
}

db_tests!(backend:
    state_and_code_are_checked,
    another_issuer_is_refused,
    the_providers_refusal_is_passed_on,
    a_form_post_answer_goes_on_to_the_get,
    unknown_or_unreachable_providers,
);
