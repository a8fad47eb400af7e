//! How long things live: sessions, their refresh and freshness, reset and verification
//! links (Better Auth's defaults). One module that both the wire primitives (cookie
//! `Max-Age`) and the flows read, so neither imports the other for a number.

use std::time::Duration;

/// Session lifetime (`session.expiresIn`, 7 days).
pub const SESSION_EXPIRES_IN: Duration = Duration::from_secs(7 * 24 * 3600);
/// A session is extended on use once this much has passed (`session.updateAge`).
pub const SESSION_UPDATE_AGE: Duration = Duration::from_secs(24 * 3600);
/// Sensitive operations need a session younger than this (`session.freshAge`).
pub const SESSION_FRESH_AGE: Duration = Duration::from_secs(24 * 3600);
/// Lifetime of a `rememberMe: false` session.
pub const DONT_REMEMBER_EXPIRES_IN: Duration = Duration::from_secs(24 * 3600);
/// Password reset links (`resetPasswordTokenExpiresIn`).
pub const RESET_TOKEN_EXPIRES_IN: Duration = Duration::from_secs(3600);
/// E-mail verification tokens (`emailVerification.expiresIn`).
pub const VERIFY_TOKEN_EXPIRES_IN: Duration = Duration::from_secs(3600);
