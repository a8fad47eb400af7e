//! A real multi-instance deployment: three instances on one PostgreSQL database behind
//! nginx (`helpers::Cluster`), driven through the proxy as clients would. What one
//! instance counts, consumes or revokes holds on the others at once: the sign-in limit
//! under a burst, a single-use reset token and two-factor challenge under concurrent
//! use, a revoked session's UI cookies, and live events across instances.
//!
//! PostgreSQL and nginx only (`.ci/setup.sh --test` installs nginx); skipped with a note
//! when PostgreSQL is unreachable and `REQUIRE_POSTGRES` is unset.

use std::collections::{BTreeMap, BTreeSet};

use app::board_dom::stream::SESSION_ENDED;
use reqwest::Response;
use serde_json::{json, Value};
use sqlx::Connection;
use taskdeck::auth::two_factor::totp::code_at;

use crate::{
    helpers::{session_cookie, set_cookies, Cluster, TestApp},
    two_factor::{challenge, now, with_two_factor, PASSWORD},
};

/// Better Auth's rule for `/sign-in/email`: 3 requests per 10 s per client.
const SIGN_IN_LIMIT: usize = 3;

/// One test per scenario, each on a fresh cluster of three instances.
macro_rules! cluster_tests {
    ($($name:ident),* $(,)?) => {
        mod through_nginx {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if !crate::helpers::postgres_available().await {
                        eprintln!("note: cluster test skipped (PostgreSQL unreachable)");
                        return;
                    }
                    let cluster = crate::helpers::Cluster::start(3, super::deployment()).await;
                    super::$name(&cluster).await;
                    cluster.cleanup().await;
                }
            )*
        }
    };
}

cluster_tests!(
    a_sign_in_burst_gets_the_limit_once_across_instances,
    a_reset_token_works_once_under_concurrent_use,
    a_two_factor_challenge_makes_one_session_under_concurrent_use,
    a_revoked_session_is_refused_at_once_by_every_instance,
    a_write_through_one_instance_reaches_a_stream_on_another,
);

/// Production's settings where the tests touch them: limits on (counted in the shared
/// database). Heartbeats (and the streams' session re-checks) an hour apart, so that a
/// stream revoked elsewhere can only end through the immediate path.
fn deployment() -> crate::helpers::TestAppBuilder {
    TestApp::builder()
        .env("RATE_LIMIT", "on")
        .env("LIVE_HEARTBEAT_SECS", "3600")
}

/// Sends every request at once and returns the answers in order.
async fn all_at_once(requests: Vec<reqwest::RequestBuilder>) -> Vec<Response> {
    let sent: Vec<_> = requests
        .into_iter()
        .map(|req| tokio::spawn(async move { req.send().await.expect("an answer") }))
        .collect();
    let mut answers = Vec::with_capacity(sent.len());
    for one in sent {
        answers.push(one.await.unwrap());
    }
    answers
}

/// The `name=value` of the UI's JWT cookie a response sets, if any.
fn jwt_cookie(res: &Response) -> Option<String> {
    set_cookies(res)
        .into_iter()
        .find(|c| c.starts_with("taskdeck.jwt=") && !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_string())
}

/// The `exp` claim of the JWT in a `taskdeck.jwt=<jwt>` cookie.
fn jwt_expiry(cookie: &str) -> i64 {
    use base64::Engine as _;
    let jwt = cookie.split_once('=').unwrap().1;
    let payload = jwt.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url claims");
    let claims: Value = serde_json::from_slice(&bytes).expect("JSON claims");
    claims["exp"].as_i64().expect("an exp claim")
}

/// Twelve wrong sign-ins at once from one address, spread by nginx over the three
/// instances: exactly the limit reaches the password check, whichever instance took
/// them, because the counter is one row of the shared database keyed by the address
/// nginx forwarded.
async fn a_sign_in_burst_gets_the_limit_once_across_instances(cluster: &Cluster) {
    const BURST: usize = 12;
    const CLIENT: &str = "127.0.0.41";
    let proxy = &cluster.proxy;
    proxy.sign_up("burst@example.com", PASSWORD).await;

    let client = proxy.client_at(CLIENT);
    let url = proxy.url("/api/auth/sign-in/email");
    let wrong = json!({ "email": "burst@example.com", "password": "not the password" });
    let answers = all_at_once((0..BURST).map(|_| client.post(&url).json(&wrong)).collect()).await;

    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    let mut refused_by = BTreeSet::new();
    let mut answered_by = BTreeSet::new();
    for res in &answers {
        let status = res.status().as_u16();
        *statuses.entry(status).or_default() += 1;
        answered_by.insert(cluster.answered_by(res));
        if status == 429 {
            refused_by.insert(cluster.answered_by(res));
            assert!(res.headers().contains_key("x-retry-after"), "{res:?}");
        }
    }
    assert_eq!(
        statuses,
        BTreeMap::from([(401, SIGN_IN_LIMIT), (429, BURST - SIGN_IN_LIMIT)]),
        "wrong passwords checked, and refused by the limiter"
    );
    // Round robin gives each instance four: each allowed some, or none, and refused
    // the rest on the shared count.
    assert_eq!(answered_by.len(), 3, "the burst reached every instance");
    assert_eq!(
        refused_by.len(),
        3,
        "every instance refused on the shared count"
    );

    let mut pg = sqlx::PgConnection::connect(&cluster.database.url)
        .await
        .unwrap();
    let keys: Vec<String> =
        sqlx::query_scalar(r#"SELECT "key" FROM "rateLimit" WHERE "key" LIKE '%|/sign-in/email'"#)
            .fetch_all(&mut pg)
            .await
            .unwrap();
    assert_eq!(
        keys,
        [format!("{CLIENT}|/sign-in/email")],
        "one counter, for the address nginx forwarded"
    );
    // Another address is another client: its sign-in goes through.
    let res = proxy
        .client_at("127.0.0.42")
        .post(&url)
        .json(&json!({ "email": "burst@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "another client is not limited");
}

/// The mailed reset link, followed through nginx, and then six different new
/// passwords sent with its token at once, round robin over the instances: one wins,
/// and it is that password that signs in.
async fn a_reset_token_works_once_under_concurrent_use(cluster: &Cluster) {
    const EMAIL: &str = "reset@example.com";
    let proxy = &cluster.proxy;
    proxy.sign_up(EMAIL, PASSWORD).await;
    let res = proxy
        .auth_post(
            "/request-password-reset",
            json!({ "email": EMAIL, "redirectTo": "/reset-password" }),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    let mail = cluster.wait_for_mail(EMAIL, "Reset").await;
    let link = mail["link"].as_str().expect("a link");
    assert!(link.starts_with(&proxy.base), "the link is nginx's: {link}");
    let res = proxy.get(&link[proxy.base.len()..]).await;
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap();
    let token = location
        .split("token=")
        .nth(1)
        .expect("a token")
        .to_string();

    let url = proxy.url("/api/auth/reset-password");
    let passwords: Vec<String> = (0..6).map(|i| format!("new password number {i}")).collect();
    let requests = passwords
        .iter()
        .map(|p| {
            proxy
                .client
                .post(&url)
                .json(&json!({ "token": token, "newPassword": p }))
        })
        .collect();
    let answers = all_at_once(requests).await;
    let answered_by: BTreeSet<usize> = answers.iter().map(|r| cluster.answered_by(r)).collect();
    assert_eq!(answered_by.len(), 3, "the resets reached every instance");
    let mut winners = Vec::new();
    for (password, res) in passwords.iter().zip(answers) {
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap();
        match status {
            200 => winners.push(password.clone()),
            400 => assert_eq!(body["code"], "INVALID_TOKEN", "{body}"),
            other => panic!("reset answered {other}: {body}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one reset succeeds: {winners:?}");
    assert_eq!(proxy.sign_in(EMAIL, &winners[0]).await.status(), 200);
    assert_eq!(proxy.sign_in(EMAIL, PASSWORD).await.status(), 401);
}

/// One challenge (a password sign-in of a TOTP user) and its right code sent six times
/// at once through nginx, each from its own address so that the plugin's limit of three
/// per client does not decide the race: one session, whichever instance won. Six is one
/// more than the challenge's five tries: the losers' refusals (a code counts once) may
/// spend the budget while the winner is still in flight, and the winner must still get
/// its session (the spent budget ends later tries, not one already judged right).
async fn a_two_factor_challenge_makes_one_session_under_concurrent_use(cluster: &Cluster) {
    const EMAIL: &str = "challenge@example.com";
    let proxy = &cluster.proxy;
    let (who, secret, _) = with_two_factor(proxy, EMAIL).await;
    let challenge = challenge(proxy, EMAIL).await;
    let mut pg = sqlx::PgConnection::connect(&cluster.database.url)
        .await
        .unwrap();
    let sessions = r#"SELECT COUNT(*) FROM "session" WHERE "userId" = $1"#;
    let before: i64 = sqlx::query_scalar(sessions)
        .bind(&who.user_id)
        .fetch_one(&mut pg)
        .await
        .unwrap();

    // The next period's code: accepted (one step of drift either side is), and not the
    // one that turned two-factor on, should a code count once per period.
    let code = code_at(&secret, now() + 30);
    let url = proxy.url("/api/auth/two-factor/verify-totp");
    let requests = (0..6)
        .map(|i| {
            proxy
                .client_at(&format!("127.0.0.{}", 50 + i))
                .post(&url)
                .header("cookie", &challenge)
                .header("origin", proxy.origin())
                .json(&json!({ "code": code }))
        })
        .collect();
    let answers = all_at_once(requests).await;
    let answered_by: BTreeSet<usize> = answers.iter().map(|r| cluster.answered_by(r)).collect();
    assert_eq!(answered_by.len(), 3, "the codes reached every instance");
    let mut sessions_made = Vec::new();
    let mut seen = Vec::new();
    for res in answers {
        let status = res.status().as_u16();
        let cookie = session_cookie(&res);
        let body: Value = res.json().await.unwrap_or(Value::Null);
        seen.push((status, body["code"].clone()));
        match status {
            200 => sessions_made.push(cookie.expect("a session cookie with the 200")),
            400 | 401 => assert!(cookie.is_none(), "a refusal sets no session: {body}"),
            other => panic!("verify-totp answered {other}: {body}"),
        }
    }
    assert_eq!(sessions_made.len(), 1, "exactly one session: {seen:?}");
    let after: i64 = sqlx::query_scalar(sessions)
        .bind(&who.user_id)
        .fetch_one(&mut pg)
        .await
        .unwrap();
    assert_eq!(after, before + 1, "one session row was made");
    for (n, front) in cluster.pinned.iter().enumerate() {
        let session = front.session(&sessions_made[0]).await;
        assert_eq!(session["user"]["email"], EMAIL, "instance {n}: {session}");
    }
}

/// A laptop's UI cookies (session and the JWT a server function set) work on every
/// instance until the phone revokes the laptop's session through instance 2; from then
/// on every instance refuses them, for server functions and event streams alike,
/// though the JWT has not expired, and the stream open on instance 0 ends.
async fn a_revoked_session_is_refused_at_once_by_every_instance(cluster: &Cluster) {
    const EMAIL: &str = "revoked@example.com";
    let proxy = &cluster.proxy;
    let laptop = proxy.sign_up(EMAIL, PASSWORD).await;
    let phone = proxy.sign_in_cookie(EMAIL, PASSWORD).await;
    let res = proxy
        .call("task_summary", Some(&laptop.cookie), None, &[])
        .await;
    assert_eq!(res.status(), 200);
    let jwt = jwt_cookie(&res).expect("the UI's JWT cookie");
    let ui = format!("{jwt}; {}", laptop.cookie);
    for (n, front) in cluster.pinned.iter().enumerate() {
        let res = front.call("task_summary", Some(&ui), None, &[]).await;
        assert_eq!(res.status(), 200, "instance {n} takes the laptop's cookies");
        assert_eq!(jwt_cookie(&res), None, "instance {n} used the JWT cookie");
    }
    let mut stream = cluster.pinned[0].ui_events(&ui).await;
    assert_eq!(stream.status, 200);
    stream.expect("ready").await;

    let res = cluster.pinned[2]
        .auth_post("/revoke-other-sessions", json!({}), Some(&phone))
        .await;
    assert_eq!(res.status(), 200, "the phone revokes the laptop");

    assert!(
        jwt_expiry(&jwt) > chrono::Utc::now().timestamp(),
        "the laptop's JWT has not expired"
    );
    for (n, front) in cluster.pinned.iter().enumerate() {
        let res = front.call("task_summary", Some(&ui), None, &[]).await;
        assert_eq!(res.status(), 401, "instance {n}: a server function");
        let res = front
            .call("create_task", Some(&ui), None, &[("title", "after")])
            .await;
        assert_eq!(res.status(), 401, "instance {n}: a write");
        assert_eq!(
            front.ui_events(&ui).await.status,
            401,
            "instance {n}: a stream"
        );
        // The phone, signed in still, is served.
        let res = front.call("task_summary", Some(&phone), None, &[]).await;
        assert_eq!(res.status(), 200, "instance {n} serves the phone");
    }
    let end = stream.expect("end").await;
    assert_eq!(end.json()["reason"], SESSION_ENDED);
}

/// Streams opened through nginx on instances 0 (the tasks API's, bearer JWT) and 1 (the
/// UI's, cookies) see a task created and then completed through instance 2, in order.
async fn a_write_through_one_instance_reaches_a_stream_on_another(cluster: &Cluster) {
    let writer = &cluster.pinned[2];
    let me = writer.api_user("live@example.com").await;
    let mut api = cluster.pinned[0].task_events(&me, None).await;
    let mut ui = cluster.pinned[1].ui_events(&me.signed.cookie).await;
    for (n, stream) in [(0, &mut api), (1, &mut ui)] {
        assert_eq!(stream.status, 200, "the stream on instance {n}");
        let upstream = stream.headers["x-upstream"].to_str().unwrap();
        assert_eq!(upstream, cluster.instances[n].addr.to_string());
        stream.expect("ready").await;
    }
    let created = writer
        .create_task(&me, json!({ "title": "written on instance 2" }))
        .await;
    let url = format!("/api/{}/tasks/{}/complete", me.id, created["id"]);
    let res = writer.send(&me, reqwest::Method::PATCH, &url).await;
    assert_eq!(res.status(), 200);
    let completed: Value = res.json().await.unwrap();
    for stream in [&mut api, &mut ui] {
        assert_eq!(stream.expect("created").await.json(), created);
        assert_eq!(stream.expect("completed").await.json(), completed);
    }
}
