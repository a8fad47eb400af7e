//! Pages whose forms arrive with the authentication work.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ComingSoon(title: &'static str) -> impl IntoView {
    view! {
        <Title text=title />
        <section class="centered-message">
            <h1>{title}</h1>
            <p>"Accounts are not open yet. Check back soon."</p>
            <a class="button" href="/">"Back to the home page"</a>
        </section>
    }
}
