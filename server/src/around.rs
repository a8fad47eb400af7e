//! Middleware as two plain functions around the inner service, without boxing.
//!
//! `axum::middleware::from_fn` boxes the rest of the stack (`Next`) and the handler's
//! future on every request. The server's own small middlewares (metrics, `no-store`,
//! `Connection: close` for unread bodies) only look at the request on the way in and
//! adjust the response on the way out, so an [`Around`] holds two `fn`s and its future
//! is the inner one plus what `before` handed to `after`.

use std::{
    future::Future,
    pin::Pin,
    task::{ready, Context, Poll},
};

use axum::{extract::Request, http::response::Parts, response::Response};
use tower::{Layer, Service};

/// A layer calling `before` with each request (it may change it) and `after` with its
/// response's head (status, headers, extensions; any body type) and what `before`
/// returned. A response that never comes (the client left and the future was dropped)
/// skips `after`.
pub struct Around<T> {
    before: fn(&mut Request) -> T,
    after: fn(T, &mut Parts),
}

impl<T> Around<T> {
    pub const fn new(before: fn(&mut Request) -> T, after: fn(T, &mut Parts)) -> Self {
        Self { before, after }
    }
}

impl<T> Clone for Around<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Around<T> {}

impl<S, T> Layer<S> for Around<T> {
    type Service = AroundService<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        AroundService {
            inner,
            hooks: *self,
        }
    }
}

/// [`Around`] applied to a service.
pub struct AroundService<S, T> {
    inner: S,
    hooks: Around<T>,
}

impl<S: Clone, T> Clone for AroundService<S, T> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            hooks: self.hooks,
        }
    }
}

impl<S, T, B> Service<Request> for AroundService<S, T>
where
    S: Service<Request, Response = Response<B>>,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = AroundFuture<S::Future, T>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let state = (self.hooks.before)(&mut request);
        AroundFuture {
            inner: self.inner.call(request),
            state: Some(state),
            after: self.hooks.after,
        }
    }
}

pin_project_lite::pin_project! {
    /// The inner service's future, then `after`.
    pub struct AroundFuture<F, T> {
        #[pin]
        inner: F,
        state: Option<T>,
        after: fn(T, &mut Parts),
    }
}

impl<F, T, B, E> Future for AroundFuture<F, T>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let answer = ready!(this.inner.poll(cx));
        Poll::Ready(match (answer, this.state.take()) {
            (Ok(response), Some(state)) => {
                let (mut head, body) = response.into_parts();
                (this.after)(state, &mut head);
                Ok(Response::from_parts(head, body))
            }
            (answer, _) => answer,
        })
    }
}
