//! Keyboard shortcuts for the whole page: one `keydown` listener on the document, so
//! that a shortcut works wherever the focus is (the page's body, a row, a tab), never
//! while the user types in a field, and never over the browser's own Ctrl/⌘ keys.

use wasm_bindgen::JsCast;
use web_sys::{Element, Event, KeyboardEvent};

use super::{
    dom::{document, listen},
    state::page,
};

/// Starts listening for the page's shortcuts.
pub fn listen_for_shortcuts() {
    listen(&document(), "keydown", on_keydown);
}

/// The shortcut's name: `KeyboardEvent.key`, with `Alt+` in front when Alt is held.
fn name_of(ev: &KeyboardEvent) -> Option<String> {
    if ev.ctrl_key() || ev.meta_key() {
        return None;
    }
    let key = ev.key();
    Some(if ev.alt_key() {
        format!("Alt+{key}")
    } else {
        key
    })
}

/// Whether `el` takes typed text: a text-like input, a text area or a select (the
/// pages have no editable elements besides). Shortcuts keep out of its way.
pub fn takes_text(el: &Element) -> bool {
    match el.tag_name().as_str() {
        "TEXTAREA" | "SELECT" => true,
        "INPUT" => !matches!(
            el.get_attribute("type").as_deref(),
            Some("checkbox" | "radio" | "button" | "submit" | "reset")
        ),
        _ => false,
    }
}

fn on_keydown(ev: Event) {
    let Some(key) = ev.dyn_ref::<KeyboardEvent>() else {
        return;
    };
    if ev.default_prevented() {
        return;
    }
    let Some(name) = name_of(key) else { return };
    let focused = document()
        .active_element()
        .or_else(|| document().body().map(Into::into));
    let Some(focused) = focused else { return };
    if takes_text(&focused) {
        return;
    }
    for (shortcut, handler) in page().shortcuts {
        if *shortcut == name && handler(focused.clone()) {
            // Also keeps the key out of a field the shortcut just focused.
            ev.prevent_default();
            return;
        }
    }
}
