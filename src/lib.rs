//! Taskdeck's framework-free core: configuration, domain types, storage, and the auth
//! and task rules. Nothing here knows about axum routing or Leptos, so the same rules
//! serve the REST API and the server functions, and none of it reaches the WASM bundle.

pub mod auth;
pub mod config;
pub mod live;
pub mod mail;
pub mod problem;
pub mod storage;
pub mod tasks;

pub use config::{Config, ConfigError, Mode};
pub use storage::{Database, StorageError};
