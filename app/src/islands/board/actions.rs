//! The board's actions, each the same form a page load would send: add, toggle and
//! delete (optimistic), edit in place, and undo.

use js_sys::JSON;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, HtmlElement, HtmlFormElement, HtmlInputElement};

use super::notices::{clear_error, hide_toast, row_error, show_error, show_toast};
use crate::board_dom::{class, field, id};
use crate::islands::swap::{
    dom::{class as dot, closest, document, find, focus_id, has, here},
    http::{form_body, post},
    refresh, Nav,
};

/// The task row a form or link is in.
fn row_of(el: &Element) -> Option<Element> {
    closest(el, &dot(class::TASK))
}

pub fn add(form: HtmlFormElement) {
    let Some(body) = form_body(&form) else { return };
    let title = find::<HtmlInputElement>(&form, &format!("input[name={}]", field::TITLE));
    let typed = title
        .as_ref()
        .map(HtmlInputElement::value)
        .unwrap_or_default();
    // Empty at once and keep the focus: the next task can be typed while this one saves.
    form.reset();
    spawn_local(async move {
        match post(&form.action(), &body).await {
            Ok(_) => {
                clear_error(&form);
                super::planning::show_chips("");
                refresh(here(), Nav::Saved).await;
            }
            Err(message) => {
                if let Some(title) = title.filter(|t| t.value().is_empty()) {
                    title.set_value(&typed);
                }
                show_error(&form, &message);
            }
        }
    });
}

pub fn toggle(form: HtmlFormElement) {
    let Some(body) = form_body(&form) else { return };
    let Some(row) = row_of(&form) else { return };
    let flip = {
        let row = row.clone();
        move || {
            let done = row.class_list().toggle(class::DONE).unwrap_or(false);
            if let Some(check) = find::<Element>(&row, &dot(class::CHECK)) {
                let _ = check.set_attribute("aria-checked", if done { "true" } else { "false" });
            }
        }
    };
    flip();
    spawn_local(async move {
        match post(&form.action(), &body).await {
            Ok(_) => refresh(here(), Nav::Saved).await,
            Err(message) => {
                flip();
                row_error(&row, &message);
            }
        }
    });
}

pub fn delete(form: HtmlFormElement) {
    let Some(body) = form_body(&form) else { return };
    let Some(row) = row_of(&form) else { return };
    let title = find::<Element>(&row, &dot(class::TITLE))
        .and_then(|t| t.text_content())
        .unwrap_or_default();
    // Focus moves to the next row (or the previous one), never to the page's top.
    let neighbour = row
        .next_element_sibling()
        .or_else(|| row.previous_element_sibling())
        .and_then(|n| find::<HtmlElement>(&n, &dot(class::CHECK)));
    let _ = row.class_list().add_1(class::HIDDEN);
    match neighbour {
        Some(n) => {
            let _ = n.focus();
        }
        None => focus_id(id::NEW_TITLE),
    }
    spawn_local(async move {
        match post(&form.action(), &body).await {
            Ok(answer) => {
                let token = JSON::parse(&answer)
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default();
                show_toast(&title, &token);
                refresh(here(), Nav::Saved).await;
            }
            Err(message) => {
                let _ = row.class_list().remove_1(class::HIDDEN);
                row_error(&row, &message);
            }
        }
    });
}

pub fn edit(form: HtmlFormElement) {
    let Some(body) = form_body(&form) else { return };
    spawn_local(async move {
        match post(&form.action(), &body).await {
            Ok(_) => close_editor(form.into(), Nav::Saved).await,
            Err(message) => show_error(&form, &message),
        }
    });
}

pub fn restore(form: HtmlFormElement) {
    let Some(body) = form_body(&form) else { return };
    spawn_local(async move {
        match post(&form.action(), &body).await {
            Ok(_) => {
                hide_toast();
                refresh(here(), Nav::Saved).await;
            }
            Err(message) => show_error(&form, &message),
        }
    });
}

/// A row's "Edit" link: its editor is fetched in place (the URL stays the board's),
/// and its title field focused.
pub fn open_editor(link: Element) -> bool {
    let href = link.get_attribute("href").unwrap_or_else(|| "/".into());
    let task = id::task_of_edit_link(&link.id())
        .unwrap_or_default()
        .to_string();
    spawn_local(async move {
        refresh(href, Nav::Stay).await;
        focus_id(&id::edit_field(field::TITLE, task));
    });
    true
}

/// Cancel, or Escape, in an open editor closes it and puts the fields back.
pub fn cancel(el: Element) -> bool {
    let Some(editor) = closest::<Element>(&el, &dot(class::EDITOR)) else {
        return false;
    };
    spawn_local(close_editor(editor, Nav::Stay));
    true
}

/// Closes an editor: the row comes back as the server renders it now, and focus
/// returns to its Edit link.
async fn close_editor(editor: Element, nav: Nav) {
    let _ = editor.set_attribute(crate::islands::swap::attrs::CLOSING, "");
    // Focus in the editor would keep its region from being swapped.
    if let Some(a) = document()
        .active_element()
        .and_then(|a| a.dyn_into::<HtmlElement>().ok())
    {
        let _ = a.blur();
    }
    let row = row_of(&editor).map(|r| r.id());
    refresh(here(), nav).await;
    if let Some(task) = row.as_deref().and_then(id::task_of_row) {
        focus_id(&id::edit_link(task));
    }
}

/// A row's up or down button: the row moves at once, then the server places it (and a
/// refresh shows the order it keeps).
pub fn move_row(form: HtmlFormElement) {
    let Some(body) = form_body(&form) else { return };
    let Some(row) = row_of(&form) else { return };
    let up = body.get("direction").as_deref() == Some("up");
    let neighbour = if up {
        row.previous_element_sibling()
    } else {
        row.next_element_sibling()
    };
    if let (Some(neighbour), Some(list)) = (neighbour, row.parent_element()) {
        let before = if up {
            Some(neighbour)
        } else {
            neighbour.next_element_sibling()
        };
        // Moving an element takes the focus from it: give it back (the row stays selected).
        let focused = document()
            .active_element()
            .and_then(|f| f.dyn_into::<HtmlElement>().ok());
        let _ = list.insert_before(&row, before.as_ref().map(|b| b.unchecked_ref()));
        if let Some(focused) = focused {
            let _ = focused.focus();
        }
    }
    spawn_local(async move {
        if let Err(message) = post(&form.action(), &body).await {
            row_error(&row, &message);
        }
        refresh(here(), Nav::Saved).await;
    });
}

/// A row dragged to a new place: after the row now before it (none: first), through
/// the URL its move buttons name.
pub fn dropped(row: Element, before: Option<Element>) {
    let Some(task) = id::task_of_row(&row.id()).map(str::to_string) else {
        return;
    };
    let url = find::<Element>(&row, &has(crate::board_dom::attr::DROP_URL))
        .and_then(|m| m.get_attribute(crate::board_dom::attr::DROP_URL));
    let Some(url) = url else { return };
    let Ok(body) = web_sys::UrlSearchParams::new() else {
        return;
    };
    body.append("id", &task);
    let before = before.map(|b| b.id());
    if let Some(after) = before.as_deref().and_then(id::task_of_row) {
        body.append("after", after);
    }
    spawn_local(async move {
        if let Err(message) = post(&url, &body).await {
            row_error(&row, &message);
        }
        refresh(here(), Nav::Saved).await;
    });
}
