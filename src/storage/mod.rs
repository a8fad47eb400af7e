//! Storage: one API, two sqlx backends (embedded SQLite by default, PostgreSQL for
//! several instances sharing one database).
//!
//! Queries are written once in portable SQL (`$1` placeholders, quoted camelCase
//! identifiers as Better Auth names them) and run on whichever pool is configured via
//! [`with_pool!`]; the row types derive `sqlx::FromRow` generically, so they decode
//! from both backends. [`Ts`] hides the one real difference, how dates are stored.

mod config;
mod time;

use std::{str::FromStr, time::Duration};

use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    PgPool, SqlitePool,
};

pub use config::DatabaseConfig;
pub use time::Ts;

use crate::problem::{Code, Problem};

/// Runs the same expression against whichever pool the database uses.
///
/// `with_pool!(db, |pool| sqlx::query("...").execute(pool).await)`
#[macro_export]
macro_rules! with_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::storage::Database::Sqlite($pool) => $body,
            $crate::storage::Database::Postgres($pool) => $body,
        }
    };
}

/// One statement with its binds, on whichever pool, its result discarded:
/// `exec!(db, sql, a, b)?`. With [`fetch_optional!`], [`fetch_one!`], [`fetch_all!`]
/// and [`fetch_returning!`] (for writes), a store function is one SQL text plus its
/// binds. Each also takes `on executor` in place of the database, for statements inside
/// a transaction:
/// `exec!(on &mut *tx, sql, a, b)?`.
#[macro_export]
macro_rules! exec {
    (on $conn:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        sqlx::query($sql)
            $(.bind($bind))*
            .execute($conn)
            .await
            .map(|_| ())
    };
    ($db:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        $crate::with_pool!($db, |pool| $crate::exec!(on pool, $sql $(, $bind)*))
    };
}

/// `query_as(sql)` with its binds: at most one row, typed by the caller.
#[macro_export]
macro_rules! fetch_optional {
    (on $conn:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        sqlx::query_as($sql)
            $(.bind($bind))*
            .fetch_optional($conn)
            .await
    };
    ($db:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        $crate::with_pool!($db, |pool| $crate::fetch_optional!(on pool, $sql $(, $bind)*))
    };
}

/// `query_as(sql)` with its binds: exactly one row, typed by the caller.
#[macro_export]
macro_rules! fetch_one {
    (on $conn:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        sqlx::query_as($sql)
            $(.bind($bind))*
            .fetch_one($conn)
            .await
    };
    ($db:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        $crate::with_pool!($db, |pool| $crate::fetch_one!(on pool, $sql $(, $bind)*))
    };
}

/// `query_as(sql)` with its binds: every row, typed by the caller.
#[macro_export]
macro_rules! fetch_all {
    (on $conn:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        sqlx::query_as($sql)
            $(.bind($bind))*
            .fetch_all($conn)
            .await
    };
    ($db:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        $crate::with_pool!($db, |pool| $crate::fetch_all!(on pool, $sql $(, $bind)*))
    };
}

/// A write with `RETURNING` that may be its own transaction (no `BEGIN`): stepped to the
/// end, evaluating to its first row, if any. Not [`fetch_optional!`] or [`fetch_one!`]:
/// they stop at the first row and reset the statement, and SQLite then commits inside
/// the reset, where it does not call the write-ahead log's hook. The automatic
/// checkpoint never ran after such writes, and the WAL file grew without bound (2 GB in
/// 15 s of creates); a statement that reaches its end commits and checkpoints as usual.
#[macro_export]
macro_rules! fetch_returning {
    (on $conn:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        $crate::fetch_all!(on $conn, $sql $(, $bind)*).map(|rows: Vec<_>| rows.into_iter().next())
    };
    ($db:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        $crate::with_pool!($db, |pool| $crate::fetch_returning!(on pool, $sql $(, $bind)*))
    };
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("could not prepare the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("could not connect to the {backend} database: {source}")]
    Connect {
        backend: &'static str,
        source: sqlx::Error,
    },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
}

impl StorageError {
    /// True when the failure is a unique-constraint violation (e.g. an e-mail taken by a
    /// concurrent sign-up), which callers turn into a 4xx instead of a 500.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Query(sqlx::Error::Database(e)) if e.is_unique_violation())
    }

    /// True when the database could not be reached or is shutting down or overloaded
    /// (no connection within the pool's timeout, a dropped socket, PostgreSQL's
    /// connection-exception and shutdown codes, SQLite still busy after its timeout):
    /// a temporary condition that the HTTP layer answers with 503, not 500.
    pub fn is_unavailable(&self) -> bool {
        let Self::Query(error) = self else {
            return matches!(self, Self::Connect { .. });
        };
        match error {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(e) => e.code().is_some_and(|code| {
                // 08xxx connection exception, 57P0x shutdown / cannot connect now,
                // 53300 too many connections, 55000 on connect: the database does not
                // accept connections (ALLOW_CONNECTIONS false); SQLite 5/6 busy / locked.
                code.starts_with("08")
                    || code.starts_with("57P0")
                    || code == "53300"
                    || code == "55000"
                    || code == "5"
                    || code == "6"
            }),
            _ => false,
        }
    }
}

/// 503 when the database is unreachable (it recovers by itself, and clients and load
/// balancers should retry), 500 for any other storage failure; the cause is logged.
impl From<&StorageError> for Problem {
    fn from(error: &StorageError) -> Self {
        if !error.is_unavailable() {
            return Self::internal(error);
        }
        tracing::warn!(%error, "database unavailable");
        Code::Unavailable.into()
    }
}

/// A connection pool to one of the two backends. Cheap to clone (pools are `Arc`s).
#[derive(Debug, Clone)]
pub enum Database {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Database {
    /// Connects (creating the SQLite file and its directory when needed) and runs the
    /// embedded migrations for the chosen backend.
    pub async fn connect(config: &DatabaseConfig) -> Result<Self, StorageError> {
        let db = match config {
            DatabaseConfig::Sqlite(location) => Self::Sqlite(open_sqlite(location).await?),
            DatabaseConfig::Postgres(url) => {
                let options =
                    PgConnectOptions::from_str(url).map_err(|source| StorageError::Connect {
                        backend: "postgres",
                        source,
                    })?;
                let pool = PgPoolOptions::new()
                    .max_connections(20)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await
                    .map_err(|source| StorageError::Connect {
                        backend: "postgres",
                        source,
                    })?;
                Self::Postgres(pool)
            }
        };
        db.migrate().await?;
        Ok(db)
    }

    /// Applies pending migrations from `migrations/<backend>` (embedded at build time).
    pub async fn migrate(&self) -> Result<(), StorageError> {
        match self {
            Self::Sqlite(pool) => {
                // Before too: a migration may use a column an older Better Auth table
                // lacks (0004 reads `twoFactor.verified`).
                ensure_sqlite_columns(pool).await?;
                sqlx::migrate!("migrations/sqlite").run(pool).await?;
                ensure_sqlite_columns(pool).await?;
            }
            Self::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// A round trip to the database, for readiness probes.
    pub async fn ping(&self) -> Result<(), StorageError> {
        with_pool!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// `(connections open, of which idle)` in the pool.
    pub fn pool_usage(&self) -> (u32, usize) {
        with_pool!(self, |pool| (pool.size(), pool.num_idle()))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        with_pool!(self, |pool| pool.close().await)
    }

    /// Whether [`Database::close`] has begun (background upkeep stops then).
    pub fn is_closed(&self) -> bool {
        with_pool!(self, |pool| pool.is_closed())
    }
}

/// Columns that a Better Auth database may or may not have, depending on its plugins
/// and version; SQLite has no `ADD COLUMN IF NOT EXISTS`, so each is looked up first
/// (tables not made yet are left to the migrations). (PostgreSQL's migrations say
/// `IF NOT EXISTS` themselves.)
async fn ensure_sqlite_columns(pool: &SqlitePool) -> Result<(), StorageError> {
    const COLUMNS: [(&str, &str, &str); 6] = [
        ("user", "twoFactorEnabled", "integer DEFAULT 0"),
        ("twoFactor", "verified", "integer DEFAULT 1"),
        ("twoFactor", "failedVerificationCount", "integer DEFAULT 0"),
        ("twoFactor", "lockedUntil", "date"),
        // Ours: the last TOTP step accepted (review 2026-12 L1).
        ("twoFactor", "lastTotpStep", "integer"),
        // The passkey plugin's authenticator model (since Better Auth 1.3).
        ("passkey", "aaguid", "text"),
    ];
    for (table, column, ty) in COLUMNS {
        let table_exists: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
        )
        .bind(table)
        .fetch_one(pool)
        .await?;
        if table_exists == 0 {
            continue;
        }
        let present: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM pragma_table_info($1) WHERE name = $2")
                .bind(table)
                .bind(column)
                .fetch_one(pool)
                .await?;
        if present == 0 {
            sqlx::query(&format!(
                r#"ALTER TABLE "{table}" ADD COLUMN "{column}" {ty}"#
            ))
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}

/// The size SQLite cuts the `-wal` file back to when the log starts over. The log is
/// checkpointed at 1,000 pages (4 MiB), but a reader that stays open (a backup, a long
/// query) keeps it from starting over, and it grows meanwhile; SQLite never shrinks the
/// file on its own, so without a limit that space stays taken until the last
/// connection closes.
const WAL_SIZE_LIMIT: u64 = 32 * 1024 * 1024;

/// Opens SQLite the way a server needs it: WAL so readers never block the writer,
/// foreign keys on (for cascades), a busy timeout instead of instant `SQLITE_BUSY`, and
/// a log file that gives back what it grew ([`WAL_SIZE_LIMIT`]).
async fn open_sqlite(location: &str) -> Result<SqlitePool, StorageError> {
    let options = if location.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(location).map_err(|source| StorageError::Connect {
            backend: "sqlite",
            source,
        })?
    } else {
        let path = std::path::Path::new(location);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StorageError::DataDir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        SqliteConnectOptions::new().filename(path)
    };
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("journal_size_limit", WAL_SIZE_LIMIT.to_string());
    SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(|source| StorageError::Connect {
            backend: "sqlite",
            source,
        })
}
