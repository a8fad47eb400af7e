//! The engine's vocabulary in the markup, written as htmx writes its own: attributes on
//! plain forms and links that work without JavaScript. The server puts them in its
//! HTML with the helpers below; the engine reads them. Compiled on both sides.

/// A region of the page replaced, by id, with its fresh copy after a post or a
/// navigation (`hx-select-oob`).
pub const REGION: &str = "data-swap";
/// A link fetched in place; the URL follows with a history entry (`hx-boost`).
pub const NAV: &str = "data-nav";
/// A form sent in place by the behaviour of this name (see `page::Page::forms`).
pub const BEHAVIOUR: &str = "data-enhance";
/// An editor being closed: the next swap replaces it instead of keeping it open.
pub const CLOSING: &str = "data-closing";
/// `on` on the root while the live stream is connected (for styling and tests).
pub const LIVE: &str = "data-live";
/// A class on the root once the engine listens there (CSS hides what only a page load
/// needs, such as an "Apply" button).
pub const ENHANCED: &str = "enhanced";

pub use markup::*;

/// The attributes as the server's `view!` spreads them: `<nav {..region()}>`.
mod markup {
    use leptos::attr::custom::{custom_attribute, CustomAttr};

    pub type Attr = CustomAttr<&'static str, &'static str>;

    /// Marks a region the engine swaps ([`super::REGION`]); it needs an id.
    pub fn region() -> Attr {
        flag(super::REGION)
    }

    /// Marks a link fetched in place ([`super::NAV`]).
    pub fn nav() -> Attr {
        flag(super::NAV)
    }

    /// Names the behaviour that sends a form ([`super::BEHAVIOUR`]).
    pub fn behaviour(name: &'static str) -> Attr {
        custom_attribute(super::BEHAVIOUR, name)
    }

    /// Any attribute present with an empty value (`data-x=""`).
    pub fn flag(name: &'static str) -> Attr {
        custom_attribute(name, "")
    }

    /// Any attribute with a fixed value (`data-x="…"`).
    pub fn value(name: &'static str, value: &'static str) -> Attr {
        custom_attribute(name, value)
    }
}
