//! One module per route.

pub mod auth_forms;
pub mod board;
pub mod home;
pub mod not_found;
pub mod password;
mod planning_settings;
pub mod settings;
pub mod two_factor;
