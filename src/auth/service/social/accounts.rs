//! The accounts a provider's user becomes: the owner of the account already linked, a
//! user here with the same e-mail (when both sides say it is verified), or a new user;
//! `link-social`'s linking to the signed-in user; and the user's list, and unlinking.

use super::LinkTo;
use crate::{
    auth::{
        error::AuthError,
        ids::{generate_id, DEFAULT_ID_LEN},
        model::User,
        service::AuthService,
        social::{ProviderUser, Tokens},
        store::{self, AccountRow, AccountTokens, NewAccount},
    },
    problem::Code,
    storage::Ts,
};

impl AuthService {
    /// The user the provider's account belongs to, linked or made now: `(user, new?)`,
    /// or the callback's error code.
    pub(super) async fn provider_user(
        &self,
        provider_id: &str,
        issuer: &str,
        who: &ProviderUser,
        email: &str,
        tokens: &Tokens,
    ) -> Result<Result<(User, bool), &'static str>, AuthError> {
        let account_tokens = account_tokens(tokens);
        if let Some((row, user_id)) =
            store::find_provider_account(&self.db, provider_id, &who.subject).await?
        {
            store::update_account_tokens(&self.db, &row, &account_tokens).await?;
            return Ok(match store::find_user_by_id(&self.db, &user_id).await? {
                Some(user) => Ok((user, false)),
                None => Err("unable_to_link_account"),
            });
        }
        let account_id = generate_id(DEFAULT_ID_LEN);
        let existing = store::find_user_by_email(&self.db, email).await?;
        // Linking by e-mail: only when both sides vouch for it. Otherwise whoever
        // controls an unverified address at the provider could take the account.
        if existing
            .as_ref()
            .is_some_and(|user| !(who.email_verified && user.email_verified))
        {
            return Ok(Err("account_not_linked"));
        }
        let now = Ts::now();
        let (user, is_new) = match existing {
            Some(user) => (user, false),
            None => (
                User {
                    id: generate_id(DEFAULT_ID_LEN),
                    name: who.name.clone().unwrap_or_default(),
                    email: email.to_string(),
                    email_verified: who.email_verified,
                    image: who.image.clone(),
                    created_at: now,
                    updated_at: now,
                    two_factor_enabled: false,
                },
                true,
            ),
        };
        let account = new_account(
            &account_id,
            provider_id,
            who,
            &user.id,
            issuer,
            &account_tokens,
        );
        if is_new {
            store::create_user_with_provider_account(&self.db, self.schema, &user, &account)
                .await?;
        } else {
            store::insert_provider_account(&self.db, self.schema, &account).await?;
        }
        Ok(Ok((user, is_new)))
    }

    /// Links the provider's account to the user who asked (Better Auth's rules): the
    /// provider must vouch for an e-mail, the same as the user's; an account of someone
    /// else's stays theirs. `None` when linked, else the callback's error code.
    pub(super) async fn link_provider_account(
        &self,
        provider_id: &str,
        issuer: &str,
        who: &ProviderUser,
        email: &str,
        link: &LinkTo,
        tokens: &Tokens,
    ) -> Result<Option<&'static str>, AuthError> {
        if !who.email_verified {
            return Ok(Some("unable_to_link_account"));
        }
        if !email.eq_ignore_ascii_case(&link.email) {
            return Ok(Some("email_does_not_match"));
        }
        let account_tokens = account_tokens(tokens);
        match store::find_provider_account(&self.db, provider_id, &who.subject).await? {
            Some((_, owner)) if owner != link.user_id => {
                Ok(Some("account_already_linked_to_different_user"))
            }
            Some((row, _)) => {
                store::update_account_tokens(&self.db, &row, &account_tokens).await?;
                Ok(None)
            }
            None => {
                let id = generate_id(DEFAULT_ID_LEN);
                let account = new_account(
                    &id,
                    provider_id,
                    who,
                    &link.user_id,
                    issuer,
                    &account_tokens,
                );
                store::insert_provider_account(&self.db, self.schema, &account).await?;
                Ok(None)
            }
        }
    }

    /// The user's accounts: the password one (`credential`) and those at providers.
    pub async fn list_accounts(&self, user_id: &str) -> Result<Vec<AccountRow>, AuthError> {
        Ok(store::list_accounts(&self.db, user_id).await?)
    }

    /// Unlinks one of the user's accounts (its row id), never the last one.
    pub async fn unlink_account(&self, user_id: &str, id: &str) -> Result<(), AuthError> {
        let accounts = store::list_accounts(&self.db, user_id).await?;
        if accounts.len() <= 1 {
            return Err(Code::LastAccount.into());
        }
        if !accounts.iter().any(|a| a.id == id) {
            return Err(Code::AccountNotFound.into());
        }
        store::delete_account(&self.db, id, user_id).await?;
        Ok(())
    }
}

/// A new account row for `who` at `provider_id`, owned by `user_id`.
fn new_account<'a>(
    id: &'a str,
    provider_id: &'a str,
    who: &'a ProviderUser,
    user_id: &'a str,
    issuer: &'a str,
    tokens: &AccountTokens<'a>,
) -> NewAccount<'a> {
    NewAccount {
        id,
        provider_id,
        account_id: &who.subject,
        user_id,
        issuer,
        tokens: AccountTokens {
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            id_token: tokens.id_token,
            access_token_expires_at: tokens.access_token_expires_at,
            scope: tokens.scope,
        },
    }
}

/// The provider's tokens as an account row keeps them.
fn account_tokens(tokens: &Tokens) -> AccountTokens<'_> {
    AccountTokens {
        access_token: tokens.access_token.as_deref(),
        refresh_token: tokens.refresh_token.as_deref(),
        id_token: tokens.id_token.as_deref(),
        access_token_expires_at: tokens.access_token_expires_at.map(Ts),
        scope: tokens.scope.as_deref(),
    }
}
