//! The accept loop: what `axum::serve` does, plus a deadline for the request head.
//!
//! `axum::serve` lets a client take forever to send its headers, so a few hundred
//! connections trickling one header line at a time ("slowloris") hold sockets and
//! memory indefinitely; the request timeout only starts once the head has arrived.
//! hyper has the setting (`header_read_timeout`); this loop turns it on. Everything
//! else matches `axum::serve`: HTTP/1.1 with keep-alive, the peer address as
//! `ConnectInfo`, and a graceful shutdown that lets in-flight requests finish; and a
//! lingering close (`linger`).

use std::{convert::Infallible, future::Future, time::Duration};

use axum::{
    body::{Body, Bytes},
    extract::ConnectInfo,
    http::Response,
    BoxError,
};
use http_body::Body as HttpBody;
use hyper::{body::Incoming, server::conn::http1, service::service_fn, Request};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
};
use taskdeck::auth::Peer;
use tokio::net::TcpListener;
use tower::{Service, ServiceExt};

/// Serves `app` (the router with its middleware) on `listener` until `shutdown`.
pub async fn serve<S, B>(
    listener: TcpListener,
    app: S,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) where
    S: Service<Request<Body>, Response = Response<B>, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: HttpBody<Data = Bytes, Error: Into<BoxError>> + Send + 'static,
{
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(error) => {
                    // E.g. out of file descriptors: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Small JSON answers should not wait for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            // The same address as a core type, for the auth layer and server functions.
            request.extensions_mut().insert(Peer(peer));
            app.clone().oneshot(request.map(Body::new))
        });
        // Closing lingers, so that an early answer (a 413) is read, not reset away.
        let io = TokioIo::new(crate::linger::Lingering::new(stream));
        let connection = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
