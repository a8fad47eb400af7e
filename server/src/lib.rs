//! Taskdeck's web server: assembles the router (REST API, auth, Leptos pages), the
//! middleware stack and the start-up sequence. `main.rs` only calls [`startup`]; the
//! integration tests call the very same functions on a random port.

pub mod around;
pub mod auth;
pub mod error;
mod linger;
pub mod metrics;
pub mod routes;
pub mod serve;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod unread_body;

pub use startup::Application;
pub use state::AppState;
