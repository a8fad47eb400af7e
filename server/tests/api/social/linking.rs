//! An e-mail that already has an account here is linked only when both the provider
//! and this server say it is verified (Better Auth 1.7's rule): otherwise whoever
//! controls that address at the provider, or registered it here unverified, could take
//! the other's account.

use serde_json::json;

use super::*;
use crate::helpers::Backend;

const PASSWORD: &str = "password of the local account";

async fn mark_verified(app: &TestApp, email: &str) {
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    taskdeck::with_pool!(&db, |pool| sqlx::query(
        r#"UPDATE "user" SET "emailVerified" = TRUE WHERE "email" = $1"#
    )
    .bind(email)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
}

async fn linked_only_when_both_sides_verified(backend: Backend) {
    let (app, _idp) = app_with_provider(backend).await;
    let local = app.sign_up("erin@example.com", PASSWORD).await;

    // Unverified here: not linked, and no session.
    let (to, session) = sign_in_as(&app, "erin@example.com").await;
    assert_eq!(to, "/sign-in?error=account_not_linked");
    assert!(session.is_none());

    // Verified here, but the provider does not vouch for the address: still not.
    mark_verified(&app, "erin@example.com").await;
    let (to, session) = sign_in_as(&app, "unverified:erin@example.com").await;
    assert_eq!(to, "/sign-in?error=account_not_linked");
    assert!(session.is_none());

    // Both verified: the provider's account joins the local user.
    let (to, session) = sign_in_as(&app, "erin@example.com").await;
    assert_eq!(to, "/welcome-back");
    let me = app.session(&session.expect("a session")).await;
    assert_eq!(me["user"]["id"], local.user_id.as_str());
    // The password still works beside it.
    assert_eq!(
        app.sign_in("erin@example.com", PASSWORD).await.status(),
        200
    );
    app.cleanup().await;
}

/// A provider that does not vouch for the e-mail still signs a new user up, unverified
/// (as Better Auth); one with no e-mail at all does not.
async fn new_users_keep_the_providers_word(backend: Backend) {
    let (app, _idp) = app_with_provider(backend).await;
    let (to, session) = sign_in_as(&app, "unverified:frank@example.com").await;
    assert_eq!(to, "/welcome");
    let me = app.session(&session.unwrap()).await;
    assert_eq!(me["user"]["emailVerified"], false);

    let (to, session) = sign_in_as(&app, "noemail:gina").await;
    assert_eq!(to, "/sign-in?error=email_not_found");
    assert!(session.is_none());
    app.cleanup().await;
}

/// `link-social`: a signed-in user adds the provider's account to theirs, if the
/// provider vouches for the same e-mail; the session stays the one they had.
async fn a_signed_in_user_links_an_account(backend: Backend) {
    let (app, _idp) = app_with_provider(backend).await;
    let me = app.sign_up("mia@example.com", PASSWORD).await;
    let link = |hint: &'static str| {
        let cookie = me.cookie.clone();
        let app = &app;
        async move {
            let res = app
                .auth_post(
                    "/link-social",
                    json!({
                        "provider": "mock",
                        "callbackURL": "/settings",
                        "errorCallbackURL": "/settings",
                        "loginHint": hint,
                    }),
                    Some(&cookie),
                )
                .await;
            assert_eq!(res.status(), 200);
            let state = state_cookie(&res).unwrap();
            let url = res.json::<serde_json::Value>().await.unwrap()["url"]
                .as_str()
                .unwrap()
                .to_string();
            (authorize(app, &url).await, state)
        }
    };

    // Another e-mail at the provider, or one it does not vouch for: not linked.
    let (query, state) = link("nina@example.com").await;
    let (to, _) = come_back(&app, &query, Some(&format!("{}; {state}", me.cookie))).await;
    assert_eq!(to, "/settings?error=email_does_not_match");
    let (query, state) = link("unverified:mia@example.com").await;
    let (to, _) = come_back(&app, &query, Some(&format!("{}; {state}", me.cookie))).await;
    assert_eq!(to, "/settings?error=unable_to_link_account");
    // Signed out before coming back: not linked either.
    let (query, state) = link("mia@example.com").await;
    let (to, _) = come_back(&app, &query, Some(&state)).await;
    assert_eq!(to, "/settings?error=unable_to_link_account");

    let (query, state) = link("mia@example.com").await;
    let (to, session) = come_back(&app, &query, Some(&format!("{}; {state}", me.cookie))).await;
    assert_eq!(to, "/settings");
    assert!(session.is_none(), "linking makes no new session");
    let list: serde_json::Value = app
        .auth_get("/list-accounts", Some(&me.cookie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    // From now on the provider signs Mia in (her e-mail was never verified here).
    let (to, session) = sign_in_as(&app, "mia@example.com").await;
    assert_eq!(to, "/welcome-back");
    let who = app.session(&session.unwrap()).await;
    assert_eq!(who["user"]["id"], me.user_id.as_str());
    // Linking needs a session.
    let res = app
        .auth_post("/link-social", json!({ "provider": "mock" }), None)
        .await;
    assert_eq!(res.status(), 401);
    app.cleanup().await;
}

db_tests!(backend:
    linked_only_when_both_sides_verified,
    new_users_keep_the_providers_word,
    a_signed_in_user_links_an_account,
);
