//! Password guessing spread over many addresses against one account (review L14; the
//! design is in `src/auth/service/guessing.rs` and the README's Security section).
//! After ten wrong passwords for an account within 15 minutes, each address may try
//! that account once a minute; an address the owner has a session from is exempt; a
//! right password from a new address still gets in on its one try (slowed, never
//! locked out); and an unknown e-mail is treated exactly like a known one.
//!
//! Addresses vary through `X-Forwarded-For` from the trusted same-host peer, as behind
//! a proxy. Each address stays within the route limit (3 sign-ins per 10 s).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp, TestAppBuilder};

const PASSWORD: &str = "the owner's password";

fn limited(backend: Backend) -> TestAppBuilder {
    TestApp::builder().backend(backend).env("RATE_LIMIT", "on")
}

async fn sign_in_from(app: &TestApp, address: &str, email: &str, password: &str) -> StatusCode {
    app.client
        .post(app.url("/api/auth/sign-in/email"))
        .header("x-forwarded-for", address)
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
        .status()
}

/// Ten wrong passwords for `email`, each from an address of its own: the route limiter
/// alone would never stop them.
async fn spread_guesses(app: &TestApp, email: &str, net: u8) {
    for host in 1..=10 {
        let address = format!("203.0.{net}.{host}");
        let status = sign_in_from(app, &address, email, "a wrong guess").await;
        assert_eq!(status, 401, "guess from {address}");
    }
}

async fn guessing_one_account_from_many_addresses_slows_down(app: &TestApp) {
    let owner_home = "198.51.100.7";
    let res = app
        .client
        .post(app.url("/api/auth/sign-up/email"))
        .header("x-forwarded-for", owner_home)
        .json(&json!({ "name": "Owner", "email": "owner@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    spread_guesses(app, "owner@example.com", 113).await;

    // The slow lane: a new address has one try a minute at this account.
    let bot = "203.0.113.50";
    assert_eq!(
        sign_in_from(app, bot, "owner@example.com", "guess").await,
        401
    );
    let res = app
        .client
        .post(app.url("/api/auth/sign-in/email"))
        .header("x-forwarded-for", bot)
        .json(&json!({ "email": "owner@example.com", "password": "guess" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429, "the bot's second try within the minute");
    let wait: u64 = res.headers()["x-retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "X-Retry-After {wait}");
    // Other accounts are not affected at that address.
    assert_eq!(
        sign_in_from(app, bot, "nobody@example.com", "x-x-x-x-x").await,
        401
    );

    // The owner on the road: the right password on the first try of a new address.
    let hotel = "192.0.2.44";
    assert_eq!(
        sign_in_from(app, hotel, "owner@example.com", PASSWORD).await,
        200
    );
    // The owner at home (a session from there): never slowed.
    let typo = sign_in_from(app, owner_home, "owner@example.com", "a typo").await;
    assert_eq!(typo, 401, "home is exempt from the slow lane");
    let home = sign_in_from(app, owner_home, "owner@example.com", PASSWORD).await;
    assert_eq!(home, 200);
}

async fn an_unknown_address_is_slowed_down_alike(app: &TestApp) {
    // No account: the same answers in the same order, so nothing tells them apart.
    spread_guesses(app, "ghost@example.com", 114).await;
    let bot = "203.0.114.50";
    assert_eq!(
        sign_in_from(app, bot, "ghost@example.com", "guess").await,
        401
    );
    assert_eq!(
        sign_in_from(app, bot, "ghost@example.com", "guess").await,
        429
    );
}

db_tests!(
    with limited;
    guessing_one_account_from_many_addresses_slows_down,
    an_unknown_address_is_slowed_down_alike,
);
