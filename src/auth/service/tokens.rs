//! JWTs: issuing with Better Auth's jwt-plugin claims, the JWKS document, and
//! verification in the configured mode.

use chrono::Utc;
use serde_json::{json, Value};

use crate::{auth::JwtAlgorithm, problem::Code};

use super::{AuthService, Claims};
use crate::auth::{
    error::AuthError,
    jwt::{self, JwtError},
    model::User,
};

impl AuthService {
    /// Issues a JWT for the user, with the claims Better Auth's jwt plugin sets: the
    /// user object, `sub`, `iat`, `exp`, `iss`, `aud`.
    pub async fn issue_jwt(&self, user: &User) -> Result<String, AuthError> {
        Ok(self.issue_jwt_with(user, &[]).await?.0)
    }

    /// [`Self::issue_jwt`] with extra claims; returns the token and the claims it
    /// carries (so a caller need not verify what it has just signed to read them).
    pub(in crate::auth) async fn issue_jwt_with(
        &self,
        user: &User,
        extra: &[(&str, Value)],
    ) -> Result<(String, Value), AuthError> {
        let auth = &self.settings;
        let now = Utc::now().timestamp();
        let mut claims =
            serde_json::to_value(user).map_err(|e| AuthError::Internal(e.to_string()))?;
        if let Value::Object(map) = &mut claims {
            map.insert("iat".into(), json!(now));
            map.insert("sub".into(), json!(user.id));
            map.insert(
                "exp".into(),
                json!(now + auth.jwt_expires_in.as_secs() as i64),
            );
            map.insert("iss".into(), json!(auth.jwt_issuer));
            map.insert("aud".into(), json!(auth.jwt_audience));
            for (name, value) in extra {
                map.insert((*name).into(), value.clone());
            }
        }
        let token = match auth.jwt_algorithm {
            JwtAlgorithm::Hs256 => jwt::sign_hs256(self.settings.secret_bytes(), &claims),
            JwtAlgorithm::EdDsa => {
                if self.keys.is_remote() {
                    return Err(Code::JwtIssuingDisabled.into());
                }
                let key = self.keys.signing_key().await?;
                jwt::sign_eddsa(&key, &claims)
            }
        };
        Ok((token, claims))
    }

    /// The JWKS document, or `None` when this server publishes none (HS256 mode or
    /// remote keys, where Better Auth's `/jwks` is a 404).
    pub async fn jwks(&self) -> Result<Option<Value>, AuthError> {
        if self.keys.is_remote() {
            return Ok(None);
        }
        Ok(Some(self.keys.jwks_document().await?))
    }

    /// Verifies a bearer JWT in the configured mode (HS256 secret, local Ed25519 keys,
    /// or a remote JWKS) and returns its claims.
    pub async fn verify_jwt(&self, token: &str) -> Result<Claims, JwtError> {
        let auth = &self.settings;
        let validation = &self.jwt_validation;
        let now = Utc::now().timestamp();
        let claims: jwt::AccessClaims = match (auth.jwt_algorithm, self.keys.is_remote()) {
            (JwtAlgorithm::Hs256, false) => jwt::verify_remembering(
                token,
                &jwt::VerifyKey::Hs256(&self.secret_key),
                validation,
                now,
                None,
            )?,
            _ => self.keys.verify(token, validation, now).await?,
        };
        let sub = claims
            .subject()
            .filter(|s| !s.is_empty())
            .ok_or(JwtError::MissingClaim("sub"))?
            .to_string();
        Ok(Claims { sub, token: claims })
    }
}
