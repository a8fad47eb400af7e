//! `Connection: close` on answers sent before the request body was read.
//!
//! A handler may answer without reading the body (a 401 from the auth extractor, a 413
//! from the size limit, a 408 from the timeout). hyper then cannot reuse the
//! connection, and used to close it silently: a keep-alive client (reqwest, a browser's
//! fetch) would send its next request into a closing socket and get a transport error.
//! Saying `Connection: close` makes the client open a new connection instead.

use std::{
    pin::Pin,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    task::{ready, Context, Poll},
};

use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::{header, response::Parts, HeaderValue},
};
use http_body::{Body as HttpBody, Frame, SizeHint};

use crate::around::Around;

/// The layer: requests that announce a body have it tracked, and their answers say
/// `Connection: close` when it was not read to the end.
pub const CLOSE_IF_BODY_UNREAD: Around<Option<Arc<AtomicBool>>> =
    Around::new(track_body, close_if_unread);

fn track_body(request: &mut Request) -> Option<Arc<AtomicBool>> {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .is_some_and(|v| v.as_bytes() != b"0")
        || request.headers().contains_key(header::TRANSFER_ENCODING);
    if !announced {
        return None;
    }
    let finished = Arc::new(AtomicBool::new(false));
    let body = std::mem::take(request.body_mut());
    *request.body_mut() = Body::new(Tracked {
        inner: body,
        finished: Arc::clone(&finished),
    });
    Some(finished)
}

fn close_if_unread(finished: Option<Arc<AtomicBool>>, response: &mut Parts) {
    if finished.is_some_and(|finished| !finished.load(Ordering::Acquire)) {
        response
            .headers
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
}

/// A request body that records when it has been read to the end.
struct Tracked {
    inner: Body,
    finished: Arc<AtomicBool>,
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let frame = ready!(Pin::new(&mut self.inner).poll_frame(cx));
        if frame.is_none() || self.inner.is_end_stream() {
            self.finished.store(true, Ordering::Release);
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
