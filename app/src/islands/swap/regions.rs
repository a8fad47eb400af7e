//! Refreshing the page: its fresh HTML fetched, and each region marked
//! [`attrs::REGION`] replaced by its new copy of the same id. The rest of the page (and
//! so scroll, focus and whatever the user is typing) stays as it is.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DomParser, Element, RequestInit, SupportedType};

use super::{
    attrs,
    dom::{class, closest, document, focus_id, has, window},
    http::{fetch, text_of},
    page::Editor,
    state::{self, page, Busy},
};

pub enum Nav {
    /// The same URL (on back/forward, or what the user asked for on this page).
    Stay,
    /// A new view: a history entry.
    Push,
    /// Typing in a view form: the URL follows without a history entry per key.
    Replace,
    /// After the user's own post: the same URL, to show what the post changed. Not
    /// needed if a view the user asked for is under way or starts meanwhile (it shows
    /// the post too), so it gives way to one.
    Saved,
    /// A change from elsewhere (live sync): the same URL; given up, not retried as a
    /// page load, if it fails or if the user acted meanwhile.
    Background,
}

/// Fetches `url`'s page and swaps in its regions. The page's busy region is dimmed
/// (`aria-busy`, see [`Busy`]) meanwhile, never emptied.
///
/// What the user asks for (every `nav` but `Saved` and `Background`) is never lost to
/// their own posts: it is fetched after the posts under way, and again if one starts
/// while it loads, so it shows them; a newer request of theirs supersedes it.
pub async fn refresh(url: String, nav: Nav) {
    let _busy = Busy::start();
    let (background, saved) = (matches!(nav, Nav::Background), matches!(nav, Nav::Saved));
    let _turn = if background || saved {
        None
    } else {
        Some(Turn::take())
    };
    let mine = state::with(|s| s.latest);
    if saved && state::with(|s| s.shown < s.latest) {
        return;
    }
    let page = page();
    let (response, html) = loop {
        if !background {
            let last = state::with(|s| s.last_post.clone());
            if let Some(last) = last {
                let _ = JsFuture::from(last).await;
            }
            if state::with(|s| s.latest) != mine {
                return;
            }
        }
        let response = fetch(&url, &RequestInit::new(), "text/html").await;
        let html = match &response {
            Ok(r) if r.ok() => Some(text_of(r).await),
            _ => None,
        };
        // A post sent meanwhile may have changed what this shows: fetched again after
        // it, except in the background (the post refreshes by itself when done).
        if state::with(|s| s.posting) == 0 {
            break (response, html);
        }
        if background {
            return;
        }
    };
    // Superseded; or (in the background) the user did something meanwhile, which
    // refreshes by itself. A dragged item is never swapped away under the pointer: the
    // refresh is owed until it lands.
    let (latest, busy) = state::with(|s| (s.latest, s.busy));
    if latest != mine || (background && busy > 1) {
        return;
    }
    if state::with(|s| s.dragging.is_some()) {
        state::with(|s| s.owed_refresh = true);
        return;
    }
    let Some(html) = html else {
        if background {
            return;
        }
        // Offline or failing: an ordinary page load shows what the server says.
        let _ = window().location().set_href(&url);
        return;
    };
    // Redirected away from the page (signed out meanwhile): follow.
    if let Ok(r) = &response {
        let elsewhere = web_sys::Url::new(&r.url()).is_ok_and(|u| u.pathname() != page.path);
        if r.redirected() && elsewhere {
            let _ = window().location().set_href(&r.url());
            return;
        }
    }
    if let Ok(history) = window().history() {
        let _ = match nav {
            Nav::Stay | Nav::Saved | Nav::Background => Ok(()),
            Nav::Push => history.push_state_with_url(&JsValue::NULL, "", Some(&url)),
            Nav::Replace => history.replace_state_with_url(&JsValue::NULL, "", Some(&url)),
        };
    }
    swap(&html, page.editor.as_ref());
    state::show_busy();
}

/// A refresh the user asked for, numbered: while the newest is under way, a post's own
/// follow-up refresh is not needed. Ended (swapped, superseded or given up) when
/// dropped.
struct Turn(u32);

impl Turn {
    fn take() -> Self {
        Turn(state::with(|s| {
            s.latest += 1;
            s.latest
        }))
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        state::with(|s| s.shown = s.shown.max(self.0));
    }
}

/// Replaces each region with the fresh one of the same id, except one the user is
/// typing in. Open editors and the focused control survive the swap.
fn swap(html: &str, editor: Option<&Editor>) {
    let Ok(parser) = DomParser::new() else { return };
    let Ok(fresh) = parser.parse_from_string(html, SupportedType::TextHtml) else {
        return;
    };
    let doc = document();
    let active = doc.active_element();
    let focused = active.as_ref().map(Element::id).filter(|id| !id.is_empty());
    // Typing in an editor does not hold its region back: the editor's item is carried
    // into the new region whole (`keep_open_editors`), so a change from elsewhere shows
    // around it. Typing anywhere else (a search box) keeps that region as it is.
    let in_editor =
        |el: &Element| editor.is_some_and(|e| closest::<Element>(el, &class(e.form)).is_some());
    let typing = active.as_ref().is_some_and(|a| {
        matches!(a.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") && !in_editor(a)
    });
    let Ok(regions) = fresh.query_selector_all(&has(attrs::REGION)) else {
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
            // Not under the user's fingers; but its hidden fields (a view form's
            // status, after a tab click) follow the new view.
            sync_hidden_fields(&old, &new);
            continue;
        }
        // Nothing changed there: the region stays, so whatever the user is doing in it
        // (a click between its press and release, a hover) is not cut short.
        if same_markup(&old, &new) {
            continue;
        }
        if let Some(editor) = editor {
            keep_open_editors(editor, &old, &new);
        }
        let _ = old.replace_with_with_node_1(&new);
    }
    doc.set_title(&fresh.title());
    let lost = doc.active_element().is_none_or(|a| a.tag_name() == "BODY");
    if let (true, Some(id)) = (lost, focused) {
        focus_id(&id);
    }
}

/// Whether the fresh region is the one on the page, but for the engine's own
/// `aria-busy` (which the server never renders).
fn same_markup(old: &Element, new: &Element) -> bool {
    let Some(copy) = old
        .clone_node_with_deep(true)
        .ok()
        .and_then(|n| n.dyn_into::<Element>().ok())
    else {
        return false;
    };
    let _ = copy.remove_attribute("aria-busy");
    if let Ok(busy) = copy.query_selector_all("[aria-busy]") {
        for i in 0..busy.length() {
            if let Some(el) = busy.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                let _ = el.remove_attribute("aria-busy");
            }
        }
    }
    copy.outer_html() == new.outer_html()
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

/// An item being edited stays as it is, with what was typed, in the new region.
fn keep_open_editors(editor: &Editor, old: &Element, new: &Element) {
    let item = class(editor.item);
    let open = format!("{item} {}:not({})", class(editor.form), has(attrs::CLOSING));
    let Ok(open) = old.query_selector_all(&open) else {
        return;
    };
    for i in 0..open.length() {
        let Some(row) = open
            .item(i)
            .and_then(|n| n.dyn_into::<Element>().ok())
            .and_then(|form| closest::<Element>(&form, &item))
        else {
            continue;
        };
        if let Ok(Some(replaced)) = new.query_selector(&format!("#{}", row.id())) {
            let _ = replaced.replace_with_with_node_1(&row);
        }
    }
}
