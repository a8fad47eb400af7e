//! Account input (review findings L6, L8, L9): deleting the account takes the
//! password, and names, e-mails and passwords keep to their rules.

use serde_json::{json, Value};

use super::PASSWORD;
use crate::helpers::TestApp;

async fn account_input_rules(app: &TestApp) {
    let who = app.sign_up("input@example.com", PASSWORD).await;
    // Deleting the account always takes the password, even from a fresh session.
    let res = app
        .auth_post("/delete-user", json!({}), Some(&who.cookie))
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.json::<Value>().await.unwrap()["code"],
        "PASSWORD_REQUIRED"
    );
    assert_eq!(app.sign_in(&who.email, PASSWORD).await.status(), 200);
    // Names are one line.
    for name in [
        "Eve\r\n\r\nYour account is locked: https://evil",
        "tab\there",
        "nul\0",
    ] {
        let res = app
            .auth_post("/update-user", json!({ "name": name }), Some(&who.cookie))
            .await;
        assert_eq!(res.status(), 400, "{name:?}");
        let res = app
            .auth_post(
                "/sign-up/email",
                json!({ "name": name, "email": "other@example.com", "password": PASSWORD }),
                None,
            )
            .await;
        assert_eq!(res.status(), 400, "{name:?}");
    }
    // Images: https or data:image, bounded, no control characters.
    for image in [
        "javascript:alert(1)".to_string(),
        "http://example.com/a.png".to_string(),
        format!("https://example.com/{}", "a".repeat(3000)),
        "https://example.com/a\u{0}.png".to_string(),
        "https://exa mple.com/a.png".to_string(),
    ] {
        let res = app
            .auth_post("/update-user", json!({ "image": image }), Some(&who.cookie))
            .await;
        assert_eq!(res.status(), 400, "{image:.40}");
    }
    for image in [
        "https://example.com/me.png",
        "data:image/png;base64,iVBORw0KGgo=",
    ] {
        let res = app
            .auth_post("/update-user", json!({ "image": image }), Some(&who.cookie))
            .await;
        assert_eq!(res.status(), 200, "{image}");
    }
}

db_tests!(account_input_rules);
