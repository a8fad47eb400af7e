//! Start-up: connect and migrate the database, assemble the router (`router`, with `cors`
//! and the Leptos side in `ui`) and wrap its middleware around it (`middleware`, with
//! `no_store`), bind the port, serve until a shutdown signal. Shared by `main` and the integration tests.

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use axum::Router;
use leptos::config::LeptosOptions;
use taskdeck::{auth::AuthService, live::Changes, Config, Database, StorageError};
use tokio::net::TcpListener;

use crate::state::AppState;

mod cors;
mod middleware;
mod no_store;
mod precompressed;
mod router;
mod ui;

pub use router::router;
pub use ui::leptos_options_from_env;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("auth set-up failed: {0}")]
    Auth(#[from] taskdeck::auth::AuthError),
    #[error("could not bind {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A built application: the database is migrated and the port is bound.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Connects to the database, runs migrations and binds `leptos_options.site_addr`
    /// (port 0 picks a free port, as the tests do).
    pub async fn build(
        config: Config,
        leptos_options: LeptosOptions,
    ) -> Result<Self, StartupError> {
        let db = Database::connect(&config.database).await?;
        tracing::info!(backend = db.backend_name(), "database ready");
        let addr = leptos_options.site_addr;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartupError::Bind { addr, source })?;
        let changes = Changes::new(config.live.max_streams_per_user);
        if let Database::Postgres(pool) = &db {
            // Listening before the port serves, so that no write after start is missed.
            taskdeck::live::postgres::listen::<taskdeck::tasks::Task>(pool, changes.clone())
                .await
                .map_err(StorageError::Query)?;
        }
        let config = Arc::new(config);
        let mut auth = AuthService::new(db.clone(), config.auth.clone()).await?;
        if let Database::Sqlite(_) = &db {
            // One instance: its own hub is everyone to tell (PostgreSQL: a trigger).
            let hub = changes.clone();
            auth = auth.on_sessions_ended(Arc::new(move |user_id| hub.session_ended(user_id)));
        }
        let auth = Arc::new(auth);
        sweep_expired(&auth).await;
        tokio::spawn(sweep_expired_every(auth.clone(), db.clone(), SWEEP_EVERY));
        let state = AppState {
            config,
            db,
            auth,
            changes,
            leptos_options,
        };
        let router = router(state.clone());
        Ok(Self {
            listener,
            router,
            state,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish. Event
    /// streams never finish by themselves: they are ended (with an `end` event) as the
    /// shutdown begins, or the drain would wait for them forever.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let header_timeout = self.state.config.request_timeout;
        let changes = self.state.changes.clone();
        let shutdown = async move {
            shutdown.await;
            changes.close();
        };
        let service = middleware::wrap(self.router, &self.state.config);
        crate::serve::serve(self.listener, service, header_timeout, shutdown).await;
        self.state.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// How often expired `verification` rows are deleted (and once at start).
const SWEEP_EVERY: Duration = Duration::from_secs(600);

async fn sweep_expired(auth: &AuthService) {
    match auth.sweep_expired().await {
        Ok(0) => {}
        Ok(deleted) => tracing::debug!(deleted, "expired verification rows deleted"),
        Err(error) => tracing::warn!(%error, "could not sweep expired verification rows"),
    }
}

/// The periodic sweep, until the database closes (shutdown).
async fn sweep_expired_every(auth: Arc<AuthService>, db: Database, every: Duration) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        ticks.tick().await;
        if db.is_closed() {
            return;
        }
        sweep_expired(&auth).await;
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (what orchestrators send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received, draining requests");
}
