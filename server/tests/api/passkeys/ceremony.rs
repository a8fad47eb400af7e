//! The ceremonies that work: registering with a fresh session, signing in with no user
//! name (a discoverable credential), the counter moving, with P-256 and Ed25519 keys.

use serde_json::{json, Value};

use super::*;
use crate::{
    helpers::{set_cookies, TestApp},
    two_factor::{json_of, PASSWORD},
};

/// Registration options as SimpleWebAuthn writes them for Better Auth, and the
/// challenge cookie as the plugin sets it.
async fn registration_options_are_better_auths(app: &TestApp) {
    let who = app.sign_up("options@example.com", PASSWORD).await;
    let res = app
        .auth_get("/passkey/generate-register-options", Some(&who.cookie))
        .await;
    assert_eq!(res.status(), 200);
    let cookie = set_cookies(&res)
        .into_iter()
        .find(|c| c.starts_with(COOKIE))
        .unwrap();
    assert!(
        cookie.contains("; Max-Age=300; Path=/; HttpOnly; SameSite=Lax"),
        "{cookie}"
    );
    let o: Value = res.json().await.unwrap();
    assert_eq!(o["rp"], json!({ "name": "Taskdeck", "id": "localhost" }));
    assert_eq!(o["user"]["name"], "options@example.com");
    assert_eq!(o["user"]["displayName"], "options@example.com");
    // A fresh random handle each time (32 characters of [a-z0-9], base64url here).
    assert_eq!(o["user"]["id"].as_str().unwrap().len(), 43);
    assert_eq!(o["challenge"].as_str().unwrap().len(), 43);
    let algs: Vec<i64> = o["pubKeyCredParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["alg"].as_i64().unwrap())
        .collect();
    assert_eq!(algs, [-8, -7, -257]);
    assert_eq!(o["timeout"], 60000);
    assert_eq!(o["attestation"], "none");
    assert_eq!(o["excludeCredentials"], json!([]));
    assert_eq!(
        o["authenticatorSelection"],
        json!({ "residentKey": "preferred", "requireResidentKey": false, "userVerification": "preferred" })
    );
    assert_eq!(o["extensions"], json!({ "credProps": true }));

    // The query's attachment and name reach the options; others are refused.
    let (o, _) = ask_options(
        app,
        "/passkey/generate-register-options?authenticatorAttachment=platform&name=Work",
        Some(&who.cookie),
    )
    .await;
    assert_eq!(
        o["authenticatorSelection"]["authenticatorAttachment"],
        "platform"
    );
    assert_eq!(o["user"]["name"], "Work");
    let res = app
        .auth_get(
            "/passkey/generate-register-options?authenticatorAttachment=phone",
            Some(&who.cookie),
        )
        .await;
    assert_eq!(res.status(), 400);

    // Without a session: Better Auth's 401.
    let res = app
        .auth_get("/passkey/generate-register-options", None)
        .await;
    assert_eq!(res.status(), 401);
}

async fn register_then_sign_in(app: &TestApp, key_type: Key, email: &str) {
    let who = app.sign_up(email, PASSWORD).await;
    let mut key = SoftAuthenticator::new(key_type, ORIGIN);
    let row = add_passkey(app, &mut key, &who.cookie, "  Laptop  ").await;
    assert_eq!(row["name"], "Laptop");
    assert_eq!(row["userId"], who.user_id.as_str());
    assert_eq!(row["counter"], 0);
    assert_eq!(row["deviceType"], "multiDevice");
    assert_eq!(row["backedUp"], true);
    assert_eq!(row["aaguid"], "00000000-0000-0000-0000-000000000000");
    assert!(row["createdAt"].is_string());
    assert!(!row["credentialID"].as_str().unwrap().contains('='));
    assert!(row["publicKey"].as_str().unwrap().len() > 40);

    // Signing in needs no e-mail: the options name no credential.
    let (options, _) = ask_options(app, "/passkey/generate-authenticate-options", None).await;
    assert_eq!(options["rpId"], "localhost");
    assert_eq!(options["userVerification"], "preferred");
    assert!(options.get("allowCredentials").is_none(), "{options}");

    let (status, body, session) = sign_in_with(app, &mut key).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["id"], who.user_id.as_str());
    assert_eq!(body["session"]["userId"], who.user_id.as_str());
    let session = session.expect("a session cookie");
    assert_eq!(
        app.session(&session).await["user"]["email"],
        email.to_lowercase()
    );

    // Each sign-in moves the counter; a second works too.
    let (status, _, _) = sign_in_with(app, &mut key).await;
    assert_eq!(status, 200);
    let list = app
        .auth_get("/passkey/list-user-passkeys", Some(&session))
        .await;
    let list: Value = list.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["counter"], 2);

    // Signed in, the options list the user's passkeys, and a second registration
    // excludes the first.
    let (options, _) = ask_options(
        app,
        "/passkey/generate-authenticate-options",
        Some(&session),
    )
    .await;
    assert_eq!(options["allowCredentials"][0]["id"], row["credentialID"]);
    let (options, _) = ask_options(app, "/passkey/generate-register-options", Some(&session)).await;
    assert_eq!(options["excludeCredentials"][0]["id"], row["credentialID"]);
}

async fn a_p256_passkey_signs_in(app: &TestApp) {
    register_then_sign_in(app, Key::Es256, "p256@example.com").await;
}

async fn an_ed25519_passkey_signs_in(app: &TestApp) {
    register_then_sign_in(app, Key::Ed25519, "ed25519@example.com").await;
}

/// A passkey is both factors: a two-factor user is not asked for a code after it, as
/// with Better Auth.
async fn no_second_factor_after_a_passkey(app: &TestApp) {
    let (who, _, _) = crate::two_factor::with_two_factor(app, "both@example.com").await;
    let mut key = SoftAuthenticator::new(Key::Es256, ORIGIN);
    add_passkey(app, &mut key, &who.cookie, "Phone").await;
    let (status, body, session) = sign_in_with(app, &mut key).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("twoFactorRedirect").is_none());
    assert!(session.is_some());
}

/// `createSession: true` makes a session beside the one that registered.
async fn registration_can_make_a_session(app: &TestApp) {
    let who = app.sign_up("create@example.com", PASSWORD).await;
    let mut key = SoftAuthenticator::new(Key::Es256, ORIGIN);
    let (options, challenge) =
        ask_options(app, "/passkey/generate-register-options", Some(&who.cookie)).await;
    let response = key.register(&options).await;
    let res = app
        .auth_post(
            "/passkey/verify-registration",
            json!({ "response": response, "createSession": true }),
            Some(&both(&who.cookie, &challenge)),
        )
        .await;
    let session = crate::helpers::session_cookie(&res).expect("a new session");
    let (status, body) = json_of(res).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["credentialID"].is_string());
    assert_eq!(body["user"]["id"], who.user_id.as_str());
    assert_ne!(session, who.cookie);
    assert_eq!(
        app.session(&session).await["user"]["id"],
        who.user_id.as_str()
    );
}

db_tests!(with builder;
    registration_options_are_better_auths,
    a_p256_passkey_signs_in,
    an_ed25519_passkey_signs_in,
    no_second_factor_after_a_passkey,
    registration_can_make_a_session,
);
