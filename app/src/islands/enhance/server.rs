//! Talking to the server: forms posted to their server functions (answers read with
//! the browser's `JSON.parse`), and the board's fresh HTML swapped in by region.

use std::cell::Cell;

use js_sys::{Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DomParser, Element, FormData, Headers, HtmlFormElement, RequestInit, Response, SupportedType,
    UrlSearchParams,
};

use super::{actions::focus_id, by_id, closest, document, here, window};

const TRY_AGAIN: &str = "Something went wrong. Please try again.";
const OFFLINE: &str = "Could not reach the server. Check your connection and try again.";

thread_local! {
    /// The newest refresh; an older one that answers late is dropped.
    static LATEST: Cell<u32> = const { Cell::new(0) };
    /// Posts and refreshes under way.
    static BUSY: Cell<u32> = const { Cell::new(0) };
}

/// Counts an operation under way for as long as it lives.
struct Busy;

impl Busy {
    fn start() -> Self {
        BUSY.with(|b| b.set(b.get() + 1));
        Busy
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        BUSY.with(|b| b.set(b.get().saturating_sub(1)));
    }
}

/// Whether the user's own post or navigation is under way: a background refresh waits
/// for it (it ends with a refresh of its own, and must not be overtaken by an older
/// view).
pub(super) fn busy() -> bool {
    BUSY.with(Cell::get) > 0
}

/// The form's fields as the browser would post them.
pub(super) fn form_body(form: &HtmlFormElement) -> Option<UrlSearchParams> {
    let data = FormData::new_with_form(form).ok()?;
    UrlSearchParams::new_with_str_sequence_sequence(&data).ok()
}

/// The filter form's URL, leaving out empty fields.
pub(super) fn filter_url(form: &HtmlFormElement) -> String {
    let out = UrlSearchParams::new().expect("URLSearchParams");
    if let Some(fields) = form_body(form) {
        let entries = js_sys::try_iter(&fields).ok().flatten();
        for entry in entries.into_iter().flatten().flatten() {
            let pair = js_sys::Array::from(&entry);
            let (key, value) = (pair.get(0).as_string(), pair.get(1).as_string());
            if let (Some(key), Some(value)) = (key, value.filter(|v| !v.trim().is_empty())) {
                out.append(&key, &value);
            }
        }
    }
    let query = String::from(out.to_string());
    if query.is_empty() {
        "/".into()
    } else {
        format!("/?{query}")
    }
}

async fn fetch(url: &str, init: &RequestInit) -> Result<Response, JsValue> {
    JsFuture::from(window().fetch_with_str_and_init(url, init))
        .await?
        .dyn_into()
}

async fn text_of(response: &Response) -> String {
    match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Off to sign in (and back here afterwards): the session ended meanwhile.
pub(super) fn sign_in_again() {
    let next = String::from(js_sys::encode_uri_component(&here()));
    let _ = window()
        .location()
        .set_href(&format!("/sign-in?next={next}"));
}

/// Posts a form's fields to its server function; the answer's JSON text, or the words
/// of its error.
pub(super) async fn post(action: &str, body: &UrlSearchParams) -> Result<String, String> {
    let _busy = Busy::start();
    super::live::own_post();
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(body);
    if let Ok(headers) = Headers::new() {
        let _ = headers.set("Accept", "application/json");
        init.set_headers(&headers);
    }
    let response = fetch(action, &init)
        .await
        .map_err(|_| OFFLINE.to_string())?;
    let text = text_of(&response).await;
    if response.ok() {
        return Ok(text);
    }
    if response.status() == 401 {
        sign_in_again();
    }
    let message = JSON::parse(&text)
        .ok()
        .and_then(|v| Reflect::get(&v, &JsValue::from_str("message")).ok())
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| TRY_AGAIN.to_string());
    Err(message)
}

pub(super) enum Nav {
    /// The same URL (after an action, or on back/forward).
    Stay,
    /// A new view: a history entry.
    Push,
    /// Typing in the search box: the URL follows without a history entry per key.
    Replace,
    /// A change from elsewhere (live sync): the same URL; given up, not retried as a
    /// page load, if it fails or if the user acted meanwhile.
    Background,
}

/// Fetches `url`'s page and swaps in its `[data-swap]` regions. The list is dimmed
/// (`aria-busy`) meanwhile, never emptied.
pub(super) async fn refresh(url: String, nav: Nav) {
    let _busy = Busy::start();
    let background = matches!(nav, Nav::Background);
    // A background refresh never supersedes the user's: it takes no number of its own,
    // and is dropped if one of theirs starts after it.
    let mine = LATEST.with(|n| {
        if !background {
            n.set(n.get() + 1);
        }
        n.get()
    });
    let busy = by_id("board-list");
    if let Some(b) = &busy {
        let _ = b.set_attribute("aria-busy", "true");
    }
    let init = RequestInit::new();
    if let Ok(headers) = Headers::new() {
        let _ = headers.set("Accept", "text/html");
        init.set_headers(&headers);
    }
    let response = fetch(&url, &init).await;
    let html = match &response {
        Ok(r) if r.ok() => Some(text_of(r).await),
        _ => None,
    };
    // Superseded, or (in the background) the user did something meanwhile, which
    // refreshes by itself when done.
    if LATEST.with(Cell::get) != mine || (background && BUSY.with(Cell::get) > 1) {
        return;
    }
    if let Some(b) = by_id("board-list") {
        let _ = b.remove_attribute("aria-busy");
    }
    let Some(html) = html else {
        if background {
            return;
        }
        // Offline or failing: an ordinary page load shows what the server says.
        let _ = window().location().set_href(&url);
        return;
    };
    // Redirected away from the board (signed out meanwhile): follow.
    if let Ok(r) = &response {
        let elsewhere = web_sys::Url::new(&r.url()).is_ok_and(|u| u.pathname() != "/");
        if r.redirected() && elsewhere {
            let _ = window().location().set_href(&r.url());
            return;
        }
    }
    if let Ok(history) = window().history() {
        let _ = match nav {
            Nav::Stay | Nav::Background => Ok(()),
            Nav::Push => history.push_state_with_url(&JsValue::NULL, "", Some(&url)),
            Nav::Replace => history.replace_state_with_url(&JsValue::NULL, "", Some(&url)),
        };
    }
    swap(&html);
}

/// Replaces each `[data-swap]` region with the fresh one of the same id, except one
/// the user is typing in. Open editors and the focused control survive the swap.
fn swap(html: &str) {
    let Ok(parser) = DomParser::new() else { return };
    let Ok(fresh) = parser.parse_from_string(html, SupportedType::TextHtml) else {
        return;
    };
    let doc = document();
    let active = doc.active_element();
    let focused = active.as_ref().map(Element::id).filter(|id| !id.is_empty());
    // Typing in an editor does not hold its region back: the editor's row is carried
    // into the new list whole (`keep_open_editors`), so a change from elsewhere shows
    // around it. Typing anywhere else (the search box) keeps that region as it is.
    let typing = active.as_ref().is_some_and(|a| {
        matches!(a.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
            && closest::<Element>(a, "form.edit-form").is_none()
    });
    let Ok(regions) = fresh.query_selector_all("[data-swap]") else {
        return;
    };
    for i in 0..regions.length() {
        let Some(new) = regions.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let Some(old) = doc.get_element_by_id(&new.id()) else {
            continue;
        };
        if typing && old.contains(active.as_ref().map(|a| a.unchecked_ref())) {
            // Not under the user's fingers; but its hidden fields (the filter bar's
            // status, after a tab click) follow the new view.
            sync_hidden_fields(&old, &new);
            continue;
        }
        keep_open_editors(&old, &new);
        let _ = old.replace_with_with_node_1(&new);
    }
    doc.set_title(&fresh.title());
    let lost = doc.active_element().is_none_or(|a| a.tag_name() == "BODY");
    if let (true, Some(id)) = (lost, focused) {
        focus_id(&id);
    }
}

/// Replaces `old`'s hidden inputs with `new`'s.
fn sync_hidden_fields(old: &Element, new: &Element) {
    let hidden = "input[type=hidden]";
    if let Ok(stale) = old.query_selector_all(hidden) {
        for i in 0..stale.length() {
            if let Some(el) = stale.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                el.remove();
            }
        }
    }
    if let Ok(fresh) = new.query_selector_all(hidden) {
        for i in 0..fresh.length() {
            if let Some(node) = fresh.item(i) {
                let _ = old.prepend_with_node_1(&node);
            }
        }
    }
}

/// A row being edited stays as it is, with what was typed, in the new list.
fn keep_open_editors(old: &Element, new: &Element) {
    let Ok(open) = old.query_selector_all("li.task form.edit-form:not([data-closing])") else {
        return;
    };
    for i in 0..open.length() {
        let Some(row) = open
            .item(i)
            .and_then(|n| n.dyn_into::<Element>().ok())
            .and_then(|form| closest::<Element>(&form, "li.task"))
        else {
            continue;
        };
        if let Ok(Some(replaced)) = new.query_selector(&format!("#{}", row.id())) {
            let _ = replaced.replace_with_with_node_1(&row);
        }
    }
}
