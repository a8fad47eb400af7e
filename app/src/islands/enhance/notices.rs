//! What the board tells the user: the "Deleted … Undo" notice (a live region present
//! from page load) and errors shown next to the form they concern.

use std::cell::Cell;

use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{Element, HtmlInputElement};

use super::{document, window};

/// How long the "Undo" notice stays.
const TOAST_MS: i32 = 8_000;

thread_local! {
    /// The newest undo notice, so that an old timer does not hide a new one.
    static TOAST: Cell<u32> = const { Cell::new(0) };
}

fn toast() -> Option<Element> {
    document().query_selector("#toast .toast").ok().flatten()
}

pub(super) fn show_toast(title: &str, token: &str) {
    let Some(toast) = toast() else { return };
    if let Ok(Some(text)) = toast.query_selector(".toast-text") {
        text.set_text_content(Some(&format!("Deleted “{title}”.")));
    }
    if let Some(input) = toast
        .query_selector("input[name=token]")
        .ok()
        .flatten()
        .and_then(|i| i.dyn_into::<HtmlInputElement>().ok())
    {
        input.set_value(token);
    }
    if let Ok(Some(error)) = toast.query_selector(".form-error") {
        error.remove();
    }
    let _ = toast.remove_attribute("hidden");
    let shown = TOAST.with(|t| {
        t.set(t.get() + 1);
        t.get()
    });
    let later = Closure::once_into_js(move || {
        if TOAST.with(Cell::get) == shown {
            hide_toast();
        }
    });
    let _ = window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), TOAST_MS);
}

pub(super) fn hide_toast() {
    if let Some(toast) = toast() {
        let _ = toast.set_attribute("hidden", "");
    }
}

/// Shows `message` at the end of `container` (one message at a time).
pub(super) fn show_error(container: &Element, message: &str) {
    let existing = container
        .query_selector(":scope > .form-error")
        .ok()
        .flatten();
    let p = match existing {
        Some(p) => p,
        None => {
            let Ok(p) = document().create_element("p") else {
                return;
            };
            p.set_class_name("form-error");
            let _ = p.set_attribute("role", "alert");
            let _ = container.append_child(&p);
            p
        }
    };
    p.set_text_content(Some(message));
}

pub(super) fn clear_error(container: &Element) {
    if let Ok(Some(p)) = container.query_selector(":scope > .form-error") {
        p.remove();
    }
}

pub(super) fn row_error(row: &Element, message: &str) {
    if let Ok(Some(body)) = row.query_selector(".task-body") {
        show_error(&body, message);
    }
}
