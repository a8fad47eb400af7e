//! Small DOM helpers: the window and document, lookups, listeners that live as long as
//! the page, and timers.

use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{Document, Element, Event, EventTarget, HtmlElement, Window};

use super::state;

pub fn window() -> Window {
    web_sys::window().expect("a window")
}

pub fn document() -> Document {
    window().document().expect("a document")
}

pub fn by_id(id: &str) -> Option<Element> {
    document().get_element_by_id(id)
}

/// The nearest element from `el` up that matches `selector`, as a `T`.
pub fn closest<T: JsCast>(el: &Element, selector: &str) -> Option<T> {
    el.closest(selector).ok().flatten()?.dyn_into::<T>().ok()
}

/// The first element under `el` that matches `selector`, as a `T`.
pub fn find<T: JsCast>(el: &Element, selector: &str) -> Option<T> {
    el.query_selector(selector)
        .ok()
        .flatten()?
        .dyn_into::<T>()
        .ok()
}

/// `.name`, for a class.
pub fn class(name: &str) -> String {
    format!(".{name}")
}

/// `[name]`, for an attribute.
pub fn has(attr: &str) -> String {
    format!("[{attr}]")
}

pub fn focus_id(id: &str) {
    if let Some(el) = by_id(id).and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

/// The element an event happened on.
pub fn target_element(ev: &Event) -> Option<Element> {
    ev.target()?.dyn_into::<Element>().ok()
}

/// The page's own path and query, as a refresh asks for it again.
pub fn here() -> String {
    let location = window().location();
    let path = location.pathname().unwrap_or_else(|_| "/".into());
    let search = location.search().unwrap_or_default();
    format!("{path}{search}")
}

pub fn listen(target: &EventTarget, name: &str, handler: fn(Event)) {
    let callback = Closure::<dyn Fn(Event)>::new(handler);
    let _ = target.add_event_listener_with_callback(name, callback.as_ref().unchecked_ref());
    // Listeners live as long as the page.
    callback.forget();
}

/// Runs `f` once after `ms`; the timer's handle.
pub fn after(ms: i32, f: impl FnOnce() + 'static) -> i32 {
    let later = Closure::once_into_js(f);
    window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), ms)
        .unwrap_or(0)
}

/// Runs `f` once after `ms`, in place of whatever the timer called `slot` was still
/// waiting to run (a newer keystroke, change or notice wins).
pub fn replacing(slot: &'static str, ms: i32, f: impl FnOnce() + 'static) {
    if let Some(old) = state::with(|s| s.take_timer(slot)) {
        window().clear_timeout_with_handle(old);
    }
    let id = after(ms, f);
    state::with(|s| s.timers.push((slot, id)));
}
