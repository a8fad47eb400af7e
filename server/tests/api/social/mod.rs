//! Sign-in with another account on Better Auth's wire (`sign-in/social`, `callback/:id`,
//! `list-accounts`, `unlink-account`), on SQLite and PostgreSQL, against a real OpenID
//! provider: `oauth2-mock-server` (npm) run as a process by `end2end/mock-oidc.mjs`, its
//! user chosen per sign-in through `login_hint`.
//!
//! - `sign_in`: a new user, the same user again, where each lands;
//! - `linking`: when an e-mail already here is linked, and when it is not;
//! - `refusals`: state and code tampering, a mix-up (`iss`), the provider's own errors,
//!   an unknown or unreachable provider;
//! - `accounts`: listing and unlinking;
//! - `id_token`: signing in with an id token the client got from the provider itself;
//! - `provider_tokens`: `get-access-token` and `refresh-token`.

mod accounts;
mod id_token;
mod linking;
mod provider_tokens;
mod refusals;
mod sign_in;

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
};

use reqwest::Response;
use serde_json::{json, Value};

use crate::helpers::{session_cookie, set_cookies, Backend, TestApp, TestAppBuilder};

/// The provider process, stopped when dropped.
pub struct MockProvider {
    child: Child,
    pub issuer: String,
}

impl MockProvider {
    pub fn start() -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end/mock-oidc.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .arg("0")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs end2end/mock-oidc.mjs (make test installs end2end's packages)");
        let stdout = child.stdout.take().expect("the provider's output");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the provider says it is ready");
        let issuer = line
            .trim()
            .strip_prefix("ready ")
            .unwrap_or_else(|| panic!("the provider did not start: {line:?}"))
            .to_string();
        Self { child, issuer }
    }
}

impl Drop for MockProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An app with the provider `mock` (named "Mock ID"), and the provider.
pub async fn app_with_provider(backend: Backend) -> (TestApp, MockProvider) {
    let (app, idp) = with_provider(backend);
    (app.spawn().await, idp)
}

/// The provider, and an app's settings with it as `mock` (more may be added).
pub fn with_provider(backend: Backend) -> (TestAppBuilder, MockProvider) {
    let idp = MockProvider::start();
    let app = TestApp::for_backend(backend)
        .env("OAUTH_PROVIDERS", "mock")
        .env("OAUTH_MOCK_CLIENT_ID", "taskdeck")
        .env("OAUTH_MOCK_CLIENT_SECRET", "not-so-secret")
        .env("OAUTH_MOCK_NAME", "Mock ID")
        .env(
            "OAUTH_MOCK_DISCOVERY_URL",
            format!("{}/.well-known/openid-configuration", idp.issuer),
        );
    (app, idp)
}

/// `name=value` of the state cookie a response sets.
pub fn state_cookie(res: &Response) -> Option<String> {
    set_cookies(res)
        .into_iter()
        .find(|c| c.starts_with("better-auth.state=") && !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_string())
}

/// Starts a sign-in as `login_hint`: `(the authorization URL, the state cookie)`.
pub async fn start(app: &TestApp, hint: &str, extra: Value) -> (String, String) {
    let mut body = json!({
        "provider": "mock",
        "callbackURL": "/welcome-back",
        "newUserCallbackURL": "/welcome",
        "errorCallbackURL": "/sign-in",
        "loginHint": hint,
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let res = app.auth_post("/sign-in/social", body, None).await;
    assert_eq!(res.status(), 200);
    let cookie = state_cookie(&res).expect("the state cookie");
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let answer: Value = res.json().await.unwrap();
    assert_eq!(answer["redirect"], true);
    assert_eq!(answer["url"], location.as_str());
    (location, cookie)
}

/// The provider's answer to the authorization URL: the callback's query string.
pub async fn authorize(app: &TestApp, url: &str) -> String {
    let res = app.client.get(url).send().await.unwrap();
    assert_eq!(res.status(), 302, "the provider redirects back");
    let back = res.headers()["location"].to_str().unwrap();
    back.split_once('?')
        .map(|(_, q)| q.to_string())
        .unwrap_or_default()
}

/// The browser coming back with `query` and `cookie`: `(Location, session cookie)`.
pub async fn come_back(
    app: &TestApp,
    query: &str,
    cookie: Option<&str>,
) -> (String, Option<String>) {
    let mut req = app
        .client
        .get(app.url(&format!("/api/auth/callback/mock?{query}")));
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 302, "the callback redirects");
    let to = res.headers()["location"].to_str().unwrap().to_string();
    (to, session_cookie(&res))
}

/// A whole sign-in as `hint`: `(where it lands, the session cookie)`.
pub async fn sign_in_as(app: &TestApp, hint: &str) -> (String, Option<String>) {
    let (url, cookie) = start(app, hint, json!({})).await;
    let query = authorize(app, &url).await;
    come_back(app, &query, Some(&cookie)).await
}
