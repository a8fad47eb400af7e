//! Sessions: lookup with Better Auth's sliding refresh, freshness, sign-out and
//! revocation.

use chrono::Utc;

use crate::storage::Ts;

use super::{
    dur, AuthService, SessionLookup, SESSION_EXPIRES_IN, SESSION_FRESH_AGE, SESSION_UPDATE_AGE,
};
use crate::auth::{error::AuthError, model::Session, store};

impl AuthService {
    /// Looks up a session by raw token, deleting it if expired and extending it when
    /// `updateAge` has passed (unless `no_refresh`, e.g. a "don't remember" session).
    pub async fn lookup_session(
        &self,
        token: &str,
        no_refresh: bool,
    ) -> Result<SessionLookup, AuthError> {
        let Some(mut session) = store::find_session(&self.db, token).await? else {
            return Ok(SessionLookup::Missing);
        };
        let now = Ts::now();
        if session.expires_at <= now {
            store::delete_session_by_token(&self.db, token).await?;
            return Ok(SessionLookup::Expired);
        }
        let Some(user) = store::find_user_by_id(&self.db, &session.user_id).await? else {
            store::delete_session_by_token(&self.db, token).await?;
            return Ok(SessionLookup::Expired);
        };
        let mut refreshed = false;
        let due = session.expires_at.0 - dur(SESSION_EXPIRES_IN) + dur(SESSION_UPDATE_AGE);
        if !no_refresh && due <= now.0 {
            let expires_at = Ts(now.0 + dur(SESSION_EXPIRES_IN));
            store::extend_session(&self.db, &session.id, expires_at, now).await?;
            session.expires_at = expires_at;
            session.updated_at = now;
            refreshed = true;
        }
        Ok(SessionLookup::Active {
            session: Box::new(session),
            user: Box::new(user),
            refreshed,
        })
    }

    /// Whether the session named by `token` still exists and has not expired: one
    /// indexed read, nothing written (a live stream re-checks its session with it, so
    /// that signing out or revoking the session ends the stream).
    pub async fn session_is_live(&self, token: &str) -> Result<bool, AuthError> {
        let session = store::find_session(&self.db, token).await?;
        Ok(session.is_some_and(|s| s.expires_at > Ts::now()))
    }

    pub fn is_fresh(session: &Session) -> bool {
        Utc::now() - session.created_at.0 < dur(SESSION_FRESH_AGE)
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), AuthError> {
        self.end_session(token).await
    }

    /// Deletes the session with `token`, and says so to the session-bound streams.
    pub(super) async fn end_session(&self, token: &str) -> Result<(), AuthError> {
        if let Some(user_id) = store::delete_session_by_token(&self.db, token).await? {
            self.sessions_ended(&user_id);
        }
        Ok(())
    }

    /// Deletes all of the user's sessions but `keep`, and says so.
    pub(super) async fn end_sessions(
        &self,
        user_id: &str,
        keep: Option<&str>,
    ) -> Result<(), AuthError> {
        store::delete_user_sessions(&self.db, user_id, keep).await?;
        self.sessions_ended(user_id);
        Ok(())
    }

    pub async fn list_sessions(&self, user_id: &str) -> Result<Vec<Session>, AuthError> {
        Ok(store::list_sessions(&self.db, user_id, Ts::now()).await?)
    }

    #[tracing::instrument(skip_all, fields(user = %user_id))]
    pub async fn revoke_session(&self, user_id: &str, token: &str) -> Result<(), AuthError> {
        store::delete_user_session(&self.db, user_id, token).await?;
        self.sessions_ended(user_id);
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(user = %user_id))]
    pub async fn revoke_session_by_id(&self, user_id: &str, id: &str) -> Result<(), AuthError> {
        store::delete_user_session_by_id(&self.db, user_id, id).await?;
        self.sessions_ended(user_id);
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(user = %user_id))]
    pub async fn revoke_sessions(
        &self,
        user_id: &str,
        keep: Option<&str>,
    ) -> Result<(), AuthError> {
        self.end_sessions(user_id, keep).await
    }
}
