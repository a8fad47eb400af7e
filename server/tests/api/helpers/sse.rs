//! Reading Server-Sent Events: a stream opened with reqwest (`bytes_stream`), parsed
//! into events as they arrive. Every read has a deadline, so a test waiting for an event
//! that never comes fails instead of hanging.

use std::{pin::Pin, time::Duration};

use app::board_dom::EVENTS_URL;
use futures_util::{Stream, StreamExt};
use reqwest::{header::HeaderMap, RequestBuilder, StatusCode};
use serde_json::Value;

use super::{ApiUser, TestApp};

/// How long a test waits for an event it expects.
pub const EVENT_WAIT: Duration = Duration::from_secs(10);

/// One event: its `event:` name, `id:` and `data:`.
#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    pub event: String,
    pub id: Option<String>,
    pub data: String,
}

impl SseEvent {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or_else(|e| panic!("{self:?}: {e}"))
    }
}

type Chunks = Pin<Box<dyn Stream<Item = reqwest::Result<axum::body::Bytes>> + Send>>;

/// An open event stream (or the refusal in its place: see `status`).
pub struct EventStream {
    pub status: StatusCode,
    pub headers: HeaderMap,
    chunks: Chunks,
    buffer: String,
    /// Comment lines seen (heartbeats).
    pub comments: usize,
}

impl EventStream {
    /// Sends `req` (built on a client without a total timeout) and keeps the body open.
    pub async fn open(req: RequestBuilder) -> Self {
        let res = tokio::time::timeout(EVENT_WAIT, req.send())
            .await
            .expect("the stream answers in time")
            .expect("the stream's request");
        Self {
            status: res.status(),
            headers: res.headers().clone(),
            chunks: Box::pin(res.bytes_stream()),
            buffer: String::new(),
            comments: 0,
        }
    }

    /// The next event within `wait`; `None` if the stream ended or nothing came.
    pub async fn next_within(&mut self, wait: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(event) = self.parse_one() {
                return Some(event);
            }
            let chunk = tokio::time::timeout_at(deadline, self.chunks.next()).await;
            match chunk {
                Ok(Some(Ok(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(Some(Err(_)) | None) | Err(_) => return None,
            }
        }
    }

    /// The next event, which must come within [`EVENT_WAIT`].
    pub async fn next(&mut self) -> SseEvent {
        self.next_within(EVENT_WAIT)
            .await
            .expect("an event within the wait")
    }

    /// The next event, which must be of `kind`.
    pub async fn expect(&mut self, kind: &str) -> SseEvent {
        let event = self.next().await;
        assert_eq!(event.event, kind, "{event:?}");
        event
    }

    /// Whether the stream has ended (the server closed it) within `wait`, skipping
    /// nothing: an event instead is a failure.
    pub async fn ended_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(event) = self.parse_one() {
                panic!("expected the end of the stream, got {event:?}");
            }
            match tokio::time::timeout_at(deadline, self.chunks.next()).await {
                Ok(Some(Ok(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(Some(Err(_)) | None) => return true,
                Err(_) => return false,
            }
        }
    }

    /// The whole body as JSON: what a refused stream (401, 403, 429) answers instead.
    pub async fn json_body(mut self) -> Value {
        let mut text = std::mem::take(&mut self.buffer);
        while let Ok(Some(Ok(bytes))) = tokio::time::timeout(EVENT_WAIT, self.chunks.next()).await {
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    /// Takes one complete event block off the buffer (comment-only blocks are counted
    /// and skipped).
    fn parse_one(&mut self) -> Option<SseEvent> {
        loop {
            let end = self.buffer.find("\n\n")?;
            let block: String = self.buffer.drain(..end + 2).collect();
            let mut event = SseEvent {
                event: "message".into(),
                id: None,
                data: String::new(),
            };
            let mut has_fields = false;
            for line in block.lines().filter(|l| !l.is_empty()) {
                if line.starts_with(':') {
                    self.comments += 1;
                    continue;
                }
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                has_fields = true;
                match field {
                    "event" => event.event = value.to_string(),
                    "id" => event.id = Some(value.to_string()),
                    "data" if event.data.is_empty() => event.data = value.to_string(),
                    "data" => event.data = format!("{}\n{value}", event.data),
                    _ => {}
                }
            }
            if has_fields {
                return Some(event);
            }
        }
    }
}

impl TestApp {
    /// A client for streams: no total timeout (each read has its own deadline).
    pub fn stream_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("stream client")
    }

    /// `GET /api/{user_id}/tasks/events` as `who`, optionally resuming after `last_id`.
    pub async fn task_events(&self, who: &ApiUser, last_id: Option<&str>) -> EventStream {
        let mut req = self
            .stream_client()
            .get(self.url(&format!("/api/{}/tasks/events", who.id)))
            .bearer_auth(&who.token);
        if let Some(id) = last_id {
            req = req.header("last-event-id", id);
        }
        EventStream::open(req).await
    }

    /// `GET /api/ui/events` with a `Cookie` header, as the browser's `EventSource` sends it.
    pub async fn ui_events(&self, cookie: &str) -> EventStream {
        let req = self
            .stream_client()
            .get(self.url(EVENTS_URL))
            .header("cookie", cookie)
            .header("accept", "text/event-stream");
        EventStream::open(req).await
    }
}
