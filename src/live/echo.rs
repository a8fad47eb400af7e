//! A writer waiting for its own change to come back (PostgreSQL): the NOTIFY payload
//! carries an echo key, `<instance>:<n>`, and the instance's listener wakes the writer
//! once the event is in its streams' ring, so that the writer's answer comes after it.

use std::{sync::atomic::Ordering, time::Duration};

use tokio::sync::oneshot;

use super::{lock, Changes};

impl Changes {
    /// A key for a write's notification (PostgreSQL) and the means to wait until this
    /// instance's listener has delivered it ([`Echo::wait`]).
    pub fn expect_echo(&self) -> Echo {
        let n = self.inner.next_echo.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = oneshot::channel();
        lock(&self.inner.echoes).insert(n, sender);
        Echo {
            key: format!("{}:{n}", self.inner.instance),
            n,
            receiver,
            changes: self.clone(),
        }
    }

    /// The listener delivered the notification with echo `key`: wake its writer if it
    /// is one of this instance's.
    pub fn echoed(&self, key: &str) {
        let Some((instance, n)) = key.rsplit_once(':') else {
            return;
        };
        if instance != self.inner.instance {
            return;
        }
        let waiting = n
            .parse()
            .ok()
            .and_then(|n| lock(&self.inner.echoes).remove(&n));
        if let Some(sender) = waiting {
            let _ = sender.send(());
        }
    }
}

/// How long a writer waits for its own notification before answering anyway (the
/// listener is reconnecting; its streams get `reset` when it is back).
pub const ECHO_WAIT: Duration = Duration::from_secs(2);

/// A write's claim on its own notification (see [`Changes::expect_echo`]).
pub struct Echo {
    key: String,
    n: u64,
    receiver: oneshot::Receiver<()>,
    changes: Changes,
}

impl Echo {
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Until this instance has delivered the write's event to its streams, at most
    /// [`ECHO_WAIT`]. Call it only after the write committed with this key.
    pub async fn wait(mut self) {
        let delivered = tokio::time::timeout(ECHO_WAIT, &mut self.receiver).await;
        if !matches!(delivered, Ok(Ok(()))) {
            tracing::warn!("a write's change event was not delivered back in time");
        }
    }
}

impl Drop for Echo {
    fn drop(&mut self) {
        lock(&self.changes.inner.echoes).remove(&self.n);
    }
}
