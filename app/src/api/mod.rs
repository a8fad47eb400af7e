//! Server functions: the UI's door to the same core rules the REST API uses, one file
//! per concern (`auth`, `tasks`, `account`), each function's body in place.
//!
//! **How the JWT reaches them.** Every task function authenticates with a JWT, like the
//! REST API: an `Authorization: Bearer` header if the caller sends one, otherwise the
//! HttpOnly `taskdeck.jwt` cookie that sign-in sets. When that JWT is missing or
//! expired but the Better Auth session cookie is live, the server issues a fresh JWT,
//! sets the cookie on the response and carries on; so the token is refreshed without
//! the user noticing, with JavaScript on (fetches carry cookies) or off (form posts do).
//!
//! **Without JavaScript** forms post here directly (`application/x-www-form-urlencoded`,
//! `Accept: text/html`); on success the browser is redirected back (or onwards), on
//! failure back to the form with `?error=` in the URL, which the page renders. **With
//! it**, the board's island sends the same forms with `fetch` and applies the answer
//! in place.
//!
//! **Errors** are [`UiError`]s: status, code and message from the core's one table
//! (`taskdeck::problem`), the same the REST door answers with.

pub mod account;
pub mod auth;
#[cfg(feature = "ssr")]
pub mod call;
pub mod error;
pub mod passkeys;
pub mod social;
pub mod tasks;
pub mod theme;
pub mod time_zone;
pub mod two_factor;
pub mod types;
#[cfg(feature = "ssr")]
pub mod url;

pub use account::*;
pub use auth::*;
#[cfg(feature = "ssr")]
pub use call::UiContext;
pub use error::UiError;
pub use passkeys::*;
pub use social::*;
pub use tasks::*;
pub use time_zone::SetTimeZone;
pub use two_factor::*;
pub use types::{
    Account, PasskeyInfo, SessionInfo, Summary, TaskFilter, TaskListing, TaskView,
    TrustedDeviceInfo, Viewer, MY_ORDER, SORTS,
};
