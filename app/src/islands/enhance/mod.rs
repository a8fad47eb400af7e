//! The board in the browser: the same forms and links as without JavaScript, sent with
//! `fetch` instead of a page load, and the parts of the page that changed swapped in
//! from the server's fresh HTML (`[data-swap]` regions, matched by id). So the list
//! never blanks, scroll and focus stay where they were, and the rows are rendered by
//! one piece of code: the server's.
//!
//! Toggle and delete are optimistic (the row changes at once and is put back if the
//! server refuses); adding clears the box at once so the next task can be typed.
//! Answers are read with the browser's own `JSON.parse`: no serde in the bundle.
//! Changes made elsewhere arrive on a change stream and refresh the same regions
//! (`live`).

mod actions;
mod live;
mod notices;
mod server;

use std::cell::Cell;

use wasm_bindgen::{closure::Closure, JsCast};
use wasm_bindgen_futures::spawn_local;
use web_sys::{
    Document, Element, Event, EventTarget, HtmlFormElement, KeyboardEvent, MouseEvent, Window,
};

use actions::{add, close_editor, delete, edit, focus_id, restore, toggle};
use notices::hide_toast;
use server::{filter_url, refresh, Nav};

/// Search-as-you-type waits for a pause this long.
const TYPING_MS: i32 = 300;

thread_local! {
    /// The pending search-as-you-type timer.
    static TYPING: Cell<i32> = const { Cell::new(0) };
}

pub(super) fn window() -> Window {
    web_sys::window().expect("a window")
}

pub(super) fn document() -> Document {
    window().document().expect("a document")
}

pub(super) fn by_id(id: &str) -> Option<Element> {
    document().get_element_by_id(id)
}

/// Starts listening at the island's root, the element with id `root` (events bubble
/// up from every form and link).
pub fn enhance(root: &str) {
    let Some(root) = by_id(root) else { return };
    let _ = root.class_list().add_1("enhanced");
    listen(&root, "submit", on_submit);
    listen(&root, "click", on_click);
    listen(&root, "change", on_change);
    listen(&root, "input", on_input);
    listen(&root, "keydown", on_keydown);
    listen(&window(), "popstate", |_| {
        spawn_local(refresh(here(), Nav::Stay))
    });
    live::start();
}

pub(super) fn listen(target: &EventTarget, name: &str, handler: fn(Event)) {
    let callback = Closure::<dyn Fn(Event)>::new(handler);
    let _ = target.add_event_listener_with_callback(name, callback.as_ref().unchecked_ref());
    // Listeners live as long as the page.
    callback.forget();
}

pub(super) fn here() -> String {
    let location = window().location();
    let path = location.pathname().unwrap_or_else(|_| "/".into());
    let search = location.search().unwrap_or_default();
    format!("{path}{search}")
}

fn target_element(ev: &Event) -> Option<Element> {
    ev.target()?.dyn_into::<Element>().ok()
}

pub(super) fn closest<T: JsCast>(el: &Element, selector: &str) -> Option<T> {
    el.closest(selector).ok().flatten()?.dyn_into::<T>().ok()
}

// --- events ---------------------------------------------------------------------------

fn on_submit(ev: Event) {
    let Some(form) = ev
        .target()
        .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    let Some(kind) = form.get_attribute("data-enhance") else {
        return;
    };
    ev.prevent_default();
    match kind.as_str() {
        "filter" => spawn_local(refresh(filter_url(&form), Nav::Push)),
        "add" => add(form),
        "toggle" => toggle(form),
        "delete" => delete(form),
        "edit" => edit(form),
        "restore" => restore(form),
        _ => {}
    }
}

fn on_click(ev: Event) {
    let Some(el) = target_element(&ev) else {
        return;
    };
    let plain = ev.dyn_ref::<MouseEvent>().is_none_or(|m| {
        m.button() == 0 && !(m.ctrl_key() || m.meta_key() || m.shift_key() || m.alt_key())
    });
    if !plain {
        return;
    }
    let href = |link: &Element| link.get_attribute("href").unwrap_or_else(|| "/".into());
    if let Some(link) = closest::<Element>(&el, "a[data-nav]") {
        ev.prevent_default();
        spawn_local(refresh(href(&link), Nav::Push));
    } else if let Some(link) = closest::<Element>(&el, "a[data-edit]") {
        // The row's editor, fetched in place; the URL stays the board's.
        ev.prevent_default();
        let field = format!("edit-title-{}", link.id().trim_start_matches("edit-"));
        spawn_local(async move {
            refresh(href(&link), Nav::Stay).await;
            focus_id(&field);
        });
    } else if closest::<Element>(&el, "[data-dismiss]").is_some() {
        ev.prevent_default();
        hide_toast();
    } else if let Some(form) = closest::<Element>(&el, "a[data-cancel]")
        .and_then(|a| closest::<Element>(&a, "form.edit-form"))
    {
        ev.prevent_default();
        spawn_local(close_editor(form));
    }
}

/// A changed select in the filter bar applies at once.
fn on_change(ev: Event) {
    let Some(el) = target_element(&ev) else {
        return;
    };
    if el.tag_name() == "SELECT" {
        if let Some(form) = closest::<HtmlFormElement>(&el, "form[data-enhance=filter]") {
            spawn_local(refresh(filter_url(&form), Nav::Push));
        }
    }
}

/// Typing in the search or tag box applies after a short pause.
fn on_input(ev: Event) {
    let Some(el) = target_element(&ev) else {
        return;
    };
    if el.tag_name() != "INPUT" {
        return;
    }
    let Some(form) = closest::<HtmlFormElement>(&el, "form[data-enhance=filter]") else {
        return;
    };
    let win = window();
    TYPING.with(|t| win.clear_timeout_with_handle(t.get()));
    let later =
        Closure::once_into_js(move || spawn_local(refresh(filter_url(&form), Nav::Replace)));
    let id = win
        .set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), TYPING_MS)
        .unwrap_or(0);
    TYPING.with(|t| t.set(id));
}

/// Escape in an open editor closes it and puts the fields back.
fn on_keydown(ev: Event) {
    let Some(key) = ev.dyn_ref::<KeyboardEvent>().map(KeyboardEvent::key) else {
        return;
    };
    if key != "Escape" {
        return;
    }
    if let Some(form) = target_element(&ev).and_then(|el| closest::<Element>(&el, "form.edit-form"))
    {
        ev.prevent_default();
        spawn_local(close_editor(form));
    }
}
