//! Better Auth's session cookies as `Set-Cookie` strings: names (`better-auth.*`, with
//! `__Secure-` on https), attributes in Better Auth's order, signed values. Plain
//! strings so that both the REST layer and the Leptos server functions use them; which
//! of them an auth outcome sends is decided in `cookie_outcomes`.

use super::{
    cookie::{sign_cookie_value, verify_cookie_value},
    mac::HmacKey,
    passkey::{PASSKEY_CHALLENGE_TTL, PASSKEY_COOKIE},
    policy::SESSION_EXPIRES_IN,
    two_factor::{CHALLENGE_TTL, TRUST_DEVICE_COOKIE, TRUST_DEVICE_TTL, TWO_FACTOR_COOKIE},
};

const PREFIX: &str = "better-auth";
pub const SESSION_TOKEN: &str = "session_token";
pub const SESSION_DATA: &str = "session_data";
pub const DONT_REMEMBER: &str = "dont_remember";
/// A social sign-in's state cookie (`better-auth.state`), and its lifetime.
pub const OAUTH_STATE: &str = "state";
const OAUTH_STATE_MAX_AGE: i64 = 300;
/// Taskdeck's own cookie: the JWT the UI's server functions act with (HttpOnly).
const UI_JWT: &str = "taskdeck.jwt";

/// How cookies are written: the secure flag and the signing key (the server secret,
/// prepared once).
#[derive(Clone, Copy)]
pub struct CookieSettings<'a> {
    pub secure: bool,
    pub key: &'a HmacKey,
}

impl CookieSettings<'_> {
    /// Full cookie name: `better-auth.<short>`, `__Secure-` prefixed on https.
    pub fn name(&self, short: &str) -> String {
        if self.secure {
            format!("__Secure-{PREFIX}.{short}")
        } else {
            format!("{PREFIX}.{short}")
        }
    }

    /// `; Max-Age=…; Path=/; HttpOnly[; Secure]; SameSite=Lax`
    pub fn attributes(&self, max_age: Option<i64>) -> String {
        let mut attrs = String::new();
        if let Some(age) = max_age {
            attrs.push_str(&format!("; Max-Age={age}"));
        }
        attrs.push_str("; Path=/; HttpOnly");
        if self.secure {
            attrs.push_str("; Secure");
        }
        attrs.push_str("; SameSite=Lax");
        attrs
    }

    /// Cookies establishing a session. `remember == false`: a browser-session cookie
    /// (no Max-Age) plus the signed `dont_remember` marker. Better Auth always sends the
    /// configured lifetime as Max-Age, not the time left.
    pub fn session(&self, token: &str, remember: bool) -> Vec<String> {
        let max_age = SESSION_EXPIRES_IN.as_secs() as i64;
        let mut out = vec![self.signed(SESSION_TOKEN, token, remember.then_some(max_age))];
        if !remember {
            out.push(self.signed(DONT_REMEMBER, "true", None));
        }
        out
    }

    /// Cookies deleting the session cookies, and the UI's JWT minted from them.
    pub fn expired(&self) -> Vec<String> {
        let mut out: Vec<String> = [SESSION_TOKEN, SESSION_DATA, DONT_REMEMBER]
            .iter()
            .map(|short| self.expire(short))
            .collect();
        out.push(self.jwt("", 0));
        out
    }

    /// Name of the UI's JWT cookie (`__Secure-` prefixed on https).
    pub fn jwt_name(&self) -> String {
        if self.secure {
            format!("__Secure-{UI_JWT}")
        } else {
            UI_JWT.to_string()
        }
    }

    /// The UI's JWT cookie (`max_age` 0 deletes it).
    pub fn jwt(&self, value: &str, max_age: u64) -> String {
        format!(
            "{}={value}{}",
            self.jwt_name(),
            self.attributes(Some(max_age as i64))
        )
    }

    /// What a password sign-in that needs a second factor sets: no session (its
    /// cookies are deleted, `dont_remember` stays for the session to come), the
    /// signed challenge cookie, and the "don't remember me" marker when asked.
    pub fn challenge(&self, challenge: &str, remember: bool) -> Vec<String> {
        let mut out: Vec<String> = [SESSION_TOKEN, SESSION_DATA]
            .iter()
            .map(|short| self.expire(short))
            .collect();
        out.push(self.signed(
            TWO_FACTOR_COOKIE,
            challenge,
            Some(CHALLENGE_TTL.as_secs() as i64),
        ));
        if !remember {
            out.push(self.signed(DONT_REMEMBER, "true", None));
        }
        out
    }

    /// The trust-device cookie holding `value` (`<hmac>!<trust id>`), for 30 days.
    pub fn trust_device(&self, value: &str) -> String {
        self.signed(
            TRUST_DEVICE_COOKIE,
            value,
            Some(TRUST_DEVICE_TTL.as_secs() as i64),
        )
    }

    /// The passkey plugin's signed challenge cookie, naming the `verification` row
    /// that holds a ceremony's challenge, for as long as the row lives.
    pub fn passkey_challenge(&self, token: &str) -> String {
        self.signed(
            PASSKEY_COOKIE,
            token,
            Some(PASSKEY_CHALLENGE_TTL.as_secs() as i64),
        )
    }

    /// The signed `state` cookie binding a social sign-in to this browser (5 minutes).
    pub fn oauth_state(&self, state: &str) -> String {
        self.signed(OAUTH_STATE, state, Some(OAUTH_STATE_MAX_AGE))
    }

    /// Deletes cookie `short` (`two_factor`, `trust_device`, ...).
    pub fn expire(&self, short: &str) -> String {
        format!("{}={}", self.name(short), self.attributes(Some(0)))
    }

    /// The verified inner value of signed cookie `short`; `None` if absent or forged.
    pub fn signed_value<'h>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'h str>,
        short: &str,
    ) -> Option<String> {
        let raw = read_cookie(cookie_headers, &self.name(short))?;
        verify_cookie_value(raw, self.key)
    }

    fn signed(&self, short: &str, value: &str, max_age: Option<i64>) -> String {
        format!(
            "{}={}{}",
            self.name(short),
            sign_cookie_value(value, self.key),
            self.attributes(max_age)
        )
    }

    /// The session token from `Cookie` header values; `None` if absent or forged.
    pub fn session_token<'h>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'h str>,
    ) -> Option<String> {
        self.signed_value(cookie_headers, SESSION_TOKEN)
    }

    /// Whether the signed "don't remember me" marker is present.
    pub fn dont_remember<'h>(&self, cookie_headers: impl IntoIterator<Item = &'h str>) -> bool {
        self.signed_value(cookie_headers, DONT_REMEMBER)
            .is_some_and(|v| v == "true")
    }
}

/// The raw value of cookie `name` from `Cookie` header values.
pub fn read_cookie<'h>(
    cookie_headers: impl IntoIterator<Item = &'h str>,
    name: &str,
) -> Option<&'h str> {
    cookie_headers
        .into_iter()
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_cookie_round_trip() {
        let key = HmacKey::new(b"0123456789abcdef0123456789abcdef");
        let s = CookieSettings {
            secure: false,
            key: &key,
        };
        let set = s.session("tok", true);
        assert_eq!(set.len(), 1);
        assert!(set[0].ends_with("; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax"));
        let pair = set[0].split(';').next().unwrap();
        assert_eq!(
            s.session_token([format!("a=b; {pair}").as_str()])
                .as_deref(),
            Some("tok")
        );
        let secure = CookieSettings { secure: true, ..s };
        assert!(secure.session("tok", false)[0].starts_with("__Secure-better-auth.session_token="));
        assert!(secure
            .expired()
            .iter()
            .all(|c| c.contains("Max-Age=0") && c.contains("; Secure")));
    }
}
