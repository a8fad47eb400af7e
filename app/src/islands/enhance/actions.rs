//! The board's actions, each the same form a page load would send: add, toggle and
//! delete (optimistic), edit in place, and undo.

use js_sys::JSON;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, HtmlElement, HtmlFormElement, HtmlInputElement};

use super::{
    by_id, closest, document, here,
    notices::{clear_error, hide_toast, row_error, show_error, show_toast},
    server::{form_body, post, refresh, Nav},
};

pub(super) fn add(form: HtmlFormElement) {
    let Some(body) = form_body(&form) else { return };
    let title = form
        .query_selector("input[name=title]")
        .ok()
        .flatten()
        .and_then(|i| i.dyn_into::<HtmlInputElement>().ok());
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
                refresh(here(), Nav::Stay).await;
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

pub(super) fn toggle(form: HtmlFormElement) {
    let Some(body) = form_body(&form) else { return };
    let Some(row) = closest::<Element>(&form, "li.task") else {
        return;
    };
    let flip = {
        let row = row.clone();
        move || {
            let done = row.class_list().toggle("done").unwrap_or(false);
            if let Ok(Some(check)) = row.query_selector(".check") {
                let _ = check.set_attribute("aria-checked", if done { "true" } else { "false" });
            }
        }
    };
    flip();
    spawn_local(async move {
        match post(&form.action(), &body).await {
            Ok(_) => refresh(here(), Nav::Stay).await,
            Err(message) => {
                flip();
                row_error(&row, &message);
            }
        }
    });
}

pub(super) fn delete(form: HtmlFormElement) {
    let Some(body) = form_body(&form) else { return };
    let Some(row) = closest::<Element>(&form, "li.task") else {
        return;
    };
    let title = row
        .query_selector(".task-title")
        .ok()
        .flatten()
        .and_then(|t| t.text_content())
        .unwrap_or_default();
    // Focus moves to the next row (or the previous one), never to the page's top.
    let neighbour = row
        .next_element_sibling()
        .or_else(|| row.previous_element_sibling())
        .and_then(|n| n.query_selector(".check").ok().flatten())
        .and_then(|c| c.dyn_into::<HtmlElement>().ok());
    let _ = row.class_list().add_1("hidden");
    match neighbour {
        Some(n) => {
            let _ = n.focus();
        }
        None => focus_id("new-title"),
    }
    spawn_local(async move {
        match post(&form.action(), &body).await {
            Ok(answer) => {
                let token = JSON::parse(&answer)
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default();
                show_toast(&title, &token);
                refresh(here(), Nav::Stay).await;
            }
            Err(message) => {
                let _ = row.class_list().remove_1("hidden");
                row_error(&row, &message);
            }
        }
    });
}

pub(super) fn edit(form: HtmlFormElement) {
    let Some(body) = form_body(&form) else { return };
    spawn_local(async move {
        match post(&form.action(), &body).await {
            Ok(_) => close_editor(form.into()).await,
            Err(message) => show_error(&form, &message),
        }
    });
}

pub(super) fn restore(form: HtmlFormElement) {
    let Some(body) = form_body(&form) else { return };
    spawn_local(async move {
        match post(&form.action(), &body).await {
            Ok(_) => {
                hide_toast();
                refresh(here(), Nav::Stay).await;
            }
            Err(message) => show_error(&form, &message),
        }
    });
}

/// Closes an editor: the row comes back as the server renders it now, and focus
/// returns to its Edit link.
pub(super) async fn close_editor(form: Element) {
    let _ = form.set_attribute("data-closing", "");
    // Focus in the editor would keep its region from being swapped (see `swap`).
    if let Some(a) = document()
        .active_element()
        .and_then(|a| a.dyn_into::<HtmlElement>().ok())
    {
        let _ = a.blur();
    }
    let row = closest::<Element>(&form, "li.task").map(|r| r.id());
    refresh(here(), Nav::Stay).await;
    if let Some(row) = row {
        focus_id(&row.replace("task-", "edit-"));
    }
}

pub(super) fn focus_id(id: &str) {
    if let Some(el) = by_id(id).and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        let _ = el.focus();
    }
}
