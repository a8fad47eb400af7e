//! Sign-up and sign-in: new accounts, password checks (with the rehash of older
//! hashes), and the session each creates.

use crate::storage::Ts;

use super::{
    check_image, check_name, dur, is_valid_email, length_error, AuthService, Challenge, ClientInfo,
    SignUp, TrustCookie, DONT_REMEMBER_EXPIRES_IN, SESSION_EXPIRES_IN,
};

/// How a password sign-in ends.
pub enum SignIn {
    /// Signed in (the trust cookie renewed when a trusted device skipped the second
    /// factor).
    Done {
        session: Box<Session>,
        user: Box<User>,
        trust: TrustCookie,
    },
    /// The password was right; a second factor is due (Better Auth's
    /// `twoFactorRedirect`).
    SecondFactor {
        challenge: Challenge,
        trust: TrustCookie,
    },
}
use crate::auth::{
    error::AuthError,
    ids::{generate_id, DEFAULT_ID_LEN},
    model::{Session, User},
    password::{self, Verified},
    store,
};

impl AuthService {
    #[tracing::instrument(skip_all)]
    pub async fn sign_up(
        &self,
        input: SignUp,
        client: &ClientInfo,
    ) -> Result<(Session, User), AuthError> {
        let email = input.email.trim().to_lowercase();
        if !is_valid_email(&email) {
            return Err(AuthError::invalid_email());
        }
        password::check_length(&input.password).map_err(length_error)?;
        check_name(&input.name)?;
        if let Some(image) = &input.image {
            check_image(image)?;
        }
        if store::find_user_by_email(&self.db, &email).await?.is_some() {
            return Err(AuthError::user_exists());
        }
        let hash = self.hash(input.password).await?;
        let now = Ts::now();
        let user = User {
            id: generate_id(DEFAULT_ID_LEN),
            name: input.name,
            email,
            email_verified: false,
            image: input.image,
            created_at: now,
            updated_at: now,
            two_factor_enabled: false,
        };
        match store::create_user_with_password(
            &self.db,
            self.schema,
            &user,
            &generate_id(DEFAULT_ID_LEN),
            &hash,
        )
        .await
        {
            Ok(()) => {}
            // A concurrent sign-up with the same e-mail won the race.
            Err(e) if e.is_unique_violation() => return Err(AuthError::user_exists()),
            Err(e) => return Err(e.into()),
        }
        if let Err(error) = self
            .send_verification_mail(&user, input.callback_url.as_deref())
            .await
        {
            tracing::warn!(%error, "could not send the verification e-mail");
        }
        let session = self
            .create_session(&user.id, input.remember_me, client)
            .await?;
        Ok((session, user))
    }

    /// Checks e-mail and password. A two-factor user gets a [`Challenge`] instead of a
    /// session, unless `trust` (the trust-device cookie's value) vouches for the device.
    #[tracing::instrument(skip_all, fields(user))]
    pub async fn sign_in(
        &self,
        email: &str,
        password: String,
        remember_me: bool,
        client: &ClientInfo,
        trust: Option<&str>,
    ) -> Result<SignIn, AuthError> {
        let email = email.trim().to_lowercase();
        if !is_valid_email(&email) {
            return Err(AuthError::invalid_email());
        }
        let user = store::find_user_by_email(&self.db, &email).await?;
        self.before_password_guess(&email, user.as_ref(), client)
            .await?;
        let account = match &user {
            Some(u) => store::credential_password(&self.db, self.schema, &u.id).await?,
            None => None,
        };
        let stored = account.as_ref().and_then(|(_, hash)| hash.clone());
        let verdict = self.check_password(password.clone(), stored).await?;
        let (Some(user), Some((account_row, _)), Verified::Ok { needs_rehash }) =
            (user, account, verdict)
        else {
            self.after_wrong_password(&email).await?;
            return Err(AuthError::invalid_credentials());
        };
        tracing::Span::current().record("user", user.id.as_str());
        if needs_rehash {
            // A Better Auth scrypt hash (or old argon2 parameters): upgrade in place.
            match self.hash(password).await {
                Ok(new_hash) => {
                    store::set_account_password(&self.db, &account_row, &new_hash).await?;
                    tracing::info!(user = %user.id, "password rehashed to argon2id");
                }
                Err(error) => tracing::warn!(%error, "rehash failed; keeping the old hash"),
            }
        }
        let mut trust_cookie = TrustCookie::Unchanged;
        if user.two_factor_enabled {
            let (challenge, cookie) = self.second_factor_gate(&user, trust).await?;
            if let Some(challenge) = challenge {
                return Ok(SignIn::SecondFactor {
                    challenge,
                    trust: cookie,
                });
            }
            trust_cookie = cookie;
        }
        let session = self.create_session(&user.id, remember_me, client).await?;
        Ok(SignIn::Done {
            session: Box::new(session),
            user: Box::new(user),
            trust: trust_cookie,
        })
    }

    pub async fn create_session(
        &self,
        user_id: &str,
        remember_me: bool,
        client: &ClientInfo,
    ) -> Result<Session, AuthError> {
        let now = Ts::now();
        let lifetime = if remember_me {
            SESSION_EXPIRES_IN
        } else {
            DONT_REMEMBER_EXPIRES_IN
        };
        let session = Session {
            id: generate_id(DEFAULT_ID_LEN),
            expires_at: Ts(now.0 + dur(lifetime)),
            token: generate_id(DEFAULT_ID_LEN),
            created_at: now,
            updated_at: now,
            ip_address: Some(client.ip.clone().unwrap_or_default()),
            user_agent: Some(client.user_agent.clone().unwrap_or_default()),
            user_id: user_id.to_string(),
        };
        store::insert_session(&self.db, &session).await?;
        Ok(session)
    }
}
