//! Changes across instances on PostgreSQL: a write announces itself with `NOTIFY` inside
//! its own transaction ([`Announce`]), and each instance's listener ([`listen`]) hands
//! what arrives to its hub. PostgreSQL delivers notifications only at commit, in commit
//! order, to every listening session, the writer's own instance included: that is the
//! one path changes take on this backend (no local publish, so nothing arrives twice).
//! The writer waits for its own notification to come back before it answers
//! ([`with_echo`]), so a stream opened after an acknowledged write finds that write in
//! the ring, and every instance still sees events in commit order.
//!
//! Ended sessions travel the same channel: a trigger on `session` (migration 0005)
//! sends `{"user_id", "kind": "recheck"}` for every deleted row, whoever deleted it (this
//! server, another instance, a Better Auth server sharing the database), and each
//! instance tells that user's session-bound streams to check their session now.

use std::time::Duration;

use sqlx::{postgres::PgListener, PgConnection, PgPool, SqliteConnection};

use super::{from_notify_payload, notify_payload, Announced, Changes, Kind};

/// The NOTIFY channel (per database, so instances of other databases never meet).
pub const CHANNEL: &str = "taskdeck_task_changes";

/// Announces a write from inside its transaction; a no-op where nobody else listens.
pub trait Announce {
    fn announce<T: Announced + Sync>(
        &mut self,
        kind: Kind,
        task: &T,
    ) -> impl std::future::Future<Output = Result<(), sqlx::Error>> + Send;

    /// Announces a second change of the same write (the next occurrence of a repeating
    /// task) without the write's echo key: the writer waits for its main announcement,
    /// which is sent last, so that both are delivered before it answers.
    fn announce_side<T: Announced + Sync>(
        &mut self,
        kind: Kind,
        task: &T,
    ) -> impl std::future::Future<Output = Result<(), sqlx::Error>> + Send;
}

/// SQLite is one instance: the hub is told directly, after the commit (`tasks`).
impl Announce for SqliteConnection {
    async fn announce<T: Announced + Sync>(
        &mut self,
        _kind: Kind,
        _task: &T,
    ) -> Result<(), sqlx::Error> {
        Ok(())
    }

    async fn announce_side<T: Announced + Sync>(
        &mut self,
        _kind: Kind,
        _task: &T,
    ) -> Result<(), sqlx::Error> {
        Ok(())
    }
}

tokio::task_local! {
    /// The echo key of the write running in this task (see [`with_echo`]).
    static ECHO: String;
}

/// Runs `write` with `key` as the echo key its announcement carries, so that the
/// listener of this instance can tell the waiting writer its event has been delivered
/// (`Changes::expect_echo`). Task-local, so the store's signatures stay as they are.
pub async fn with_echo<F: std::future::Future>(key: String, write: F) -> F::Output {
    ECHO.scope(key, write).await
}

impl Announce for PgConnection {
    async fn announce<T: Announced + Sync>(
        &mut self,
        kind: Kind,
        task: &T,
    ) -> Result<(), sqlx::Error> {
        let echo = ECHO.try_with(String::clone).ok();
        notify(self, notify_payload(kind, task, echo.as_deref())).await
    }

    async fn announce_side<T: Announced + Sync>(
        &mut self,
        kind: Kind,
        task: &T,
    ) -> Result<(), sqlx::Error> {
        notify(self, notify_payload(kind, task, None)).await
    }
}

async fn notify(conn: &mut PgConnection, payload: String) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Starts listening (returns once `LISTEN` is in force, so that no write after start-up
/// is missed) and delivers notifications of `T` records to `changes` until the pool
/// closes.
pub async fn listen<T: Announced + 'static>(
    pool: &PgPool,
    changes: Changes,
) -> Result<(), sqlx::Error> {
    let listener = subscribe(pool).await?;
    tokio::spawn(deliver::<T>(pool.clone(), listener, changes));
    Ok(())
}

async fn subscribe(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// The listener's loop. A lost connection may have lost notifications with it, so
/// after every reconnection the streams are reset (their clients reload).
async fn deliver<T: Announced>(pool: PgPool, mut listener: PgListener, changes: Changes) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => match from_notify_payload::<T>(notification.payload()) {
                Some((change, _)) if change.kind == Kind::Recheck => {
                    changes.session_ended(&change.user_id)
                }
                Some((change, echo)) => {
                    changes.publish(change);
                    if let Some(key) = echo {
                        changes.echoed(&key);
                    }
                }
                None => tracing::warn!("unreadable change notification ignored"),
            },
            // Reconnected by sqlx (and listening again): what happened meanwhile is lost.
            Ok(None) => changes.reset_all("reconnected"),
            Err(sqlx::Error::PoolClosed) => return,
            Err(error) => {
                tracing::warn!(%error, "change listener failed; reconnecting");
                listener = loop {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    if pool.is_closed() {
                        return;
                    }
                    match subscribe(&pool).await {
                        Ok(listener) => break listener,
                        Err(error) => tracing::debug!(%error, "change listener: still down"),
                    }
                };
                changes.reset_all("reconnected");
            }
        }
    }
}
