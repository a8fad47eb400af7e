//! The landing page for signed-out visitors.

use leptos::prelude::*;
use leptos_meta::Title;

use super::auth_forms::query_value;
use crate::PRODUCT;

#[component]
pub fn HomePage() -> impl IntoView {
    // After deleting an account, the form lands here with `?deleted=1`.
    let deleted = query_value("deleted")() == "1";
    view! {
        <Title text="" />
        {deleted.then(|| view! {
            <p class="notice" role="status">"Your account and tasks were deleted."</p>
        })}
        <section class="hero">
            <h1>{PRODUCT}" keeps your tasks in one calm place."</h1>
            <p class="lead">
                "Add what needs doing, tag it, give it a priority and a due date, and tick it off. "
                "Your list is private to your account and follows you to every device."
            </p>
            <div class="hero-actions">
                <a class="button button-primary" href="/sign-up">"Create a free account"</a>
                <a class="button" href="/sign-in">"I already have one"</a>
            </div>
        </section>
        <section class="features" aria-label="Features">
            <article class="card">
                <h2>"Fast"</h2>
                <p>"Pages arrive fully rendered from the server, then come alive in your browser."</p>
            </article>
            <article class="card">
                <h2>"Private"</h2>
                <p>"Every request is checked against your signed token; nobody else sees your tasks."</p>
            </article>
            <article class="card">
                <h2>"Works anywhere"</h2>
                <p>"Phones, desktops, light or dark, and even with JavaScript turned off."</p>
            </article>
        </section>
    }
}
