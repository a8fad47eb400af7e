//! HTTP glue for the auth layer: Better Auth's cookies, the request guard (rate limit
//! and origin check), body parsing with Better Auth's error shapes, and the extractors
//! the rest of the server uses (`AuthUser` for bearer JWTs, `CookieSession`).

pub mod body;
pub mod cookies;
pub mod extract;
pub mod guard;

pub use extract::{AuthUser, CookieSession, TaskOwner};
