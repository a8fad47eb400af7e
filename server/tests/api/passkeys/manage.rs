//! The user's passkeys: listed, renamed, deleted (and then useless), and gone with the
//! account.

use serde_json::{json, Value};

use super::*;
use crate::{
    helpers::TestApp,
    two_factor::{json_of, PASSWORD},
};

async fn list_rename_delete(app: &TestApp) {
    let who = app.sign_up("manage@example.com", PASSWORD).await;
    let mut laptop = SoftAuthenticator::new(Key::Es256, ORIGIN);
    let mut phone = SoftAuthenticator::new(Key::Ed25519, ORIGIN);
    let first = add_passkey(app, &mut laptop, &who.cookie, "Laptop").await;
    let second = add_passkey(app, &mut phone, &who.cookie, "Phone").await;
    let list = |cookie: String| async move {
        app.auth_get("/passkey/list-user-passkeys", Some(&cookie))
            .await
            .json::<Value>()
            .await
            .unwrap()
    };
    let names: Vec<Value> = list(who.cookie.clone())
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(names, [json!("Laptop"), json!("Phone")]);

    let (status, body) = json_of(
        app.auth_post(
            "/passkey/update-passkey",
            json!({ "id": first["id"], "name": "  Work laptop " }),
            Some(&who.cookie),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["passkey"]["name"], "Work laptop");
    assert_eq!(body["passkey"]["id"], first["id"]);
    // An empty name, or no such passkey.
    let (status, _) = json_of(
        app.auth_post(
            "/passkey/update-passkey",
            json!({ "id": first["id"], "name": "   " }),
            Some(&who.cookie),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    let missing = app
        .auth_post(
            "/passkey/update-passkey",
            json!({ "id": "nope", "name": "x" }),
            Some(&who.cookie),
        )
        .await;
    assert_eq!(
        refusal(json_of(missing).await),
        (404, "PASSKEY_NOT_FOUND".into())
    );

    let (status, body) = json_of(
        app.auth_post(
            "/passkey/delete-passkey",
            json!({ "id": second["id"] }),
            Some(&who.cookie),
        )
        .await,
    )
    .await;
    assert_eq!((status, body), (200, json!({ "status": true })));
    let left = list(who.cookie.clone()).await;
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert_eq!(left[0]["name"], "Work laptop");
    // The deleted passkey no longer signs in; the other does.
    let (status, body, _) = sign_in_with(app, &mut phone).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("PASSKEY_NOT_FOUND"))
    );
    assert_eq!(sign_in_with(app, &mut laptop).await.0, 200);
    // Listing needs a session.
    assert_eq!(
        app.auth_get("/passkey/list-user-passkeys", None)
            .await
            .status(),
        401
    );
}

/// Deleting the account takes its passkeys with it: the passkey is unknown afterwards.
async fn a_deleted_users_passkey_is_unknown(app: &TestApp) {
    let who = app.sign_up("leaving@example.com", PASSWORD).await;
    let mut key = SoftAuthenticator::new(Key::Es256, ORIGIN);
    add_passkey(app, &mut key, &who.cookie, "Laptop").await;
    let res = app
        .auth_post(
            "/delete-user",
            json!({ "password": PASSWORD }),
            Some(&who.cookie),
        )
        .await;
    assert_eq!(res.status(), 200);
    let (status, body, session) = sign_in_with(app, &mut key).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("PASSKEY_NOT_FOUND"))
    );
    assert!(session.is_none());
}

db_tests!(with builder; list_rename_delete, a_deleted_users_passkey_is_unknown);
