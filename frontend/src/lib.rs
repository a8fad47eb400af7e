//! The WASM entry point: hydrates the server-rendered page.
//!
//! Only `app` (with the `hydrate` feature) is compiled into the bundle; the core crate,
//! the server and every database driver stay out of it.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
