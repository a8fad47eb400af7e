//! What must not sign anyone in or add a passkey: a challenge used twice, expired or of
//! the other ceremony; an answer made for another origin or RP; a cloned authenticator
//! (its counter behind); someone else's challenge; a session older than a day.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::*;
use crate::{
    helpers::TestApp,
    two_factor::{json_of, PASSWORD},
};

async fn database(app: &TestApp) -> taskdeck::Database {
    taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap()
}

async fn a_challenge_works_once(app: &TestApp) {
    let who = app.sign_up("once@example.com", PASSWORD).await;
    let mut key = SoftAuthenticator::new(Key::Es256, ORIGIN);
    add_passkey(app, &mut key, &who.cookie, "Laptop").await;

    let (options, challenge) =
        ask_options(app, "/passkey/generate-authenticate-options", None).await;
    let response = key.sign(&options).await;
    let verify = |cookie: String, response: serde_json::Value| async move {
        json_of(
            app.auth_post(
                "/passkey/verify-authentication",
                json!({ "response": response }),
                Some(&cookie),
            )
            .await,
        )
        .await
    };
    assert_eq!(verify(challenge.clone(), response.clone()).await.0, 200);
    // The same cookie again: its challenge is spent.
    assert_eq!(
        refusal(verify(challenge, response.clone()).await),
        (400, "CHALLENGE_NOT_FOUND".into())
    );
    // The same answer under a new challenge: it signed the old one.
    let (_, fresh) = ask_options(app, "/passkey/generate-authenticate-options", None).await;
    assert_eq!(
        refusal(verify(fresh, response.clone()).await),
        (401, "AUTHENTICATION_FAILED".into())
    );
    // No cookie, or a forged one.
    assert_eq!(
        refusal(
            json_of(
                app.auth_post(
                    "/passkey/verify-authentication",
                    json!({ "response": response }),
                    None
                )
                .await
            )
            .await
        ),
        (400, "CHALLENGE_NOT_FOUND".into())
    );
    let forged = format!("{COOKIE}=abc.def");
    assert_eq!(
        refusal(verify(forged, response).await),
        (400, "CHALLENGE_NOT_FOUND".into())
    );
}

async fn challenges_expire_and_keep_to_their_ceremony(app: &TestApp) {
    let who = app.sign_up("expire@example.com", PASSWORD).await;
    let mut key = SoftAuthenticator::new(Key::Es256, ORIGIN);
    add_passkey(app, &mut key, &who.cookie, "Laptop").await;

    // A registration challenge does not sign anyone in.
    let (_, registration) =
        ask_options(app, "/passkey/generate-register-options", Some(&who.cookie)).await;
    let (sign_options, _) = ask_options(app, "/passkey/generate-authenticate-options", None).await;
    let response = key.sign(&sign_options).await;
    let res = app
        .auth_post(
            "/passkey/verify-authentication",
            json!({ "response": response }),
            Some(&registration),
        )
        .await;
    assert_eq!(
        refusal(json_of(res).await),
        (400, "CHALLENGE_NOT_FOUND".into())
    );

    // Five minutes later the challenge is gone.
    let (sign_options, challenge) =
        ask_options(app, "/passkey/generate-authenticate-options", None).await;
    let response = key.sign(&sign_options).await;
    let db = database(app).await;
    let past = taskdeck::storage::Ts(chrono::Utc::now() - chrono::Duration::minutes(6));
    taskdeck::with_pool!(&db, |pool| sqlx::query(
        r#"UPDATE "verification" SET "expiresAt" = $1"#
    )
    .bind(past)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    let res = app
        .auth_post(
            "/passkey/verify-authentication",
            json!({ "response": response }),
            Some(&challenge),
        )
        .await;
    assert_eq!(
        refusal(json_of(res).await),
        (400, "CHALLENGE_NOT_FOUND".into())
    );
}

/// A page at another origin (a phishing copy) gets an answer bound to its origin, which
/// neither registers nor signs in here; nor does one made for another RP id.
async fn another_origin_or_rp_is_refused(app: &TestApp) {
    let who = app.sign_up("phish@example.com", PASSWORD).await;
    let (options, challenge) =
        ask_options(app, "/passkey/generate-register-options", Some(&who.cookie)).await;
    let mut phished = SoftAuthenticator::new(Key::Es256, "http://localhost:4000");
    let response = phished.register(&options).await;
    let res = app
        .auth_post(
            "/passkey/verify-registration",
            json!({ "response": response }),
            Some(&both(&who.cookie, &challenge)),
        )
        .await;
    assert_eq!(
        refusal(json_of(res).await),
        (400, "FAILED_TO_VERIFY_REGISTRATION".into())
    );

    // A real passkey, used from the phishing page.
    let mut key = SoftAuthenticator::new(Key::Es256, ORIGIN);
    add_passkey(app, &mut key, &who.cookie, "Laptop").await;
    let mut key = key.at("http://localhost:4000");
    let (status, body, session) = sign_in_with(app, &mut key).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("AUTHENTICATION_FAILED"))
    );
    assert!(session.is_none());

    // An answer for another RP id (its hash in the authenticator data changed on the
    // way) is refused too.
    let mut key = key.at(ORIGIN);
    let (options, challenge) =
        ask_options(app, "/passkey/generate-authenticate-options", None).await;
    let mut response = key.sign(&options).await;
    let data = response["response"]["authenticatorData"].as_str().unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(data).unwrap();
    bytes[..32].copy_from_slice(&Sha256::digest(b"evil.example"));
    response["response"]["authenticatorData"] = json!(URL_SAFE_NO_PAD.encode(bytes));
    let res = app
        .auth_post(
            "/passkey/verify-authentication",
            json!({ "response": response }),
            Some(&challenge),
        )
        .await;
    assert_eq!(
        refusal(json_of(res).await),
        (401, "AUTHENTICATION_FAILED".into())
    );
}

/// A copy of the authenticator made earlier has an older counter: once the original
/// has been used, the copy is refused.
async fn a_cloned_authenticator_is_refused(app: &TestApp) {
    let who = app.sign_up("clone@example.com", PASSWORD).await;
    let mut key = SoftAuthenticator::new(Key::Es256, ORIGIN);
    add_passkey(app, &mut key, &who.cookie, "Laptop").await;
    assert_eq!(sign_in_with(app, &mut key).await.0, 200);
    assert_eq!(sign_in_with(app, &mut key).await.0, 200);
    key.roll_counter_back_to(0);
    let (status, body, session) = sign_in_with(app, &mut key).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("AUTHENTICATION_FAILED"))
    );
    assert!(session.is_none());
}

/// A challenge minted for one user cannot register a passkey for another, and a
/// passkey of someone else cannot be renamed or deleted.
async fn someone_elses_challenge_or_passkey(app: &TestApp) {
    let ann = app.sign_up("ann@example.com", PASSWORD).await;
    let ben = app.sign_up("ben@example.com", PASSWORD).await;
    let (options, anns_challenge) =
        ask_options(app, "/passkey/generate-register-options", Some(&ann.cookie)).await;
    let mut key = SoftAuthenticator::new(Key::Es256, ORIGIN);
    let response = key.register(&options).await;
    let res = app
        .auth_post(
            "/passkey/verify-registration",
            json!({ "response": response }),
            Some(&both(&ben.cookie, &anns_challenge)),
        )
        .await;
    assert_eq!(
        refusal(json_of(res).await),
        (401, "YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY".into())
    );

    let mut anns_key = SoftAuthenticator::new(Key::Es256, ORIGIN);
    let row = add_passkey(app, &mut anns_key, &ann.cookie, "Ann's").await;
    let id = row["id"].as_str().unwrap();
    let rename = app
        .auth_post(
            "/passkey/update-passkey",
            json!({ "id": id, "name": "mine now" }),
            Some(&ben.cookie),
        )
        .await;
    assert_eq!(
        refusal(json_of(rename).await),
        (401, "YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY".into())
    );
    let delete = app
        .auth_post(
            "/passkey/delete-passkey",
            json!({ "id": id }),
            Some(&ben.cookie),
        )
        .await;
    assert_eq!(refusal(json_of(delete).await), (401, "UNAUTHORIZED".into()));
    let list = app
        .auth_get("/passkey/list-user-passkeys", Some(&ben.cookie))
        .await;
    assert_eq!(list.json::<serde_json::Value>().await.unwrap(), json!([]));
    // Ann's passkey is untouched and still signs Ann in.
    let (status, body, _) = sign_in_with(app, &mut anns_key).await;
    assert_eq!(status, 200);
    assert_eq!(body["user"]["id"], ann.user_id.as_str());
}

/// Adding a passkey needs a session made within the last day (Better Auth's fresh
/// session); signing in again makes one.
async fn registration_needs_a_fresh_session(app: &TestApp) {
    let who = app.sign_up("stale@example.com", PASSWORD).await;
    let sessions = ("session", "createdAt");
    app.set_in_the_past(
        sessions,
        ("userId", &who.user_id),
        chrono::Duration::hours(25),
    )
    .await;
    let res = app
        .auth_get("/passkey/generate-register-options", Some(&who.cookie))
        .await;
    assert_eq!(
        refusal(json_of(res).await),
        (403, "SESSION_NOT_FRESH".into())
    );
    let res = app
        .auth_post(
            "/passkey/verify-registration",
            json!({ "response": {} }),
            Some(&who.cookie),
        )
        .await;
    assert_eq!(
        refusal(json_of(res).await),
        (403, "SESSION_NOT_FRESH".into())
    );
}

/// Malformed answers are a 4xx, never a 500.
async fn malformed_answers_are_refused_in_words(app: &TestApp) {
    let who = app.sign_up("junk@example.com", PASSWORD).await;
    for junk in [
        json!({}),
        json!({ "id": "x", "response": {} }),
        json!("text"),
    ] {
        let (_, challenge) =
            ask_options(app, "/passkey/generate-register-options", Some(&who.cookie)).await;
        let res = app
            .auth_post(
                "/passkey/verify-registration",
                json!({ "response": junk }),
                Some(&both(&who.cookie, &challenge)),
            )
            .await;
        let status = res.status().as_u16();
        assert!((400..500).contains(&status), "{junk}: {status}");
        let (_, challenge) = ask_options(app, "/passkey/generate-authenticate-options", None).await;
        let res = app
            .auth_post(
                "/passkey/verify-authentication",
                json!({ "response": junk }),
                Some(&challenge),
            )
            .await;
        let status = res.status().as_u16();
        assert!((400..500).contains(&status), "{junk}: {status}");
    }
}

db_tests!(with builder;
    a_challenge_works_once,
    challenges_expire_and_keep_to_their_ceremony,
    another_origin_or_rp_is_refused,
    a_cloned_authenticator_is_refused,
    someone_elses_challenge_or_passkey,
    registration_needs_a_fresh_session,
    malformed_answers_are_refused_in_words,
);
