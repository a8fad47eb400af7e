//! HTTP routes, one module per resource; each exposes a `router()`.

pub mod auth;
pub mod health;
pub mod me;
pub mod openapi;
pub mod tasks;
