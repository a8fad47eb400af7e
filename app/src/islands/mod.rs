//! The only parts of the UI that run in the browser (Leptos islands). Everything else
//! is rendered on the server and never shipped as WASM; these stay small on purpose
//! (no serde, dates or regexes: the first load has a budget, see `bench/README.md`).

pub mod board;
#[cfg(feature = "hydrate")]
mod enhance;
pub mod theme_toggle;
