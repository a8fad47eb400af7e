//! Planning helpers of the board: the chips that say what quick add understood (asked
//! of the server as the user pauses typing: the parser stays out of the bundle), and the
//! browser's time zone, written once to the cookie that decides what "today" is.

use js_sys::{Array, Reflect, JSON};
use leptos::server_fn::ServerFn;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlDocument, HtmlInputElement, UrlSearchParams};

use crate::{
    api::PreviewQuickAdd,
    board_dom::id,
    islands::swap::{
        dom::{by_id, document, here, replacing},
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
    replacing("chips", CHIPS_MS, move || {
        let text = input.value();
        if text.trim().is_empty() {
            show_chips(&[]);
            return;
        }
        spawn_local(async move {
            let Ok(body) = UrlSearchParams::new() else {
                return;
            };
            body.append("text", &text);
            let chips: Vec<String> = ask(PreviewQuickAdd::url(), &body)
                .await
                .ok()
                .and_then(|answer| JSON::parse(&answer).ok())
                .map(|v| {
                    Array::from(&v)
                        .iter()
                        .filter_map(|c| c.as_string())
                        .collect()
                })
                .unwrap_or_default();
            // The box may have been emptied (added) meanwhile.
            if input.value() == text {
                show_chips(&chips);
            }
        });
    });
}

/// Replaces the chips (none empties the line).
pub fn show_chips(chips: &[String]) {
    let Some(line) = by_id(id::QUICK_CHIPS) else {
        return;
    };
    line.set_text_content(None);
    for chip in chips {
        if let Ok(span) = document().create_element("span") {
            span.set_class_name("chip");
            span.set_text_content(Some(chip));
            let _ = line.append_child(&span);
        }
    }
}

/// The browser's IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
fn browser_time_zone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&Array::new(), &js_sys::Object::new());
    Reflect::get(&format.resolved_options(), &JsValue::from_str("timeZone"))
        .ok()?
        .as_string()
}

/// On the first visit (no time zone cookie yet), remembers the browser's zone and, as
/// the page was drawn in UTC, draws it again in that zone.
pub fn remember_time_zone() {
    let Some(doc) = document().dyn_into::<HtmlDocument>().ok() else {
        return;
    };
    let prefix = format!("{}=", crate::TIME_ZONE_COOKIE);
    let cookies = doc.cookie().unwrap_or_default();
    if cookies.split(';').any(|c| c.trim().starts_with(&prefix)) {
        return;
    }
    let Some(tz) = browser_time_zone().filter(|tz| !tz.is_empty() && tz != "UTC") else {
        return;
    };
    let _ = doc.set_cookie(&format!(
        "{prefix}{tz}; Path=/; Max-Age={}; SameSite=Lax",
        crate::TIME_ZONE_COOKIE_MAX_AGE
    ));
    spawn_local(refresh(here(), Nav::Stay));
}
