//! A first sign-in makes the user (and lands on `newUserCallbackURL`); the next finds
//! the same user (and lands on `callbackURL`).

use serde_json::json;

use super::*;
use crate::helpers::{Backend, TestApp};

async fn sign_up_then_sign_in_again(backend: Backend) {
    let (app, idp) = app_with_provider(backend).await;
    // The pages offer the provider, and may send a form on to it (and only to it).
    let page = app.get("/sign-in").await;
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains(&format!("form-action 'self' {};", idp.issuer)),
        "{csp}"
    );
    assert!(page.text().await.unwrap().contains("Continue with Mock ID"));
    let (url, _) = start(&app, "alice@example.com", json!({})).await;
    // PKCE (S256), a nonce and the state ride in the authorization request.
    let parsed = url::Url::parse(&url).unwrap();
    let q: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], "taskdeck");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"].len(), 43);
    assert_eq!(q["state"].len(), 32);
    assert_eq!(q["nonce"].len(), 32);
    assert_eq!(q["scope"], "openid email profile");
    assert_eq!(q["login_hint"], "alice@example.com");
    assert!(q["redirect_uri"].ends_with("/api/auth/callback/mock"));

    let (to, session) = sign_in_as(&app, "alice@example.com").await;
    assert_eq!(to, "/welcome");
    let session = session.expect("a session");
    let me = app.session(&session).await;
    assert_eq!(me["user"]["email"], "alice@example.com");
    assert_eq!(me["user"]["emailVerified"], true);
    assert_eq!(me["user"]["name"], "User alice");
    let id = me["user"]["id"].as_str().unwrap().to_string();

    let (to, again) = sign_in_as(&app, "alice@example.com").await;
    assert_eq!(to, "/welcome-back");
    let again = app.session(&again.expect("a session")).await;
    assert_eq!(again["user"]["id"], id.as_str());
    // No password: the user's one account is the provider's.
    assert_eq!(
        app.sign_in("alice@example.com", "any password at all")
            .await
            .status(),
        401
    );
    app.cleanup().await;
}

/// Without `callbackURL` a sign-in lands on the site's origin; `disableRedirect` gives
/// the URL without `Location`.
async fn defaults_and_disable_redirect(backend: Backend) {
    let (app, _idp) = app_with_provider(backend).await;
    let res = app
        .auth_post(
            "/sign-in/social",
            json!({ "provider": "mock", "disableRedirect": true }),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("location").is_none());
    let cookie = state_cookie(&res).unwrap();
    let answer: serde_json::Value = res.json().await.unwrap();
    assert_eq!(answer["redirect"], false);
    let query = authorize(&app, answer["url"].as_str().unwrap()).await;
    let (to, session) = come_back(&app, &query, Some(&cookie)).await;
    assert_eq!(to, app.origin());
    assert!(session.is_some());
    app.cleanup().await;
}

/// GitHub's preset needs no discovery: the start goes to GitHub's authorize page (no
/// network here), and the pages' forms may go there.
async fn github_starts_at_github(backend: Backend) {
    let app = TestApp::for_backend(backend)
        .env("OAUTH_PROVIDERS", "github")
        .env("OAUTH_GITHUB_CLIENT_ID", "Iv1.test")
        .env("OAUTH_GITHUB_CLIENT_SECRET", "secret")
        .spawn()
        .await;
    let res = app
        .auth_post("/sign-in/social", json!({ "provider": "github" }), None)
        .await;
    assert_eq!(res.status(), 200);
    assert!(state_cookie(&res).is_some());
    let url = res.json::<serde_json::Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        url.starts_with("https://github.com/login/oauth/authorize?"),
        "{url}"
    );
    assert!(url.contains("scope=read%3Auser+user%3Aemail"), "{url}");
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let page = app.get("/sign-in").await;
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("form-action 'self' https://github.com;"),
        "{csp}"
    );
    assert!(page.text().await.unwrap().contains("Continue with GitHub"));
    app.cleanup().await;
}

db_tests!(backend:
    sign_up_then_sign_in_again,
    defaults_and_disable_redirect,
    github_starts_at_github,
);
