//! One answer, for both doors, to "who is calling, from where, and may they".
//!
//! The REST door (axum extractors and the `/api/auth` guard) and the UI door (Leptos
//! server functions under `/api/ui`) used to rebuild this each on their own and drifted
//! apart: the server functions never saw the socket peer, so every browser shared one
//! rate-limit bucket. Now both build an [`Incoming`] from the request's parts and call
//! the functions here: the client address ([`AuthService::client_ip`]), the guard
//! (rate limit, then origin check, in Better Auth's order), and the caller (bearer JWT
//! → the UI's JWT cookie → the session cookie).

use std::net::{IpAddr, SocketAddr};

use chrono::Utc;
use http::{header, Extensions, HeaderMap};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{
    client_ip::rate_key,
    error::AuthError,
    jwt::{self, JwtError},
    origin::{check_request, RequestOrigin},
    rate_limit::RetryAfter,
    service::{AuthService, ClientInfo, SessionLookup},
    session_cookie::{read_cookie, CookieSettings},
    SessionWithUser,
};
use crate::problem::{Code, Problem};

/// The socket peer of a connection, put into each request's extensions by the accept
/// loop (framework-neutral, so that the core and the UI crate can read it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer(pub SocketAddr);

/// What the auth layer needs to know about a request.
#[derive(Clone, Copy)]
pub struct Incoming<'a> {
    pub method: &'a str,
    pub headers: &'a HeaderMap,
    pub peer: Option<SocketAddr>,
}

impl<'a> Incoming<'a> {
    /// From the parts of an `http` request (what both axum and Leptos hand over).
    pub fn new(method: &'a http::Method, headers: &'a HeaderMap, ext: &Extensions) -> Self {
        Self {
            method: method.as_str(),
            headers,
            peer: ext.get::<Peer>().map(|p| p.0),
        }
    }

    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn cookies(&self) -> impl Iterator<Item = &'a str> {
        self.headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
    }

    pub fn user_agent(&self) -> Option<String> {
        self.header(header::USER_AGENT.as_str()).map(String::from)
    }
}

/// `Authorization: Bearer <token>` (the scheme is case-insensitive, RFC 7235).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// A caller proven by a JWT.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub claims: jwt::AccessClaims,
    /// A JWT just minted from the session: the UI door sets it as its cookie.
    pub minted_jwt: Option<String>,
}

/// Why no caller could be proven; always a 401 at either door.
#[derive(Debug, thiserror::Error)]
pub enum CallerError {
    #[error("authentication required")]
    Missing,
    #[error("invalid or expired token: {0}")]
    Invalid(JwtError),
    #[error(transparent)]
    Auth(#[from] AuthError),
}

impl From<&CallerError> for Problem {
    fn from(error: &CallerError) -> Self {
        match error {
            CallerError::Missing => Code::MissingBearer.into(),
            CallerError::Invalid(_) => Code::InvalidBearer.into(),
            CallerError::Auth(e) => e.into(),
        }
    }
}

/// The session named by the session cookie, and what the response must do about it.
pub struct CookieSession {
    pub current: Option<SessionWithUser>,
    /// The session's expiry moved forward: re-set the cookie.
    pub refreshed: bool,
    /// A cookie was sent but named no live session: expire it.
    pub stale: bool,
    pub dont_remember: bool,
}

impl CookieSession {
    /// The session, or Better Auth's 401 `UNAUTHORIZED`.
    pub fn require(&self) -> Result<&SessionWithUser, AuthError> {
        self.current.as_ref().ok_or_else(AuthError::unauthorized)
    }
}

/// The claim binding a UI JWT cookie to the session it was minted from: a JWT cookie
/// left behind by another session (a sign-out elsewhere, another user signing in in
/// the same browser) is ignored instead of acting for the wrong person. Read back by
/// [`jwt::AccessClaims::session_binding`].
const SESSION_BINDING_CLAIM: &str = "sid";

fn session_binding(session_token: &str) -> String {
    let digest = Sha256::digest(session_token.as_bytes());
    base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        &digest[..16],
    )
}

impl AuthService {
    /// Cookie names, attributes and the signing key of this server.
    pub fn cookie_settings(&self) -> CookieSettings<'_> {
        CookieSettings {
            secure: self.settings().secure_cookies,
            key: self.secret_key(),
        }
    }

    /// The client's address: the peer, or behind a trusted proxy the rightmost
    /// untrusted `X-Forwarded-For` hop.
    ///
    /// A trusted proxy that sends no `X-Forwarded-For` at all makes every client look
    /// like the proxy: said once in the log, since nothing else would show it.
    pub fn client_ip(&self, req: &Incoming<'_>) -> Option<IpAddr> {
        let proxies = &self.settings().trusted_proxies;
        let mut forwarded = req
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .peekable();
        if forwarded.peek().is_none() && req.peer.is_some_and(|p| proxies.contains(p.ip())) {
            self.warn_unforwarded_once(req.peer);
        }
        proxies.client_ip(req.peer, forwarded)
    }

    /// Whether the request comes from this host itself, for what only the host may
    /// see (`/metrics`). A peer that is a trusted proxy is never this host, even on
    /// loopback: a same-host proxy that adds no `X-Forwarded-For` would otherwise make
    /// every client on the internet local (fail closed; the token still works).
    pub fn is_this_host(&self, req: &Incoming<'_>) -> bool {
        req.peer.is_some_and(|peer| {
            peer.ip().is_loopback() && !self.settings().trusted_proxies.contains(peer.ip())
        })
    }

    /// IP and user agent for a session row.
    pub fn client_info(&self, req: &Incoming<'_>) -> ClientInfo {
        ClientInfo {
            ip: self.client_ip(req).map(|ip| ip.to_string()),
            user_agent: req.user_agent(),
        }
    }

    /// Better Auth's middleware for a state-changing auth call at `path` (relative to
    /// `/api/auth`, a known route): the rate limit first, then the origin check.
    pub async fn guard(&self, req: &Incoming<'_>, path: &str) -> Result<(), AuthError> {
        if let Some(limiter) = &self.rate_limiter {
            // No address at all: every such client shares one bucket (fail closed).
            let key = self.client_ip(req).map(rate_key).unwrap_or_default();
            let now_ms = Utc::now().timestamp_millis();
            if let Err(RetryAfter(secs)) = limiter.check(&key, path, now_ms).await? {
                return Err(AuthError::RateLimited {
                    retry_after: secs.max(1) as u64,
                });
            }
        }
        self.check_origin(req, path)
    }

    /// Better Auth's origin / CSRF check alone (what every UI call gets, see
    /// `origin::check_request`); `path` decides whether the login rules apply.
    pub fn check_origin(&self, req: &Incoming<'_>, path: &str) -> Result<(), AuthError> {
        let origin = RequestOrigin::from_headers(req.method, path, |name| req.header(name));
        check_request(&origin, &self.trusted)
    }

    /// The session named by the request's session cookie. `no_refresh` leaves its
    /// expiry alone (a "don't remember me" session is never extended either).
    pub async fn cookie_session(
        &self,
        req: &Incoming<'_>,
        no_refresh: bool,
    ) -> Result<CookieSession, AuthError> {
        let settings = self.cookie_settings();
        let dont_remember = settings.dont_remember(req.cookies());
        let Some(token) = settings.session_token(req.cookies()) else {
            return Ok(CookieSession {
                current: None,
                refreshed: false,
                stale: false,
                dont_remember,
            });
        };
        let lookup = self
            .lookup_session(&token, no_refresh || dont_remember)
            .await?;
        Ok(match lookup {
            SessionLookup::Active {
                session,
                user,
                refreshed,
            } => CookieSession {
                current: Some(SessionWithUser {
                    session: *session,
                    user: *user,
                }),
                refreshed,
                stale: false,
                dont_remember,
            },
            SessionLookup::Missing | SessionLookup::Expired => CookieSession {
                current: None,
                refreshed: false,
                stale: true,
                dont_remember,
            },
        })
    }

    /// The caller of the REST API: a bearer JWT, nothing else.
    pub async fn bearer_caller(&self, req: &Incoming<'_>) -> Result<Caller, CallerError> {
        let token = bearer_token(req.headers).ok_or(CallerError::Missing)?;
        let claims = self.verify_jwt(token).await.map_err(CallerError::Invalid)?;
        Ok(Caller {
            user_id: claims.sub,
            claims: claims.token,
            minted_jwt: None,
        })
    }

    /// The caller of a UI server function: a bearer JWT if one is sent (a bad one is a
    /// 401, never a fall-back to cookies); else the UI's JWT cookie when it belongs to
    /// the session cookie beside it and that session still stands; else a JWT minted
    /// from that session.
    ///
    /// The session row is read on every call, JWT cookie or not: a sign-out, a revoke
    /// or a password change on any instance ends the UI door at once, instead of when
    /// the JWT cookie expires. One indexed read by primary-key-like `token`; the JWT
    /// still spares the user read and the signing.
    pub async fn ui_caller(&self, req: &Incoming<'_>) -> Result<Caller, CallerError> {
        if bearer_token(req.headers).is_some() {
            return self.bearer_caller(req).await;
        }
        let settings = self.cookie_settings();
        let session_token = settings
            .session_token(req.cookies())
            .ok_or(CallerError::Missing)?;
        if let Some(caller) = self.bound_jwt_caller(req, &session_token).await {
            return match self.session_is_live(&session_token).await? {
                true => Ok(caller),
                false => Err(CallerError::Missing),
            };
        }
        let SessionLookup::Active { user, .. } = self.lookup_session(&session_token, true).await?
        else {
            return Err(CallerError::Missing);
        };
        let (jwt, claims) = self.session_jwt(&user, &session_token).await?;
        Ok(Caller {
            user_id: user.id,
            claims: jwt::AccessClaims::from_signed(&claims),
            minted_jwt: Some(jwt),
        })
    }

    /// The caller proven by the UI's JWT cookie, if it is valid and was minted from
    /// `session_token` (a cookie left by another session is ignored).
    async fn bound_jwt_caller(&self, req: &Incoming<'_>, session_token: &str) -> Option<Caller> {
        let jwt = read_cookie(req.cookies(), &self.cookie_settings().jwt_name())?;
        let claims = self.verify_jwt(jwt).await.ok()?;
        let binding = session_binding(session_token);
        let bound = claims.token.session_binding() == Some(binding.as_str());
        bound.then_some(Caller {
            user_id: claims.sub,
            claims: claims.token,
            minted_jwt: None,
        })
    }

    /// A JWT for the UI's cookie, bound to the session it comes from.
    pub async fn issue_session_jwt(
        &self,
        user: &super::User,
        session_token: &str,
    ) -> Result<String, AuthError> {
        Ok(self.session_jwt(user, session_token).await?.0)
    }

    /// A session-bound JWT and the claims it carries.
    async fn session_jwt(
        &self,
        user: &super::User,
        session_token: &str,
    ) -> Result<(String, Value), AuthError> {
        let binding = session_binding(session_token);
        self.issue_jwt_with(user, &[(SESSION_BINDING_CLAIM, binding.into())])
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive_and_needs_a_token() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, v.parse().unwrap());
            h
        };
        assert_eq!(bearer_token(&with("Bearer abc")), Some("abc"));
        assert_eq!(bearer_token(&with("bearer  abc ")), Some("abc"));
        assert_eq!(bearer_token(&with("BEARER abc")), Some("abc"));
        assert_eq!(bearer_token(&with("Bearer ")), None);
        assert_eq!(bearer_token(&with("Basic abc")), None);
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }

    #[test]
    fn session_binding_is_stable_and_distinct() {
        assert_eq!(session_binding("a"), session_binding("a"));
        assert_ne!(session_binding("a"), session_binding("b"));
        assert_eq!(session_binding("a").len(), 22);
    }
}
