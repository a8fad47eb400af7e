//! E-mail verification: Better Auth's HS256 `{email}` tokens, mailed and checked
//! (an access JWT is refused here).

use chrono::Utc;
use serde_json::{json, Value};

use crate::{mail::templates, problem::Code};

use super::{AuthService, VERIFY_TOKEN_EXPIRES_IN};
use crate::auth::{
    error::AuthError,
    jwt::{self, JwtError, Validation},
    model::User,
    store,
};

impl AuthService {
    /// Mails a verification link: an HS256 JWT `{email}` signed with the secret, as
    /// Better Auth makes them (nothing is stored).
    pub async fn send_verification_mail(
        &self,
        user: &User,
        callback_url: Option<&str>,
    ) -> Result<(), AuthError> {
        let now = Utc::now().timestamp();
        let token = jwt::sign_hs256(
            self.settings.secret_bytes(),
            &json!({
                "email": user.email.to_lowercase(),
                "iat": now,
                "exp": now + VERIFY_TOKEN_EXPIRES_IN.as_secs() as i64,
            }),
        );
        let callback = callback_url.unwrap_or("/verify-email");
        let link = format!(
            "{}/api/auth/verify-email?token={token}&callbackURL={}",
            self.settings.base_origin(),
            crate::auth::cookie::encode_uri_component(callback)
        );
        self.send_later(templates::verify_email(&user.email, &link));
        Ok(())
    }

    pub async fn find_user_by_email(&self, email: &str) -> Result<Option<User>, AuthError> {
        Ok(store::find_user_by_email(&self.db, &email.trim().to_lowercase()).await?)
    }

    /// Checks a verification token and marks the address verified.
    #[tracing::instrument(skip_all, fields(user))]
    pub async fn verify_email(&self, token: &str) -> Result<User, AuthError> {
        let validation = Validation {
            require_subject: false,
            ..Validation::default()
        };
        let claims = jwt::verify(
            token,
            &jwt::VerifyKey::Hs256(&self.secret_key),
            &validation,
            Utc::now().timestamp(),
        )
        .map_err(|e| match e {
            JwtError::Expired => AuthError::from(Code::VerificationTokenExpired),
            _ => AuthError::from(Code::InvalidVerificationToken),
        })?;
        // Access JWTs are signed with the same secret in HS256 mode (the original
        // design; Better Auth signs verification tokens with it too), so the kinds are
        // told apart by their claims: an access token always names `sub`, `iss`, `aud`.
        let is_access_token = ["sub", "iss", "aud"]
            .iter()
            .any(|claim| claims.get(*claim).is_some());
        let email = claims
            .get("email")
            .and_then(Value::as_str)
            .filter(|_| !is_access_token)
            .ok_or(AuthError::from(Code::InvalidVerificationToken))?;
        let user = store::find_user_by_email(&self.db, &email.to_lowercase())
            .await?
            .ok_or(AuthError::from(Code::UserNotFound))?;
        tracing::Span::current().record("user", user.id.as_str());
        if !user.email_verified {
            store::mark_email_verified(&self.db, &user.id).await?;
        }
        Ok(User {
            email_verified: true,
            ..user
        })
    }
}
