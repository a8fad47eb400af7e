//! Fixtures shared by the key store's tests: a fake JWKS server, tokens, stores.

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use serde_json::{json, Value};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};
use url::Url;

use super::{reload::Timing, KeyStore};
use crate::{
    auth::{
        ids::{generate_id, DEFAULT_ID_LEN},
        jwt::{self, Ed25519Key, JwtError},
        store::AuthSchema,
    },
    storage::Database,
};

pub(super) const SCHEMA: AuthSchema = AuthSchema {
    account_issuer: true,
    jwks_alg: true,
    jwks_expires_at: true,
};

/// A JWKS server on 127.0.0.1 answering every request with the same raw HTTP
/// response (empty: close without answering) after `delay`, counting requests.
pub(super) struct Upstream {
    pub(super) url: Url,
    hits: Arc<AtomicUsize>,
    reply: Arc<std::sync::Mutex<Vec<u8>>>,
}

impl Upstream {
    pub(super) async fn start(reply: Vec<u8>, delay: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url =
            Url::parse(&format!("http://{}/jwks", listener.local_addr().unwrap())).expect("url");
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

    pub(super) fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    pub(super) fn set_reply(&self, reply: Vec<u8>) {
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

pub(super) fn http(status: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n{headers}\r\n{body}",
        body.len()
    )
    .into_bytes()
}

pub(super) fn jwks_body(keys: &[&Ed25519Key]) -> String {
    let keys: Vec<Value> = keys.iter().map(|key| key.public_jwk()).collect();
    json!({ "keys": keys }).to_string()
}

pub(super) fn jwks(keys: &[&Ed25519Key]) -> Vec<u8> {
    http("200 OK", "", &jwks_body(keys))
}

pub(super) fn server_error() -> Vec<u8> {
    http("500 Internal Server Error", "", "{}")
}

pub(super) fn token(key: &Ed25519Key) -> String {
    let now = chrono::Utc::now().timestamp();
    jwt::sign_eddsa(
        key,
        &json!({ "sub": "user-1", "iat": now, "exp": now + 300 }),
    )
}

pub(super) fn stranger_token() -> String {
    token(&Ed25519Key::generate(generate_id(DEFAULT_ID_LEN)))
}

pub(super) async fn check(store: &KeyStore, token: &str) -> Result<jwt::AccessClaims, JwtError> {
    let now = chrono::Utc::now().timestamp();
    store.verify(token, &jwt::Validation::default(), now).await
}

pub(super) fn remote_store(url: &Url, timing: Timing) -> KeyStore {
    // Remote mode never touches the database.
    let db = Database::Sqlite(sqlx::SqlitePool::connect_lazy("sqlite::memory:").unwrap());
    let mut store = KeyStore::new(db, SCHEMA, b"secret", Some(url.clone())).expect("store");
    store.timing = timing;
    store
}

pub(super) fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}
