//! Account settings: name, password, active sessions, account deletion. Each section is
//! an `ActionForm` (in place with JavaScript, a form post without it).

use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;
use leptos_router::components::Redirect;

use super::auth_forms::{error_message, query_value};
use crate::{
    api::{
        get_account, ChangePassword, DeleteAccount, RevokeOtherSessions, RevokeSession, UiError,
        UpdateName,
    },
    use_viewer,
};

fn message_of<T>(result: Option<Result<T, UiError>>, ok: &'static str) -> Option<(bool, String)> {
    result.map(|r| match r {
        Ok(_) => (true, ok.to_string()),
        Err(e) => {
            let UiError { code, message, .. } = e;
            let words = error_message(&code);
            (
                false,
                if words.starts_with("Something") {
                    message
                } else {
                    words.to_string()
                },
            )
        }
    })
}

#[component]
fn Outcome(value: Signal<Option<(bool, String)>>) -> impl IntoView {
    move || {
        value.get().map(|(ok, text)| {
            if ok {
                view! { <p class="notice" role="status">{text}</p> }.into_any()
            } else {
                view! { <p class="form-error" role="alert">{text}</p> }.into_any()
            }
        })
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let viewer = use_viewer();
    view! {
        <Title text="Settings" />
        <Suspense fallback=|| ()>
            {move || viewer.get().map(|v| match v {
                None => view! { <Redirect path="/sign-in?next=/settings" /> }.into_any(),
                Some(_) => view! { <Settings /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Settings() -> impl IntoView {
    let update_name = ServerAction::<UpdateName>::new();
    let change_password = ServerAction::<ChangePassword>::new();
    let revoke = ServerAction::<RevokeSession>::new();
    let revoke_others = ServerAction::<RevokeOtherSessions>::new();
    let delete = ServerAction::<DeleteAccount>::new();
    let account = Resource::new(
        move || {
            (
                update_name.version().get(),
                change_password.version().get(),
                revoke.version().get(),
                revoke_others.version().get(),
            )
        },
        |_| get_account(),
    );
    let done = query_value("done");
    let error = query_value("error");
    let name_msg = Signal::derive(move || message_of(update_name.value().get(), "Name saved."));
    let password_msg =
        Signal::derive(move || message_of(change_password.value().get(), "Password changed."));
    let delete_msg = Signal::derive(move || message_of(delete.value().get(), "Account deleted."));
    // The account is gone: reload everything (header, session) from the server.
    Effect::new(move |_| {
        if matches!(delete.value().get(), Some(Ok(()))) {
            let _ = window().location().set_href("/?deleted=1");
        }
    });

    view! {
        <section class="settings">
            <h1>"Settings"</h1>
            {move || {
                let d = done();
                (!d.is_empty()).then(|| view! {
                    <p class="notice" role="status">{if d == "password" { "Password changed." } else { "Saved." }}</p>
                })
            }}
            {move || {
                let e = error();
                (!e.is_empty()).then(|| view! { <p class="form-error" role="alert">{error_message(&e)}</p> })
            }}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || account.get().map(|r| match r {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(acc) => view! {
                        <div class="card settings-card">
                            <h2>"Profile"</h2>
                            <p class="muted">
                                {acc.email.clone()}
                                {if acc.email_verified { " · verified" } else { " · not verified yet" }}
                            </p>
                            <ActionForm action=update_name attr:class="stack">
                                <label for="settings-name">"Name"</label>
                                <input id="settings-name" name="name" type="text" required maxlength="100" value=acc.name.clone() />
                                <button type="submit" class="button">"Save name"</button>
                            </ActionForm>
                            <Outcome value=name_msg />
                        </div>
                        <div class="card settings-card">
                            <h2>"Active sessions"</h2>
                            <ul class="session-list">
                                {acc.sessions.iter().map(|s| {
                                    let id = s.id.clone();
                                    let current = s.current;
                                    view! {
                                        <li class="session">
                                            <div>
                                                <strong>{s.device.clone()}</strong>
                                                {current.then(|| view! { " " <span class="badge">"this device"</span> })}
                                                <p class="muted">{format!("IP {} · last active {}", s.ip, s.last_seen.replace('T', " ").chars().take(16).collect::<String>())}</p>
                                            </div>
                                            {(!current).then(|| view! {
                                                <ActionForm action=revoke>
                                                    <input type="hidden" name="id" value=id.clone() />
                                                    <button type="submit" class="button">"Sign out that device"</button>
                                                </ActionForm>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <ActionForm action=revoke_others>
                                <button type="submit" class="button" disabled=acc.sessions.len() < 2>"Sign out everywhere else"</button>
                            </ActionForm>
                        </div>
                    }.into_any(),
                })}
            </Transition>
            <div class="card settings-card">
                <h2>"Change password"</h2>
                <ActionForm action=change_password attr:class="stack">
                    <label for="current-password">"Current password"</label>
                    <input id="current-password" name="current_password" type="password" autocomplete="current-password" required />
                    <label for="new-password">"New password"</label>
                    <input id="new-password" name="new_password" type="password" autocomplete="new-password" required minlength="8" maxlength="128" />
                    <label class="checkbox">
                        <input type="checkbox" name="revoke_others" value="on" />
                        "Sign out my other devices"
                    </label>
                    <button type="submit" class="button button-primary">"Change password"</button>
                </ActionForm>
                <Outcome value=password_msg />
            </div>
            <div class="card settings-card danger-zone">
                <h2>"Delete account"</h2>
                <p class="muted">"This deletes your account and all your tasks, for good."</p>
                <details>
                    <summary>"I want to delete my account"</summary>
                    <ActionForm action=delete attr:class="stack">
                        <label for="delete-password">"Confirm with your password"</label>
                        <input id="delete-password" name="password" type="password" autocomplete="current-password" required />
                        <button type="submit" class="button button-danger">"Delete my account and tasks"</button>
                    </ActionForm>
                </details>
                <Outcome value=delete_msg />
            </div>
        </section>
    }
}
