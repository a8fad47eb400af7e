//! `get-access-token`, `refresh-token` and `account-info`: the signed-in user's front end gets the
//! provider's tokens its account keeps (Better Auth's bodies and answers); an access
//! token about to run out is refreshed first, and the new tokens are kept. Only the
//! user's own accounts, and only those at a configured provider.

use serde_json::{json, Value};

use super::*;
use crate::helpers::Backend;

async fn post(app: &TestApp, path: &str, body: Value, cookie: Option<&str>) -> (u16, Value) {
    let res = app.auth_post(path, body, cookie).await;
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

/// The id of the user's account at `mock`.
async fn mock_account(app: &TestApp, cookie: &str) -> String {
    let list: Value = app
        .auth_get("/list-accounts", Some(cookie))
        .await
        .json()
        .await
        .unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .find(|a| a["providerId"] == "mock")
        .and_then(|a| a["id"].as_str())
        .expect("an account at mock")
        .to_string()
}

async fn tokens_are_handed_out_and_refreshed(backend: Backend) {
    let (app, _idp) = app_with_provider(backend).await;
    let (_, cookie) = sign_in_as(&app, "rosa@example.com").await;
    let cookie = cookie.unwrap();
    let id = mock_account(&app, &cookie).await;

    let (status, kept) = post(
        &app,
        "/get-access-token",
        json!({ "accountId": id }),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200, "{kept}");
    let access = kept["accessToken"].as_str().unwrap().to_string();
    assert!(!access.is_empty());
    assert_eq!(kept["scopes"], json!(["openid", "email", "profile"]));
    assert!(kept["idToken"]
        .as_str()
        .is_some_and(|t| t.split('.').count() == 3));
    assert!(kept["accessTokenExpiresAt"].as_str().is_some(), "{kept}");
    // Asked again while it is good: the same token, nothing refreshed.
    let (_, again) = post(
        &app,
        "/get-access-token",
        json!({ "accountId": id }),
        Some(&cookie),
    )
    .await;
    assert_eq!(again["accessToken"], access.as_str());

    // refresh-token: new tokens from the provider, kept.
    let (status, fresh) = post(
        &app,
        "/refresh-token",
        json!({ "accountId": id }),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200, "{fresh}");
    assert_ne!(fresh["accessToken"], access.as_str());
    assert!(fresh["refreshToken"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    assert_eq!(fresh["providerId"], "mock");
    assert_eq!(fresh["accountId"], id.as_str());
    assert!(fresh["accessTokenExpiresAt"].as_str().is_some());
    let (_, now) = post(
        &app,
        "/get-access-token",
        json!({ "accountId": id }),
        Some(&cookie),
    )
    .await;
    assert_eq!(now["accessToken"], fresh["accessToken"]);

    // An access token about to run out is refreshed before it is handed out.
    let expiry = ("account", "accessTokenExpiresAt");
    app.set_in_the_past(expiry, ("id", &id), chrono::Duration::minutes(1))
        .await;
    let (status, renewed) = post(
        &app,
        "/get-access-token",
        json!({ "accountId": id }),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200, "{renewed}");
    assert_ne!(renewed["accessToken"], fresh["accessToken"]);
    let (_, kept) = post(
        &app,
        "/get-access-token",
        json!({ "accountId": id }),
        Some(&cookie),
    )
    .await;
    assert_eq!(
        kept["accessToken"], renewed["accessToken"],
        "the refreshed token is kept"
    );
    app.cleanup().await;
}

/// `account-info`: the provider's userinfo, asked with the account's access token.
async fn account_info_asks_the_provider(backend: Backend) {
    let (app, _idp) = app_with_provider(backend).await;
    let (_, cookie) = sign_in_as(&app, "yara@example.com").await;
    let cookie = cookie.unwrap();
    let id = mock_account(&app, &cookie).await;
    let path = format!("/account-info?accountId={id}");
    let res = app.auth_get(&path, Some(&cookie)).await;
    assert_eq!(res.status(), 200);
    let info: Value = res.json().await.unwrap();
    assert_eq!(info["user"]["id"], "sub-yara@example.com");
    assert_eq!(info["user"]["email"], "yara@example.com");
    assert_eq!(info["user"]["emailVerified"], true);
    assert_eq!(info["user"]["name"], "User yara");
    assert_eq!(
        info["user"]["image"],
        "https://example.com/sub-yara@example.com.png"
    );
    assert_eq!(info["data"]["sub"], "sub-yara@example.com");
    assert_eq!(
        info["account"],
        json!({ "id": id, "providerId": "mock", "accountId": "sub-yara@example.com" })
    );

    assert_eq!(app.auth_get(&path, None).await.status(), 401);
    let res = app.auth_get("/account-info", Some(&cookie)).await;
    assert_eq!(res.status(), 400);
    let other = app.sign_up("zed@example.com", "password of zed here").await;
    let res = app.auth_get(&path, Some(&other.cookie)).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "ACCOUNT_NOT_FOUND");
    app.cleanup().await;
}

async fn only_the_users_own_provider_accounts(backend: Backend) {
    let (app, _idp) = app_with_provider(backend).await;
    let (_, cookie) = sign_in_as(&app, "sam@example.com").await;
    let cookie = cookie.unwrap();
    let id = mock_account(&app, &cookie).await;

    // Signed out: 401.
    let (status, _) = post(&app, "/get-access-token", json!({ "accountId": id }), None).await;
    assert_eq!(status, 401);
    let (status, _) = post(&app, "/refresh-token", json!({ "accountId": id }), None).await;
    assert_eq!(status, 401);
    // Someone else's account, or none: not found.
    let other = app
        .sign_up("tess@example.com", "password of tess here")
        .await;
    for path in ["/get-access-token", "/refresh-token"] {
        let (status, body) =
            post(&app, path, json!({ "accountId": id }), Some(&other.cookie)).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("ACCOUNT_NOT_FOUND")),
            "{path}"
        );
        let (status, body) = post(&app, path, json!({ "accountId": "nope" }), Some(&cookie)).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("ACCOUNT_NOT_FOUND")),
            "{path}"
        );
        let (status, body) = post(&app, path, json!({}), Some(&cookie)).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("VALIDATION_ERROR")),
            "{path}"
        );
    }
    // The password account is no provider's.
    let list: Value = app
        .auth_get("/list-accounts", Some(&other.cookie))
        .await
        .json()
        .await
        .unwrap();
    let credential = list[0]["id"].as_str().unwrap();
    let (status, body) = post(
        &app,
        "/get-access-token",
        json!({ "accountId": credential }),
        Some(&other.cookie),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("PROVIDER_NOT_SUPPORTED"))
    );
    assert_eq!(body["message"], "Provider credential is not supported.");
    app.cleanup().await;
}

db_tests!(
    backend: tokens_are_handed_out_and_refreshed,
    account_info_asks_the_provider,
    only_the_users_own_provider_accounts,
);
