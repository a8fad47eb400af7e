//! What each auth outcome does to the browser's cookies, decided once for both doors.
//!
//! The REST door (`/api/auth/*`) and the UI door (the server functions) used to build
//! these lists each on its own, and they drifted apart: after "trust this device" the
//! UI kept a "don't remember me" marker that Better Auth, and the REST door, expire
//! (architecture review 2026-12, §3.4). Now a door reads what the request says (the
//! trust cookie, the challenge cookie, the marker) with the readers here, calls a flow,
//! and sends the `Set-Cookie` lines the matching function here returns; it never names
//! a cookie itself. `server/tests/api/cookie_outcomes.rs` runs the same flows through
//! both doors and compares what they set.
//!
//! Every session established here carries the UI's `taskdeck.jwt` cookie bound to it,
//! at either door: a browser signed in through the REST door (the official client) then
//! uses the UI exactly like one signed in through the UI's forms, and the UI door does
//! not have to mint a JWT on its first call.

use super::{
    model::{Session, User},
    request::Caller,
    service::{AuthService, Passed, Prover, SignIn},
    session_cookie::DONT_REMEMBER,
    two_factor::{TrustCookie, TRUST_DEVICE_COOKIE, TWO_FACTOR_COOKIE},
};

/// `Set-Cookie` lines with at most one per cookie name: a later line for a name takes
/// the place of an earlier one. Better Auth's `expireCookie` scrubs an earlier
/// `Set-Cookie` of the same name in the same way, so that a response never carries a
/// value next to its own deletion (whatever reads raw headers would see both).
#[derive(Default)]
struct Lines(Vec<String>);

impl Lines {
    fn put(&mut self, line: String) {
        let name = cookie_name(&line).to_string();
        self.0.retain(|l| cookie_name(l) != name);
        self.0.push(line);
    }

    fn put_all(&mut self, lines: impl IntoIterator<Item = String>) {
        for line in lines {
            self.put(line);
        }
    }
}

/// The name a `Set-Cookie` line sets (what comes before the first `=`).
fn cookie_name(line: &str) -> &str {
    line.split_once('=').map_or(line, |(name, _)| name)
}

// --- what the request says -------------------------------------------------------------

impl AuthService {
    /// The trust-device cookie's verified value (`<hmac>!<trust id>`), for a password
    /// sign-in or turning two-factor off; `None` if absent or forged.
    pub fn trust_value<'h>(&self, cookies: impl IntoIterator<Item = &'h str>) -> Option<String> {
        self.cookie_settings()
            .signed_value(cookies, TRUST_DEVICE_COOKIE)
    }

    /// The pending sign-in challenge named by the signed `two_factor` cookie.
    pub fn challenge_value<'h>(
        &self,
        cookies: impl IntoIterator<Item = &'h str>,
    ) -> Option<String> {
        self.cookie_settings()
            .signed_value(cookies, TWO_FACTOR_COOKIE)
    }

    /// The social sign-in the signed `state` cookie names.
    pub fn oauth_state_value<'h>(
        &self,
        cookies: impl IntoIterator<Item = &'h str>,
    ) -> Option<String> {
        self.cookie_settings()
            .signed_value(cookies, super::session_cookie::OAUTH_STATE)
    }

    /// The state cookie, expired (a callback used or refused it).
    pub fn ended_oauth_state_cookie(&self) -> String {
        self.cookie_settings()
            .expire(super::session_cookie::OAUTH_STATE)
    }

    /// The passkey ceremony named by the signed challenge cookie.
    pub fn passkey_challenge_value<'h>(
        &self,
        cookies: impl IntoIterator<Item = &'h str>,
    ) -> Option<String> {
        self.cookie_settings()
            .signed_value(cookies, super::passkey::PASSKEY_COOKIE)
    }

    /// Whether a session made now is to be remembered: no signed "don't remember me"
    /// marker. A session made in place of another keeps the choice made at sign-in.
    pub fn remembers<'h>(&self, cookies: impl IntoIterator<Item = &'h str>) -> bool {
        !self.cookie_settings().dont_remember(cookies)
    }
}

// --- the UI's JWT cookie ---------------------------------------------------------------

impl AuthService {
    /// The UI's JWT cookie holding `jwt`, for as long as the JWT lives.
    pub fn jwt_cookie(&self, jwt: &str) -> String {
        let max_age = self.settings().jwt_expires_in.as_secs();
        self.cookie_settings().jwt(jwt, max_age)
    }

    /// The cookie for a JWT the UI's caller check had to mint (the cookie was missing,
    /// expired or another session's), if it minted one.
    pub fn minted_jwt_cookie(&self, caller: &Caller) -> Option<String> {
        caller.minted_jwt.as_deref().map(|jwt| self.jwt_cookie(jwt))
    }

    /// A JWT cookie bound to the session `token`. `None` when this server issues no
    /// JWTs (remote JWKS) or signing failed: the session stands without it, and the UI
    /// door mints one on its first call if it can.
    pub async fn session_jwt_cookie(&self, user: &User, token: &str) -> Option<String> {
        match self.issue_session_jwt(user, token).await {
            Ok(jwt) => Some(self.jwt_cookie(&jwt)),
            Err(error) => {
                tracing::debug!(%error, "no JWT cookie beside the new session");
                None
            }
        }
    }
}

// --- outcomes --------------------------------------------------------------------------

impl AuthService {
    /// A session made now (sign-up, sign-in, a second factor, a renewed session):
    /// its cookie (a browser-session cookie plus the signed marker when not
    /// remembered) and the JWT cookie bound to it.
    pub async fn session_cookies(
        &self,
        session: &Session,
        user: &User,
        remember: bool,
    ) -> Vec<String> {
        let mut out = Lines::default();
        out.put_all(self.cookie_settings().session(&session.token, remember));
        out.put_all(self.session_jwt_cookie(user, &session.token).await);
        out.0
    }

    /// The same session re-set (its expiry moved forward, or its user changed): the
    /// cookie again with its full lifetime, as Better Auth does. The token is the same,
    /// so the JWT cookie bound to it stays.
    pub fn refreshed_session_cookies(&self, token: &str, remember: bool) -> Vec<String> {
        self.cookie_settings().session(token, remember)
    }

    /// A password sign-in: the session, or (a second factor due) no session but the
    /// challenge cookie; either way what became of the trust cookie it presented.
    pub async fn sign_in_cookies(&self, outcome: &SignIn, remember: bool) -> Vec<String> {
        let settings = self.cookie_settings();
        let mut out = Lines::default();
        let trust = match outcome {
            SignIn::Done {
                session,
                user,
                trust,
            } => {
                out.put_all(self.session_cookies(session, user, remember).await);
                trust
            }
            SignIn::SecondFactor { challenge, trust } => {
                out.put_all(settings.challenge(&challenge.id, remember));
                trust
            }
        };
        out.put_all(self.trust_cookie(trust));
        out.0
    }

    /// A second factor accepted. Signing in: the new session, the challenge cookie
    /// gone and, with "trust this device", the trust cookie. Signed in: the renewed
    /// session when set-up completed.
    ///
    /// Trusting the device also expires the "don't remember me" marker, as Better
    /// Auth's plugin does (`verify-two-factor.ts`): the session cookie stays a
    /// browser-session one, but the device is now remembered for 30 days, so the
    /// session is refreshed on use again.
    pub async fn second_factor_cookies(
        &self,
        prover: &Prover,
        passed: &Passed,
        remember: bool,
    ) -> Vec<String> {
        let settings = self.cookie_settings();
        let mut out = Lines::default();
        if let Some(session) = &passed.new_session {
            out.put_all(self.session_cookies(session, &passed.user, remember).await);
        }
        if matches!(prover, Prover::SigningIn(_)) {
            out.put(settings.expire(TWO_FACTOR_COOKIE));
        }
        if let Some(value) = &passed.trust {
            out.put(settings.trust_device(value));
            out.put(settings.expire(DONT_REMEMBER));
        }
        out.0
    }

    /// Two-factor turned off: the session made in the old one's place and, when the
    /// request came from a trusted device, its trust cookie expired (the trust itself
    /// ended with every other one in the flow).
    pub async fn two_factor_off_cookies(
        &self,
        session: &Session,
        user: &User,
        remember: bool,
        trusted_device: bool,
    ) -> Vec<String> {
        let mut out = Lines::default();
        out.put_all(self.session_cookies(session, user, remember).await);
        if trusted_device {
            out.put(self.cookie_settings().expire(TRUST_DEVICE_COOKIE));
        }
        out.0
    }

    /// A sign-in challenge that can no longer be finished (expired, used up): its
    /// cookie goes, and the next try starts from the password.
    pub fn ended_challenge_cookies(&self) -> Vec<String> {
        vec![self.cookie_settings().expire(TWO_FACTOR_COOKIE)]
    }

    /// The session ended (signed out, deleted, reset, or found dead): the session
    /// cookies, the marker and the JWT cookie minted from the session.
    pub fn ended_session_cookies(&self) -> Vec<String> {
        self.cookie_settings().expired()
    }

    /// Sessions revoked by a signed-in call (perhaps its own): the JWT cookie goes, so
    /// that a JWT minted from a revoked session acts no more; for a session that still
    /// stands the UI door mints a new one.
    pub fn revoked_sessions_cookies(&self) -> Vec<String> {
        vec![self.cookie_settings().jwt("", 0)]
    }

    /// What a sign-in does with the trust cookie it presented: renewed under a new
    /// identifier, deleted (it named no trust), or left alone.
    fn trust_cookie(&self, trust: &TrustCookie) -> Option<String> {
        let settings = self.cookie_settings();
        match trust {
            TrustCookie::Unchanged => None,
            TrustCookie::Renewed(value) => Some(settings.trust_device(value)),
            TrustCookie::Forget => Some(settings.expire(TRUST_DEVICE_COOKIE)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_line_replaces_an_earlier_one_of_the_same_name() {
        let mut lines = Lines::default();
        lines.put("a=1; Path=/".into());
        lines.put("b=2; Path=/".into());
        lines.put("a=; Max-Age=0; Path=/".into());
        assert_eq!(lines.0, ["b=2; Path=/", "a=; Max-Age=0; Path=/"]);
        // A name that is a prefix of another is another cookie.
        lines.put("ab=3".into());
        assert_eq!(lines.0.len(), 3);
    }
}
