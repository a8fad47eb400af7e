//! Better Auth's records, field for field. They serialise to the JSON the official
//! client expects (camelCase, ISO dates) and decode from either backend's rows.

use serde::{Deserialize, Serialize};

use crate::storage::Ts;

/// `user` table / Better Auth `User` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub name: String,
    pub email: String,
    #[sqlx(rename = "emailVerified")]
    pub email_verified: bool,
    pub image: Option<String>,
    #[sqlx(rename = "createdAt")]
    pub created_at: Ts,
    #[sqlx(rename = "updatedAt")]
    pub updated_at: Ts,
    /// The twoFactor plugin's column: a password alone no longer signs this user in.
    #[sqlx(rename = "twoFactorEnabled")]
    pub two_factor_enabled: bool,
}

/// `session` table / Better Auth `Session` object (the raw token is part of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub id: String,
    #[sqlx(rename = "expiresAt")]
    pub expires_at: Ts,
    pub token: String,
    #[sqlx(rename = "createdAt")]
    pub created_at: Ts,
    #[sqlx(rename = "updatedAt")]
    pub updated_at: Ts,
    #[sqlx(rename = "ipAddress")]
    pub ip_address: Option<String>,
    #[sqlx(rename = "userAgent")]
    pub user_agent: Option<String>,
    #[sqlx(rename = "userId")]
    pub user_id: String,
}

/// What `get-session` returns: `{session, user}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionWithUser {
    pub session: Session,
    pub user: User,
}

/// A `verification` row: an identifier (e.g. `reset-password:<token>`) and its value.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Verification {
    pub id: String,
    pub identifier: String,
    pub value: String,
    #[sqlx(rename = "expiresAt")]
    pub expires_at: Ts,
}

/// A `jwks` row. `alg`/`crv` are absent from databases made before Better Auth 1.7.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JwkRow {
    pub id: String,
    #[sqlx(rename = "publicKey")]
    pub public_key: String,
    #[sqlx(rename = "privateKey")]
    pub private_key: String,
    #[sqlx(rename = "createdAt")]
    pub created_at: Ts,
    #[sqlx(rename = "expiresAt")]
    pub expires_at: Option<Ts>,
    #[sqlx(default)]
    pub alg: Option<String>,
}

/// A `passkey` row, as Better Auth's passkey plugin writes and returns it: the COSE
/// public key in padded standard base64, the credential id in base64url, the
/// authenticator's signature counter, `deviceType` `singleDevice`/`multiDevice` (the
/// backup-eligible flag) and `backedUp` (the backed-up flag).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Passkey {
    pub id: String,
    pub name: Option<String>,
    #[sqlx(rename = "publicKey")]
    pub public_key: String,
    #[sqlx(rename = "userId")]
    pub user_id: String,
    #[sqlx(rename = "credentialID")]
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    pub counter: i64,
    #[sqlx(rename = "deviceType")]
    pub device_type: String,
    #[sqlx(rename = "backedUp")]
    pub backed_up: bool,
    pub transports: Option<String>,
    #[sqlx(rename = "createdAt")]
    pub created_at: Option<Ts>,
    pub aaguid: Option<String>,
}
