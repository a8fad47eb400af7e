//! What the board tells the user: the "Deleted … Undo" notice (a live region present
//! from page load) and errors shown next to the form they concern.

use web_sys::{Element, HtmlInputElement};

use crate::board_dom::{class, field, id};
use crate::islands::swap::dom::{by_id, class as dot, document, find, replacing};

/// How long the "Undo" notice stays.
const TOAST_MS: i32 = 8_000;

fn toast() -> Option<Element> {
    find(&by_id(id::TOAST)?, &dot(class::TOAST))
}

pub fn show_toast(title: &str, token: &str) {
    let Some(toast) = toast() else { return };
    if let Some(text) = find::<Element>(&toast, &dot(class::TOAST_TEXT)) {
        text.set_text_content(Some(&format!("Deleted “{title}”.")));
    }
    let input = format!("input[name={}]", field::TOKEN);
    if let Some(input) = find::<HtmlInputElement>(&toast, &input) {
        input.set_value(token);
    }
    if let Some(error) = find::<Element>(&toast, &dot(class::ERROR)) {
        error.remove();
    }
    let _ = toast.remove_attribute("hidden");
    // A newer notice replaces this one's timer, so an old one never hides it early.
    replacing("toast", TOAST_MS, hide_toast);
}

pub fn hide_toast() {
    if let Some(toast) = toast() {
        let _ = toast.set_attribute("hidden", "");
    }
}

/// The notice's close button.
pub fn dismiss(_: Element) -> bool {
    hide_toast();
    true
}

/// Shows `message` at the end of `container` (one message at a time).
pub fn show_error(container: &Element, message: &str) {
    let mine = format!(":scope > {}", dot(class::ERROR));
    let p = match find::<Element>(container, &mine) {
        Some(p) => p,
        None => {
            let Ok(p) = document().create_element("p") else {
                return;
            };
            p.set_class_name(class::ERROR);
            let _ = p.set_attribute("role", "alert");
            let _ = container.append_child(&p);
            p
        }
    };
    p.set_text_content(Some(message));
}

pub fn clear_error(container: &Element) {
    let mine = format!(":scope > {}", dot(class::ERROR));
    if let Some(p) = find::<Element>(container, &mine) {
        p.remove();
    }
}

pub fn row_error(row: &Element, message: &str) {
    if let Some(body) = find::<Element>(row, &dot(class::BODY)) {
        show_error(&body, message);
    }
}
