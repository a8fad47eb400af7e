//! Test harness: spawns the real application on a random port with a fresh database,
//! SQLite (a temporary file) or PostgreSQL (a database created for the test and dropped
//! afterwards), and talks to it over HTTP like any client.
//!
//! - `app`: [`TestApp`] and its builder (backend, environment overrides, database).
//! - `cluster`: [`Cluster`], several instances on one PostgreSQL database behind nginx.
//! - `story`: the requests the tests tell their stories with (sign-up, sessions, the
//!   tasks API, server functions).
//! - `jar`: a browser's cookie jar, for tests that walk through several answers.
//! - `mail`: the dev mailer's outbox.
//! - `quiet`: the gate that lets one test have the process to itself.
//! - `sse`: reading the live event streams.

mod app;
mod cluster;
mod jar;
mod mail;
pub mod quiet;
mod sse;
mod story;

pub use app::{
    postgres_admin_url, postgres_available, Backend, PgTestDatabase, TestApp, TestAppBuilder,
};
pub use cluster::Cluster;
pub use jar::Jar;
pub use sse::{EventStream, SseEvent};
pub use story::{list_tasks, session_cookie, set_cookies, ApiUser, Signed};

/// Generates one `#[tokio::test]` per backend for each listed async test function, in
/// modules `sqlite` and `postgres` of the calling module (so a test is
/// `area::sqlite::name`):
///
/// - `async fn name(app: &TestApp)`, given a fresh app with the default settings, or
///   with `builder(backend)`'s after `with builder;`;
/// - after `backend:`, `async fn name(backend: Backend)`, for tests that start their own
///   app (or several), with settings of their own.
///
/// PostgreSQL tests skip with a notice only when no server is reachable and
/// `REQUIRE_POSTGRES` is unset (CI sets it).
macro_rules! db_tests {
    // `db_tests!(with builder; a, b)`: each app from `builder(backend)`, a function of
    // the calling module giving a `TestAppBuilder`, for tests with settings of their own.
    (with $builder:ident; $($name:ident),* $(,)?) => {
        db_tests!(@tests super::$builder; [$($name),*]; []);
    };
    // `db_tests!(backend: c, d)`: each test given only the backend.
    (backend: $($own:ident),* $(,)?) => {
        db_tests!(@tests $crate::helpers::TestApp::for_backend; []; [$($own),*]);
    };
    // `db_tests!(a, b; backend: c, d)`: both kinds in one module.
    ($($name:ident),+ $(,)?; backend: $($own:ident),* $(,)?) => {
        db_tests!(@tests $crate::helpers::TestApp::for_backend; [$($name),*]; [$($own),*]);
    };
    ($($name:ident),* $(,)?) => {
        db_tests!(@tests $crate::helpers::TestApp::for_backend; [$($name),*]; []);
    };
    (@tests $builder:path; [$($name:ident),*]; [$($own:ident),*]) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $builder($crate::helpers::Backend::Sqlite).spawn().await;
                    super::$name(&app).await;
                    app.cleanup().await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $own() {
                    super::$own($crate::helpers::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if !$crate::helpers::postgres_available().await {
                        return;
                    }
                    let app = $builder($crate::helpers::Backend::Postgres).spawn().await;
                    super::$name(&app).await;
                    app.cleanup().await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $own() {
                    if !$crate::helpers::postgres_available().await {
                        return;
                    }
                    super::$own($crate::helpers::Backend::Postgres).await;
                }
            )*
        }
    };
}
