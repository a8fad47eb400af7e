//! The account: profile, password change (ending other sessions and reset links),
//! deletion (always behind the password).

use crate::problem::Code;

use super::{check_image, check_name, length_error, AuthService, ClientInfo};
use crate::auth::{
    error::AuthError,
    model::{Session, SessionWithUser},
    password, store,
};

impl AuthService {
    #[tracing::instrument(skip_all, fields(user = %user_id))]
    pub async fn update_user(
        &self,
        user_id: &str,
        name: Option<&str>,
        image: Option<Option<&str>>,
    ) -> Result<(), AuthError> {
        if let Some(name) = name {
            check_name(name)?;
        }
        if let Some(Some(image)) = image {
            check_image(image)?;
        }
        Ok(store::update_user_profile(&self.db, user_id, name, image).await?)
    }

    /// Checks the user's password before a sensitive change (Better Auth answers 400
    /// `INVALID_PASSWORD` here, not 401); returns the credential account's row id.
    pub(super) async fn confirm_password(
        &self,
        user_id: &str,
        password: String,
    ) -> Result<String, AuthError> {
        let Some((account_row, stored)) =
            store::credential_password(&self.db, self.schema, user_id).await?
        else {
            return Err(Code::CredentialAccountNotFound.into());
        };
        if !self.check_password(password, stored).await?.is_ok() {
            return Err(AuthError::invalid_password());
        }
        Ok(account_row)
    }

    /// Changes the password after checking the current one; with `revoke_others`, every
    /// session is deleted and a new one returned (Better Auth's behaviour).
    #[tracing::instrument(skip_all, fields(user = %current.user.id))]
    pub async fn change_password(
        &self,
        current: &SessionWithUser,
        current_password: String,
        new_password: String,
        revoke_others: bool,
        remember: bool,
        client: &ClientInfo,
    ) -> Result<Option<Session>, AuthError> {
        password::check_length(&new_password).map_err(length_error)?;
        let user_id = &current.user.id;
        let account_row = self.confirm_password(user_id, current_password).await?;
        let hash = self.hash(new_password).await?;
        store::set_account_password(&self.db, &account_row, &hash).await?;
        // ASVS 3.3.3: whoever else held a session or a reset link is out. Better Auth
        // keeps other sessions unless asked; we always end them.
        store::delete_reset_tokens(&self.db, user_id).await?;
        self.end_second_factor_trust(user_id).await?;
        if !revoke_others {
            self.end_sessions(user_id, Some(&current.session.token))
                .await?;
            return Ok(None);
        }
        self.end_sessions(user_id, None).await?;
        let session = self.create_session(user_id, remember, client).await?;
        Ok(Some(session))
    }

    /// Whether the user has a password (a credential account): someone who signed up
    /// with another account or a passkey has none.
    pub async fn has_password(&self, user_id: &str) -> Result<bool, AuthError> {
        Ok(store::credential_password(&self.db, self.schema, user_id)
            .await?
            .is_some())
    }

    /// Deletes the account (and its tasks) after checking the password. Better Auth
    /// also accepts a merely fresh session; a borrowed or stolen one must not be
    /// enough for something that cannot be undone (ASVS 3.7.1). A user without a
    /// password has nothing else to confirm with: their session must be fresh (made
    /// within the last day, by signing in again), as Better Auth asks of everyone.
    #[tracing::instrument(skip_all, fields(user = %current.user.id))]
    pub async fn delete_user(
        &self,
        current: &SessionWithUser,
        password: Option<String>,
    ) -> Result<(), AuthError> {
        let user_id = &current.user.id;
        match password.filter(|p| !p.is_empty()) {
            Some(password) => {
                self.confirm_password(user_id, password).await?;
            }
            None if self.has_password(user_id).await? => return Err(Code::PasswordRequired.into()),
            None if !Self::is_fresh(&current.session) => return Err(Code::SessionExpired.into()),
            None => {}
        }
        store::delete_user(&self.db, user_id).await?;
        self.sessions_ended(user_id);
        Ok(())
    }
}
