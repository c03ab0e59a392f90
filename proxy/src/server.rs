//! The accept loop: the app served over HTTP/1.1 by hyper, with the limits `axum::serve`
//! does not set. A connection must send a whole request head within `header_timeout`,
//! whether it is new or idle between keep-alive requests; at most `max_connections` are
//! open at once (past that, new ones wait in the kernel's backlog); on shutdown the
//! requests being answered finish, connections between requests or in the middle of
//! sending a head are dropped at once, and whatever is left is cut at the deadline.
//!
//! HTTP/1 only: TLS and HTTP/2 end at the reverse proxy in front, and HTTP/1's request head
//! is where a timeout can be applied (detecting a cleartext HTTP/2 preface would wait
//! for bytes with none).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// Connection limits, from `[server]`.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub header_timeout: Duration,
    pub max_connections: usize,
    pub shutdown: Duration,
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains as described above.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop, stopped) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut at_limit = false;
    tokio::pin!(shutdown);
    loop {
        // Logged once each time the limit is reached, not for every connection that waits.
        let permit = match permits.clone().try_acquire_owned() {
            Ok(permit) => {
                at_limit = false;
                permit
            }
            Err(_) => {
                if !at_limit {
                    at_limit = true;
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        "connection limit reached: new connections wait until one closes (server.max_connections)"
                    );
                }
                tokio::select! {
                    permit = permits.clone().acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (socket, peer) = match accepted {
            Ok(pair) => pair,
            Err(error) => {
                // Out of file descriptors, or a connection reset before it was accepted:
                // pause rather than spin.
                tracing::warn!(%error, "accept error");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = socket.set_nodelay(true);
        connections.spawn(connection(
            socket,
            peer,
            app.clone(),
            http.clone(),
            stopped.clone(),
            permit,
        ));
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = stop.send(true);
    let open = connections.len();
    let drained = tokio::time::timeout(limits.shutdown, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            "shutdown deadline reached: closing the connections still open (server.shutdown_seconds)"
        );
    } else if open > 0 {
        tracing::info!(open, "connections drained");
    }
    connections.shutdown().await;
}

/// One connection. The permit is held until it closes.
async fn connection(
    socket: TcpStream,
    peer: SocketAddr,
    app: Router,
    http: hyper::server::conn::http1::Builder,
    mut stopped: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    let busy = Arc::new(AtomicUsize::new(0));
    let service = {
        let busy = busy.clone();
        hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let guard = Busy::enter(&busy);
            let mut request = request.map(Body::new);
            // What `into_make_service_with_connect_info` would insert: the rate limiter
            // and the client address read it.
            request.extensions_mut().insert(ConnectInfo(peer));
            let answer = app.clone().oneshot(request);
            async move {
                let response = answer.await?;
                Ok::<_, Infallible>(response.map(|body| Body::new(Guarded { body, _busy: guard })))
            }
        })
    };
    let conn = http.serve_connection(TokioIo::new(socket), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stopped.wait_for(|stop| *stop) => {}
    }
    // Between requests, or a request head not yet complete: nothing to finish.
    if busy.load(Ordering::Acquire) == 0 {
        return;
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

/// Counts a request as being answered from the moment the app gets it until its response
/// body has been sent (the body is dropped then).
struct Busy(Arc<AtomicUsize>);

impl Busy {
    fn enter(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::AcqRel);
        Self(count.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its request counted as busy until it is dropped.
struct Guarded {
    body: Body,
    _busy: Busy,
}

impl http_body::Body for Guarded {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Raises this process's open-files soft limit to its hard limit, and says how many
/// connections fit under it: the limit less room for the database, upstream calls and
/// files.
pub fn open_files_allowance() -> Option<usize> {
    let limit = rlimit::increase_nofile_limit(u64::MAX).ok()?;
    let spare = limit.saturating_sub(RESERVED_FILES);
    Some(usize::try_from(spare).unwrap_or(usize::MAX).max(1))
}

/// File descriptors kept free of client connections.
const RESERVED_FILES: u64 = 128;
