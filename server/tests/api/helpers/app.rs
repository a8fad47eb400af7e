//! [`TestApp`]: the application on a random port, with its own data directory and
//! database, built by [`TestAppBuilder`].

use std::{collections::HashMap, net::SocketAddr, sync::Arc, time::Duration};

use leptos::config::LeptosOptions;
use rand::{distributions::Alphanumeric, Rng};
use server::Application;
use sqlx::{Connection, Executor, PgConnection};
use taskdeck::Config;

use super::quiet::{self, Quiet};

/// The secret every test app signs with, unless a test sets `BETTER_AUTH_SECRET`.
const SECRET: &str = "test-secret-0123456789-abcdefghijklmnop";

/// Where the PostgreSQL tests create their databases. `TEST_DATABASE_URL` overrides.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub backend: Backend,
    pub client: reqwest::Client,
    pub config: Config,
    pub data_dir: tempfile::TempDir,
    /// The database made for this app, dropped by [`TestApp::cleanup`]; `None` on
    /// SQLite and for a database the test brought (`database_url`).
    pg_database: Option<PgTestDatabase>,
    /// `None` once it has finished (after [`TestApp::stop`]).
    server: Option<tokio::task::JoinHandle<()>>,
    /// Sends the shutdown signal (see [`TestApp::stop`]).
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    /// Released last, once the server has stopped.
    _quiet: Arc<Quiet>,
}

/// How to start a [`TestApp`]: `TestApp::builder().backend(..).env(..).spawn()`.
#[derive(Clone, Debug)]
pub struct TestAppBuilder {
    backend: Backend,
    env: Vec<(String, String)>,
    database_url: Option<String>,
    alone: bool,
    site_root: Option<String>,
}

impl TestApp {
    /// SQLite, default settings; change with the builder's methods.
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            backend: Backend::Sqlite,
            env: Vec::new(),
            database_url: None,
            alone: false,
            site_root: None,
        }
    }

    /// Default settings on `backend`, with a fresh database.
    /// The default settings on `backend` (what `db_tests!` starts).
    pub fn for_backend(backend: Backend) -> TestAppBuilder {
        Self::builder().backend(backend)
    }

    pub async fn spawn(backend: Backend) -> Self {
        Self::builder().backend(backend).spawn().await
    }

    /// An HTTP client whose requests come from `ip` (any 127.0.0.0/8 address works on
    /// Linux): a distinct client as the server's peer address sees it.
    pub fn client_at(&self, ip: &str) -> reqwest::Client {
        http_client(Some(ip.parse().expect("an IP address")))
    }

    /// A URL another instance, or the test's own connection, can open this app's
    /// database with.
    pub fn database_url(&self) -> String {
        match &self.config.database {
            taskdeck::config::DatabaseConfig::Postgres(url) => url.clone(),
            taskdeck::config::DatabaseConfig::Sqlite(location)
                if location.starts_with("sqlite:") =>
            {
                location.clone()
            }
            taskdeck::config::DatabaseConfig::Sqlite(path) => format!("sqlite://{path}"),
        }
    }

    /// Time passes for some rows, with the clock untouched: `table.column` of the rows
    /// whose `key_column` is `key` is set to `ago` before now (an expiry, a lock, the
    /// age of a session).
    pub async fn set_in_the_past(
        &self,
        (table, column): (&str, &str),
        (key_column, key): (&str, &str),
        ago: chrono::Duration,
    ) {
        let db = taskdeck::Database::connect(&self.config.database)
            .await
            .unwrap();
        let sql = format!(r#"UPDATE "{table}" SET "{column}" = $1 WHERE "{key_column}" = $2"#);
        let at = taskdeck::storage::Ts(chrono::Utc::now() - ago);
        taskdeck::with_pool!(&db, |pool| sqlx::query(&sql)
            .bind(at)
            .bind(key)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
        db.close().await;
    }

    /// The PostgreSQL database created for this app, if any.
    pub fn pg_database(&self) -> Option<&str> {
        self.pg_database.as_ref().map(|d| d.name.as_str())
    }

    /// The origin the server trusts (its `BETTER_AUTH_URL`).
    pub fn origin(&self) -> String {
        self.config.base_origin()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Signals a graceful shutdown, as SIGTERM does, and waits up to `wait` for the
    /// server to finish draining; whether it did.
    pub async fn stop(&mut self, wait: Duration) -> bool {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let Some(server) = &mut self.server else {
            return true;
        };
        let finished = tokio::time::timeout(wait, server).await.is_ok();
        if finished {
            self.server = None;
        }
        finished
    }

    /// A reverse proxy at `base` in front of `behind` and its peers, seen as an app: the
    /// same configuration and gate, no server or database of its own, so that every
    /// request helper goes through the proxy. Its outbox is empty (mail is the
    /// instances').
    pub(super) fn proxy_for(behind: &TestApp, addr: SocketAddr, base: String) -> TestApp {
        TestApp {
            addr,
            base,
            backend: behind.backend,
            client: http_client(None),
            config: behind.config.clone(),
            data_dir: tempfile::tempdir().expect("temp dir"),
            pg_database: None,
            server: None,
            stop: None,
            _quiet: behind._quiet.clone(),
        }
    }

    /// Stops the server and drops the PostgreSQL database made for it, if any.
    pub async fn cleanup(self) {
        if let Some(server) = self.server {
            server.abort();
            let _ = server.await;
        }
        if let Some(database) = self.pg_database {
            database.drop_database().await;
        }
    }
}

impl TestAppBuilder {
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    /// An environment setting for the app's configuration, e.g. `("RATE_LIMIT", "on")`;
    /// it wins over the test defaults (secret, data directory, database).
    pub fn env(mut self, name: &str, value: impl Into<String>) -> Self {
        self.env.push((name.to_string(), value.into()));
        self
    }

    /// Uses a database the test made and drops itself (a prepared SQLite file, or one
    /// PostgreSQL database for several instances) instead of a fresh one. The backend
    /// follows from the URL.
    pub fn database_url(mut self, url: &str) -> Self {
        self.backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        self.database_url = Some(url.to_string());
        self
    }

    /// Serves the site (its `pkg/` bundle) from `dir` instead of `target/site`.
    pub fn site_root(mut self, dir: &str) -> Self {
        self.site_root = Some(dir.to_string());
        self
    }

    /// Holds the `quiet` gate exclusively: the app (and its test) runs with no other app
    /// alive in the process. For tests that measure time.
    pub fn alone(mut self) -> Self {
        self.alone = true;
        self
    }

    pub async fn spawn(self) -> TestApp {
        let quiet = if self.alone {
            quiet::alone().await
        } else {
            quiet::shared().await
        };
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut env: HashMap<String, String> = HashMap::from([
            ("BETTER_AUTH_SECRET".into(), SECRET.into()),
            ("DATA_DIR".into(), data_dir.path().display().to_string()),
            ("RUST_LOG".into(), "warn".into()),
        ]);
        let pg_database = match (&self.database_url, self.backend) {
            (Some(url), _) => {
                env.insert("DATABASE_URL".into(), url.clone());
                None
            }
            (None, Backend::Sqlite) => None,
            (None, Backend::Postgres) => {
                let database = PgTestDatabase::create("taskdeck_test").await;
                env.insert("DATABASE_URL".into(), database.url.clone());
                Some(database)
            }
        };
        env.extend(self.env);
        // The site address is only used for the default base URL; the listener binds :0.
        let config = Config::from_lookup(|k| env.get(k).cloned()).expect("test config");
        let leptos_options = LeptosOptions::builder()
            .output_name("taskdeck")
            .site_root(self.site_root.as_deref().unwrap_or("target/site"))
            .site_addr(SocketAddr::from(([127, 0, 0, 1], 0)))
            .build();
        let built = Application::build(config.clone(), leptos_options).await;
        let app = match built {
            Ok(app) => app,
            Err(e) => {
                if let Some(database) = pg_database {
                    database.drop_database().await;
                }
                panic!("the application did not start: {e}");
            }
        };
        let addr = app.local_addr();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            // Only an explicit `stop` shuts down (a dropped sender does not).
            let signal = async move {
                if stopped.await.is_err() {
                    std::future::pending::<()>().await;
                }
            };
            let _ = app.run_until_stopped(signal).await;
        });
        TestApp {
            addr,
            base: format!("http://{addr}"),
            backend: self.backend,
            client: http_client(None),
            config,
            data_dir,
            pg_database,
            server: Some(server),
            stop: Some(stop),
            _quiet: quiet,
        }
    }
}

/// A client that does not follow redirects (the tests look at them), from `local`.
fn http_client(local: Option<std::net::IpAddr>) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(local)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
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
