//! Everything the engine remembers between events, in one struct: the page it runs,
//! the ordering of requests, pending timers and the live stream. The browser runs the
//! island on one thread, so one thread-local holds it; borrows are kept to a statement
//! and never held across a call into the page (which could dispatch an event back here).

use std::cell::RefCell;

use web_sys::{Element, EventSource};

use super::page::Page;

pub struct State {
    /// The page being run (its behaviours and settings), once started.
    pub page: Option<&'static Page>,
    /// The newest refresh the user asked for; an older one that answers late is dropped.
    pub latest: u32,
    /// The newest of those that has ended: below `latest`, one is under way.
    pub shown: u32,
    /// Posts and refreshes under way.
    pub busy: u32,
    /// Posts sent or waiting their turn: a refresh that answers meanwhile may predate
    /// them, and the last post's own refresh follows anyway.
    pub posting: u32,
    /// Settles when the last post queued is done: the next one waits for it, so that
    /// the server sees the user's changes in the order they were made.
    pub last_post: Option<js_sys::Promise>,
    /// A refresh was given up while an item was dragged: one is owed when it lands.
    pub owed_refresh: bool,
    /// Timers a newer one of the same name replaces, with their handles.
    pub timers: Vec<(&'static str, i32)>,
    /// When the tab last posted a change: its echo on the stream is not news.
    pub own_post_at: f64,
    pub stream: StreamState,
    /// The item being dragged (see `reorder`), and the sibling it was before.
    pub dragging: Option<(Element, Option<Element>)>,
}

/// The live stream's connection and its reconnecting.
pub struct StreamState {
    pub source: Option<EventSource>,
    /// The pause before the next attempt to open a stream.
    pub retry_ms: i32,
    /// The stream was reopened (not resumed): events may have been missed, so refresh
    /// once it is live.
    pub reopened: bool,
    /// The session ended: no more streams from this page.
    pub stopped: bool,
    /// The page is navigating away (a sign-out form, a link): the stream's end is the
    /// user's own doing, and the page they asked for wins over the sign-in page.
    pub leaving: bool,
}

impl State {
    const fn new() -> Self {
        State {
            page: None,
            latest: 0,
            shown: 0,
            busy: 0,
            posting: 0,
            last_post: None,
            owed_refresh: false,
            timers: Vec::new(),
            own_post_at: f64::NEG_INFINITY,
            stream: StreamState {
                source: None,
                retry_ms: super::stream::FIRST_RETRY_MS,
                reopened: false,
                stopped: false,
                leaving: false,
            },
            dragging: None,
        }
    }

    /// Forgets the timer called `slot`, returning its handle.
    pub fn take_timer(&mut self, slot: &str) -> Option<i32> {
        let at = self.timers.iter().position(|(name, _)| *name == slot)?;
        Some(self.timers.swap_remove(at).1)
    }
}

thread_local! {
    static STATE: RefCell<State> = const { RefCell::new(State::new()) };
}

/// Runs `f` on the state (keep it short: see the module's doc).
pub fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

/// The page being run.
pub fn page() -> &'static Page {
    with(|s| s.page).expect("the engine is started with a page")
}

/// Whether the user's own post or navigation is under way: a background refresh waits
/// for it (it ends with a refresh of its own, and must not be overtaken by an older
/// view).
/// A drag in progress counts too: its drop ends with a post of its own.
pub fn busy() -> bool {
    with(|s| s.busy > 0 || s.dragging.is_some())
}

/// Counts an operation under way for as long as it lives; meanwhile the page's busy
/// region says so (`aria-busy`, dimmed), so that nobody takes a change as saved
/// before the server has it.
pub struct Busy;

impl Busy {
    pub fn start() -> Self {
        with(|s| s.busy += 1);
        show_busy();
        Busy
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        with(|s| s.busy = s.busy.saturating_sub(1));
        show_busy();
    }
}

/// Marks the busy region as the count says (again after a swap replaced it).
pub fn show_busy() {
    let Some(region) = super::dom::by_id(page().busy) else {
        return;
    };
    let _ = if with(|s| s.busy) > 0 {
        region.set_attribute("aria-busy", "true")
    } else {
        region.remove_attribute("aria-busy")
    };
}
