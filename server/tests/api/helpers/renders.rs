//! App starts and page renders must not overlap in one process.
//!
//! Starting an app generates Leptos' route list, and while it does, `leptos_router`
//! holds `leptos_server`'s process-wide `SuppressResourceLoad` flag: every resource
//! that starts loading meanwhile, in any app of the process, waits forever, and so does
//! the page that renders it (until the client's and the server's 30 s timeouts). With
//! all the tests in one binary, apps start all the time beside other tests' renders.
//!
//! So each holds a [`Hold`] of its kind: app starts (`Application::build`) exclude page
//! renders and the other way round, while starts may run together (the scale-out test
//! starts two instances at once) and so may renders (the pages test loads twenty at a
//! time). [`TestApp::load`](super::TestApp::load) and `get` hold a render for the whole
//! exchange (the body streams while the page renders); a test that drives renders
//! itself holds [`rendering`] around them.

use std::sync::{LazyLock, Mutex};

use tokio::sync::Notify;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Start,
    Render,
}

/// How many holds of each kind are in force.
static HELD: Mutex<[usize; 2]> = Mutex::new([0, 0]);
/// Signalled when a kind's count drops to zero.
static RELEASED: LazyLock<Notify> = LazyLock::new(Notify::new);

/// A hold of one kind; the other kind waits until every hold of this one is dropped.
/// Holds of the same kind do not wait for each other, so they may nest.
pub struct Hold(Kind);

async fn enter(kind: Kind) -> Hold {
    let (mine, other) = match kind {
        Kind::Start => (0, 1),
        Kind::Render => (1, 0),
    };
    loop {
        // Registered before the check, so a release in between still wakes us.
        let released = RELEASED.notified();
        tokio::pin!(released);
        released.as_mut().enable();
        {
            let mut held = HELD.lock().unwrap();
            if held[other] == 0 {
                held[mine] += 1;
                return Hold(kind);
            }
        }
        released.await;
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        let mine = match self.0 {
            Kind::Start => 0,
            Kind::Render => 1,
        };
        let mut held = HELD.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        held[mine] -= 1;
        if held[mine] == 0 {
            RELEASED.notify_waiters();
        }
    }
}

/// Held while an app starts.
pub(super) async fn starting() -> Hold {
    enter(Kind::Start).await
}

/// Held while pages render: no app starts until it is dropped.
pub async fn rendering() -> Hold {
    enter(Kind::Render).await
}

/// Whether a GET of `path` renders a Leptos page (everything but the API, the probes,
/// the metrics and the bundle).
pub(super) fn renders(path: &str) -> bool {
    !(path == "/api"
        || path.starts_with("/api/")
        || path.starts_with("/pkg/")
        || matches!(path, "/healthz" | "/readyz" | "/metrics"))
}
