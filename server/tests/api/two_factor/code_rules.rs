//! The authenticator code's own rules (review 2026-12 L1, L2, L13): a TOTP code works
//! once per user (sign-in and signed-in re-verification alike), a synchronised burst
//! of guesses over several challenges stops at the lock-out's ten, and one user has
//! one `twoFactor` row however many `enable` calls race.

use serde_json::{json, Value};
use taskdeck::auth::two_factor::totp::{code_at, secret_from_uri};

use crate::{
    helpers::TestApp,
    two_factor::{
        assert_refused, challenge, next_code, now, post, verify, with_two_factor, PASSWORD,
    },
};

async fn a_totp_code_works_once(app: &TestApp) {
    let (who, secret, _) = with_two_factor(app, "replay@example.com").await;
    let code = next_code(&secret);
    let first = challenge(app, &who.email).await;
    let res = verify(app, "verify-totp", json!({ "code": code }), &first).await;
    assert_eq!(res.status(), 200);
    // Seen over a shoulder, the same code opens nothing else: not a second sign-in...
    let second = challenge(app, &who.email).await;
    assert_refused(
        app,
        "verify-totp",
        json!({ "code": code }),
        &second,
        (401, "INVALID_CODE"),
    )
    .await;
    // ...nor a signed-in re-verification.
    assert_refused(
        app,
        "verify-totp",
        json!({ "code": code }),
        &who.cookie,
        (401, "INVALID_CODE"),
    )
    .await;
    // An older code (the set-up's step) is refused too.
    assert_refused(
        app,
        "verify-totp",
        json!({ "code": code_at(&secret, now()) }),
        &second,
        (401, "INVALID_CODE"),
    )
    .await;
}

async fn a_burst_of_guesses_stops_at_the_lock(app: &TestApp) {
    let (who, secret, _) = with_two_factor(app, "burst@example.com").await;
    let wrong = if next_code(&secret) == "000000" || code_at(&secret, now()) == "000000" {
        "99999x"
    } else {
        "000000"
    };
    let mut challenges = Vec::new();
    for _ in 0..3 {
        challenges.push(challenge(app, &who.email).await);
    }
    // Five guesses per challenge, fifteen at once.
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(15));
    let guesses = challenges
        .iter()
        .flat_map(|c| std::iter::repeat_n(c.clone(), 5));
    let tasks: Vec<_> = guesses
        .map(|cookie| {
            let barrier = barrier.clone();
            let (client, url, origin) = (
                app.client.clone(),
                app.url("/api/auth/two-factor/verify-totp"),
                app.origin(),
            );
            tokio::spawn(async move {
                barrier.wait().await;
                let res = client
                    .post(url)
                    .header("cookie", cookie)
                    .header("origin", origin)
                    .json(&json!({ "code": wrong }))
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                let body: Value = res.json().await.unwrap_or(Value::Null);
                (
                    status,
                    body["code"].as_str().unwrap_or_default().to_string(),
                )
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    let invalid = answers
        .iter()
        .filter(|a| *a == &(401, "INVALID_CODE".to_string()))
        .count();
    let locked = answers
        .iter()
        .filter(|a| *a == &(429, "ACCOUNT_TEMPORARILY_LOCKED".to_string()))
        .count();
    assert_eq!((invalid, locked), (10, 5), "{answers:?}");
    // And the right code of a new challenge is locked out as well.
    let last = challenge(app, &who.email).await;
    assert_refused(
        app,
        "verify-totp",
        json!({ "code": next_code(&secret) }),
        &last,
        (429, "ACCOUNT_TEMPORARILY_LOCKED"),
    )
    .await;
    // Fifteen minutes later (the lock moved into the past), the right code works.
    let lock = ("twoFactor", "lockedUntil");
    app.set_in_the_past(lock, ("userId", &who.user_id), chrono::Duration::minutes(1))
        .await;
    let after = challenge(app, &who.email).await;
    let res = verify(
        app,
        "verify-totp",
        json!({ "code": next_code(&secret) }),
        &after,
    )
    .await;
    assert_eq!(res.status(), 200);
}

async fn concurrent_enables_leave_one_row(app: &TestApp) {
    let who = app.sign_up("twice@example.com", PASSWORD).await;
    let enable = || {
        post(
            app,
            "/two-factor/enable",
            json!({ "password": PASSWORD }),
            Some(&who.cookie),
        )
    };
    let (a, b) = tokio::join!(enable(), enable());
    assert_eq!((a.0, b.0), (200, 200));
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    let rows: i64 = taskdeck::with_pool!(&db, |pool| sqlx::query_scalar(
        r#"SELECT COUNT(*) FROM "twoFactor" WHERE "userId" = $1"#
    )
    .bind(&who.user_id)
    .fetch_one(pool)
    .await)
    .unwrap();
    db.close().await;
    assert_eq!(rows, 1);
    // The row holds one of the two answers' secrets, and that one confirms set-up.
    let secrets: Vec<String> = [a.1, b.1]
        .iter()
        .map(|body| secret_from_uri(body["totpURI"].as_str().unwrap()).unwrap())
        .collect();
    let mut confirmed = 0;
    for secret in &secrets {
        let (status, _) = post(
            app,
            "/two-factor/verify-totp",
            json!({ "code": code_at(secret, now()) }),
            Some(&who.cookie),
        )
        .await;
        if status == 200 {
            confirmed += 1;
            break;
        }
        assert_eq!(status, 401);
    }
    assert_eq!(confirmed, 1);
}

/// Runs one statement on the app's database.
async fn sql(db: &taskdeck::Database, statement: &str, user_id: &str) {
    taskdeck::with_pool!(db, |pool| sqlx::query(statement)
        .bind(user_id)
        .execute(pool)
        .await
        .map(|_| ()))
    .unwrap();
}

async fn the_migration_keeps_the_confirmed_row(app: &TestApp) {
    let (who, secret, _) = with_two_factor(app, "dupes@example.com").await;
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    // A database from before 0004 (or Better Auth's own race): duplicates, confirmed
    // and pending, on either side of the real row's id.
    sql(&db, r#"DROP INDEX "twoFactor_userId_unique""#, "").await;
    for (id, verified) in [
        ("0", "TRUE"),
        ("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "FALSE"),
    ] {
        let insert = format!(
            r#"INSERT INTO "twoFactor" ("id", "secret", "backupCodes", "userId", "verified", "failedVerificationCount") VALUES ('{id}', 'x', 'y', $1, {verified}, 0)"#
        );
        sql(&db, &insert, &who.user_id).await;
    }
    sql(
        &db,
        r#"DELETE FROM "_sqlx_migrations" WHERE "version" = 4"#,
        "",
    )
    .await;
    db.migrate().await.expect("0004 runs again");
    let ids: Vec<String> = taskdeck::with_pool!(&db, |pool| sqlx::query_scalar(
        r#"SELECT "id" FROM "twoFactor" WHERE "userId" = $1"#
    )
    .bind(&who.user_id)
    .fetch_all(pool)
    .await)
    .unwrap();
    db.close().await;
    assert_eq!(ids.len(), 1, "{ids:?}");
    // (The real row's id is random: it may start with "z" too, 1 time in 62.)
    assert!(
        ids[0] != "0" && ids[0] != "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
        "{ids:?}"
    );
    // The kept row is the user's real one: its secret still signs in.
    let challenge = challenge(app, &who.email).await;
    let res = verify(
        app,
        "verify-totp",
        json!({ "code": next_code(&secret) }),
        &challenge,
    )
    .await;
    assert_eq!(res.status(), 200);
}

db_tests!(
    the_migration_keeps_the_confirmed_row,
    a_totp_code_works_once,
    a_burst_of_guesses_stops_at_the_lock,
    concurrent_enables_leave_one_row,
);
