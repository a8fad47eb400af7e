//! Authentication compatible with Better Auth 1.7 (see `shared/better-auth-contract.md`),
//! framework-free. Two halves:
//!
//! - **Wire primitives** (`ids`, `password`, `cookie`, `session_cookie`, `jwt`,
//!   `key_envelope`, `origin`, `client_ip`): byte-compatible formats, pinned down and
//!   tested against the contract's vectors in one place.
//! - **Flows and state** (`service/` one file per flow, `store/` one file per table,
//!   `keys/` the JWKS, `rate_limit`, `request` the identity path both doors share,
//!   `policy` the lifetimes, `cookie_outcomes` the cookies each outcome sets or
//!   expires, for both doors), built on the primitives.
//!
//! Password hashing is CPU-heavy; async callers run it on the low-priority threads of
//! [`hashing::HashPool`].

pub(crate) mod client_ip;
pub mod cookie;
pub(crate) mod hashing;
pub mod ids;
pub mod jwt;
pub mod key_envelope;
mod mac;
pub mod passkey;
pub mod password;
pub mod social;

pub use cookie::{sign_cookie_value, verify_cookie_value};
pub use ids::{generate_id, DEFAULT_ID_LEN, RESET_TOKEN_LEN};
pub use jwt::{
    parse_jwks, sign_eddsa, sign_hs256, verify, Ed25519Key, JwtError, Validation, VerifyKey,
};
pub use key_envelope::{decrypt_private_key, encrypt_private_key};
pub use mac::HmacKey;
pub use password::{
    check_length, dummy_verify, hash_password, verify_password, LengthError, PasswordError,
    Verified, MAX_PASSWORD_LEN, MIN_PASSWORD_LEN,
};

// The flows built on the primitives above.
mod cookie_outcomes;
pub(crate) mod error;
pub(crate) mod keys;
pub mod model;
pub mod origin;
pub(crate) mod policy;
pub(crate) mod rate_limit;
pub mod request;
pub mod service;
pub mod session_cookie;
mod settings;
pub(crate) mod store;
pub mod two_factor;

pub use error::AuthError;
pub use model::{Session, SessionWithUser, User};
pub use request::{bearer_token, Caller, CallerError, CookieSession, Incoming, Peer};
pub use service::{AuthService, ClientInfo, SessionLookup, NAME_MAX};
pub use settings::{JwtAlgorithm, Settings};
