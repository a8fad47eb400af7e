//! Planning helpers of the board: the chips that say what quick add understood (asked
//! of the server as the user pauses typing, at the URL the add form names: the parser
//! stays out of the bundle), the date pickers "More details" opens with, and the
//! browser's time zone, written once to the cookie that decides what "today" is.

use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, HtmlDocument, HtmlInputElement, UrlSearchParams};

use crate::{
    board_dom::{attr, id},
    islands::swap::{
        dom::{by_id, document, find, has, here, replacing},
        http::ask,
        refresh, Nav,
    },
};

/// The pause in typing after which the chips are asked for.
const CHIPS_MS: i32 = 250;

/// Typing in the quick-add box: the chips follow after a pause.
pub fn typing(input: HtmlInputElement) {
    if input.name() != crate::board_dom::field::TITLE {
        return;
    }
    let Some(url) = input
        .form()
        .and_then(|f| f.get_attribute(attr::PREVIEW_URL))
    else {
        return;
    };
    replacing("chips", CHIPS_MS, move || {
        let text = input.value();
        if text.trim().is_empty() {
            show_chips("");
            return;
        }
        spawn_local(async move {
            let Ok(body) = UrlSearchParams::new() else {
                return;
            };
            body.append("text", &text);
            let chips = ask(&url, &body)
                .await
                .ok()
                .and_then(|answer| JSON::parse(&answer).ok())
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            // The box may have been emptied (added) meanwhile.
            if input.value() == text {
                show_chips(&chips);
            }
        });
    });
}

/// Replaces the chips with the server's markup for them ("" empties the line).
pub fn show_chips(html: &str) {
    if let Some(line) = by_id(id::QUICK_CHIPS) {
        line.set_inner_html(html);
    }
}

/// A click on "More details": its date fields, sent as text fields so that the page
/// does not build date inputs for a section most adds never open, become date pickers
/// before it opens (the click comes first). The section opens as usual.
pub fn date_pickers(summary: Element) -> bool {
    if let Some(section) = summary.parent_element() {
        while let Some(field) = find::<HtmlInputElement>(&section, &has(attr::DATE_PICKER)) {
            let _ = field.remove_attribute(attr::DATE_PICKER);
            field.set_type("date");
        }
    }
    false
}

/// The browser's IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
fn browser_time_zone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&Array::new(), &js_sys::Object::new());
    Reflect::get(&format.resolved_options(), &JsValue::from_str("timeZone"))
        .ok()?
        .as_string()
}

/// On a visit without the time zone cookie (the add form says so), remembers the
/// browser's zone and, as the page was drawn in UTC, draws it again in that zone.
pub fn remember_time_zone() {
    let unknown = by_id(id::NEW_TITLE)
        .and_then(|title| title.closest("form").ok().flatten())
        .is_some_and(|form| form.get_attribute(attr::NO_TIME_ZONE).as_deref() == Some("1"));
    let Some(doc) = document()
        .dyn_into::<HtmlDocument>()
        .ok()
        .filter(|_| unknown)
    else {
        return;
    };
    let Some(tz) = browser_time_zone().filter(|tz| !tz.is_empty() && tz != "UTC") else {
        return;
    };
    let mut cookie = String::from(crate::TIME_ZONE_COOKIE);
    cookie.push('=');
    cookie.push_str(&tz);
    cookie.push_str(crate::TIME_ZONE_COOKIE_ATTRIBUTES);
    let _ = doc.set_cookie(&cookie);
    spawn_local(refresh(here(), Nav::Stay));
}
