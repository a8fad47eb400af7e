//! The account: updating the user, changing the password, deleting the user (and
//! everything of theirs).

use serde_json::{json, Value};

use super::{error_of, PASSWORD};
use crate::helpers::{session_cookie, TestApp};

async fn update_user_and_change_password(app: &TestApp) {
    let who = app.sign_up("fay@example.com", PASSWORD).await;
    let res = app
        .auth_post(
            "/update-user",
            json!({ "name": "Fay Q" }),
            Some(&who.cookie),
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "status": true })
    );
    let s: Value = app.session(&who.cookie).await;
    assert_eq!(s["user"]["name"], "Fay Q");

    let (status, err) = error_of(
        app.auth_post(
            "/update-user",
            json!({ "email": "x@y.z" }),
            Some(&who.cookie),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (400, Some("EMAIL_CAN_NOT_BE_UPDATED"))
    );
    let (status, err) = error_of(
        app.auth_post("/update-user", json!({}), Some(&who.cookie))
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(err["message"], "No fields to update");

    let (status, err) = error_of(
        app.auth_post(
            "/change-password",
            json!({ "currentPassword": "wrong password", "newPassword": "new password 1" }),
            Some(&who.cookie),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(err["code"], "INVALID_PASSWORD");

    let other = app.sign_in_cookie("fay@example.com", PASSWORD).await;
    let res = app
        .auth_post(
            "/change-password",
            json!({ "currentPassword": PASSWORD, "newPassword": "new password 1", "revokeOtherSessions": true }),
            Some(&who.cookie),
        )
        .await;
    assert_eq!(res.status(), 200);
    let fresh = session_cookie(&res).expect("a new session cookie");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token"].as_str().unwrap().len(), 32);
    assert_eq!(app.session(&other).await, Value::Null);
    assert_ne!(app.session(&fresh).await, Value::Null);
    assert_eq!(app.sign_in("fay@example.com", PASSWORD).await.status(), 401);
    assert_eq!(
        app.sign_in("fay@example.com", "new password 1")
            .await
            .status(),
        200
    );
}

async fn delete_user_removes_everything(app: &TestApp) {
    let who = app.sign_up("gus@example.com", PASSWORD).await;
    let (status, err) = error_of(
        app.auth_post(
            "/delete-user",
            json!({ "password": "nope nope" }),
            Some(&who.cookie),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (400, Some("INVALID_PASSWORD"))
    );
    let res = app
        .auth_post(
            "/delete-user",
            json!({ "password": PASSWORD }),
            Some(&who.cookie),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "success": true, "message": "User deleted" })
    );
    assert_eq!(app.sign_in("gus@example.com", PASSWORD).await.status(), 401);
    assert_eq!(app.session(&who.cookie).await, Value::Null);
}

db_tests!(
    update_user_and_change_password,
    delete_user_removes_everything
);
