//! A small HTML-over-the-wire engine, the board island's: it knows nothing of tasks.
//!
//! A page's forms and links work without JavaScript. With it, the engine sends the
//! same forms with `fetch` instead of a page load and swaps in the parts of the page
//! that changed from the server's fresh HTML (regions marked [`attrs::REGION`],
//! matched by id), so the rows are rendered by one piece of code, the server's, and
//! scroll and focus stay where they were. It does what Turbo, htmx or Leptos' own
//! islands router do, in a few hundred lines of Rust (see ARCHITECTURE.md, "The board
//! island: an engine and behaviours", for why not those):
//!
//! - `dom`: DOM helpers, listeners and timers;
//! - `http`: a form's fields, posts to a form's action, fetches;
//! - `regions`: a refresh and the region swap, with request ordering (an older answer
//!   never overwrites a newer view) and typing protection (a region being typed in is
//!   kept; an open editor is carried across);
//! - `stream`: the live stream (Server-Sent Events) and background refreshes;
//! - `events`: delegation at the page's root;
//! - `shortcuts`: the page's keyboard shortcuts, wherever the focus is;
//! - `reorder`: drag to reorder items (Pointer Events: mouse, pen and touch);
//! - `page`: what a page registers (its behaviours by name) and [`start`];
//! - `state`: the one struct the engine remembers things in;
//! - `attrs`: the engine's attributes, which the server's markup uses too.

pub mod attrs;
#[cfg(feature = "hydrate")]
pub mod dom;
#[cfg(feature = "hydrate")]
mod events;
#[cfg(feature = "hydrate")]
pub mod http;
#[cfg(feature = "hydrate")]
mod page;
#[cfg(feature = "hydrate")]
pub mod regions;
#[cfg(feature = "hydrate")]
pub mod reorder;
#[cfg(feature = "hydrate")]
pub mod shortcuts;
#[cfg(feature = "hydrate")]
mod state;
#[cfg(feature = "hydrate")]
pub mod stream;

#[cfg(feature = "hydrate")]
pub use page::{start, Editor, Form, Handler, Page, Stream};
#[cfg(feature = "hydrate")]
pub use regions::{refresh, Nav};
#[cfg(feature = "hydrate")]
pub use reorder::Reorder;
