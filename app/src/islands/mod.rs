//! The only parts of the UI that run in the browser (Leptos islands). Everything else
//! is rendered on the server and never shipped as WASM; these stay small on purpose
//! (no serde, dates or regexes: the first load has a budget, see `bench/README.md`).
//!
//! `swap` is the engine the board's island runs (generic, HTML over the wire); `board`
//! is that island and its behaviours; `theme_toggle` the other island.

pub mod board;
pub mod swap;
pub mod theme_toggle;
