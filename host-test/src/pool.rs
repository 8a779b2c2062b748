//! The guest's outgoing connections: a pool of keep-alive connections per
//! origin (scheme, host, port), over rustls, reused across the guest's
//! requests and across the extraction's phases.
//!
//! wasmtime-wasi-http's `default_send_request` opens a connection for every
//! request: against a real site each request then pays a TCP and a TLS
//! handshake before its own round trip. Here an HTTP/1.1 connection goes back
//! to its origin's idle list once its answer was read to the end, and only
//! then: a connection whose answer failed, timed out or was dropped half-read
//! is closed, since its next bytes are not a fresh answer. Where the server
//! offers HTTP/2 by ALPN, one connection carries every request to that origin
//! at once. The deadlines of `wasi:http`'s request options (connect, first
//! byte, between bytes) apply as in `default_send_request`.

use std::collections::{HashMap, HashSet};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::uri::Scheme;
use http::{Request, Response, Uri};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::ClientConfig;
use tokio_rustls::rustls::pki_types::ServerName;
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody};

/// HTTP/2 flow-control windows. The guest reads its answers one at a time,
/// while up to `maxConcurrency` are in flight on the one connection. With
/// HTTP/2's default 64 KiB connection window, the unread answers' bytes use
/// up the window that every stream shares, and the answer the guest is
/// reading then trickles in as each other one is read: `bench --tls` at
/// 20,000 users took 132 s instead of 11 s, with 1.3 requests in flight on
/// average. A window larger than the answers in flight lets each arrive
/// whole into the host's buffers (bounded by the connection window), as
/// separate HTTP/1.1 connections' socket buffers do.
const H2_STREAM_WINDOW: u32 = 8 * 1024 * 1024;
const H2_CONNECTION_WINDOW: u32 = 64 * 1024 * 1024;

/// What the pool did, for the summary and `bench`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Requests sent.
    pub requests: u64,
    /// TCP connections opened.
    pub connections: u64,
    /// TLS handshakes completed (one per https connection).
    pub tls_handshakes: u64,
    /// Connections on which the server chose HTTP/2.
    pub http2_connections: u64,
    /// Requests sent on a connection an earlier request opened.
    pub reused: u64,
}

impl PoolStats {
    /// Requests per connection opened.
    pub fn requests_per_connection(&self) -> f64 {
        self.requests as f64 / self.connections.max(1) as f64
    }
}

/// Where a connection goes: requests to one origin may share it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Origin {
    https: bool,
    host: String,
    port: u16,
}

impl Origin {
    fn of(uri: &Uri) -> Result<Self, HttpError> {
        let https = match uri.scheme() {
            Some(s) if *s == Scheme::HTTPS => true,
            Some(s) if *s == Scheme::HTTP => false,
            _ => return Err(HttpError::HttpRequestUriInvalid),
        };
        let authority = uri.authority().ok_or(HttpError::HttpRequestUriInvalid)?;
        Ok(Self {
            https,
            // An IPv6 literal keeps no brackets: rustls and the resolver want it bare.
            host: authority
                .host()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port: authority.port_u16().unwrap_or(if https { 443 } else { 80 }),
        })
    }
}

/// The deadlines of one request, from its `wasi:http` options; 600 s each
/// when unset, as in `default_send_request`.
#[derive(Debug, Clone, Copy)]
struct Deadlines {
    connect: Duration,
    first_byte: Duration,
    between_bytes: Duration,
}

impl Deadlines {
    fn of(options: Option<RequestOptions>) -> Self {
        const UNSET: Duration = Duration::from_secs(600);
        Self {
            connect: options.and_then(|o| o.connect_timeout).unwrap_or(UNSET),
            first_byte: options.and_then(|o| o.first_byte_timeout).unwrap_or(UNSET),
            // tokio's interval refuses zero.
            between_bytes: options
                .and_then(|o| o.between_bytes_timeout)
                .unwrap_or(UNSET)
                .max(Duration::from_nanos(1)),
        }
    }
}

/// One connection's sending half.
enum Sender {
    Http1(http1::SendRequest<WasiBody>),
    Http2(http2::SendRequest<WasiBody>),
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    connections: AtomicU64,
    tls_handshakes: AtomicU64,
    http2_connections: AtomicU64,
    reused: AtomicU64,
}

struct Inner {
    tls: TlsConnector,
    /// HTTP/1.1 connections whose last answer was read to the end.
    idle: Mutex<HashMap<Origin, Vec<http1::SendRequest<WasiBody>>>>,
    /// One HTTP/2 connection per origin that offered it, shared by every request.
    shared: Mutex<HashMap<Origin, http2::SendRequest<WasiBody>>>,
    /// Origins whose server chose HTTP/1.1: requests to them open
    /// connections side by side.
    http1_origins: Mutex<HashSet<Origin>>,
    /// Per https origin, held while a connection to it is opened and its
    /// protocol is not known yet (see [`Pool::open`]).
    first_connection: Mutex<HashMap<Origin, Arc<tokio::sync::Mutex<()>>>>,
    counters: Counters,
    /// `false` makes every request open its own HTTP/1.1 connection, as
    /// wasmtime-wasi-http's `default_send_request` does: the baseline
    /// `bench --no-reuse` measures against.
    reuse: bool,
}

/// A pool of connections. Cheap to clone; clones share the connections.
/// Dropping the last clone closes the idle connections.
#[derive(Clone)]
pub struct Pool {
    inner: Arc<Inner>,
}

impl Pool {
    /// A pool whose https connections trust what `tls` trusts. `tls` should
    /// offer `h2` and `http/1.1` by ALPN (see [`crate::trust::Trust`]).
    pub fn new(tls: Arc<ClientConfig>) -> Self {
        Self {
            inner: Arc::new(Inner {
                tls: TlsConnector::from(tls),
                idle: Mutex::default(),
                shared: Mutex::default(),
                http1_origins: Mutex::default(),
                first_connection: Mutex::default(),
                counters: Counters::default(),
                reuse: true,
            }),
        }
    }

    /// A "pool" that opens a new HTTP/1.1 connection for every request and
    /// closes it after the answer, as `default_send_request` does. For
    /// measuring what reuse saves; never the default.
    pub fn without_reuse(tls: Arc<ClientConfig>) -> Self {
        let mut config = (*tls).clone();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Self {
            inner: Arc::new(Inner {
                tls: TlsConnector::from(Arc::new(config)),
                idle: Mutex::default(),
                shared: Mutex::default(),
                http1_origins: Mutex::default(),
                first_connection: Mutex::default(),
                counters: Counters::default(),
                reuse: false,
            }),
        }
    }

    pub fn stats(&self) -> PoolStats {
        let c = &self.inner.counters;
        PoolStats {
            requests: c.requests.load(Ordering::Relaxed),
            connections: c.connections.load(Ordering::Relaxed),
            tls_handshakes: c.tls_handshakes.load(Ordering::Relaxed),
            http2_connections: c.http2_connections.load(Ordering::Relaxed),
            reused: c.reused.load(Ordering::Relaxed),
        }
    }

    /// Sends `request` (its URI absolute) on a pooled connection to its
    /// origin, or on a new one.
    pub async fn send(
        &self,
        mut request: Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Result<Response<WasiBody>, HttpError> {
        let origin = Origin::of(request.uri())?;
        let deadlines = Deadlines::of(options);
        let absolute = request.uri().clone();
        self.inner.counters.requests.fetch_add(1, Ordering::Relaxed);

        // A request that a reused connection did not take (it had closed in
        // the meantime) comes back and tries the next one; only a request
        // that was never written may be sent again.
        while let Some(sender) = self.reusable(&origin, deadlines).await {
            let attempt = self
                .attempt(sender, request, &absolute, &origin, deadlines)
                .await;
            match attempt {
                Attempt::Answered(response) => {
                    self.inner.counters.reused.fetch_add(1, Ordering::Relaxed);
                    return Ok(response);
                }
                Attempt::NotSent(back) => request = back,
                Attempt::Failed(e) => return Err(e),
            }
        }

        let sender = tokio::time::timeout(deadlines.connect, self.open(&origin))
            .await
            .map_err(|_| HttpError::ConnectionTimeout)??;
        match self
            .attempt(sender, request, &absolute, &origin, deadlines)
            .await
        {
            Attempt::Answered(response) => Ok(response),
            // A fresh connection that closed before taking the request.
            Attempt::NotSent(_) => Err(HttpError::ConnectionTerminated),
            Attempt::Failed(e) => Err(e),
        }
    }

    /// Sends `request` on `sender` in the form its protocol wants: HTTP/2 the
    /// absolute URI (its `:authority`, no `Host`), HTTP/1.1 the origin form
    /// with the `Host` header wasmtime set.
    async fn attempt(
        &self,
        sender: Sender,
        mut request: Request<WasiBody>,
        absolute: &Uri,
        origin: &Origin,
        deadlines: Deadlines,
    ) -> Attempt {
        match sender {
            Sender::Http2(mut s) => {
                *request.uri_mut() = absolute.clone();
                request.headers_mut().remove(http::header::HOST);
                self.exchange(s.try_send_request(request), deadlines, None)
                    .await
            }
            Sender::Http1(mut s) => {
                *request.uri_mut() = origin_form(absolute);
                let sent = s.try_send_request(request);
                self.exchange(sent, deadlines, Some((s, origin.clone())))
                    .await
            }
        }
    }

    /// A connection to `origin` that can take a request now: the shared
    /// HTTP/2 one, or an idle HTTP/1.1 one once it is ready again. Closed
    /// ones are dropped on the way.
    async fn reusable(&self, origin: &Origin, deadlines: Deadlines) -> Option<Sender> {
        if !self.inner.reuse {
            return None;
        }
        if let Some(s) = self.shared_http2(origin) {
            return Some(Sender::Http2(s));
        }
        loop {
            let mut s = self
                .inner
                .idle
                .lock()
                .expect("pool poisoned")
                .get_mut(origin)
                .and_then(Vec::pop)?;
            // An answer read to its end leaves the connection ready within
            // a poll of its task; a closed one errs at once.
            if let Ok(Ok(())) = tokio::time::timeout(deadlines.connect, s.ready()).await {
                return Some(Sender::Http1(s));
            }
        }
    }

    /// The open HTTP/2 connection to `origin`, if there is one; a closed
    /// one is forgotten.
    fn shared_http2(&self, origin: &Origin) -> Option<http2::SendRequest<WasiBody>> {
        let mut shared = self.inner.shared.lock().expect("pool poisoned");
        let s = shared.get(origin)?;
        if s.is_closed() {
            shared.remove(origin);
            return None;
        }
        Some(s.clone())
    }

    /// A new connection for a request that found none to reuse. Until an
    /// https origin's first connection says which protocol its server
    /// speaks, requests to it wait for that one: had the server chosen
    /// HTTP/2, that connection carries them all, where opening one each
    /// (the connection check sends three requests at once) would cost a
    /// handshake each. Once a server has chosen HTTP/1.1, connections to it
    /// open side by side.
    async fn open(&self, origin: &Origin) -> Result<Sender, HttpError> {
        if !self.inner.reuse || !origin.https || self.speaks_http1(origin) {
            return self.connect(origin).await;
        }
        let gate = self
            .inner
            .first_connection
            .lock()
            .expect("pool poisoned")
            .entry(origin.clone())
            .or_default()
            .clone();
        let first = gate.lock().await;
        if let Some(s) = self.shared_http2(origin) {
            self.inner.counters.reused.fetch_add(1, Ordering::Relaxed);
            return Ok(Sender::Http2(s));
        }
        if self.speaks_http1(origin) {
            drop(first);
        }
        self.connect(origin).await
    }

    /// Whether `origin`'s server chose HTTP/1.1 for an earlier connection.
    fn speaks_http1(&self, origin: &Origin) -> bool {
        self.inner
            .http1_origins
            .lock()
            .expect("pool poisoned")
            .contains(origin)
    }

    /// Opens a connection: TCP, then TLS for https, then HTTP/2 if the
    /// server chose it by ALPN, else HTTP/1.1. Its I/O runs on its own task.
    async fn connect(&self, origin: &Origin) -> Result<Sender, HttpError> {
        let tcp = TcpStream::connect((origin.host.as_str(), origin.port))
            .await
            .map_err(HttpError::Connect)?;
        // Requests are small and each waits for its answer: no Nagle delay.
        let _ = tcp.set_nodelay(true);
        let c = &self.inner.counters;
        c.connections.fetch_add(1, Ordering::Relaxed);
        if !origin.https {
            return http1_over(tcp).await;
        }
        let name = ServerName::try_from(origin.host.clone())
            .map_err(|_| HttpError::HttpRequestUriInvalid)?;
        let tls = self
            .inner
            .tls
            .connect(name, tcp)
            .await
            .map_err(HttpError::Tls)?;
        c.tls_handshakes.fetch_add(1, Ordering::Relaxed);
        if tls.get_ref().1.alpn_protocol() != Some(b"h2") {
            self.inner
                .http1_origins
                .lock()
                .expect("pool poisoned")
                .insert(origin.clone());
            return http1_over(tls).await;
        }
        let (sender, connection) = http2::Builder::new(TokioExecutor::new())
            .initial_stream_window_size(H2_STREAM_WINDOW)
            .initial_connection_window_size(H2_CONNECTION_WINDOW)
            .handshake(TokioIo::new(tls))
            .await
            .map_err(HttpError::from)?;
        tokio::spawn(connection);
        c.http2_connections.fetch_add(1, Ordering::Relaxed);
        self.inner
            .shared
            .lock()
            .expect("pool poisoned")
            .insert(origin.clone(), sender.clone());
        Ok(Sender::Http2(sender))
    }

    /// Waits for the answer's head. With `keep`, an HTTP/1.1 connection
    /// rides along in the answer's body and returns to the pool when the
    /// body is read to its end.
    async fn exchange(
        &self,
        sent: impl Future<
            Output = Result<
                Response<Incoming>,
                hyper::client::conn::TrySendError<Request<WasiBody>>,
            >,
        >,
        deadlines: Deadlines,
        keep: Option<(http1::SendRequest<WasiBody>, Origin)>,
    ) -> Attempt {
        let keep = keep.filter(|_| self.inner.reuse);
        let response = match tokio::time::timeout(deadlines.first_byte, sent).await {
            Err(_) => return Attempt::Failed(HttpError::ConnectionReadTimeout),
            Ok(Err(mut e)) => {
                return match e.take_message() {
                    Some(request) => Attempt::NotSent(request),
                    None => Attempt::Failed(HttpError::from(e.into_error())),
                };
            }
            Ok(Ok(response)) => response,
        };
        let mut between = tokio::time::interval(deadlines.between_bytes);
        between.reset();
        let pool = self.clone();
        Attempt::Answered(response.map(|incoming| {
            PooledBody {
                incoming,
                between,
                keep: keep.map(|(sender, origin)| (sender, origin, pool)),
            }
            .boxed_unsync()
        }))
    }
}

enum Attempt {
    Answered(Response<WasiBody>),
    /// The connection closed before the request was written: it may go on
    /// another connection.
    NotSent(Request<WasiBody>),
    Failed(HttpError),
}

/// The path and query only: HTTP/1.1 sends the origin form, and the `Host`
/// header (set by wasmtime from the guest's URL) names the host.
fn origin_form(uri: &Uri) -> Uri {
    let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
    Uri::builder()
        .path_and_query(path_and_query)
        .build()
        .unwrap_or_else(|_| Uri::from_static("/"))
}

trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for T {}

async fn http1_over(stream: impl Stream) -> Result<Sender, HttpError> {
    let (sender, connection) = http1::Builder::new()
        .handshake(TokioIo::new(stream))
        .await
        .map_err(HttpError::from)?;
    // The task ends when the server closes the connection, or when the
    // last sender is dropped (a failed exchange, or the pool dropped).
    tokio::spawn(connection);
    Ok(Sender::Http1(sender))
}

/// An answer's body, with the between-bytes deadline; for HTTP/1.1 it holds
/// its connection, which goes back to the pool at a clean end of the body
/// and is closed otherwise.
struct PooledBody {
    incoming: Incoming,
    between: tokio::time::Interval,
    keep: Option<(http1::SendRequest<WasiBody>, Origin, Pool)>,
}

impl PooledBody {
    fn release(&mut self) {
        if let Some((sender, origin, pool)) = self.keep.take() {
            pool.inner
                .idle
                .lock()
                .expect("pool poisoned")
                .entry(origin)
                .or_default()
                .push(sender);
        }
    }
}

impl Body for PooledBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        match Pin::new(&mut self.incoming).poll_frame(cx) {
            Poll::Ready(None) => {
                self.release();
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => {
                // The connection is broken: never pooled.
                self.keep = None;
                Poll::Ready(Some(Err(if e.is_timeout() {
                    HttpError::HttpResponseTimeout
                } else {
                    HttpError::from(e)
                })))
            }
            Poll::Ready(Some(Ok(frame))) => {
                self.between.reset();
                if self.incoming.is_end_stream() {
                    self.release();
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Pending => {
                ready!(self.between.poll_tick(cx));
                self.keep = None;
                Poll::Ready(Some(Err(HttpError::ConnectionReadTimeout)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.incoming.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.incoming.size_hint()
    }
}
