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
            panic!("REQUIRE_POSTGRES is set but {} is unreachable", postgres_admin_url());
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
    pg_database: Option<String>,
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
            ("BETTER_AUTH_SECRET".into(), "test-secret-0123456789-abcdefghijklmnop".into()),
            ("DATA_DIR".into(), data_dir.path().display().to_string()),
            ("RUST_LOG".into(), "warn".into()),
        ]);
        let pg_database = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => {
                let name = format!("taskdeck_test_{}", random_suffix());
                let mut admin = PgConnection::connect(&postgres_admin_url())
                    .await
                    .expect("connect to PostgreSQL");
                admin
                    .execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
                    .await
                    .expect("create test database");
                let mut url = url::Url::parse(&postgres_admin_url()).expect("postgres url");
                url.set_path(&name);
                env.insert("DATABASE_URL".into(), url.to_string());
                Some(name)
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
        if let Some(name) = &self.pg_database {
            // Pools in the aborted server may still hold connections: FORCE ends them.
            if let Ok(mut admin) = PgConnection::connect(&postgres_admin_url()).await {
                let _ = admin
                    .execute(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str())
                    .await;
            }
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
