//! Second-factor codes by e-mail (review 2026-12 M1, M2): off unless
//! `TWO_FACTOR_EMAIL_OTP=true` (a mailbox alone must not pass for the authenticator);
//! when on, every wrong code spends the challenge's five tries whatever the number of
//! codes mailed, a challenge mails at most three, and ten failures in a row lock even
//! users whose only factor is e-mail.

use serde_json::json;

use crate::{
    helpers::{session_cookie, Backend, TestApp, TestAppBuilder},
    two_factor::{
        assert_refused, challenge, challenge_for, post_refusal, refusal, tried, verify,
        with_two_factor, PASSWORD,
    },
};

/// A six-digit code other than `code`.
fn other_than(code: &str) -> &'static str {
    if code == "000000" {
        "000001"
    } else {
        "000000"
    }
}

/// A code that is never right.
async fn wrong_guess(app: &TestApp, challenge: &str) -> (u16, String) {
    refusal(app, "verify-otp", json!({ "code": "99999x" }), challenge).await
}

/// Signs up and turns on e-mailed codes alone (`method: "otp"`).
async fn with_email_codes(app: &TestApp, email: &str) {
    let who = app.sign_up(email, PASSWORD).await;
    let res = app
        .auth_post(
            "/two-factor/enable",
            json!({ "password": PASSWORD, "method": "otp" }),
            Some(&who.cookie),
        )
        .await;
    assert_eq!(res.status(), 200);
}

async fn email_codes_are_off_unless_configured(app: &TestApp) {
    let (who, _, _) = with_two_factor(app, "nomail@example.com").await;
    // Only the app is offered, and the mailbox is refused as a second factor.
    let challenge = challenge(app, &who.email).await;
    let off = (400, "OTP_NOT_CONFIGURED".to_string());
    assert_eq!(refusal(app, "send-otp", json!({}), &challenge).await, off);
    assert_eq!(
        refusal(app, "verify-otp", json!({ "code": "123456" }), &challenge).await,
        off
    );
    // Nor while signed in, nor as the method to turn on.
    assert_eq!(refusal(app, "send-otp", json!({}), &who.cookie).await, off);
    let other = app.sign_up("nomail2@example.com", PASSWORD).await;
    assert_eq!(
        post_refusal(
            app,
            "/two-factor/enable",
            json!({ "password": PASSWORD, "method": "otp" }),
            Some(&other.cookie)
        )
        .await,
        off
    );
    assert!(app.outbox().iter().all(|m| m["kind"] != "sign_in_code"));
    // The second step's page does not offer it.
    let page = app
        .load(
            app.client
                .get(app.url("/sign-in/two-factor"))
                .header("cookie", &challenge),
        )
        .await;
    let html = page.text().await.unwrap();
    assert!(html.contains("Code from your authenticator app"), "{html}");
    assert!(!html.contains("E-mail me a code instead"));
}

db_tests!(email_codes_are_off_unless_configured);

/// With e-mailed codes on (`TWO_FACTOR_EMAIL_OTP=true`).
mod on {
    use super::*;

    async fn a_code_by_mail_signs_in(app: &TestApp) {
        let (who, _, _) = with_two_factor(app, "mail2fa@example.com").await;
        let challenge = challenge_for(app, &who.email, json!(["totp", "otp"])).await;
        let (status, body) = tried(app, "send-otp", json!({}), &challenge).await;
        assert_eq!((status, body), (200, json!({ "status": true })));
        let code = app.sign_in_code(&who.email, 1).await;
        assert_refused(
            app,
            "verify-otp",
            json!({ "code": other_than(&code) }),
            &challenge,
            (401, "INVALID_CODE"),
        )
        .await;
        let res = verify(app, "verify-otp", json!({ "code": code }), &challenge).await;
        assert_eq!(res.status(), 200);
        assert!(session_cookie(&res).is_some());
        // Single use.
        let (status, body) = tried(app, "verify-otp", json!({ "code": code }), &challenge).await;
        assert_eq!(status, 401, "{body}");
        // The page offers it.
        let page = app
            .load(app.client.get(app.url("/sign-in/two-factor")).header(
                "cookie",
                &challenge_for(app, &who.email, json!(["totp", "otp"])).await,
            ))
            .await;
        assert!(page
            .text()
            .await
            .unwrap()
            .contains("E-mail me a code instead"));
    }

    async fn resending_does_not_buy_more_guesses(app: &TestApp) {
        let email = "resend@example.com";
        with_email_codes(app, email).await;
        let challenge = challenge_for(app, email, json!(["otp"])).await;
        // Three codes mailed, five wrong guesses in all: each one counts.
        let mut guesses = 0;
        for (sent, tries) in [(1, 2), (2, 2), (3, 1)] {
            let (status, _) = tried(app, "send-otp", json!({}), &challenge).await;
            assert_eq!(status, 200);
            app.sign_in_code(email, sent).await;
            for _ in 0..tries {
                assert_eq!(
                    wrong_guess(app, &challenge).await,
                    (401, "INVALID_CODE".into())
                );
                guesses += 1;
            }
        }
        assert_eq!(guesses, 5);
        // A fourth code is not mailed.
        assert_refused(
            app,
            "send-otp",
            json!({}),
            &challenge,
            (400, "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE"),
        )
        .await;
        // The sixth guess ends the challenge: even the right code needs a new sign-in.
        assert_eq!(
            wrong_guess(app, &challenge).await,
            (400, "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE".into())
        );
        let code = app.sign_in_code(email, 3).await;
        assert_refused(
            app,
            "verify-otp",
            json!({ "code": code }),
            &challenge,
            (401, "INVALID_TWO_FACTOR_COOKIE"),
        )
        .await;
        let mailed = app
            .outbox()
            .iter()
            .filter(|m| m["kind"] == "sign_in_code")
            .count();
        assert_eq!(mailed, 3, "no fourth mail");
    }

    async fn email_only_users_are_locked_out_too(app: &TestApp) {
        let email = "otponly@example.com";
        with_email_codes(app, email).await;
        // Ten wrong codes over two challenges...
        for n in 1..=2 {
            let challenge = challenge_for(app, email, json!(["otp"])).await;
            let (status, _) = tried(app, "send-otp", json!({}), &challenge).await;
            assert_eq!(status, 200);
            let code = app.sign_in_code(email, n).await;
            for _ in 0..5 {
                assert_refused(
                    app,
                    "verify-otp",
                    json!({ "code": other_than(&code) }),
                    &challenge,
                    (401, "INVALID_CODE"),
                )
                .await;
            }
        }
        // ...lock the account: the right code of a new challenge is refused with 429.
        let challenge = challenge_for(app, email, json!(["otp"])).await;
        let (status, _) = tried(app, "send-otp", json!({}), &challenge).await;
        assert_eq!(status, 200);
        let code = app.sign_in_code(email, 3).await;
        assert_refused(
            app,
            "verify-otp",
            json!({ "code": code }),
            &challenge,
            (429, "ACCOUNT_TEMPORARILY_LOCKED"),
        )
        .await;
    }

    /// E-mailed codes configured, as `TWO_FACTOR_EMAIL_OTP=true` does it.
    fn email_codes_on(backend: Backend) -> TestAppBuilder {
        TestApp::for_backend(backend).env("TWO_FACTOR_EMAIL_OTP", "true")
    }

    db_tests!(
        with email_codes_on;
        a_code_by_mail_signs_in,
        resending_does_not_buy_more_guesses,
        email_only_users_are_locked_out_too,
    );
}
