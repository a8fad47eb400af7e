//! The state shared by every handler and handed to server functions via Leptos context.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use taskdeck::{auth::AuthService, live::Changes, Config, Database};

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Database,
    pub auth: Arc<AuthService>,
    /// The live-sync hub: the task functions announce writes to it, streams read it.
    pub changes: Changes,
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
