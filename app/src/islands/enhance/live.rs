//! Live sync in the browser: one `EventSource` per tab on the UI's change stream
//! (`/api/ui/events`). A change made elsewhere (another tab, device or API client)
//! refreshes the board's regions through the same swap as the tab's own actions, so
//! what the user is typing and any open editor stay as they are; it is announced in a
//! polite live region. Events are read with the browser's `JSON.parse`.
//!
//! The browser reconnects by itself after a dropped connection, sending
//! `Last-Event-ID` so the server replays what was missed; when it gives up (the stream
//! was refused or ended), a new one is opened with back-off, and the board refreshed
//! once it is live since events may have been lost meanwhile. A hidden tab closes its
//! stream and catches up when shown again: over HTTP/1.1 a browser gives an origin six
//! connections, which open streams in background tabs would otherwise use up.

use std::cell::{Cell, RefCell};

use js_sys::{Reflect, JSON};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{Event, EventSource, MessageEvent};

use super::{
    by_id, document, here, listen,
    server::{busy, refresh, sign_in_again, Nav},
    window,
};

const STREAM: &str = "/api/ui/events";
/// Changes arriving together (a burst from a script) make one refresh.
const SETTLE_MS: i32 = 150;
/// A change within this long of the tab's own post is taken as its echo: not announced.
const ECHO_MS: f64 = 2_000.0;
const FIRST_RETRY_MS: i32 = 1_000;
const LAST_RETRY_MS: i32 = 30_000;

thread_local! {
    static SOURCE: RefCell<Option<EventSource>> = const { RefCell::new(None) };
    static RETRY_MS: Cell<i32> = const { Cell::new(FIRST_RETRY_MS) };
    /// The stream was reopened (not resumed): refresh when it is live.
    static REOPENED: Cell<bool> = const { Cell::new(false) };
    static PENDING: Cell<i32> = const { Cell::new(0) };
    static OWN_POST_AT: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
    /// The session ended: no more streams from this page.
    static STOPPED: Cell<bool> = const { Cell::new(false) };
    /// The page is navigating away (a sign-out form, a link): the stream's end is the
    /// user's own doing, and the page they asked for wins over the sign-in page.
    static LEAVING: Cell<bool> = const { Cell::new(false) };
}

/// Keeps the tab's stream open while the tab is visible.
pub(super) fn start() {
    connect();
    listen(&window(), "beforeunload", |_| LEAVING.with(|l| l.set(true)));
    // Back to this page from the back-forward cache: it is the page again.
    listen(&window(), "pageshow", |_| LEAVING.with(|l| l.set(false)));
    listen(&document(), "visibilitychange", |_| {
        if document().hidden() {
            close();
            REOPENED.with(|r| r.set(true));
        } else if SOURCE.with(|s| s.borrow().is_none()) {
            RETRY_MS.with(|r| r.set(FIRST_RETRY_MS));
            connect();
        }
    });
}

/// Opens the tab's stream (not while the tab is hidden, nor twice).
fn connect() {
    if document().hidden() || STOPPED.with(Cell::get) || SOURCE.with(|s| s.borrow().is_some()) {
        return;
    }
    let Ok(source) = EventSource::new(STREAM) else {
        return;
    };
    for kind in [
        "created",
        "updated",
        "completed",
        "deleted",
        "changed",
        "reset",
    ] {
        listen(&source, kind, on_change);
    }
    listen(&source, "ready", |_| {
        RETRY_MS.with(|r| r.set(FIRST_RETRY_MS));
        mark_live(true);
        if REOPENED.with(|r| r.replace(false)) {
            schedule_refresh();
        }
    });
    // The server says why a stream ends. Signed out or revoked: stop, and off to sign
    // in (as an action would after a 401). Anything else (an instance shutting down in
    // a deploy): come back.
    listen(&source, "end", |ev| {
        if field(&ev, "reason").as_deref() == Some("session_ended") {
            STOPPED.with(|s| s.set(true));
            close();
            if !LEAVING.with(Cell::get) {
                sign_in_again();
            }
        } else {
            reopen_later();
        }
    });
    listen(&source, "error", |_| {
        let closed = SOURCE.with(|s| {
            s.borrow()
                .as_ref()
                .is_some_and(|s| s.ready_state() == EventSource::CLOSED)
        });
        if closed {
            reopen_later();
        }
    });
    SOURCE.with(|s| s.replace(Some(source)));
}

fn close() {
    if let Some(source) = SOURCE.with(|s| s.take()) {
        source.close();
    }
    mark_live(false);
}

/// `data-live="on"` on the board while its stream is live (for styling and tests).
fn mark_live(on: bool) {
    if let Some(root) = by_id("board-root") {
        let _ = if on {
            root.set_attribute("data-live", "on")
        } else {
            root.remove_attribute("data-live")
        };
    }
}

/// Opens a new stream after a pause that doubles each time (up to 30 s).
fn reopen_later() {
    close();
    let delay = RETRY_MS.with(|r| {
        let now = r.get();
        r.set((now * 2).min(LAST_RETRY_MS));
        now
    });
    REOPENED.with(|r| r.set(true));
    let later = Closure::once_into_js(connect);
    let _ = window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), delay);
}

/// The tab posted a change itself: its echo on the stream is not news.
pub(super) fn own_post() {
    OWN_POST_AT.with(|t| t.set(js_sys::Date::now()));
}

fn on_change(ev: Event) {
    schedule_refresh();
    let echo = js_sys::Date::now() - OWN_POST_AT.with(Cell::get) < ECHO_MS;
    if echo {
        return;
    }
    let words = match (ev.type_().as_str(), field(&ev, "title")) {
        ("created", Some(t)) => format!("“{t}” was added elsewhere."),
        ("completed", Some(t)) => format!("“{t}” was updated elsewhere."),
        ("updated", Some(t)) => format!("“{t}” was edited elsewhere."),
        ("deleted", _) => "A task was deleted elsewhere.".to_string(),
        _ => "Your tasks changed elsewhere.".to_string(),
    };
    if let Some(note) = by_id("live-note") {
        note.set_text_content(Some(&words));
    }
}

/// A string field of the event's JSON data.
fn field(ev: &Event, name: &str) -> Option<String> {
    let data = ev.dyn_ref::<MessageEvent>()?.data().as_string()?;
    let value = JSON::parse(&data).ok()?;
    Reflect::get(&value, &JsValue::from_str(name))
        .ok()?
        .as_string()
}

/// One refresh for a burst of changes, once the user's own action (if any) is done.
fn schedule_refresh() {
    let win = window();
    PENDING.with(|p| win.clear_timeout_with_handle(p.get()));
    let later = Closure::once_into_js(|| {
        if busy() {
            schedule_refresh();
        } else {
            spawn_local(refresh(here(), Nav::Background));
        }
    });
    let id = win
        .set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), SETTLE_MS)
        .unwrap_or(0);
    PENDING.with(|p| p.set(id));
}
