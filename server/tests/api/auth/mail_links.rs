//! The flows that go through the mailbox: password reset and e-mail verification.

use serde_json::{json, Value};

use super::{error_of, PASSWORD};
use crate::helpers::TestApp;

async fn password_reset_by_mail(app: &TestApp) {
    app.sign_up("hal@example.com", PASSWORD).await;
    let res = app
        .auth_post(
            "/request-password-reset",
            json!({ "email": "hal@example.com", "redirectTo": "/reset-password" }),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], true);
    app.wait_for_mail("hal@example.com", "Reset").await;
    // Unknown address: the same answer, no mail.
    let before = app.outbox().len();
    let res = app
        .auth_post(
            "/request-password-reset",
            json!({ "email": "ghost@example.com" }),
            None,
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["status"], true);
    // Time for a mail to be written, were one on its way.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.outbox().len(), before);

    let mail = app.wait_for_mail("hal@example.com", "Reset").await;
    let link = mail["link"].as_str().unwrap();
    let path = &link[link.find("/api/auth/").unwrap()..];
    let res = app.get(path).await;
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/reset-password?token="), "{location}");
    let token = location.split("token=").nth(1).unwrap().to_string();

    let (status, err) = error_of(
        app.auth_post(
            "/reset-password",
            json!({ "token": token, "newPassword": "short" }),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (400, Some("PASSWORD_TOO_SHORT"))
    );
    let res = app
        .auth_post(
            "/reset-password",
            json!({ "token": token, "newPassword": "brand new secret" }),
            None,
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "status": true })
    );
    assert_eq!(
        app.sign_in("hal@example.com", "brand new secret")
            .await
            .status(),
        200
    );
    assert_eq!(app.sign_in("hal@example.com", PASSWORD).await.status(), 401);

    // Single use.
    let (status, err) = error_of(
        app.auth_post(
            "/reset-password",
            json!({ "token": token, "newPassword": "another secret!" }),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (400, Some("INVALID_TOKEN"))
    );
    let res = app.get(path).await;
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .ends_with("error=INVALID_TOKEN"));

    // Untrusted redirect targets are refused.
    let (status, err) = error_of(
        app.auth_post(
            "/request-password-reset",
            json!({ "email": "hal@example.com", "redirectTo": "https://evil.example" }),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (403, Some("INVALID_REDIRECT_URL"))
    );
}

async fn email_verification_by_mail(app: &TestApp) {
    let who = app.sign_up("ivy@example.com", PASSWORD).await;
    let token = app.verification_token("ivy@example.com").await;
    let res = app
        .auth_get(&format!("/verify-email?token={token}"), None)
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "status": true, "user": null })
    );
    let s: Value = app.session(&who.cookie).await;
    assert_eq!(s["user"]["emailVerified"], true);

    let (status, err) = error_of(app.auth_get("/verify-email?token=garbage", None).await).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (401, Some("INVALID_TOKEN"))
    );
    let (status, err) = error_of(
        app.auth_post(
            "/send-verification-email",
            json!({ "email": "ivy@example.com" }),
            Some(&who.cookie),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (400, Some("EMAIL_ALREADY_VERIFIED"))
    );
}

db_tests!(password_reset_by_mail, email_verification_by_mail);
