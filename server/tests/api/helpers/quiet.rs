//! The gate that lets a test have the process (and the two cores) to itself.
//!
//! All the tests share one process, and cargo runs them two at a time. Every
//! [`TestApp`](super::TestApp) holds this gate *shared* for as long as it lives; a test
//! that measures time (the sign-in timing test in `attacks::enumeration`) spawns its app with
//! `TestApp::builder().alone()`, which holds it *exclusively*: it waits for the apps
//! running beside it to be cleaned up, and no other app starts until it is done. Without
//! it, the timing test's latencies would include other tests' password hashing queueing
//! on the same cores. Tests without an app take the gate with [`shared_blocking`].
//!
//! The lock is fair: once an exclusive request waits, new shared requests queue behind
//! it. So a test that spawns a second app while its first is alive must not request the
//! gate again (it would wait behind the exclusive request, which waits for the first
//! app: a deadlock). Apps spawned from the same thread reuse the guard that thread
//! already holds; spawn every app of a test from the test's own task.

use std::{
    cell::RefCell,
    sync::{Arc, LazyLock, Weak},
};

use tokio::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

static GATE: LazyLock<RwLock<()>> = LazyLock::new(|| RwLock::new(()));

/// A hold on the gate, kept alive by the apps that share it.
pub enum Quiet {
    Shared {
        _guard: RwLockReadGuard<'static, ()>,
    },
    Alone {
        _guard: RwLockWriteGuard<'static, ()>,
    },
}

thread_local! {
    /// The hold of the test running on this thread, while one of its apps lives.
    static HELD: RefCell<Weak<Quiet>> = const { RefCell::new(Weak::new()) };
}

fn held() -> Option<Arc<Quiet>> {
    HELD.with(|held| held.borrow().upgrade())
}

fn remember(quiet: Quiet) -> Arc<Quiet> {
    let quiet = Arc::new(quiet);
    HELD.with(|held| *held.borrow_mut() = Arc::downgrade(&quiet));
    quiet
}

/// The gate held shared, or whatever hold this thread's test already has.
pub(super) async fn shared() -> Arc<Quiet> {
    if let Some(quiet) = held() {
        return quiet;
    }
    let guard = GATE.read().await;
    remember(Quiet::Shared { _guard: guard })
}

/// The gate held exclusively: no other app is alive until this hold is dropped.
pub(super) async fn alone() -> Arc<Quiet> {
    assert!(
        held().is_none(),
        "a test that runs alone must spawn its exclusive app first"
    );
    let guard = GATE.write().await;
    remember(Quiet::Alone { _guard: guard })
}

/// The gate held shared by a synchronous test that starts no app (e.g. one that runs
/// the server binary).
pub fn shared_blocking() -> RwLockReadGuard<'static, ()> {
    GATE.blocking_read()
}
