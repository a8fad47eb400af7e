//! The live stream: one `EventSource` per tab on the page's change stream. A change
//! made elsewhere (another tab, device or API client) refreshes the page's regions in
//! the background through the same swap as the tab's own actions, so what the user is
//! typing and any open editor stay as they are; the page is told of each change (to
//! announce it). Events are read with the browser's `JSON.parse`.
//!
//! The browser reconnects by itself after a dropped connection, sending
//! `Last-Event-ID` so the server replays what was missed; when it gives up (the stream
//! was refused or ended), a new one is opened with back-off, and the page refreshed
//! once it is live since events may have been lost meanwhile. A hidden tab closes its
//! stream and catches up when shown again: over HTTP/1.1 a browser gives an origin six
//! connections, which open streams in background tabs would otherwise use up.
//!
//! The server's side of the protocol: `ready` once the stream is caught up, `end`
//! with a `reason` as its last event.

use js_sys::{Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{Event, EventSource, MessageEvent};

use super::{
    attrs,
    dom::{after, by_id, document, here, listen, replacing, window},
    http::sign_in_again,
    page::Stream,
    regions::{refresh, Nav},
    state::{self, busy, page},
};

/// Changes arriving together (a burst from a script) make one refresh.
const SETTLE_MS: i32 = 150;
/// A change within this long of the tab's own post is taken as its echo.
const ECHO_MS: f64 = 2_000.0;
pub const FIRST_RETRY_MS: i32 = 1_000;
const LAST_RETRY_MS: i32 = 30_000;

fn config() -> &'static Stream {
    page().stream.as_ref().expect("a page with a stream")
}

/// Keeps the tab's stream open while the tab is visible.
pub fn start() {
    connect();
    listen(&window(), "beforeunload", |_| {
        state::with(|s| s.stream.leaving = true)
    });
    // Back to this page from the back-forward cache: it is the page again.
    listen(&window(), "pageshow", |_| {
        state::with(|s| s.stream.leaving = false)
    });
    listen(&document(), "visibilitychange", |_| {
        if document().hidden() {
            close();
            state::with(|s| s.stream.reopened = true);
        } else if state::with(|s| s.stream.source.is_none()) {
            state::with(|s| s.stream.retry_ms = FIRST_RETRY_MS);
            connect();
        }
    });
}

/// Opens the tab's stream (not while the tab is hidden, nor twice).
fn connect() {
    let closed = state::with(|s| s.stream.stopped || s.stream.source.is_some());
    if document().hidden() || closed {
        return;
    }
    let stream = config();
    let Ok(source) = EventSource::new(stream.url) else {
        return;
    };
    for kind in stream.changes {
        listen(&source, kind, on_change);
    }
    listen(&source, "ready", |_| {
        let reopened = state::with(|s| {
            s.stream.retry_ms = FIRST_RETRY_MS;
            std::mem::take(&mut s.stream.reopened)
        });
        mark_live(true);
        if reopened {
            refresh_soon();
        }
    });
    // The server says why a stream ends. The session ended: stop, and off to sign in
    // (as an action would after a 401). Anything else (an instance shutting down in a
    // deploy): come back.
    listen(&source, "end", |ev| {
        if field(&ev, "reason").as_deref() == Some(config().session_ended) {
            state::with(|s| s.stream.stopped = true);
            close();
            if !state::with(|s| s.stream.leaving) {
                sign_in_again();
            }
        } else {
            reopen_later();
        }
    });
    listen(&source, "error", |_| {
        let closed = state::with(|s| {
            s.stream
                .source
                .as_ref()
                .is_some_and(|s| s.ready_state() == EventSource::CLOSED)
        });
        if closed {
            reopen_later();
        }
    });
    state::with(|s| s.stream.source = Some(source));
}

fn close() {
    if let Some(source) = state::with(|s| s.stream.source.take()) {
        source.close();
    }
    mark_live(false);
}

/// [`attrs::LIVE`] on the page's root while its stream is live.
fn mark_live(on: bool) {
    if let Some(root) = by_id(page().root) {
        let _ = if on {
            root.set_attribute(attrs::LIVE, "on")
        } else {
            root.remove_attribute(attrs::LIVE)
        };
    }
}

/// Opens a new stream after a pause that doubles each time (up to 30 s).
fn reopen_later() {
    close();
    let delay = state::with(|s| {
        let now = s.stream.retry_ms;
        s.stream.retry_ms = (now * 2).min(LAST_RETRY_MS);
        s.stream.reopened = true;
        now
    });
    after(delay, connect);
}

fn on_change(ev: Event) {
    refresh_soon();
    let echo = js_sys::Date::now() - state::with(|s| s.own_post_at) < ECHO_MS;
    (config().on_change)(&ev, echo);
}

/// A string field of the event's JSON data.
pub fn field(ev: &Event, name: &str) -> Option<String> {
    let data = ev.dyn_ref::<MessageEvent>()?.data().as_string()?;
    let value = JSON::parse(&data).ok()?;
    Reflect::get(&value, &JsValue::from_str(name))
        .ok()?
        .as_string()
}

/// One refresh for a burst of changes, once the user's own action (if any) is done.
fn refresh_soon() {
    replacing("settle", SETTLE_MS, || {
        if busy() {
            refresh_soon();
        } else {
            spawn_local(refresh(here(), Nav::Background));
        }
    });
}
