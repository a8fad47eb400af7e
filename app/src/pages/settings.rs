//! Account settings: name, two-factor (and its trusted devices), time zone, export and
//! import, password, active sessions, account deletion. Rendered on the
//! server; each section is a plain form whose server function redirects back here with
//! `?done=…` (one notice at a time) or `?error=CODE`, with or without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use super::auth_forms::query_value;
use super::planning_settings::{TimeZoneSettings, TransferSettings};
use crate::board_dom::class;
use crate::limits;
use crate::messages::error_message;
use crate::{
    api::{
        connected_accounts, get_account, Account, ChangePassword, DeleteAccount, DeletePasskey,
        DisableTwoFactor, EnableTwoFactor, ForgetTrustedDevices, LinkSocial, PasskeyInfo,
        RenamePasskey, RevokeOtherSessions, RevokeSession, TrustedDeviceInfo, UnlinkAccount,
        UpdateName,
    },
    use_viewer,
};
use leptos::server_fn::ServerFn;

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

/// The words for `?done=…`.
fn done_message(done: &str) -> &'static str {
    match done {
        "name" => "Name saved.",
        "password" => "Password changed.",
        "revoked" => "Signed out.",
        "two_factor_on" => {
            "Two-factor authentication is on. You'll be asked for a code when you sign in."
        }
        "two_factor_off" => "Two-factor authentication is off.",
        "devices_forgotten" => "Forgotten: those devices will be asked for a code again.",
        "account_linked" => "Connected: you can sign in with that account now.",
        "account_unlinked" => "Disconnected: that account no longer signs you in.",
        "passkey_added" => "Passkey added. Next time, sign in with it: no password needed.",
        "passkey_renamed" => "Passkey renamed.",
        "passkey_deleted" => "Passkey removed. It can no longer sign you in.",
        _ => "Saved.",
    }
}

#[component]
fn Settings() -> impl IntoView {
    let account = Resource::new(|| (), |_| get_account());
    let done = query_value("done")();
    let error = query_value("error")();
    view! {
        <section class="settings">
            <p><a href="/" class="back-link">"← Back to your tasks"</a></p>
            <h1>"Settings"</h1>
            {(!done.is_empty()).then(|| view! { <p class="notice" role="status">{done_message(&done)}</p> })}
            {(!error.is_empty()).then(|| view! { <p class=class::ERROR role="alert">{error_message(&error)}</p> })}
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match account.await {
                        Err(e) => view! { <p class=class::ERROR role="alert">{e.message}</p> }.into_any(),
                        Ok(acc) => view! { <Profile acc=acc.clone() /> <Passkeys passkeys=acc.passkeys.clone() /> <TwoFactor acc=acc.clone() /> <Sessions acc=acc /> }.into_any(),
                    }
                })}
            </Suspense>
            <ConnectedAccountsSettings />
            <TimeZoneSettings />
            <TransferSettings />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    account.await.ok().map(|acc| view! {
                        {acc.has_password.then(|| view! { <PasswordCard /> })}
                        <DeleteAccountCard has_password=acc.has_password />
                    })
                })}
            </Suspense>
        </section>
    }
}

/// Changing the password (only for users who have one).
#[component]
fn PasswordCard() -> impl IntoView {
    view! {
        <div class="card settings-card">
            <h2>"Change password"</h2>
            <form method="post" action=ChangePassword::url() class="stack">
                <label for="current-password">"Current password"</label>
                <input id="current-password" name="current_password" type="password" autocomplete="current-password" required />
                <label for="new-password">"New password"</label>
                <input id="new-password" name="new_password" type="password" autocomplete="new-password" required minlength=limits::MIN_PASSWORD_LEN maxlength=limits::MAX_PASSWORD_LEN />
                <label class="checkbox">
                    <input type="checkbox" name="revoke_others" value="on" />
                    "Sign out my other devices"
                </label>
                <button type="submit" class="button button-primary">"Change password"</button>
            </form>
        </div>
    }
}

/// Deleting the account: confirmed with the password, or (without one) by a session
/// made within the last day.
#[component]
fn DeleteAccountCard(has_password: bool) -> impl IntoView {
    view! {
        <div class="card settings-card danger-zone">
            <h2>"Delete account"</h2>
            <p class="muted">"This deletes your account and all your tasks, for good."</p>
            <details>
                <summary>"I want to delete my account"</summary>
                <form method="post" action=DeleteAccount::url() class="stack">
                    {if has_password {
                        view! {
                            <label for="delete-password">"Confirm with your password"</label>
                            <input id="delete-password" name="password" type="password" autocomplete="current-password" required />
                        }.into_any()
                    } else {
                        view! {
                            <p class="muted">"You have no password here: if you signed in more than a day ago, sign in again first."</p>
                        }.into_any()
                    }}
                    <button type="submit" class="button button-danger">"Delete my account and tasks"</button>
                </form>
            </details>
        </div>
    }
}

#[component]
fn Profile(acc: Account) -> impl IntoView {
    view! {
        <div class="card settings-card">
            <h2>"Profile"</h2>
            <p class="muted">
                {acc.email.clone()}
                {if acc.email_verified { " · verified" } else { " · not verified yet" }}
            </p>
            <form method="post" action=UpdateName::url() class="stack">
                <label for="settings-name">"Name"</label>
                <input id="settings-name" name="name" type="text" required maxlength=limits::NAME_MAX value=acc.name />
                <button type="submit" class="button">"Save name"</button>
            </form>
        </div>
    }
}

/// Accounts at the configured providers: each connected one with "Disconnect" (unless
/// it is the only way in), the others with "Connect <name>". Plain forms; nothing
/// when no provider is configured.
#[component]
fn ConnectedAccountsSettings() -> impl IntoView {
    let accounts = Resource::new(|| (), |_| connected_accounts());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let acc = accounts.await.ok().filter(|a| !a.providers.is_empty())?;
                Some(view! {
                    <div class="card settings-card" id="connected-accounts">
                        <h2>"Connected accounts"</h2>
                        <ul class="session-list">
                            {acc.providers.into_iter().map(|p| {
                                let linked = acc.linked.iter().find(|(_, provider)| *provider == p.id).map(|(id, _)| id.clone());
                                match linked {
                                    Some(id) => view! {
                                        <li class="session">
                                            <p><strong>{p.name.clone()}</strong>" · connected"</p>
                                            <form method="post" action=UnlinkAccount::url()>
                                                <input type="hidden" name="id" value=id />
                                                <button type="submit" class="button" disabled=!acc.can_unlink aria-label=format!("Disconnect {}", p.name)>"Disconnect"</button>
                                            </form>
                                        </li>
                                    }.into_any(),
                                    None => view! {
                                        <li class="session">
                                            <p><strong>{p.name.clone()}</strong>" · not connected"</p>
                                            <form method="post" action=LinkSocial::url()>
                                                <input type="hidden" name="provider" value=p.id />
                                                <button type="submit" class="button">{format!("Connect {}", p.name)}</button>
                                            </form>
                                        </li>
                                    }.into_any(),
                                }
                            }).collect_view()}
                        </ul>
                    </div>
                })
            })}
        </Suspense>
    }
}

/// The user's passkeys by name, with the date added, each renamed or removed by a
/// plain form; and "Add a passkey", which needs the browser's WebAuthn (the page's
/// passkey script intercepts the form; without JavaScript it lands back here with words
/// that say so).
#[component]
fn Passkeys(passkeys: Vec<PasskeyInfo>) -> impl IntoView {
    let day = |iso: &Option<String>| {
        iso.as_deref()
            .map(|d| d.chars().take(10).collect::<String>())
    };
    view! {
        <div class="card settings-card" id="passkeys">
            <h2>"Passkeys"</h2>
            <p class="muted">"Sign in with your fingerprint, face or screen lock instead of a password."</p>
            <ul class="session-list">
                {passkeys.into_iter().map(|p| {
                    let name = p.name.clone().unwrap_or_else(|| "Unnamed passkey".into());
                    let added = day(&p.added).map(|d| format!("Added {d}")).unwrap_or_default();
                    let field = format!("passkey-name-{}", p.id);
                    view! {
                        <li class="session passkey">
                            <div>
                                <strong>{name.clone()}</strong>
                                <p class="muted">{added}</p>
                            </div>
                            <form method="post" action=RenamePasskey::url() class="inline-form">
                                <input type="hidden" name="id" value=p.id.clone() />
                                <label for=field.clone() class="visually-hidden">{format!("New name for {name}")}</label>
                                <input id=field name="name" type="text" required maxlength=limits::NAME_MAX value=p.name.clone().unwrap_or_default() />
                                <button type="submit" class="button">"Rename"</button>
                            </form>
                            <form method="post" action=DeletePasskey::url()>
                                <input type="hidden" name="id" value=p.id />
                                <button type="submit" class="button" aria-label=format!("Remove {name}")>"Remove"</button>
                            </form>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form method="get" action="/settings" class="stack" data-passkey="add">
                <input type="hidden" name="error" value="PASSKEYS_NEED_JAVASCRIPT" />
                <label for="new-passkey-name">"Name for the new passkey (optional)"</label>
                <input id="new-passkey-name" name="name" type="text" maxlength=limits::NAME_MAX placeholder="e.g. Work laptop" />
                <button type="submit" class="button">"Add a passkey"</button>
            </form>
            <script type="module" src=crate::PASSKEY_SCRIPT_PATH></script>
        </div>
    }
}

#[component]
fn TwoFactor(acc: Account) -> impl IntoView {
    view! {
        <div class="card settings-card">
            <h2>"Two-factor authentication"</h2>
            {if acc.two_factor_enabled {
                view! {
                    <p>"On: signing in asks for a code from your authenticator app."</p>
                    <p><a href="/settings/two-factor">"Backup codes"</a></p>
                    <details>
                        <summary>"Turn two-factor off"</summary>
                        <form method="post" action=DisableTwoFactor::url() class="stack">
                            <label for="disable-2fa-password">"Confirm with your password"</label>
                            <input id="disable-2fa-password" name="password" type="password" autocomplete="current-password" required />
                            <label class="checkbox">
                                <input type="checkbox" name="revoke_others" value="on" checked />
                                "Sign out other devices"
                            </label>
                            <button type="submit" class="button button-danger">"Turn off"</button>
                        </form>
                    </details>
                    <TrustedDevices devices=acc.trusted_devices.clone() />
                }.into_any()
            } else if !acc.has_password {
                view! {
                    <p class="muted">"Off. It adds a code to signing in with a password; you sign in with another account or a passkey, which is checked by its own means."</p>
                }.into_any()
            } else {
                view! {
                    <p class="muted">"Off. With it on, signing in also asks for a code from an app on your phone."</p>
                    <form method="post" action=EnableTwoFactor::url() class="stack">
                        <label for="enable-2fa-password">"Your password"</label>
                        <input id="enable-2fa-password" name="password" type="password" autocomplete="current-password" required />
                        <button type="submit" class="button">"Set up two-factor"</button>
                    </form>
                }.into_any()
            }}
        </div>
    }
}

#[component]
fn Sessions(acc: Account) -> impl IntoView {
    let alone = acc.sessions.len() < 2;
    view! {
        <div class="card settings-card">
            <h2>"Active sessions"</h2>
            <ul class="session-list">
                {acc.sessions.into_iter().map(|s| {
                    let seen = s.last_seen.replace('T', " ").chars().take(16).collect::<String>();
                    view! {
                        <li class="session">
                            <div>
                                <strong>{s.device}</strong>
                                {s.current.then(|| view! { " " <span class="badge">"this device"</span> })}
                                <p class="muted">{format!("IP {} · last active {seen}", s.ip)}</p>
                            </div>
                            {(!s.current).then(|| view! {
                                <form method="post" action=RevokeSession::url()>
                                    <input type="hidden" name="id" value=s.id />
                                    <button type="submit" class="button">"Sign out that device"</button>
                                </form>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form method="post" action=RevokeOtherSessions::url()>
                <button type="submit" class="button" disabled=alone>"Sign out everywhere else"</button>
            </form>
        </div>
    }
}

/// Devices that sign in with the password alone (trusted at a second-factor sign-in),
/// each with a button to forget it, and one to forget them all.
#[component]
fn TrustedDevices(devices: Vec<TrustedDeviceInfo>) -> impl IntoView {
    let day = |iso: &str| iso.chars().take(10).collect::<String>();
    (!devices.is_empty()).then(|| {
        view! {
            <h3>"Trusted devices"</h3>
            <p class="muted">"These browsers skip the code at sign-in until the date shown."</p>
            <ul class="session-list">
                {devices.into_iter().map(|d| view! {
                    <li class="session">
                        <p>{format!("Trusted {}, until {}", day(&d.trusted_at), day(&d.until))}</p>
                        <form method="post" action=ForgetTrustedDevices::url()>
                            <input type="hidden" name="id" value=d.id />
                            <button type="submit" class="button">"Forget this device"</button>
                        </form>
                    </li>
                }).collect_view()}
            </ul>
            <form method="post" action=ForgetTrustedDevices::url()>
                <button type="submit" class="button">"Forget all trusted devices"</button>
            </form>
        }
    })
}
