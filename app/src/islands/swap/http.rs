//! Talking to the server: a form's fields as the browser would send them, posts to the
//! form's own action (answers read with the browser's `JSON.parse`: no serde in the
//! bundle), and fetches of a page's HTML.

use js_sys::{Promise, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{FormData, Headers, HtmlFormElement, RequestInit, Response, UrlSearchParams};

use super::{
    dom::{here, window},
    state::{self, page, Busy},
};

const TRY_AGAIN: &str = "Something went wrong. Please try again.";
const OFFLINE: &str = "Could not reach the server. Check your connection and try again.";

/// The form's fields as the browser would post them.
pub fn form_body(form: &HtmlFormElement) -> Option<UrlSearchParams> {
    let data = FormData::new_with_form(form).ok()?;
    UrlSearchParams::new_with_str_sequence_sequence(&data).ok()
}

/// The URL a GET form leads to, leaving out empty fields (so the URL stays short and
/// bookmarkable).
pub fn view_url(form: &HtmlFormElement) -> String {
    let path = form
        .get_attribute("action")
        .unwrap_or_else(|| page().path.into());
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
        path
    } else {
        format!("{path}?{query}")
    }
}

/// `fetch`, with `accept` as the `Accept` header.
pub async fn fetch(url: &str, init: &RequestInit, accept: &str) -> Result<Response, JsValue> {
    if let Ok(headers) = Headers::new() {
        let _ = headers.set("Accept", accept);
        init.set_headers(&headers);
    }
    JsFuture::from(window().fetch_with_str_and_init(url, init))
        .await?
        .dyn_into()
}

pub async fn text_of(response: &Response) -> String {
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
pub fn sign_in_again() {
    let next = String::from(js_sys::encode_uri_component(&here()));
    let _ = window()
        .location()
        .set_href(&format!("{}?next={next}", page().sign_in));
}

/// Posts a form's fields to its action (a server function); the answer's JSON text,
/// or the words of its error. Posts go one at a time, in the order they were made:
/// two moves, or a completion and its undo, reach the server as the user made them.
pub async fn post(action: &str, body: &UrlSearchParams) -> Result<String, String> {
    let _busy = Busy::start();
    let mut done = None;
    let mine = Promise::new(&mut |resolve, _| done = Some(resolve));
    let before = state::with(|s| {
        s.posting += 1;
        s.last_post.replace(mine)
    });
    if let Some(before) = before {
        let _ = JsFuture::from(before).await;
    }
    state::with(|s| s.own_post_at = js_sys::Date::now());
    let answer = send(action, body, true).await;
    state::with(|s| s.posting -= 1);
    if let Some(done) = done {
        let _ = done.call0(&JsValue::NULL);
    }
    answer
}

/// Asks a server function something that changes nothing (a preview): unlike [`post`]
/// it holds no background refresh back and expects no echo on the live stream.
pub async fn ask(action: &str, body: &UrlSearchParams) -> Result<String, String> {
    send(action, body, false).await
}

/// A change (`keep`) is sent with `keepalive`: leaving or reloading the page right
/// after does not take it back.
async fn send(action: &str, body: &UrlSearchParams, keep: bool) -> Result<String, String> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(body);
    if keep {
        // Not in web-sys' RequestInit: set on the dictionary as a page script would.
        let _ = Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE);
    }
    let response = fetch(action, &init, "application/json")
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
