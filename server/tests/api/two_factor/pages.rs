//! Two-factor in the UI's pages and forms (review 2026-12 L6, L7, L8): the set-up's
//! secret and new backup codes are shown once, on the page after the password step,
//! and never travel in a cookie; secret-bearing answers are never cached; and a
//! "don't remember me" session stays one through set-up and password changes.

use reqwest::Response;
use serde_json::json;
use taskdeck::auth::two_factor::totp::secret_from_uri;

use crate::{
    helpers::{set_cookies, Jar, TestApp},
    two_factor::{next_code, post, PASSWORD},
};

/// A form post without JavaScript to the server function `name`.
async fn form(app: &TestApp, name: &str, jar: &mut Jar, fields: &[(&str, &str)]) -> Response {
    let res = app
        .client
        .post(app.url(&format!("/api/ui/{name}")))
        .header("accept", "text/html")
        .header("origin", app.origin())
        .header("cookie", jar.header())
        .form(fields)
        .send()
        .await
        .unwrap();
    jar.take(&res);
    res
}

async fn page(app: &TestApp, path: &str, jar: &mut Jar) -> (String, String) {
    let res = app
        .load(app.client.get(app.url(path)).header("cookie", jar.header()))
        .await;
    assert_eq!(res.status(), 200, "{path}");
    jar.take(&res);
    let cache = res.headers()["cache-control"].to_str().unwrap().to_string();
    (cache, res.text().await.unwrap())
}

/// The session cookie a response sets, which must be a browser-session cookie.
fn session_cookie_without_max_age(res: &Response) {
    let cookie = set_cookies(res)
        .into_iter()
        .find(|c| c.starts_with("better-auth.session_token=") && !c.contains("Max-Age=0"))
        .expect("a new session cookie");
    assert!(!cookie.contains("Max-Age"), "{cookie}");
}

async fn secrets_are_shown_once_and_never_cached(app: &TestApp) {
    let who = app.sign_up("once@example.com", PASSWORD).await;
    let mut jar = Jar::default();
    jar.0.push(split(&who.cookie));

    // The password step hands the next page a handle, never the secret or codes.
    let res = form(
        app,
        "enable_two_factor",
        &mut jar,
        &[("password", PASSWORD)],
    )
    .await;
    assert_eq!(res.headers()["location"], "/settings/two-factor");
    let carried = jar
        .get("taskdeck.form")
        .expect("the form cookie")
        .to_string();
    assert!(carried.starts_with("reveal%3D"), "{carried}");
    let (cache, html) = page(app, "/settings/two-factor", &mut jar).await;
    assert_eq!(cache, "no-store");
    assert!(html.contains("id=\"totp-secret\""), "shown once: {html}");
    assert!(html.contains("aria-label=\"Backup codes\""));
    // Later views (the same handle, or the session alone) do not show them again.
    jar.0.push(("taskdeck.form".into(), carried));
    let (_, html) = page(app, "/settings/two-factor", &mut jar).await;
    assert!(!html.contains("totp-secret"));
    assert!(html.contains("Start set-up again"), "asks for the password");
    let view = app
        .call_json("two_factor", Some(&jar.header()), None, &[])
        .await;
    assert_eq!(
        (view["pending"].clone(), view["setup"].clone()),
        (json!(true), json!(null))
    );

    // Every /api/auth answer is no-store, the one with the secret first of all.
    let res = app
        .auth_post(
            "/two-factor/enable",
            json!({ "password": PASSWORD }),
            Some(&jar.header()),
        )
        .await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: serde_json::Value = res.json().await.unwrap();
    let secret = secret_from_uri(body["totpURI"].as_str().unwrap()).unwrap();
    let res = form(
        app,
        "confirm_two_factor",
        &mut jar,
        &[("code", &next_code(&secret))],
    )
    .await;
    assert_eq!(res.headers()["location"], "/settings?done=two_factor_on");
    let (cache, _) = page(app, "/settings", &mut jar).await;
    assert_eq!(cache, "no-store");

    // New backup codes: the same way, once.
    let res = form(
        app,
        "regenerate_backup_codes",
        &mut jar,
        &[("password", PASSWORD)],
    )
    .await;
    assert_eq!(res.headers()["location"], "/settings/two-factor");
    let carried = jar
        .get("taskdeck.form")
        .expect("the form cookie")
        .to_string();
    assert!(
        carried.starts_with("reveal%3D") && !carried.contains("codes"),
        "{carried}"
    );
    let (_, html) = page(app, "/settings/two-factor", &mut jar).await;
    assert!(html.contains("Your new backup codes"));
    let (_, html) = page(app, "/settings/two-factor", &mut jar).await;
    assert!(!html.contains("Your new backup codes"));
    assert!(html.contains("10 unused backup codes left."));
}

fn split(cookie: &str) -> (String, String) {
    let (name, value) = cookie.split_once('=').unwrap();
    (name.to_string(), value.to_string())
}

async fn dont_remember_me_survives_set_up_changes(app: &TestApp) {
    let who = app.sign_up("kiosk@example.com", PASSWORD).await;
    let mut jar = Jar::default();
    // Signed in without "remember me": a cookie that ends with the browser.
    let res = form(
        app,
        "sign_in",
        &mut jar,
        &[("email", &who.email), ("password", PASSWORD)],
    )
    .await;
    session_cookie_without_max_age(&res);

    let (status, body) = post(
        app,
        "/two-factor/enable",
        json!({ "password": PASSWORD }),
        Some(&jar.header()),
    )
    .await;
    assert_eq!(status, 200);
    let secret = secret_from_uri(body["totpURI"].as_str().unwrap()).unwrap();
    let res = form(
        app,
        "confirm_two_factor",
        &mut jar,
        &[("code", &next_code(&secret))],
    )
    .await;
    session_cookie_without_max_age(&res);

    let fields = [
        ("current_password", PASSWORD),
        ("new_password", "another long password"),
        ("revoke_others", "on"),
    ];
    let res = form(app, "change_password", &mut jar, &fields).await;
    session_cookie_without_max_age(&res);

    let fields = [("password", "another long password")];
    let res = form(app, "disable_two_factor", &mut jar, &fields).await;
    assert_eq!(res.headers()["location"], "/settings?done=two_factor_off");
    session_cookie_without_max_age(&res);
}

async fn an_unconfirmed_set_up_expires(app: &TestApp) {
    let who = app.sign_up("late@example.com", PASSWORD).await;
    let (status, body) = post(
        app,
        "/two-factor/enable",
        json!({ "password": PASSWORD }),
        Some(&who.cookie),
    )
    .await;
    assert_eq!(status, 200);
    let secret = secret_from_uri(body["totpURI"].as_str().unwrap()).unwrap();
    // Ten minutes pass (the set-up's deadline is moved into the past).
    let setup = format!("2fa-setup-{}", who.user_id);
    let deadline = ("verification", "expiresAt");
    app.set_in_the_past(
        deadline,
        ("identifier", &setup),
        chrono::Duration::minutes(1),
    )
    .await;
    let view = app
        .call_json("two_factor", Some(&who.cookie), None, &[])
        .await;
    assert_eq!(view["pending"], false, "{view}");
    let (status, body) = post(
        app,
        "/two-factor/verify-totp",
        json!({ "code": next_code(&secret) }),
        Some(&who.cookie),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("TOTP_NOT_ENABLED"))
    );
}

db_tests!(
    an_unconfirmed_set_up_expires,
    secrets_are_shown_once_and_never_cached,
    dont_remember_me_survives_set_up_changes,
);
