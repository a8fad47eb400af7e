//! `sign-in/social` with `idToken`: a client that got an id token from the provider
//! itself signs in with it (Better Auth's idToken branch): a session at once, the same
//! user the redirect flow would give. Tokens that are not the provider's for this
//! client, or whose nonce differs, sign no one in; GitHub issues none.

use serde_json::{json, Value};

use super::*;
use crate::helpers::Backend;

/// An id token straight from the provider, as a native app would hold one: the
/// authorization and token requests made here for `hint`, with `nonce`, as `client_id`.
async fn id_token_from(
    app: &TestApp,
    idp: &MockProvider,
    hint: &str,
    nonce: &str,
    client_id: &str,
) -> String {
    let back = "http://localhost/native-app";
    let res = app
        .client
        .get(format!("{}/authorize", idp.issuer))
        .query(&[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", back),
            ("scope", "openid email profile"),
            ("state", "app-state"),
            ("nonce", nonce),
            ("login_hint", hint),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("a code");
    let answer: Value = app
        .client
        .post(format!("{}/token", idp.issuer))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", back),
            ("client_id", client_id),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["id_token"]
        .as_str()
        .expect("an id token")
        .to_string()
}

async fn sign_in_with(app: &TestApp, provider: &str, id_token: Value) -> reqwest::Response {
    app.auth_post(
        "/sign-in/social",
        json!({ "provider": provider, "idToken": id_token }),
        None,
    )
    .await
}

async fn code_of(res: reqwest::Response) -> (u16, String, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    let text = |k: &str| body[k].as_str().unwrap_or_default().to_string();
    (status, text("code"), text("message"))
}

async fn an_id_token_signs_in(backend: Backend) {
    let (app, idp) = app_with_provider(backend).await;
    let token = id_token_from(&app, &idp, "nina@example.com", "n-1", "taskdeck").await;
    let res = sign_in_with(
        &app,
        "mock",
        json!({ "token": token, "nonce": "n-1", "accessToken": "at-from-the-app" }),
    )
    .await;
    assert_eq!(res.status(), 200);
    let cookie = session_cookie(&res).expect("a session cookie");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["redirect"], false);
    assert!(body.get("url").is_none());
    assert!(body["token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(body["user"]["email"], "nina@example.com");
    assert_eq!(body["user"]["emailVerified"], true);
    assert_eq!(body["user"]["name"], "User nina");
    let session = app.session(&cookie).await;
    assert_eq!(session["user"]["email"], "nina@example.com");

    // The same person through the redirect flow is the same user, with one account.
    let (_, again) = sign_in_as(&app, "nina@example.com").await;
    let again = app.session(&again.unwrap()).await;
    assert_eq!(again["user"]["id"], body["user"]["id"]);
    let accounts: Value = app
        .auth_get("/list-accounts", Some(&cookie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(accounts.as_array().unwrap().len(), 1);

    // A token brought without its nonce is taken too (Better Auth's nonce is optional).
    let token = id_token_from(&app, &idp, "nina@example.com", "n-2", "taskdeck").await;
    let res = sign_in_with(&app, "mock", json!({ "token": token })).await;
    assert_eq!(res.status(), 200);
    idp_done(app, idp).await;
}

async fn idp_done(app: TestApp, idp: MockProvider) {
    drop(idp);
    app.cleanup().await;
}

async fn tokens_that_are_not_for_us_are_refused(backend: Backend) {
    let (app, idp) = with_provider(backend);
    let app = app
        .env("OAUTH_PROVIDERS", "mock,github")
        .env("OAUTH_GITHUB_CLIENT_ID", "Iv1.test")
        .spawn()
        .await;
    let refused = |status: u16, code: &str| (status, code.to_string());
    let outcome = |(status, code, _): (u16, String, String)| (status, code);

    // Another nonce than the one the token was made with.
    let token = id_token_from(&app, &idp, "omar@example.com", "n-right", "taskdeck").await;
    let res = sign_in_with(&app, "mock", json!({ "token": token, "nonce": "n-wrong" })).await;
    assert_eq!(outcome(code_of(res).await), refused(401, "INVALID_TOKEN"));
    // A signature that is not the provider's.
    let at = token.rfind('.').unwrap() + 10;
    let flipped = if &token[at..=at] == "A" { "B" } else { "A" };
    let forged = format!("{}{flipped}{}", &token[..at], &token[at + 1..]);
    let res = sign_in_with(&app, "mock", json!({ "token": forged })).await;
    assert_eq!(outcome(code_of(res).await), refused(401, "INVALID_TOKEN"));
    // Not a token at all.
    let res = sign_in_with(&app, "mock", json!({ "token": "not.a.token" })).await;
    assert_eq!(outcome(code_of(res).await), refused(401, "INVALID_TOKEN"));
    // Made for another client of the same provider.
    let theirs = id_token_from(&app, &idp, "omar@example.com", "n", "another-app").await;
    let res = sign_in_with(&app, "mock", json!({ "token": theirs })).await;
    assert_eq!(outcome(code_of(res).await), refused(401, "INVALID_TOKEN"));
    // GitHub has no id tokens; an unknown provider is a 404.
    let res = sign_in_with(&app, "github", json!({ "token": token })).await;
    assert_eq!(
        outcome(code_of(res).await),
        refused(404, "ID_TOKEN_NOT_SUPPORTED")
    );
    let res = sign_in_with(&app, "nowhere", json!({ "token": token })).await;
    assert_eq!(
        outcome(code_of(res).await),
        refused(404, "PROVIDER_NOT_FOUND")
    );
    // The idToken's shape.
    let res = sign_in_with(&app, "mock", json!("just a string")).await;
    assert_eq!(
        outcome(code_of(res).await),
        refused(400, "VALIDATION_ERROR")
    );
    let res = sign_in_with(&app, "mock", json!({ "nonce": "n" })).await;
    assert_eq!(
        outcome(code_of(res).await),
        refused(400, "VALIDATION_ERROR")
    );

    // A provider user without an e-mail.
    let token = id_token_from(&app, &idp, "noemail:pat", "n", "taskdeck").await;
    let res = sign_in_with(&app, "mock", json!({ "token": token })).await;
    assert_eq!(
        outcome(code_of(res).await),
        refused(401, "USER_EMAIL_NOT_FOUND")
    );
    // An e-mail someone signed up with here, not verified: not linked (no takeover).
    app.sign_up("quinn@example.com", "password of quinn here")
        .await;
    let token = id_token_from(&app, &idp, "quinn@example.com", "n", "taskdeck").await;
    let res = sign_in_with(&app, "mock", json!({ "token": token })).await;
    let (status, code, message) = code_of(res).await;
    assert_eq!(
        (status, code.as_str(), message.as_str()),
        (401, "OAUTH_LINK_ERROR", "account_not_linked")
    );
    idp_done(app, idp).await;
}

db_tests!(backend: an_id_token_signs_in, tokens_that_are_not_for_us_are_refused);
