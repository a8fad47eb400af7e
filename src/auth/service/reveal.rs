//! Secrets the UI shows once (a new TOTP secret, new backup codes): the answer to the
//! password step keeps them in a short-lived, single-use server-side row, sealed and
//! bound to the session, and the next page takes them with the handle from a cookie:
//! the first request to read it claims it (a page render may read it more than once
//! within that request), and no other request can read it again. Neither the codes
//! nor the secret ever travel in a cookie or a URL, and the session alone cannot read
//! them again (review 2026-12 L6, L7).

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::{dur, AuthService};
use crate::{
    auth::{
        error::AuthError,
        ids::{generate_id, random_string, DEFAULT_ID_LEN},
        key_envelope::{symmetric_decrypt, symmetric_encrypt},
        store,
        two_factor::SECRET_ALPHABET,
    },
    storage::Ts,
};

/// How long the next page has to show them.
const REVEAL_TTL: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// What is shown once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reveal {
    /// The `otpauth://` URI of a set-up just begun.
    pub totp_uri: Option<String>,
    pub backup_codes: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct Sealed {
    session: String,
    reveal: Reveal,
    /// The request that read it first.
    claimed_by: Option<String>,
}

fn row_id(handle: &str) -> String {
    format!("2fa-reveal-{handle}")
}

impl AuthService {
    /// Keeps `reveal` for the session's next page; the handle to take it with.
    pub async fn stash_reveal(
        &self,
        session_id: &str,
        reveal: Reveal,
    ) -> Result<String, AuthError> {
        let handle = random_string(32, SECRET_ALPHABET);
        let sealed = self.seal_reveal(&Sealed {
            session: session_id.to_string(),
            reveal,
            claimed_by: None,
        })?;
        let expires = Ts(Utc::now() + dur(REVEAL_TTL));
        let id = generate_id(DEFAULT_ID_LEN);
        store::insert_verification(&self.db, &id, &row_id(&handle), &sealed, expires).await?;
        Ok(handle)
    }

    fn seal_reveal(&self, sealed: &Sealed) -> Result<String, AuthError> {
        let plain =
            serde_json::to_string(sealed).map_err(|e| AuthError::Internal(e.to_string()))?;
        symmetric_encrypt(&plain, self.settings.secret_bytes())
            .map_err(|e| AuthError::Internal(e.to_string()))
    }

    /// What was kept under `handle` for this session, for the request `request` only:
    /// the first request claims it; `None` for any other, another session, or once
    /// expired.
    pub async fn take_reveal(
        &self,
        session_id: &str,
        handle: &str,
        request: &str,
    ) -> Result<Option<Reveal>, AuthError> {
        let id = row_id(handle);
        // Twice at most: a lost claim is looked at again (the winner may be this request).
        for _ in 0..2 {
            let Some(row) = store::peek_verification(&self.db, &id).await? else {
                return Ok(None);
            };
            if row.expires_at <= Ts::now() {
                store::take_verification(&self.db, &id).await?;
                return Ok(None);
            }
            let opened = symmetric_decrypt(&row.value, self.settings.secret_bytes())
                .ok()
                .and_then(|plain| serde_json::from_str::<Sealed>(&plain).ok());
            let Some(mut sealed) = opened.filter(|s| s.session == session_id) else {
                return Ok(None);
            };
            match sealed.claimed_by.as_deref() {
                Some(by) if by == request => return Ok(Some(sealed.reveal)),
                Some(_) => return Ok(None),
                None => {
                    sealed.claimed_by = Some(request.to_string());
                    let claimed = self.seal_reveal(&sealed)?;
                    let (seen, until) = (&row.value, row.expires_at);
                    if store::swap_verification_value(&self.db, &id, seen, &claimed, until).await? {
                        return Ok(Some(sealed.reveal));
                    }
                }
            }
        }
        Ok(None)
    }
}
