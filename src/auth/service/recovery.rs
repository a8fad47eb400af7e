//! Password recovery: reset links by mail (sent after the reply), and the reset
//! itself, which ends every session and every other link.

use chrono::Utc;

use crate::{mail::templates, storage::Ts};

use super::{dur, length_error, AuthService, RESET_TOKEN_EXPIRES_IN};
use crate::auth::{
    error::AuthError,
    ids::{generate_id, DEFAULT_ID_LEN, RESET_TOKEN_LEN},
    password, store,
};

impl AuthService {
    /// Mails a reset link if the address belongs to a user; says nothing either way.
    #[tracing::instrument(skip_all)]
    pub async fn request_password_reset(
        &self,
        email: &str,
        redirect_to: Option<&str>,
    ) -> Result<(), AuthError> {
        let email = email.trim().to_lowercase();
        let Some(user) = store::find_user_by_email(&self.db, &email).await? else {
            return Ok(());
        };
        let token = generate_id(RESET_TOKEN_LEN);
        store::insert_verification(
            &self.db,
            &generate_id(DEFAULT_ID_LEN),
            &format!("reset-password:{token}"),
            &user.id,
            Ts(Utc::now() + dur(RESET_TOKEN_EXPIRES_IN)),
        )
        .await?;
        let callback = redirect_to.unwrap_or("/reset-password");
        let link = format!(
            "{}/api/auth/reset-password/{token}?callbackURL={}",
            self.settings.base_origin(),
            crate::auth::cookie::encode_uri_component(callback)
        );
        let name = user.email_verified.then_some(user.name.as_str());
        self.send_later(templates::reset_password(&user.email, name, &link));
        Ok(())
    }

    /// Whether a reset token is currently valid (for the GET link's redirect).
    pub async fn reset_token_is_valid(&self, token: &str) -> Result<bool, AuthError> {
        let row = store::peek_verification(&self.db, &format!("reset-password:{token}")).await?;
        Ok(row.is_some_and(|r| r.expires_at > Ts::now()))
    }

    /// Consumes the token (single use) and sets the new password.
    #[tracing::instrument(skip_all, fields(user))]
    pub async fn reset_password(&self, token: &str, new_password: String) -> Result<(), AuthError> {
        password::check_length(&new_password).map_err(length_error)?;
        let Some(row) =
            store::take_verification(&self.db, &format!("reset-password:{token}")).await?
        else {
            return Err(AuthError::invalid_token());
        };
        if row.expires_at <= Ts::now() {
            return Err(AuthError::invalid_token());
        }
        let user_id = row.value;
        tracing::Span::current().record("user", user_id.as_str());
        let hash = self.hash(new_password).await?;
        match store::credential_password(&self.db, self.schema, &user_id).await? {
            Some((account_row, _)) => {
                store::set_account_password(&self.db, &account_row, &hash).await?
            }
            None => {
                store::insert_credential_account(
                    &self.db,
                    self.schema,
                    &generate_id(DEFAULT_ID_LEN),
                    &user_id,
                    &hash,
                )
                .await?
            }
        }
        // Reset is how a victim takes an account back: every session (the attacker's
        // too) and every other reset link ends here (Better Auth's
        // `revokeSessionsOnPasswordReset`, on).
        self.end_sessions(&user_id, None).await?;
        store::delete_reset_tokens(&self.db, &user_id).await?;
        self.end_second_factor_trust(&user_id).await?;
        Ok(())
    }
}
