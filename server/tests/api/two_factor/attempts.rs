//! Wrong codes: limited per challenge, and the plugin's own rate limit on every
//! `/two-factor/*` path.

use serde_json::json;
use taskdeck::auth::two_factor::totp::code_at;

use super::*;
use crate::helpers::TestApp;

async fn wrong_codes_are_limited_per_challenge(app: &TestApp) {
    let (who, secret, _) = with_two_factor(app, "guess@example.com").await;
    let challenge = challenge(app, &who.email).await;
    let right = code_at(&secret, now());
    let wrong = if right == "999999" {
        "999998"
    } else {
        "999999"
    };
    for _ in 0..5 {
        assert_refused(
            app,
            "verify-totp",
            json!({ "code": wrong }),
            &challenge,
            (401, "INVALID_CODE"),
        )
        .await;
    }
    assert_refused(
        app,
        "verify-totp",
        json!({ "code": wrong }),
        &challenge,
        (400, "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE"),
    )
    .await;
    // The challenge is gone: even the right code needs a new sign-in now.
    assert_refused(
        app,
        "verify-totp",
        json!({ "code": code_at(&secret, now()) }),
        &challenge,
        (401, "INVALID_TWO_FACTOR_COOKIE"),
    )
    .await;

    // Across challenges, ten failures lock the factor for a while (429).
    for _ in 0..5 {
        let next = super::challenge(app, &who.email).await;
        assert_refused(
            app,
            "verify-totp",
            json!({ "code": wrong }),
            &next,
            (401, "INVALID_CODE"),
        )
        .await;
    }
    let last = super::challenge(app, &who.email).await;
    assert_refused(
        app,
        "verify-totp",
        json!({ "code": code_at(&secret, now()) }),
        &last,
        (429, "ACCOUNT_TEMPORARILY_LOCKED"),
    )
    .await;
}

/// The plugin's own rate limit: three tries per 10 s per client on each `/two-factor/*`
/// path (with limits on, as in production).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_factor_paths_are_rate_limited() {
    let app = TestApp::builder().env("RATE_LIMIT", "on").spawn().await;
    let (who, secret, _) = with_two_factor(&app, "limited@example.com").await;
    let challenge = challenge(&app, &who.email).await;
    let wrong = if code_at(&secret, now()) == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..2 {
        let res = verify(&app, "verify-totp", json!({ "code": wrong }), &challenge).await;
        assert_eq!(res.status(), 401);
    }
    // (The set-up's own verify-totp was the first of the three.)
    let res = verify(
        &app,
        "verify-totp",
        json!({ "code": code_at(&secret, now()) }),
        &challenge,
    )
    .await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("x-retry-after"));
    app.cleanup().await;
}

db_tests!(wrong_codes_are_limited_per_challenge);
