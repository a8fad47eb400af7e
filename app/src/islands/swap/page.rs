//! What a page gives the engine: where it lives, and its behaviours by name. A page is
//! a `static`, so the whole set-up is data and can be read in one place (see
//! `islands/board/mod.rs`).

use web_sys::{Element, Event, HtmlFormElement, HtmlInputElement};

use super::{attrs, dom, events, reorder, reorder::Reorder, shortcuts, state, stream};

/// A page the engine runs.
pub struct Page {
    /// The id of the element the engine listens at (events bubble up to it).
    pub root: &'static str,
    /// The id of the region dimmed (`aria-busy`) while a refresh is under way.
    pub busy: &'static str,
    /// The page's own path: a refresh redirected anywhere else is followed (signed out
    /// meanwhile).
    pub path: &'static str,
    /// Where a request answered 401 sends the browser, with `?next=` the page.
    pub sign_in: &'static str,
    /// Forms by the name in their [`attrs::BEHAVIOUR`].
    pub forms: &'static [(&'static str, Form)],
    /// Clicks on (or inside) an element with the attribute; the handler gets that
    /// element and says whether it handled the click (then the browser does not).
    pub clicks: &'static [(&'static str, Handler)],
    /// Keys pressed, by `KeyboardEvent.key`; the handler gets the event's target.
    pub keys: &'static [(&'static str, Handler)],
    /// Keyboard shortcuts anywhere on the page, by `KeyboardEvent.key` (`Alt+` in front
    /// with Alt held), except while typing in a field; the handler gets the focused
    /// element (see `shortcuts`).
    pub shortcuts: &'static [(&'static str, Handler)],
    /// Typing in a field of a form with this behaviour (other than a view form, which
    /// the engine applies itself): the handler gets the field.
    pub typing: &'static [(&'static str, Typing)],
    /// Items the user can drag into another order, if any.
    pub reorder: Option<Reorder>,
    /// Runs once the engine listens, in a task of its own after hydration: work that
    /// can wait (the board's first `Intl` call, ~17 ms in a fresh renderer) stays out
    /// of the time to interactive.
    pub on_start: Option<fn()>,
    /// The page's in-place editors, if any.
    pub editor: Option<Editor>,
    /// The page's live stream, if any.
    pub stream: Option<Stream>,
}

/// Handles an event on an element; `true` if it did (the default action is prevented).
pub type Handler = fn(Element) -> bool;

/// Hears of typing in a field.
pub type Typing = fn(HtmlInputElement);

/// What sending a form does.
pub enum Form {
    /// A GET form whose fields are the view (search, sort, filters): applied on
    /// submit, when a select changes, and after a pause in typing.
    View,
    /// Handled by the function (it posts the form; see `http::post`).
    Send(fn(HtmlFormElement)),
}

/// Forms that edit an item in place. One that is open survives a swap whole, with what
/// was typed (the item it is in is carried into the fresh region by id), and typing in
/// it does not hold its region back.
pub struct Editor {
    /// The editor form's class.
    pub form: &'static str,
    /// The class of the item (with an id) that holds an editor.
    pub item: &'static str,
}

/// A Server-Sent Events stream of changes made elsewhere; each refreshes the page's
/// regions in the background (see `stream`).
pub struct Stream {
    pub url: &'static str,
    /// The event names that mean the view changed.
    pub changes: &'static [&'static str],
    /// Told of each change, and whether it is the echo of the tab's own post.
    pub on_change: fn(&Event, bool),
    /// The `end` event's `reason` that means the session ended (no more streams; off
    /// to sign in). Any other end reconnects.
    pub session_ended: &'static str,
}

impl Page {
    /// The behaviour of a form named `name`.
    pub fn form(&self, name: &str) -> Option<&Form> {
        self.forms.iter().find(|(n, _)| *n == name).map(|(_, f)| f)
    }
}

/// Runs `page`: listens at its root, and opens its stream.
pub fn start(page: &'static Page) {
    let Some(root) = dom::by_id(page.root) else {
        return;
    };
    state::with(|s| s.page = Some(page));
    let _ = root.class_list().add_1(attrs::ENHANCED);
    events::listen_at(&root);
    if !page.shortcuts.is_empty() {
        shortcuts::listen_for_shortcuts();
    }
    if page.reorder.is_some() {
        reorder::listen_for_drags(&root);
    }
    if page.stream.is_some() {
        stream::start();
    }
    if let Some(on_start) = page.on_start {
        dom::after(0, on_start);
    }
}
