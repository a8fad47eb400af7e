//! Auth primitives that must stay byte-compatible with Better Auth 1.7 (see
//! `shared/better-auth-contract.md`, sections 3, 5 and 7).
//!
//! Everything here is framework-free and synchronous: ids, password hashing, signed
//! cookie values and JWTs. HTTP handlers, storage and session lifecycle live elsewhere
//! and build on these functions, so the wire formats are pinned down (and tested against
//! the contract's vectors) in exactly one place.
//!
//! Password hashing is CPU-heavy; async callers run it on the low-priority threads of
//! [`hashing::HashPool`].

pub mod client_ip;
pub mod cookie;
pub mod hashing;
pub mod ids;
pub mod jwt;
pub mod key_envelope;
mod mac;
pub mod password;

pub use cookie::{sign_cookie_value, verify_cookie_value};
pub use ids::{generate_id, DEFAULT_ID_LEN, RESET_TOKEN_LEN};
pub use jwt::{
    parse_jwks, sign_eddsa, sign_hs256, verify, Ed25519Key, JwtError, Validation, VerifyKey,
};
pub use key_envelope::{decrypt_private_key, encrypt_private_key};
pub use password::{
    check_length, dummy_verify, hash_password, verify_password, LengthError, PasswordError,
    Verified, MAX_PASSWORD_LEN, MIN_PASSWORD_LEN,
};

// The flows built on the primitives above.
pub mod error;
pub mod keys;
pub mod model;
pub mod origin;
pub mod policy;
pub mod rate_limit;
pub mod request;
pub mod service;
pub mod session_cookie;
pub mod store;

pub use error::AuthError;
pub use model::{Session, SessionWithUser, User};
pub use request::{bearer_token, Caller, CallerError, CookieSession, Incoming, Peer};
pub use service::{AuthService, ClientInfo, SessionLookup};
