//! Test harness: spawns the real application on a random port with a fresh database,
//! SQLite (a temporary file) or PostgreSQL (a database created for the test and dropped
//! afterwards), and talks to it over HTTP like any client.
#![allow(dead_code)]

use std::{collections::HashMap, net::SocketAddr, time::Duration};

use leptos::config::LeptosOptions;
use rand::{distributions::Alphanumeric, Rng};
use server::Application;
use sqlx::{Connection, Executor, PgConnection};
use taskdeck::Config;

/// Where the PostgreSQL tests create their databases. `TEST_DATABASE_URL` overrides.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one `#[tokio::test]` per backend for each listed async test function
/// `async fn name(app: TestApp)`. PostgreSQL tests skip with a notice only when no
/// server is reachable and `REQUIRE_POSTGRES` is unset (CI sets it).
#[macro_export]
macro_rules! db_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::common::TestApp::spawn($crate::common::Backend::Sqlite).await;
                    super::$name(&app).await;
                    app.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if !$crate::common::postgres_available().await {
                        return;
                    }
                    let app = $crate::common::TestApp::spawn($crate::common::Backend::Postgres).await;
                    super::$name(&app).await;
                    app.cleanup().await;
                }
            )*
        }
    };
}

/// Whether the PostgreSQL variant should run. Panics if it is required but unreachable.
pub async fn postgres_available() -> bool {
    let reachable = PgConnection::connect(&postgres_admin_url()).await.is_ok();
    if !reachable {
        if std::env::var_os("REQUIRE_POSTGRES").is_some() {
            panic!(
                "REQUIRE_POSTGRES is set but {} is unreachable",
                postgres_admin_url()
            );
        }
        eprintln!("note: PostgreSQL unreachable, skipping the postgres variant");
    }
    reachable
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub backend: Backend,
    pub client: reqwest::Client,
    pub config: Config,
    pub data_dir: tempfile::TempDir,
    pg_database: Option<PgTestDatabase>,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, &[]).await
    }

    /// Spawns with extra environment settings, e.g. `("APP_ENV", "production")`.
    pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut env: HashMap<String, String> = HashMap::from([
            (
                "BETTER_AUTH_SECRET".into(),
                "test-secret-0123456789-abcdefghijklmnop".into(),
            ),
            ("DATA_DIR".into(), data_dir.path().display().to_string()),
            ("RUST_LOG".into(), "warn".into()),
        ]);
        let pg_database = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => {
                let database = PgTestDatabase::create("taskdeck_test").await;
                env.insert("DATABASE_URL".into(), database.url.clone());
                Some(database)
            }
        };
        for (k, v) in extra {
            env.insert(k.to_string(), v.to_string());
        }
        // The site address is only used for the default base URL; the listener binds :0.
        let config = Config::from_lookup(|k| env.get(k).cloned()).expect("test config");
        let leptos_options = LeptosOptions::builder()
            .output_name("taskdeck")
            .site_root("target/site")
            .site_addr(SocketAddr::from(([127, 0, 0, 1], 0)))
            .build();
        let app = Application::build(config.clone(), leptos_options)
            .await
            .expect("application starts");
        let addr = app.local_addr();
        let server = tokio::spawn(async move {
            let _ = app.run_until_stopped(std::future::pending()).await;
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client");
        Self {
            addr,
            base: format!("http://{addr}"),
            backend,
            client,
            config,
            data_dir,
            pg_database,
            server,
        }
    }

    /// An HTTP client whose requests come from `ip` (any 127.0.0.0/8 address works on
    /// Linux): a distinct client as the server's peer address sees it.
    pub fn client_at(&self, ip: &str) -> reqwest::Client {
        reqwest::Client::builder()
            .local_address(Some(ip.parse().expect("an IP address")))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client")
    }

    /// The PostgreSQL database created for this app, if any.
    pub fn pg_database(&self) -> Option<&str> {
        self.pg_database.as_ref().map(|d| d.name.as_str())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// Stops the server and drops the PostgreSQL database, if any.
    pub async fn cleanup(self) {
        self.server.abort();
        let _ = self.server.await;
        if let Some(database) = self.pg_database {
            database.drop_database().await;
        }
    }
}

/// A PostgreSQL database made for one test (`<prefix>_<random>`), dropped afterwards.
pub struct PgTestDatabase {
    pub name: String,
    pub url: String,
}

impl PgTestDatabase {
    pub async fn create(prefix: &str) -> Self {
        let name = format!("{prefix}_{}", random_suffix());
        let mut admin = PgConnection::connect(&postgres_admin_url())
            .await
            .expect("connect to PostgreSQL");
        admin
            .execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
            .await
            .expect("create test database");
        let mut url = url::Url::parse(&postgres_admin_url()).expect("postgres url");
        url.set_path(&name);
        Self {
            name,
            url: url.to_string(),
        }
    }

    pub async fn drop_database(self) {
        // Pools of aborted servers may still hold connections: FORCE ends them.
        if let Ok(mut admin) = PgConnection::connect(&postgres_admin_url()).await {
            let _ = admin
                .execute(
                    format!(r#"DROP DATABASE IF EXISTS "{}" WITH (FORCE)"#, self.name).as_str(),
                )
                .await;
        }
    }
}

fn random_suffix() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(12)
        .map(char::from)
        .collect::<String>()
        .to_lowercase()
}

/// A signed-in user as the tests see them.
#[derive(Debug, Clone)]
pub struct Signed {
    pub email: String,
    pub password: String,
    pub user_id: String,
    /// `name=value` for the session cookie, ready for a `Cookie` header.
    pub cookie: String,
    pub body: serde_json::Value,
}

impl TestApp {
    /// The origin the server trusts (its `BETTER_AUTH_URL`).
    pub fn origin(&self) -> String {
        self.config.base_origin()
    }

    /// POSTs JSON to `/api/auth{path}`; with a cookie, sends the trusted `Origin` as a
    /// browser would.
    pub async fn auth_post(
        &self,
        path: &str,
        body: serde_json::Value,
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(self.url(&format!("/api/auth{path}")))
            .json(&body);
        if let Some(cookie) = cookie {
            req = req.header("cookie", cookie).header("origin", self.origin());
        }
        req.send().await.expect("POST")
    }

    pub async fn auth_get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut req = self.client.get(self.url(&format!("/api/auth{path}")));
        if let Some(cookie) = cookie {
            req = req.header("cookie", cookie);
        }
        req.send().await.expect("GET")
    }

    pub async fn sign_up(&self, email: &str, password: &str) -> Signed {
        let res = self
            .auth_post(
                "/sign-up/email",
                serde_json::json!({ "name": "Test User", "email": email, "password": password }),
                None,
            )
            .await;
        assert_eq!(res.status(), 200, "sign-up of {email}");
        let cookie = session_cookie(&res).expect("session cookie");
        let body: serde_json::Value = res.json().await.unwrap();
        Signed {
            email: email.to_string(),
            password: password.to_string(),
            user_id: body["user"]["id"].as_str().unwrap().to_string(),
            cookie,
            body,
        }
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.auth_post(
            "/sign-in/email",
            serde_json::json!({ "email": email, "password": password }),
            None,
        )
        .await
    }

    /// A JWT for the signed-in user, from `/api/auth/token`.
    pub async fn jwt(&self, who: &Signed) -> String {
        let res = self.auth_get("/token", Some(&who.cookie)).await;
        assert_eq!(res.status(), 200);
        let body: serde_json::Value = res.json().await.unwrap();
        body["token"].as_str().unwrap().to_string()
    }

    /// Every mail the dev mailer has written so far.
    pub fn outbox(&self) -> Vec<serde_json::Value> {
        let path = self.data_dir.path().join("mail/outbox.jsonl");
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl TestApp {
    /// The newest mail to `to` whose subject contains `subject`, waiting up to 5 s for
    /// it: mail is sent after the reply.
    pub async fn wait_for_mail(&self, to: &str, subject: &str) -> serde_json::Value {
        for _ in 0..100 {
            let found = self.outbox().into_iter().rev().find(|m| {
                m["to"] == to && m["subject"].as_str().is_some_and(|s| s.contains(subject))
            });
            if let Some(mail) = found {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no mail to {to} about {subject:?} within 5 s");
    }

    /// The token of the e-mail verification link last mailed to `to`.
    pub async fn verification_token(&self, to: &str) -> String {
        let mail = self.wait_for_mail(to, "Verify").await;
        let link = mail["link"].as_str().expect("a link").to_string();
        let token = link.split("token=").nth(1).expect("a token");
        token.split('&').next().unwrap_or_default().to_string()
    }
}

/// All `Set-Cookie` header values of a response.
pub fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

/// `name=value` of the session cookie set by a response, if any (and not an expiry).
pub fn session_cookie(res: &reqwest::Response) -> Option<String> {
    set_cookies(res)
        .into_iter()
        .find(|c| c.starts_with("better-auth.session_token=") && !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_string())
}

/// A user with a bearer token, for the tasks API.
pub struct ApiUser {
    pub id: String,
    pub token: String,
    pub signed: Signed,
}

impl TestApp {
    pub async fn api_user(&self, email: &str) -> ApiUser {
        let signed = self.sign_up(email, "password for tests").await;
        let token = self.jwt(&signed).await;
        ApiUser {
            id: signed.user_id.clone(),
            token,
            signed,
        }
    }

    /// A request to the tasks API as `who`.
    pub fn api(
        &self,
        who: &ApiUser,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&who.token)
    }

    pub async fn create_task(&self, who: &ApiUser, body: serde_json::Value) -> serde_json::Value {
        let res = self
            .api(
                who,
                reqwest::Method::POST,
                &format!("/api/{}/tasks", who.id),
            )
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "create {body}");
        res.json().await.unwrap()
    }
}

/// A page of `who`'s tasks for a query string, and its `X-Total-Count`.
pub async fn list_tasks(
    app: &TestApp,
    who: &ApiUser,
    query: &str,
) -> (Vec<serde_json::Value>, i64) {
    let res = app
        .api(
            who,
            reqwest::Method::GET,
            &format!("/api/{}/tasks?{query}", who.id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "list ?{query}");
    let total = res.headers()["x-total-count"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    (res.json().await.unwrap(), total)
}
