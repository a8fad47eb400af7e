//! Taskdeck's user interface: the HTML shell, the routes, the pages, the server
//! functions and the islands. Leptos runs in islands mode: pages and components render
//! on the server only; just the `islands` (the board, run by a small swap engine, and
//! the theme toggle) are compiled into the WASM bundle and hydrated in the browser.

pub mod api;
pub mod board_dom;
pub mod components;
pub mod islands;
pub mod limits;
pub mod messages;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod quick_chips;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Redirect, Route, Router, Routes},
    path, SsrMode,
};

use api::{get_viewer, Viewer};
use components::header::Header;
use pages::{
    auth_forms::{SignInPage, SignUpPage},
    board::Board,
    home::HomePage,
    not_found::NotFound,
    password::{ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage},
    settings::SettingsPage,
    two_factor::{TwoFactorSetupPage, TwoFactorSignInPage},
};

/// Who is signed in, fetched once per page load and shared through context.
#[derive(Clone, Copy)]
pub struct ViewerResource(pub Resource<Option<Viewer>>);

pub fn use_viewer() -> Resource<Option<Viewer>> {
    expect_context::<ViewerResource>().0
}

/// The product name, shown in the header and page titles.
pub const PRODUCT: &str = "Taskdeck";

/// The cookie that remembers an explicit theme choice (read by the server, written by
/// the toggle with or without JavaScript).
pub const THEME_COOKIE: &str = "taskdeck.theme";
pub const THEME_COOKIE_MAX_AGE: u64 = 400 * 24 * 3600;
/// The browser's time zone (see `api::time_zone`), read by the server and the island.
pub const TIME_ZONE_COOKIE: &str = "taskdeck.tz";
pub const TIME_ZONE_COOKIE_MAX_AGE: u64 = 400 * 24 * 3600;
/// The attributes the island writes the cookie with (400 days, as
/// [`TIME_ZONE_COOKIE_MAX_AGE`]; spelled out so the bundle formats no number).
pub const TIME_ZONE_COOKIE_ATTRIBUTES: &str = "; Path=/; Max-Age=34560000; SameSite=Lax";

/// Where the passkey pages load their script from, and the script (served by the
/// server; see `app/assets/passkey.js`).
pub const PASSKEY_SCRIPT_PATH: &str = "/assets/passkey.js";
#[cfg(feature = "ssr")]
pub const PASSKEY_SCRIPT: &str = include_str!("../assets/passkey.js");

/// Before first paint, a theme stored in the browser by an older version (no cookie
/// yet) still applies; one the server rendered from the cookie wins.
const THEME_BOOT: &str = "try{var d=document.documentElement;if(!d.dataset.theme){var t=localStorage.getItem('theme');if(t==='light'||t==='dark')d.dataset.theme=t}}catch(e){}";

/// Loads the islands' WASM and hydrates each island. Leptos' own loader
/// (`HydrationScripts islands=true`) waits for `requestIdleCallback` first, which in
/// Chromium put the board's time to interactive at ~370 ms; this starts as soon as the
/// module script runs (after parsing; it never blocks the first paint). Islands are not
/// nested here, so a flat walk in document order is all the hydration they need. Then
/// `body[data-hydrated]` tells tests (and the time-to-interactive benchmark) that every
/// island is live.
fn islands_loader(options: &LeptosOptions) -> String {
    let pkg = format!("/{}/{}", options.site_pkg_dir, options.output_name);
    format!(
        "import init, * as islands from '{pkg}.js';\
         init({{ module_or_path: '{pkg}.wasm' }}).then(() => {{\
           islands.hydrate();\
           for (const el of document.querySelectorAll('leptos-island')) {{\
             const start = islands[el.dataset.component];\
             if (start) start(el); else console.warn('no WASM for island', el.dataset.component);\
           }}\
           document.body.dataset.hydrated = 'true';\
         }});"
    )
}

/// The last element of every page. The head's `<link rel="expect" blocking="render">`
/// names it, so that Chromium draws the page once it is all parsed, rather than a first
/// frame of the part parsed so far (on the board, the controls without the rows) that is
/// then styled and laid out again: up to 3 ms less main-thread CPU per cold board load,
/// DOMContentLoaded 20-50 ms sooner (bench/README.md, eighth round). Pages are rendered
/// whole before they are sent (`SsrMode::Async`), so this waits for no later bytes;
/// browsers without `rel=expect` ignore it.
const PAGE_END: &str = "page-end";

/// The document around every page (rendered on the server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let pkg = format!("/{}/{}", options.site_pkg_dir, options.output_name);
    let loader = islands_loader(&options);
    #[cfg(feature = "ssr")]
    let theme = api::theme::chosen();
    #[cfg(not(feature = "ssr"))]
    let theme: Option<String> = None;
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=theme>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="expect" href=format!("#{PAGE_END}") blocking="render" />
                <script>{THEME_BOOT}</script>
                <AutoReload options=options.clone() />
                <link rel="modulepreload" href=format!("{pkg}.js") />
                <link rel="preload" href=format!("{pkg}.wasm") r#as="fetch" r#type="application/wasm" crossorigin="" />
                <script type="module">{loader}</script>
                <MetaTags />
            </head>
            <body>
                <App />
                <div id=PAGE_END hidden></div>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let viewer = Resource::new(|| (), |_| async { get_viewer().await.ok().flatten() });
    provide_context(ViewerResource(viewer));

    view! {
        <Stylesheet id="leptos" href="/pkg/taskdeck.css" />
        <Link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%234f46e5'/%3E%3Cpath d='M4 8l3 3 5-6' stroke='white' stroke-width='2' fill='none'/%3E%3C/svg%3E" />
        <Title formatter=|page: String| {
            if page.is_empty() { PRODUCT.to_string() } else { format!("{page} · {PRODUCT}") }
        } />
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <Header />
            <main id="main" class="container" tabindex="-1">
                <Routes fallback=NotFound>
                    // Async: the whole page, data included, is in the first HTML, so
                    // it works with JavaScript off and never flashes empty content.
                    <Route path=path!("") view=Home ssr=SsrMode::Async />
                    <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/sign-up") view=SignUpPage ssr=SsrMode::Async />
                    <Route path=path!("/sign-in/two-factor") view=TwoFactorSignInPage ssr=SsrMode::Async />
                    <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/settings/two-factor") view=TwoFactorSetupPage ssr=SsrMode::Async />
                    <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/reset-password") view=ResetPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/verify-email") view=VerifyEmailPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}

/// `/`: the task board when signed in, the landing page otherwise. A signed-out visit
/// to a board view (`/?status=pending`, from a bookmark) goes to sign in, then back.
#[component]
fn Home() -> impl IntoView {
    let viewer = use_viewer();
    let location = leptos_router::hooks::use_location();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                viewer.get().map(|v| match v {
                    Some(_) => view! { <Board /> }.into_any(),
                    None => {
                        let search = location.search.get_untracked();
                        let search = search.trim_start_matches('?');
                        let board_view = search
                            .split('&')
                            .any(|p| !p.is_empty() && !p.starts_with("deleted="));
                        if board_view {
                            let next = pages::board::encode(&format!("/?{search}"));
                            view! { <Redirect path=format!("/sign-in?next={next}") /> }.into_any()
                        } else {
                            view! { <HomePage /> }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}
