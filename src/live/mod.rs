//! Live sync: a per-user stream of changes to tasks, for clients that keep a list open.
//!
//! [`Changes`] is the hub one instance owns. The task functions announce every committed
//! write (`tasks::{create, update, toggle, delete, restore}` take the hub, so neither the
//! REST door nor the UI door can forget); each user with an open stream has a *feed*
//! here: a ring of recent events, numbered in sequence, and a broadcast channel to that
//! user's streams only (a write wakes its owner's streams, nobody else's).
//!
//! - **Delivery path, one per backend.** SQLite (one instance): published here after the
//!   commit, a user's writes taking turns so that events leave in commit order.
//!   PostgreSQL (several instances): the write's own transaction sends `NOTIFY` (so
//!   nothing acknowledged is lost, and order is commit order), and every instance,
//!   this one included, delivers it from its listener ([`postgres`]); never both.
//! - **Ids and resuming.** An event's id is `<tag>-<n>`: `tag` is random per feed, `n`
//!   counts the feed's events. A client reconnecting with `Last-Event-ID` gets what it
//!   missed from the ring; an id of another feed (another instance, a restart, a feed
//!   dropped after [`RESUME_WINDOW`]) or one older than the ring gets `reset`.
//! - **Bounded cost.** At most `max_streams_per_user` streams per user per instance;
//!   [`RING_CAPACITY`] events kept per feed; feeds without streams are dropped after
//!   [`RESUME_WINDOW`]; a stream that falls [`CHANNEL_CAPACITY`] events behind is reset.

mod echo;
mod event;
pub mod postgres;

use std::{
    collections::{HashMap, VecDeque},
    hash::{Hash, Hasher},
    sync::{atomic::AtomicU64, Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use tokio::sync::{broadcast, oneshot};

use crate::problem::{Code, Problem};

pub use echo::{Echo, ECHO_WAIT};
pub use event::{
    from_notify_payload, notify_payload, Announced, Change, Event, Kind, NOTIFY_PAYLOAD_MAX,
};

/// Events kept per feed for resuming after a short disconnect.
pub const RING_CAPACITY: usize = 128;
/// How long a feed without streams is kept, so that its clients can resume.
pub const RESUME_WINDOW: Duration = Duration::from_secs(120);
/// Events a stream may lag behind its feed before it is reset.
pub const CHANNEL_CAPACITY: usize = 64;
/// Locks that order a user's writes on SQLite (users hash onto them).
const TURNS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LiveError {
    #[error("too many open streams for this user (at most {0})")]
    TooManyStreams(usize),
    #[error("the server is shutting down")]
    ShuttingDown,
}

impl From<&LiveError> for Problem {
    fn from(error: &LiveError) -> Self {
        match error {
            LiveError::TooManyStreams(max) => Self::detailed(
                Code::TooManyStreams,
                format!("At most {max} event streams may be open per user. Close one first."),
            ),
            LiveError::ShuttingDown => Code::Unavailable.into(),
        }
    }
}

/// The change hub of one instance. Cheap to clone.
#[derive(Clone)]
pub struct Changes {
    inner: Arc<Inner>,
}

struct Inner {
    max_streams_per_user: usize,
    state: Mutex<State>,
    turns: Box<[tokio::sync::Mutex<()>]>,
    /// This hub's part of an echo key (`<instance>:<n>`), random per start.
    instance: String,
    next_echo: AtomicU64,
    /// Writers waiting for their own notification (PostgreSQL), by echo number.
    echoes: Mutex<HashMap<u64, oneshot::Sender<()>>>,
}

struct State {
    feeds: HashMap<String, Feed>,
    closed: bool,
    last_sweep: Instant,
}

/// One user's events on this instance.
struct Feed {
    tag: String,
    /// The number of the last event (0: none yet).
    head: u64,
    ring: VecDeque<Arc<Event>>,
    sender: broadcast::Sender<Arc<Event>>,
    streams: usize,
    idle_since: Instant,
}

impl Feed {
    fn new() -> Self {
        Self {
            tag: random_tag(),
            head: 0,
            ring: VecDeque::new(),
            sender: broadcast::channel(CHANNEL_CAPACITY).0,
            streams: 0,
            idle_since: Instant::now(),
        }
    }

    fn id(&self, seq: u64) -> String {
        format!("{}-{seq}", self.tag)
    }

    fn control(&self, kind: Kind, reason: &str) -> Arc<Event> {
        Arc::new(Event::control(kind, self.id(self.head), self.head, reason))
    }

    /// The events after `last_id`, or `None` when that id cannot be resumed from.
    fn after(&self, last_id: &str) -> Option<Vec<Arc<Event>>> {
        let (tag, seq) = last_id.trim().rsplit_once('-')?;
        let seq: u64 = seq.parse().ok()?;
        if tag != self.tag || seq > self.head {
            return None;
        }
        let oldest = self.ring.front().map_or(self.head + 1, |e| e.seq);
        if oldest > seq + 1 {
            return None;
        }
        Some(self.ring.iter().filter(|e| e.seq > seq).cloned().collect())
    }

    /// Starts a new sequence (old ids stop resuming) and tells the streams to reload.
    fn reset(&mut self, reason: &str) {
        *self = Self {
            sender: self.sender.clone(),
            streams: self.streams,
            idle_since: self.idle_since,
            ..Self::new()
        };
        let _ = self.sender.send(self.control(Kind::Reset, reason));
    }
}

impl Changes {
    pub fn new(max_streams_per_user: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                max_streams_per_user: max_streams_per_user.max(1),
                state: Mutex::new(State {
                    feeds: HashMap::new(),
                    closed: false,
                    last_sweep: Instant::now(),
                }),
                turns: (0..TURNS).map(|_| tokio::sync::Mutex::new(())).collect(),
                instance: random_tag(),
                next_echo: AtomicU64::new(0),
                echoes: Mutex::new(HashMap::new()),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.inner.state)
    }

    /// Delivers a committed change to its user's streams on this instance. A user
    /// without a feed here has nobody to tell: nothing is kept.
    pub fn publish(&self, change: Change) {
        let mut state = self.state();
        state.sweep();
        let Some(feed) = state.feeds.get_mut(&change.user_id) else {
            return;
        };
        feed.head += 1;
        let event = Arc::new(Event {
            seq: feed.head,
            id: feed.id(feed.head),
            kind: change.kind,
            data: change.data,
        });
        if feed.ring.len() == RING_CAPACITY {
            feed.ring.pop_front();
        }
        feed.ring.push_back(event.clone());
        let _ = feed.sender.send(event);
    }

    /// Tells `user_id`'s streams on this instance that one of the user's sessions
    /// ended, so that a stream tied to a session checks it now instead of at its next
    /// heartbeat ([`Kind::Recheck`]; not kept, not numbered).
    pub fn session_ended(&self, user_id: &str) {
        let state = self.state();
        if let Some(feed) = state.feeds.get(user_id) {
            let recheck = Event::control(Kind::Recheck, feed.id(feed.head), feed.head, "");
            let _ = feed.sender.send(Arc::new(recheck));
        }
    }

    /// Opens a stream of `user_id`'s changes. It starts with what was missed since
    /// `last_event_id` (or `reset` if that cannot be known), then `ready`.
    pub fn subscribe(
        &self,
        user_id: &str,
        last_event_id: Option<&str>,
    ) -> Result<Subscription, LiveError> {
        let mut state = self.state();
        if state.closed {
            return Err(LiveError::ShuttingDown);
        }
        state.sweep();
        let feed = state
            .feeds
            .entry(user_id.to_string())
            .or_insert_with(Feed::new);
        if feed.streams >= self.inner.max_streams_per_user {
            return Err(LiveError::TooManyStreams(self.inner.max_streams_per_user));
        }
        feed.streams += 1;
        let mut backlog: VecDeque<Arc<Event>> = VecDeque::new();
        match last_event_id.map(|id| feed.after(id)) {
            None => {}
            Some(Some(missed)) => backlog.extend(missed),
            Some(None) => backlog.push_back(feed.control(Kind::Reset, "too_far_behind")),
        }
        backlog.push_back(feed.control(Kind::Ready, "live"));
        Ok(Subscription {
            changes: self.clone(),
            user_id: user_id.to_string(),
            receiver: feed.sender.subscribe(),
            backlog,
        })
    }

    /// Every stream is told to reload, and old ids stop resuming: events may have been
    /// missed (the database listener lost its connection).
    pub fn reset_all(&self, reason: &str) {
        for feed in self.state().feeds.values_mut() {
            feed.reset(reason);
        }
    }

    /// Ends every stream (after what it has been sent) and refuses new ones: graceful
    /// shutdown waits for open responses, and a stream would never end by itself.
    pub fn close(&self) {
        let mut state = self.state();
        state.closed = true;
        state.feeds.clear();
    }

    /// Streams open on this instance, all users.
    pub fn streams(&self) -> usize {
        self.state().feeds.values().map(|f| f.streams).sum()
    }

    /// Waits for `user_id`'s turn to write, so that its changes are published in commit
    /// order (SQLite path; several users share a turn, one writer commits at a time
    /// there anyway).
    pub async fn turn(&self, user_id: &str) -> tokio::sync::MutexGuard<'_, ()> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        user_id.hash(&mut hasher);
        let index = (hasher.finish() % TURNS as u64) as usize;
        self.inner.turns[index].lock().await
    }

    fn release(&self, user_id: &str) {
        let mut state = self.state();
        if let Some(feed) = state.feeds.get_mut(user_id) {
            feed.streams = feed.streams.saturating_sub(1);
            if feed.streams == 0 {
                feed.idle_since = Instant::now();
            }
        }
    }

    /// A fresh receiver and a `reset` for a stream that fell behind.
    fn resync(&self, user_id: &str) -> Option<(broadcast::Receiver<Arc<Event>>, Arc<Event>)> {
        let state = self.state();
        let feed = state.feeds.get(user_id)?;
        Some((feed.sender.subscribe(), feed.control(Kind::Reset, "lagged")))
    }
}

impl State {
    /// Drops feeds nobody has listened to for [`RESUME_WINDOW`] (at most every 30 s).
    fn sweep(&mut self) {
        let now = Instant::now();
        if now.duration_since(self.last_sweep) < Duration::from_secs(30) {
            return;
        }
        self.last_sweep = now;
        self.feeds
            .retain(|_, f| f.streams > 0 || now.duration_since(f.idle_since) < RESUME_WINDOW);
    }
}

/// Ten random letters and digits: a feed's or an instance's part of an id.
fn random_tag() -> String {
    use rand::{distributions::Alphanumeric, Rng};
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(10)
        .map(char::from)
        .collect()
}

/// A panic while holding one of the hub's locks leaves its maps consistent enough to go
/// on.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One open stream: counts against its user's cap until dropped.
pub struct Subscription {
    changes: Changes,
    user_id: String,
    receiver: broadcast::Receiver<Arc<Event>>,
    backlog: VecDeque<Arc<Event>>,
}

impl Subscription {
    /// The next event, or `None` once the hub has closed (shutdown).
    pub async fn next(&mut self) -> Option<Arc<Event>> {
        if let Some(event) = self.backlog.pop_front() {
            return Some(event);
        }
        match self.receiver.recv().await {
            Ok(event) => Some(event),
            Err(broadcast::error::RecvError::Lagged(_)) => {
                let (receiver, reset) = self.changes.resync(&self.user_id)?;
                self.receiver = receiver;
                Some(reset)
            }
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.changes.release(&self.user_id);
    }
}

#[cfg(test)]
mod tests;
