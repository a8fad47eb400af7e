//! Event delegation at the page's root: every form and link inside it, present or
//! swapped in later, is handled by one listener per kind of event.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, Event, HtmlFormElement, HtmlInputElement, KeyboardEvent, MouseEvent};

use super::{
    attrs,
    dom::{closest, has, here, listen, replacing, target_element, window},
    http::view_url,
    page::Form,
    regions::{refresh, Nav},
    state::page,
};

/// Search-as-you-type waits for a pause this long.
const TYPING_MS: i32 = 300;

pub fn listen_at(root: &Element) {
    listen(root, "submit", on_submit);
    listen(root, "click", on_click);
    listen(root, "change", on_change);
    listen(root, "input", on_input);
    listen(root, "keydown", on_keydown);
    listen(&window(), "popstate", |_| {
        spawn_local(refresh(here(), Nav::Stay))
    });
}

fn on_submit(ev: Event) {
    let Some(form) = ev
        .target()
        .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    let Some(name) = form.get_attribute(attrs::BEHAVIOUR) else {
        return;
    };
    let Some(behaviour) = page().form(&name) else {
        return;
    };
    ev.prevent_default();
    match behaviour {
        Form::View => spawn_local(refresh(view_url(&form), Nav::Push)),
        Form::Send(send) => send(form),
    }
}

fn on_click(ev: Event) {
    let Some(el) = target_element(&ev) else {
        return;
    };
    // A click meant for a new tab or window is the browser's.
    let plain = ev.dyn_ref::<MouseEvent>().is_none_or(|m| {
        m.button() == 0 && !(m.ctrl_key() || m.meta_key() || m.shift_key() || m.alt_key())
    });
    if !plain {
        return;
    }
    if let Some(link) = closest::<Element>(&el, &format!("a{}", has(attrs::NAV))) {
        ev.prevent_default();
        let href = link.get_attribute("href").unwrap_or_else(|| "/".into());
        spawn_local(refresh(href, Nav::Push));
        return;
    }
    for (attr, handler) in page().clicks {
        if let Some(found) = closest::<Element>(&el, &has(attr)) {
            if handler(found) {
                ev.prevent_default();
            }
            return;
        }
    }
}

/// The view form this element is a field of, if any.
fn view_form(el: &Element) -> Option<HtmlFormElement> {
    let form = closest::<HtmlFormElement>(el, &format!("form{}", has(attrs::BEHAVIOUR)))?;
    let name = form.get_attribute(attrs::BEHAVIOUR)?;
    matches!(page().form(&name), Some(Form::View)).then_some(form)
}

/// A changed select in a view form applies at once.
fn on_change(ev: Event) {
    let Some(el) = target_element(&ev) else {
        return;
    };
    if el.tag_name() == "SELECT" {
        if let Some(form) = view_form(&el) {
            spawn_local(refresh(view_url(&form), Nav::Push));
        }
    }
}

/// Typing in a view form's box applies after a short pause; in another form's, the
/// page's `typing` handler for that form hears of it.
fn on_input(ev: Event) {
    let Some(el) = target_element(&ev) else {
        return;
    };
    if el.tag_name() != "INPUT" {
        return;
    }
    let Some(form) = view_form(&el) else {
        let behaviour = closest::<Element>(&el, &has(attrs::BEHAVIOUR))
            .and_then(|form| form.get_attribute(attrs::BEHAVIOUR));
        let handler = behaviour.and_then(|name| {
            page()
                .typing
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, handler)| *handler)
        });
        if let (Some(handler), Ok(input)) = (handler, el.dyn_into::<HtmlInputElement>()) {
            handler(input);
        }
        return;
    };
    replacing("typing", TYPING_MS, move || {
        spawn_local(refresh(view_url(&form), Nav::Replace))
    });
}

fn on_keydown(ev: Event) {
    let Some(key) = ev.dyn_ref::<KeyboardEvent>().map(KeyboardEvent::key) else {
        return;
    };
    let Some(el) = target_element(&ev) else {
        return;
    };
    for (name, handler) in page().keys {
        if *name == key && handler(el.clone()) {
            ev.prevent_default();
            return;
        }
    }
}
