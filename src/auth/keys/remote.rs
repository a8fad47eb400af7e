//! Remote mode: the keys of an external Better Auth server's JWKS. The JWKS URL decides
//! which keys are trusted, so it must be https (loopback excepted), redirects are not
//! followed and the body is capped.

use std::time::Duration;

use serde_json::Value;
use url::Url;

use super::KeySet;
use crate::auth::{error::AuthError, jwt};

/// A slow JWKS server must not hold requests (and sockets) for long.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// A JWKS of a few dozen keys is a few KiB; anything far larger is not one.
const MAX_JWKS_BYTES: usize = 64 * 1024;

pub(super) struct Remote {
    url: Url,
    client: reqwest::Client,
}

impl Remote {
    pub(super) fn new(url: Url) -> Result<Self, AuthError> {
        check_jwks_url(&url)?;
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AuthError::Internal(format!("JWKS HTTP client: {e}")))?;
        Ok(Self { url, client })
    }

    pub(super) async fn fetch(&self) -> Result<KeySet, AuthError> {
        let url = &self.url;
        let fail = |what: String| AuthError::Internal(format!("fetching JWKS {url}: {what}"));
        let mut response = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(fail(format!("HTTP {status} (redirects are not followed)")));
        }
        if !status.is_success() {
            return Err(fail(format!("HTTP {status}")));
        }
        let body = read_capped(&mut response, MAX_JWKS_BYTES)
            .await
            .map_err(fail)?;
        let document: Value =
            serde_json::from_slice(&body).map_err(|e| fail(format!("not JSON: {e}")))?;
        // `{}` or an error object is a broken server, not "no keys": keep the old ones.
        if !document.get("keys").is_some_and(Value::is_array) {
            return Err(fail("no \"keys\" array".into()));
        }
        Ok(jwt::parse_jwks(&document))
    }
}

/// The response body, refused as soon as it exceeds `cap` bytes.
async fn read_capped(response: &mut reqwest::Response, cap: usize) -> Result<Vec<u8>, String> {
    let too_large = || format!("response larger than {cap} bytes");
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > cap {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Plain http would let anyone on the path substitute their own keys; it is accepted
/// only for this host (tests, an auth server on the same machine).
fn check_jwks_url(url: &Url) -> Result<(), AuthError> {
    let loopback = url
        .host_str()
        .is_some_and(crate::auth::client_ip::is_loopback_host);
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(AuthError::Internal(format!(
            "JWT_JWKS_URL must be an https:// URL (http:// only for localhost, \
             127.0.0.0/8 or [::1]), not {url}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        auth::{
            jwt::{Ed25519Key, JwtError},
            keys::{
                reload::Timing,
                test_support::{
                    check, http, jwks, jwks_body, remote_store, token, Upstream, SCHEMA,
                },
                KeyStore,
            },
        },
        storage::Database,
    };

    #[tokio::test]
    async fn jwks_url_must_be_https_unless_loopback() {
        let db = || Database::Sqlite(sqlx::SqlitePool::connect_lazy("sqlite::memory:").unwrap());
        let new = |url: &str| KeyStore::new(db(), SCHEMA, b"s", Some(Url::parse(url).unwrap()));
        for ok in [
            "https://auth.example.com/api/auth/jwks",
            "http://127.0.0.1:3000/api/auth/jwks",
            "http://127.8.9.10/jwks",
            "http://[::1]:8080/jwks",
            "http://localhost:3000/jwks",
            "http://LOCALHOST/jwks",
        ] {
            assert!(new(ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://auth.example.com/api/auth/jwks",
            "http://10.0.0.1/jwks",
            "http://0.0.0.0/jwks",
            "http://[::ffff:127.0.0.1]/jwks",
            "http://localhost.example.com/jwks",
            "ftp://auth.example.com/jwks",
            "file:///etc/jwks.json",
        ] {
            let error = new(refused)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(
                error.contains("must be an https:// URL"),
                "{refused}: {error:?}"
            );
        }
    }

    #[tokio::test]
    async fn redirects_are_not_followed() {
        let known = Ed25519Key::generate("known");
        let target = Upstream::start(jwks(&[&known]), Duration::ZERO).await;
        // Even a redirect carrying a valid JWKS body is not taken as one.
        let redirect = http(
            "302 Found",
            &format!("Location: {}\r\n", target.url),
            &jwks_body(&[&known]),
        );
        let upstream = Upstream::start(redirect, Duration::ZERO).await;
        let store = remote_store(&upstream.url, Timing::DEFAULT);
        assert_eq!(
            check(&store, &token(&known)).await,
            Err(JwtError::UnknownKid)
        );
        assert_eq!((upstream.hits(), target.hits()), (1, 0));
        let error = fetch_error(&store).await;
        assert!(
            error.contains("302 Found (redirects are not followed)"),
            "{error}"
        );
        assert_eq!(target.hits(), 0);
    }

    /// Fetches directly, to see why a fetch failed.
    async fn fetch_error(store: &KeyStore) -> String {
        let remote = store.remote.as_ref().expect("remote mode");
        remote
            .fetch()
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn oversized_bodies_are_refused() {
        let known = Ed25519Key::generate("known");
        let padded = |len: usize| {
            let body = jwks_body(&[&known]);
            format!("{body}{}", " ".repeat(len - body.len()))
        };
        let declared = http("200 OK", "", &padded(MAX_JWKS_BYTES + 1));
        // No Content-Length: the body ends when the connection closes.
        let undeclared = format!(
            "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{}",
            padded(MAX_JWKS_BYTES + 1)
        )
        .into_bytes();
        let just_fits = http("200 OK", "", &padded(MAX_JWKS_BYTES));
        for (reply, verifies) in [(declared, false), (undeclared, false), (just_fits, true)] {
            let upstream = Upstream::start(reply, Duration::ZERO).await;
            let store = remote_store(&upstream.url, Timing::DEFAULT);
            assert_eq!(check(&store, &token(&known)).await.is_ok(), verifies);
            assert_eq!(upstream.hits(), 1);
            let error = fetch_error(&store).await;
            assert_eq!(
                error.contains("response larger than 65536 bytes"),
                !verifies,
                "{error}"
            );
        }
    }
}
