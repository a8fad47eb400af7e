//! JWT signing and verification keys.
//!
//! Local mode (Better Auth's default): Ed25519 keys in the `jwks` table, private keys
//! encrypted with the secret exactly as Better Auth does, minted on first use. A key
//! that no longer decrypts (the secret changed) is skipped and a new one is minted,
//! instead of failing every request as Better Auth would.
//! Remote mode: the public keys of an external Better Auth server's JWKS.
//!
//! A token's `kid` is read before its signature is checked, so anyone can name an
//! unknown key: reloads are therefore single-flight and rate-limited (one per cooldown,
//! exponential backoff while the source fails) instead of one per request. The cached
//! set is reloaded after a TTL so that a key removed at the source, or past its
//! `expiresAt`, stops verifying; while the source is down, stale keys are kept for a
//! grace period rather than failing every request. The JWKS URL decides which keys are
//! trusted, so it must be https (loopback excepted), redirects are not followed and the
//! body is capped.

use std::time::{Duration, Instant};

use ed25519_dalek::VerifyingKey;
use serde_json::{json, Value};
use tokio::sync::{Mutex, RwLock};
use url::Url;

use crate::storage::{Database, Ts};

use super::{
    error::AuthError,
    ids::{generate_id, DEFAULT_ID_LEN},
    jwt::{self, Ed25519Key, JwtError},
    store::{self, AuthSchema},
};

/// A slow JWKS server must not hold requests (and sockets) for long.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// A JWKS of a few dozen keys is a few KiB; anything far larger is not one.
const MAX_JWKS_BYTES: usize = 64 * 1024;

type KeySet = Vec<(String, VerifyingKey)>;

/// Reload policy; a field of [`KeyStore`] so tests can shorten it.
#[derive(Debug, Clone, Copy)]
struct Timing {
    /// Least time between two reloads (an unknown `kid` triggers at most one per
    /// cooldown); also the first backoff step after a failure.
    cooldown: Duration,
    /// Cap of the exponential backoff after consecutive failures.
    max_backoff: Duration,
    /// Age after which the cached set is reloaded, even for known kids.
    ttl: Duration,
    /// How long past the TTL stale keys still verify while reloading fails. Tokens
    /// live 15 minutes by default, so an auth server down for longer issues none that
    /// need the old keys anyway; afterwards we fail closed.
    stale_grace: Duration,
    /// How long a `jwks` row past its `expiresAt` still verifies: tokens signed just
    /// before the key expired stay valid until their own `exp` (Better Auth's
    /// `jwks.gracePeriod` does the same). Must exceed `JWT_EXPIRES_IN_SECS`.
    expired_key_grace: Duration,
}

impl Timing {
    const DEFAULT: Self = Self {
        cooldown: Duration::from_secs(5),
        max_backoff: Duration::from_secs(5 * 60),
        ttl: Duration::from_secs(10 * 60),
        stale_grace: Duration::from_secs(60 * 60),
        expired_key_grace: Duration::from_secs(60 * 60),
    };

    /// The wait after `failures` consecutive failed reloads: the cooldown, doubled per
    /// failure after the first (5 s, 10 s, 20 s, …), capped.
    fn retry_delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(20);
        self.cooldown
            .saturating_mul(1 << doublings)
            .min(self.max_backoff.max(self.cooldown))
    }

    fn age(&self, loaded_at: Option<Instant>) -> Age {
        match loaded_at.map(|at| at.elapsed()) {
            None => Age::Never,
            Some(age) if age < self.ttl => Age::Fresh,
            Some(age) if age < self.ttl + self.stale_grace => Age::Stale,
            Some(_) => Age::Expired,
        }
    }
}

/// How usable the cached verification keys are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Age {
    /// Not loaded yet (it may hold our freshly minted signing key).
    Never,
    Fresh,
    /// Past the TTL: still used, but the next verification reloads.
    Stale,
    /// Past the TTL and the grace: not used until a reload succeeds.
    Expired,
}

impl Age {
    fn usable(self) -> bool {
        matches!(self, Self::Fresh | Self::Stale)
    }
}

#[derive(Default)]
struct Cache {
    keys: KeySet,
    loaded_at: Option<Instant>,
}

/// Reload bookkeeping, behind the single-flight lock.
#[derive(Debug, Default)]
struct Fetches {
    /// No reload before this instant (cooldown or backoff).
    not_before: Option<Instant>,
    failures: u32,
}

impl Fetches {
    fn due(&self) -> bool {
        self.not_before.is_none_or(|at| Instant::now() >= at)
    }

    /// Set before fetching, so that a fetch cut short (the request was dropped) still
    /// counts as an attempt.
    fn start(&mut self, timing: &Timing) {
        self.not_before =
            Some(Instant::now() + timing.retry_delay(self.failures.saturating_add(1)));
    }

    fn succeeded(&mut self, timing: &Timing) {
        self.failures = 0;
        self.not_before = Some(Instant::now() + timing.cooldown);
    }

    /// Records a failure and returns the wait before the next attempt.
    fn failed(&mut self, timing: &Timing) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let delay = timing.retry_delay(self.failures);
        self.not_before = Some(Instant::now() + delay);
        delay
    }
}

/// The signing key in use, re-selected after the TTL or once its row expires.
struct Signing {
    key: Ed25519Key,
    loaded_at: Instant,
    expires_at: Option<Ts>,
}

struct Remote {
    url: Url,
    client: reqwest::Client,
}

impl Remote {
    fn new(url: Url) -> Result<Self, AuthError> {
        check_jwks_url(&url)?;
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AuthError::Internal(format!("JWKS HTTP client: {e}")))?;
        Ok(Self { url, client })
    }

    async fn fetch(&self) -> Result<KeySet, AuthError> {
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
        .is_some_and(super::client_ip::is_loopback_host);
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(AuthError::Internal(format!(
            "JWT_JWKS_URL must be an https:// URL (http:// only for localhost, \
             127.0.0.0/8 or [::1]), not {url}"
        ))),
    }
}

/// Whether a row may still verify: no `expiresAt`, not yet expired, or expired less
/// than `grace` ago.
fn within_grace(expires_at: Option<Ts>, now: Ts, grace: Duration) -> bool {
    expires_at.is_none_or(|at| (now.0 - at.0).to_std().ok().is_none_or(|past| past < grace))
}

pub struct KeyStore {
    db: Database,
    schema: AuthSchema,
    secret: Vec<u8>,
    remote: Option<Remote>,
    timing: Timing,
    signing: RwLock<Option<Signing>>,
    verifying: RwLock<Cache>,
    /// The single-flight lock: held across a reload.
    fetches: Mutex<Fetches>,
    mint: Mutex<()>,
}

impl KeyStore {
    /// Fails if `remote` is not an acceptable JWKS URL (see [`check_jwks_url`]).
    pub fn new(
        db: Database,
        schema: AuthSchema,
        secret: &[u8],
        remote: Option<Url>,
    ) -> Result<Self, AuthError> {
        Ok(Self {
            db,
            schema,
            secret: secret.to_vec(),
            remote: remote.map(Remote::new).transpose()?,
            timing: Timing::DEFAULT,
            signing: RwLock::new(None),
            verifying: RwLock::new(Cache::default()),
            fetches: Mutex::new(Fetches::default()),
            mint: Mutex::new(()),
        })
    }

    pub fn is_remote(&self) -> bool {
        self.remote.is_some()
    }

    /// The current signing key: the newest usable EdDSA row, or a freshly minted one.
    pub async fn signing_key(&self) -> Result<Ed25519Key, AuthError> {
        if let Some(key) = self.cached_signing_key().await {
            return Ok(key);
        }
        let _guard = self.mint.lock().await;
        if let Some(key) = self.cached_signing_key().await {
            return Ok(key);
        }
        let (key, expires_at) = match self.newest_usable_row().await? {
            Some(found) => found,
            None => (self.mint_key().await?, None),
        };
        *self.signing.write().await = Some(Signing {
            key: key.clone(),
            loaded_at: Instant::now(),
            expires_at,
        });
        if self.remote.is_none() {
            let mut cache = self.verifying.write().await;
            if !cache.keys.iter().any(|(kid, _)| kid == key.kid()) {
                cache
                    .keys
                    .push((key.kid().to_string(), key.verifying_key()));
            }
        }
        Ok(key)
    }

    async fn cached_signing_key(&self) -> Option<Ed25519Key> {
        let signing = self.signing.read().await;
        let current = signing.as_ref()?;
        let fresh = current.loaded_at.elapsed() < self.timing.ttl;
        let unexpired = current.expires_at.is_none_or(|at| at > Ts::now());
        (fresh && unexpired).then(|| current.key.clone())
    }

    /// The newest unexpired EdDSA row whose private key decrypts, with its expiry.
    async fn newest_usable_row(&self) -> Result<Option<(Ed25519Key, Option<Ts>)>, AuthError> {
        let now = Ts::now();
        let rows = store::list_jwks(&self.db, self.schema).await?;
        Ok(rows.iter().find_map(|row| {
            let usable_alg = row.alg.as_deref().is_none_or(|a| a == "EdDSA");
            let unexpired = row.expires_at.is_none_or(|e| e > now);
            if !(usable_alg && unexpired) {
                return None;
            }
            match Ed25519Key::from_private_key_column(row.id.clone(), &row.private_key, &self.secret) {
                Ok(key) => Some((key, row.expires_at)),
                Err(error) => {
                    tracing::warn!(kid = %row.id, %error, "skipping a JWKS key that cannot be used (was the secret changed?)");
                    None
                }
            }
        }))
    }

    async fn mint_key(&self) -> Result<Ed25519Key, AuthError> {
        let key = Ed25519Key::generate(generate_id(DEFAULT_ID_LEN));
        let private =
            super::key_envelope::encrypt_private_key(&key.to_private_jwk_json(), &self.secret)
                .map_err(|e| AuthError::Internal(e.to_string()))?;
        store::insert_jwk(
            &self.db,
            self.schema,
            key.kid(),
            &key.public_key_json(),
            &private,
            "EdDSA",
            "Ed25519",
        )
        .await?;
        tracing::info!(kid = %key.kid(), "minted a new Ed25519 signing key");
        Ok(key)
    }

    /// The public JWKS document (`{"keys": [...]}`) of the local keys.
    pub async fn jwks_document(&self) -> Result<Value, AuthError> {
        // Better Auth mints the first key lazily, on the first /jwks call.
        self.signing_key().await?;
        let keys: Vec<Value> = self
            .load_local()
            .await?
            .iter()
            .map(|(kid, key)| jwt::public_jwk(kid, key))
            .collect();
        Ok(json!({ "keys": keys }))
    }

    /// The EdDSA rows' public keys, without rows expired longer than the grace ago.
    async fn load_local(&self) -> Result<KeySet, AuthError> {
        let now = Ts::now();
        let grace = self.timing.expired_key_grace;
        let rows = store::list_jwks(&self.db, self.schema).await?;
        Ok(rows
            .iter()
            .filter(|row| row.alg.as_deref().is_none_or(|a| a == "EdDSA"))
            .filter(|row| within_grace(row.expires_at, now, grace))
            .filter_map(|row| {
                jwt::verifying_key_from_public_jwk(&row.public_key)
                    .ok()
                    .map(|key| (row.id.clone(), key))
            })
            .collect())
    }

    async fn load(&self) -> Result<KeySet, AuthError> {
        match &self.remote {
            Some(remote) => remote.fetch().await,
            None => self.load_local().await,
        }
    }

    /// Reloads the key set, one caller at a time. Does nothing if another caller
    /// reloaded while this one waited for the lock (`seen` is the `loaded_at` it
    /// verified against), or during the cooldown/backoff. With `wait` false it also
    /// gives up at once when a reload is in flight.
    async fn refresh(&self, seen: Option<Instant>, wait: bool) {
        let mut fetches = if wait {
            self.fetches.lock().await
        } else {
            match self.fetches.try_lock() {
                Ok(guard) => guard,
                Err(_) => return,
            }
        };
        if self.verifying.read().await.loaded_at != seen || !fetches.due() {
            return;
        }
        fetches.start(&self.timing);
        match self.load().await {
            Ok(keys) => {
                fetches.succeeded(&self.timing);
                *self.verifying.write().await = Cache {
                    keys,
                    loaded_at: Some(Instant::now()),
                };
            }
            Err(error) => {
                let retry_in = fetches.failed(&self.timing);
                // One line per attempt, and attempts are spaced by the backoff.
                tracing::warn!(
                    %error,
                    failures = fetches.failures,
                    retry_in_secs = retry_in.as_secs_f64(),
                    cached_keys_usable = self.timing.age(seen).usable(),
                    "could not reload the JWT verification keys"
                );
            }
        }
    }

    /// Verifies against the cached keys; also returns their age and load time.
    async fn verify_cached(
        &self,
        token: &str,
        validation: &jwt::Validation,
        now_secs: i64,
    ) -> (Result<Value, JwtError>, Age, Option<Instant>) {
        let cache = self.verifying.read().await;
        let age = self.timing.age(cache.loaded_at);
        let keys: &[(String, VerifyingKey)] = if age == Age::Expired {
            &[]
        } else {
            &cache.keys
        };
        let result = jwt::verify(token, &jwt::VerifyKey::Ed25519(keys), validation, now_secs);
        (result, age, cache.loaded_at)
    }

    /// Verifies an EdDSA token against the key set. An unknown kid, or keys past their
    /// TTL, lead to a reload (within the limits of [`Self::refresh`]) and a second try.
    pub async fn verify(
        &self,
        token: &str,
        validation: &jwt::Validation,
        now_secs: i64,
    ) -> Result<Value, JwtError> {
        let (first, age, seen) = self.verify_cached(token, validation, now_secs).await;
        let unknown = matches!(first, Err(JwtError::UnknownKid));
        let wait = match age {
            Age::Fresh if !unknown => return first,
            // Known key, stale set: one caller reloads, the others go on meanwhile.
            Age::Stale if !unknown => false,
            _ => true,
        };
        self.refresh(seen, wait).await;
        self.verify_cached(token, validation, now_secs).await.0
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };

    use tokio::{
        io::{AsyncReadExt, AsyncWriteExt},
        net::{TcpListener, TcpStream},
    };

    use super::*;
    use crate::config::DatabaseConfig;

    const SCHEMA: AuthSchema = AuthSchema {
        account_issuer: true,
        jwks_alg: true,
        jwks_expires_at: true,
    };

    /// A JWKS server on 127.0.0.1 answering every request with the same raw HTTP
    /// response (empty: close without answering) after `delay`, counting requests.
    struct Upstream {
        url: Url,
        hits: Arc<AtomicUsize>,
        reply: Arc<std::sync::Mutex<Vec<u8>>>,
    }

    impl Upstream {
        async fn start(reply: Vec<u8>, delay: Duration) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let url = Url::parse(&format!("http://{}/jwks", listener.local_addr().unwrap()))
                .expect("url");
            let hits = Arc::new(AtomicUsize::new(0));
            let reply = Arc::new(std::sync::Mutex::new(reply));
            let (counter, answer) = (hits.clone(), reply.clone());
            tokio::spawn(async move {
                while let Ok((socket, _)) = listener.accept().await {
                    tokio::spawn(answer_one(socket, counter.clone(), answer.clone(), delay));
                }
            });
            Self { url, hits, reply }
        }

        fn hits(&self) -> usize {
            self.hits.load(Ordering::SeqCst)
        }

        fn set_reply(&self, reply: Vec<u8>) {
            *self.reply.lock().unwrap() = reply;
        }
    }

    async fn answer_one(
        mut socket: TcpStream,
        hits: Arc<AtomicUsize>,
        reply: Arc<std::sync::Mutex<Vec<u8>>>,
        delay: Duration,
    ) {
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        hits.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(delay).await;
        let reply = reply.lock().unwrap().clone();
        let _ = socket.write_all(&reply).await;
        let _ = socket.shutdown().await;
    }

    fn http(status: &str, headers: &str, body: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n{headers}\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    fn jwks_body(keys: &[&Ed25519Key]) -> String {
        let keys: Vec<Value> = keys.iter().map(|key| key.public_jwk()).collect();
        json!({ "keys": keys }).to_string()
    }

    fn jwks(keys: &[&Ed25519Key]) -> Vec<u8> {
        http("200 OK", "", &jwks_body(keys))
    }

    fn server_error() -> Vec<u8> {
        http("500 Internal Server Error", "", "{}")
    }

    fn token(key: &Ed25519Key) -> String {
        let now = chrono::Utc::now().timestamp();
        jwt::sign_eddsa(
            key,
            &json!({ "sub": "user-1", "iat": now, "exp": now + 300 }),
        )
    }

    fn stranger_token() -> String {
        token(&Ed25519Key::generate(generate_id(DEFAULT_ID_LEN)))
    }

    async fn check(store: &KeyStore, token: &str) -> Result<Value, JwtError> {
        let now = chrono::Utc::now().timestamp();
        store.verify(token, &jwt::Validation::default(), now).await
    }

    fn remote_store(url: &Url, timing: Timing) -> KeyStore {
        // Remote mode never touches the database.
        let db = Database::Sqlite(sqlx::SqlitePool::connect_lazy("sqlite::memory:").unwrap());
        let mut store = KeyStore::new(db, SCHEMA, b"secret", Some(url.clone())).expect("store");
        store.timing = timing;
        store
    }

    fn millis(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn backoff_doubles_from_the_cooldown_up_to_the_cap() {
        let t = Timing::DEFAULT;
        let secs: Vec<u64> = (0..10).map(|n| t.retry_delay(n).as_secs()).collect();
        assert_eq!(secs, [5, 5, 10, 20, 40, 80, 160, 300, 300, 300]);
        assert_eq!(t.retry_delay(u32::MAX), t.max_backoff);
    }

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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn unknown_kids_share_one_fetch() {
        let known = Ed25519Key::generate("known");
        let upstream = Upstream::start(jwks(&[&known]), millis(200)).await;
        let store = Arc::new(remote_store(&upstream.url, Timing::DEFAULT));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..50 {
            let store = store.clone();
            tasks.spawn(async move { check(&store, &stranger_token()).await });
        }
        while let Some(result) = tasks.join_next().await {
            assert_eq!(result.expect("task"), Err(JwtError::UnknownKid));
        }
        assert_eq!(upstream.hits(), 1);
        // Within the cooldown a new unknown kid is refused without a fetch; the keys of
        // that one fetch verify.
        assert_eq!(
            check(&store, &stranger_token()).await,
            Err(JwtError::UnknownKid)
        );
        assert!(check(&store, &token(&known)).await.is_ok());
        assert_eq!(upstream.hits(), 1);
    }

    #[tokio::test]
    async fn a_failing_upstream_is_retried_with_backoff() {
        let known = Ed25519Key::generate("known");
        let upstream = Upstream::start(server_error(), Duration::ZERO).await;
        let timing = Timing {
            cooldown: millis(300),
            ..Timing::DEFAULT
        };
        let store = remote_store(&upstream.url, timing);
        for _ in 0..20 {
            assert_eq!(
                check(&store, &token(&known)).await,
                Err(JwtError::UnknownKid)
            );
        }
        assert_eq!(
            upstream.hits(),
            1,
            "one fetch per cooldown, not per request"
        );

        // Retry after 300 ms (failure 1), then only after 600 ms (failure 2).
        tokio::time::sleep(millis(350)).await;
        assert_eq!(
            check(&store, &stranger_token()).await,
            Err(JwtError::UnknownKid)
        );
        assert_eq!(upstream.hits(), 2);
        tokio::time::sleep(millis(350)).await;
        assert_eq!(
            check(&store, &stranger_token()).await,
            Err(JwtError::UnknownKid)
        );
        assert_eq!(upstream.hits(), 2, "still backing off");
        assert_eq!(store.fetches.lock().await.failures, 2);

        // A connection closed without an answer counts as a failure too.
        upstream.set_reply(Vec::new());
        tokio::time::sleep(millis(350)).await;
        assert_eq!(
            check(&store, &token(&known)).await,
            Err(JwtError::UnknownKid)
        );
        assert_eq!(upstream.hits(), 3);
        assert_eq!(store.fetches.lock().await.failures, 3);

        // Recovery resets the backoff to the cooldown.
        upstream.set_reply(jwks(&[&known]));
        tokio::time::sleep(millis(1250)).await;
        assert!(check(&store, &token(&known)).await.is_ok());
        assert_eq!(upstream.hits(), 4);
        assert_eq!(store.fetches.lock().await.failures, 0);
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

    #[tokio::test]
    async fn a_key_removed_upstream_stops_verifying_after_the_ttl() {
        let (old, new) = (Ed25519Key::generate("old"), Ed25519Key::generate("new"));
        let upstream = Upstream::start(jwks(&[&old]), Duration::ZERO).await;
        let timing = Timing {
            cooldown: millis(50),
            ttl: millis(300),
            ..Timing::DEFAULT
        };
        let store = remote_store(&upstream.url, timing);
        assert!(check(&store, &token(&old)).await.is_ok());
        upstream.set_reply(jwks(&[&new]));
        assert!(
            check(&store, &token(&old)).await.is_ok(),
            "cached until the TTL"
        );
        assert_eq!(upstream.hits(), 1);

        tokio::time::sleep(millis(400)).await;
        assert_eq!(check(&store, &token(&old)).await, Err(JwtError::UnknownKid));
        assert_eq!(upstream.hits(), 2);
        assert!(check(&store, &token(&new)).await.is_ok());
        assert_eq!(upstream.hits(), 2);
    }

    #[tokio::test]
    async fn stale_keys_outlive_an_outage_only_for_the_grace_period() {
        let key = Ed25519Key::generate("key");
        let upstream = Upstream::start(jwks(&[&key]), Duration::ZERO).await;
        let timing = Timing {
            cooldown: millis(200),
            ttl: millis(200),
            stale_grace: millis(600),
            ..Timing::DEFAULT
        };
        let store = remote_store(&upstream.url, timing);
        assert!(check(&store, &token(&key)).await.is_ok());
        upstream.set_reply(server_error());

        tokio::time::sleep(millis(300)).await;
        assert!(
            check(&store, &token(&key)).await.is_ok(),
            "stale keys in use"
        );
        assert_eq!(upstream.hits(), 2, "the stale set was refetched");
        assert!(check(&store, &token(&key)).await.is_ok());
        assert_eq!(upstream.hits(), 2, "backing off");

        tokio::time::sleep(millis(600)).await;
        assert_eq!(check(&store, &token(&key)).await, Err(JwtError::UnknownKid));
        assert_eq!(upstream.hits(), 3);
    }

    async fn local_store(dir: &tempfile::TempDir, timing: Timing) -> KeyStore {
        let path = dir.path().join("keys.db").display().to_string();
        let db = Database::connect(&DatabaseConfig::Sqlite(path))
            .await
            .expect("db");
        let schema = AuthSchema::detect(&db).await.expect("schema");
        let mut store = KeyStore::new(db, schema, b"local secret", None).expect("store");
        store.timing = timing;
        store
    }

    /// Inserts `key` as a `jwks` row expiring at `expires_at`.
    async fn insert_row(store: &KeyStore, key: &Ed25519Key, expires_at: Option<Ts>) {
        let private = crate::auth::key_envelope::encrypt_private_key(
            &key.to_private_jwk_json(),
            &store.secret,
        )
        .unwrap();
        let public = key.public_key_json();
        store::insert_jwk(
            &store.db,
            store.schema,
            key.kid(),
            &public,
            &private,
            "EdDSA",
            "Ed25519",
        )
        .await
        .expect("insert");
        let sql = r#"UPDATE "jwks" SET "expiresAt" = $1 WHERE "id" = $2"#;
        crate::with_pool!(&store.db, |pool| sqlx::query(sql)
            .bind(expires_at)
            .bind(key.kid())
            .execute(pool)
            .await
            .map(|_| ()))
        .expect("update");
    }

    #[tokio::test]
    async fn expired_rows_verify_only_within_the_grace() {
        let dir = tempfile::tempdir().unwrap();
        let store = local_store(&dir, Timing::DEFAULT).await;
        let ago = |minutes| Some(Ts(chrono::Utc::now() - chrono::Duration::minutes(minutes)));
        let long_expired = Ed25519Key::generate("long-expired");
        let just_expired = Ed25519Key::generate("just-expired");
        insert_row(&store, &long_expired, ago(61)).await;
        insert_row(&store, &just_expired, ago(10)).await;

        let kids: Vec<String> = store
            .load_local()
            .await
            .unwrap()
            .into_iter()
            .map(|k| k.0)
            .collect();
        assert_eq!(kids, ["just-expired"]);
        assert_eq!(
            check(&store, &token(&long_expired)).await,
            Err(JwtError::UnknownKid)
        );
        assert!(check(&store, &token(&just_expired)).await.is_ok());
        // Neither signs: a new key is minted.
        let signing = store.signing_key().await.unwrap();
        assert!(![long_expired.kid(), just_expired.kid()].contains(&signing.kid()));
    }

    #[tokio::test]
    async fn a_deleted_row_stops_verifying_and_signing_after_the_ttl() {
        let dir = tempfile::tempdir().unwrap();
        let timing = Timing {
            cooldown: millis(50),
            ttl: millis(300),
            ..Timing::DEFAULT
        };
        let store = local_store(&dir, timing).await;
        let key = store.signing_key().await.unwrap();
        assert!(check(&store, &token(&key)).await.is_ok());
        crate::with_pool!(&store.db, |pool| sqlx::query(r#"DELETE FROM "jwks""#)
            .execute(pool)
            .await
            .map(|_| ()))
        .expect("delete");
        assert!(
            check(&store, &token(&key)).await.is_ok(),
            "cached until the TTL"
        );

        tokio::time::sleep(millis(400)).await;
        assert_eq!(check(&store, &token(&key)).await, Err(JwtError::UnknownKid));
        let replacement = store.signing_key().await.unwrap();
        assert_ne!(replacement.kid(), key.kid());
        assert!(check(&store, &token(&replacement)).await.is_ok());
    }
}
