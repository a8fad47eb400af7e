//! The provider's tokens a signed-in user's account keeps, handed to the user's own
//! front end (`get-access-token`, `refresh-token`), as Better Auth does: an access
//! token about to run out is refreshed first, and the new tokens are kept. With them,
//! what the provider says about the user now (`account-info`).

use crate::{
    auth::{
        error::AuthError,
        service::AuthService,
        social::{Provider, ProviderUser, Tokens},
        store::{self, AccountTokens, AccountWithTokens},
    },
    problem::Code,
    storage::Ts,
};

/// An access token this close to its end is refreshed before it is handed out.
const EXPIRY_MARGIN_MS: i64 = 5_000;

impl AuthService {
    /// The account `id` of `user_id`'s and its provider.
    async fn account_and_provider(
        &self,
        user_id: &str,
        id: &str,
    ) -> Result<(AccountWithTokens, &Provider), AuthError> {
        let account = store::account_with_tokens(&self.db, id, user_id)
            .await?
            .ok_or(Code::AccountNotFound)?;
        let provider = self.provider(&account.provider_id).ok_or_else(|| {
            AuthError::detailed(
                Code::ProviderNotSupported,
                format!("Provider {} is not supported.", account.provider_id),
            )
        })?;
        Ok((account, provider))
    }

    /// A valid access token for the account (`get-access-token`): the kept one, or a
    /// new one when it is about to run out and a refresh token is kept.
    pub async fn provider_access_token(
        &self,
        user_id: &str,
        id: &str,
    ) -> Result<AccountWithTokens, AuthError> {
        Ok(self.valid_access(user_id, id).await?.0)
    }

    /// The account with a valid access token (as [`Self::provider_access_token`]), and
    /// its provider.
    async fn valid_access(
        &self,
        user_id: &str,
        id: &str,
    ) -> Result<(AccountWithTokens, &Provider), AuthError> {
        let (account, provider) = self.account_and_provider(user_id, id).await?;
        let running_out = account.access_token_expires_at.is_some_and(|at| {
            at.0.timestamp_millis() - Ts::now().0.timestamp_millis() < EXPIRY_MARGIN_MS
        });
        let account = match account.refresh_token.clone() {
            Some(refresh) if running_out => {
                self.refreshed(account, provider, &refresh, Code::FailedToGetAccessToken)
                    .await?
            }
            _ => account,
        };
        Ok((account, provider))
    }

    /// What the provider says about the account's user now (`account-info`), asked
    /// with a valid access token: `(the account, the user, the provider's answer)`.
    pub async fn provider_account_info(
        &self,
        user_id: &str,
        id: &str,
    ) -> Result<(AccountWithTokens, ProviderUser, serde_json::Value), AuthError> {
        let (account, provider) = self.valid_access(user_id, id).await?;
        let Some(access) = account.access_token.clone().filter(|t| !t.is_empty()) else {
            return Err(Code::AccessTokenNotFound.into());
        };
        match provider.user_info(&self.http, &access).await {
            Ok((who, data)) => Ok((account, who, data)),
            Err(e) => {
                tracing::info!(provider = %account.provider_id, error = %e, "userinfo refused");
                Err(Code::FailedToGetUserInfo.into())
            }
        }
    }

    /// New tokens from the provider for the account's refresh token (`refresh-token`).
    pub async fn refresh_provider_token(
        &self,
        user_id: &str,
        id: &str,
    ) -> Result<AccountWithTokens, AuthError> {
        let (account, provider) = self.account_and_provider(user_id, id).await?;
        let refresh = account
            .refresh_token
            .clone()
            .ok_or(Code::RefreshTokenNotFound)?;
        self.refreshed(
            account,
            provider,
            &refresh,
            Code::FailedToRefreshAccessToken,
        )
        .await
    }

    /// Refreshes and keeps the new tokens (a refresh token the provider did not
    /// replace stays); the account as it is now, or `refused` if the provider said no.
    async fn refreshed(
        &self,
        mut account: AccountWithTokens,
        provider: &Provider,
        refresh: &str,
        refused: Code,
    ) -> Result<AccountWithTokens, AuthError> {
        let tokens: Tokens = provider.refresh(&self.http, refresh).await.map_err(|e| {
            tracing::info!(provider = %account.provider_id, error = %e, "token refresh refused");
            AuthError::from(refused)
        })?;
        let kept = AccountTokens {
            access_token: tokens.access_token.as_deref(),
            refresh_token: tokens.refresh_token.as_deref(),
            id_token: tokens.id_token.as_deref(),
            access_token_expires_at: tokens.access_token_expires_at.map(Ts),
            scope: None,
        };
        store::update_account_tokens(&self.db, &account.id, &kept).await?;
        account.access_token = tokens.access_token.or(account.access_token);
        account.refresh_token = tokens.refresh_token.or(account.refresh_token);
        account.id_token = tokens.id_token.or(account.id_token);
        account.access_token_expires_at = tokens.access_token_expires_at.map(Ts);
        Ok(account)
    }
}
