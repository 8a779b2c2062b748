//! A fake Jira Cloud tenant: a real HTTP/1.1 server on 127.0.0.1 that speaks
//! Jira's JSON shapes, page caps, error bodies and authentication rules. It
//! can serve HTTPS instead ([`FakeJira::start_tls`]), with a certificate it
//! makes at start, offering HTTP/2 and HTTP/1.1 by ALPN as Atlassian does.
//!
//! It serves the site (`{site}.atlassian.net`, told apart by the
//! `x-forwarded-host` header the host's redirect adds), the gateway
//! (`api.atlassian.com/ex/jira/{cloudId}`), and the organization admin API's
//! user search (`api.atlassian.com/admin/...`, with the organization API
//! key). It answers an endpoint it does not know with 501 and records it,
//! records every request for assertions, and can inject faults and latency.
//!
//! This module runs the server. A request is parsed and checked in `http`,
//! matched to its endpoint in `router`, and answered by the module of its
//! resource (`users`, `groups`, `projects`, `permissions`, `admin`) from the
//! [`tenant`], in Jira's JSON (`shapes`, the fake's own: it never shares the
//! connector's wire models, which it exists to test) or the admin API's.
//! Writes change the tenant, so a later extraction sees them. `faults` holds
//! what a test can inject.

mod admin;
mod clock;
mod faults;
mod groups;
mod http;
mod permissions;
mod projects;
mod router;
mod shapes;
pub mod tenant;
mod users;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

pub use faults::{Fault, FaultRule, RateLimit, Which};
pub use tenant::{
    Credential, Email, Group, Org, OrgAccount, ProductActivity, Tenant, TokenKind, User,
};

/// One request the fake received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub method: String,
    /// `acme.atlassian.net` or `api.atlassian.com`.
    pub host: String,
    /// The API path with any gateway prefix removed, e.g. `/rest/api/3/myself`.
    pub path: String,
    /// Decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// The e-mail of the Basic credential used, if any. Never the token.
    pub account: Option<String>,
    /// Which kind of credential the request carried, and which of the
    /// tenant's secrets it was; never the secret.
    pub credential: SentCredential,
    /// The request's body, if it was JSON (the admin API's search
    /// criteria and cursor; Jira's writes).
    pub body: Option<serde_json::Value>,
    /// The status sent; 0 when the connection was closed without an answer.
    pub status: u16,
    /// The fault injected into this request, if any.
    pub fault: Option<Fault>,
    /// Whether the fake knew the endpoint.
    pub known: bool,
}

/// The credential a request carried, as the log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SentCredential {
    /// No `Authorization` header.
    None,
    /// `Basic` with this e-mail.
    Basic { email: String, secret: Secret },
    /// `Bearer`.
    Bearer { secret: Secret },
    /// Another scheme, or a header the fake could not read.
    Other,
}

/// Which of the tenant's secrets a credential's token was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    /// One of the tenant's Jira API tokens, of this kind.
    JiraToken(TokenKind),
    /// The organization's admin API key.
    AdminKey,
    /// None of them.
    Unknown,
}

impl SentCredential {
    /// The secret the credential carried, if it carried one.
    pub fn secret(&self) -> Option<Secret> {
        match self {
            SentCredential::Basic { secret, .. } | SentCredential::Bearer { secret } => {
                Some(*secret)
            }
            SentCredential::None | SentCredential::Other => None,
        }
    }
}

impl Logged {
    /// Whether the request went to the organization admin API.
    pub fn is_admin(&self) -> bool {
        self.host == extractor_jira::site::GATEWAY_HOST && self.path.starts_with(http::ADMIN_PREFIX)
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub(crate) struct Shared {
    pub(crate) tenant: Mutex<Tenant>,
    log: Mutex<Vec<Logged>>,
    faults: Mutex<Vec<FaultRule>>,
    injected: Mutex<Vec<(String, Fault)>>,
    counts: Mutex<HashMap<String, u64>>,
    latency: Mutex<Duration>,
    /// Keeps the latency to within a fraction of a millisecond.
    clock: clock::Clock,
    /// Added once per new connection, before it is served: the handshake's
    /// round trip on a real network.
    connection_delay: Mutex<Duration>,
    /// Connections accepted.
    connections: AtomicU64,
    rate_limit: Mutex<Option<RateLimit>>,
    in_flight: AtomicU64,
    peak_in_flight: AtomicU64,
}

/// A running fake Jira. Stops when dropped.
pub struct FakeJira {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
    /// Over HTTPS: the certificate it serves, PEM, for a client to trust.
    certificate: Option<String>,
}

impl Drop for FakeJira {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeJira {
    /// Starts serving `tenant` on an ephemeral port of 127.0.0.1. Must be
    /// called inside a tokio runtime.
    pub async fn start(tenant: Tenant) -> std::io::Result<Self> {
        Self::serve(tenant, None).await
    }

    /// Like [`FakeJira::start`], over HTTPS with a self-signed certificate
    /// for `127.0.0.1` and `localhost` made now ([`FakeJira::certificate_pem`]),
    /// offering HTTP/2 and HTTP/1.1 by ALPN.
    pub async fn start_tls(tenant: Tenant) -> std::io::Result<Self> {
        Self::start_tls_offering(tenant, true).await
    }

    /// Over HTTPS, offering HTTP/2 by ALPN only with `http2`, else only
    /// HTTP/1.1 (a server or proxy without HTTP/2).
    pub async fn start_tls_offering(tenant: Tenant, http2: bool) -> std::io::Result<Self> {
        let made = rcgen::generate_simple_self_signed(vec![
            "127.0.0.1".to_owned(),
            "localhost".to_owned(),
        ])
        .map_err(std::io::Error::other)?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
        let mut config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(std::io::Error::other)?
                .with_no_client_auth()
                .with_single_cert(vec![made.cert.der().clone()], key)
                .map_err(std::io::Error::other)?;
        config.alpn_protocols = if http2 {
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        } else {
            vec![b"http/1.1".to_vec()]
        };
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let mut fake = Self::serve(tenant, Some(acceptor)).await?;
        fake.certificate = Some(made.cert.pem());
        Ok(fake)
    }

    async fn serve(tenant: Tenant, tls: Option<TlsAcceptor>) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            tenant: Mutex::new(tenant),
            log: Mutex::default(),
            faults: Mutex::default(),
            injected: Mutex::default(),
            counts: Mutex::default(),
            latency: Mutex::new(Duration::ZERO),
            clock: clock::Clock::start(),
            connection_delay: Mutex::new(Duration::ZERO),
            connections: AtomicU64::new(0),
            rate_limit: Mutex::new(None),
            in_flight: AtomicU64::new(0),
            peak_in_flight: AtomicU64::new(0),
        });
        let serving = shared.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let shared = serving.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    shared.connections.fetch_add(1, Ordering::SeqCst);
                    let delay = *shared
                        .connection_delay
                        .lock()
                        .expect("connection delay poisoned");
                    if !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                    let _ = stream.set_nodelay(true);
                    match tls {
                        None => serve_connection(stream, shared, false).await,
                        // A client that fails the handshake is not the fake's problem.
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
                                serve_connection(stream, shared, h2).await;
                            }
                        }
                    }
                });
            }
        });
        Ok(Self {
            addr,
            shared,
            task,
            certificate: None,
        })
    }

    /// The base URL to pass as `--upstream`: `http://127.0.0.1:PORT`, or
    /// `https://` when it serves HTTPS.
    pub fn url(&self) -> String {
        let scheme = if self.certificate.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// Over HTTPS, the certificate it serves (PEM), to be trusted by the client.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate.as_deref()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Delay added once per new connection before it is served (and, over
    /// HTTPS, before its handshake): a handshake's round trip.
    pub fn set_connection_delay(&self, delay: Duration) {
        *self
            .shared
            .connection_delay
            .lock()
            .expect("connection delay poisoned") = delay;
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.shared.log.lock().expect("log poisoned").clone()
    }

    /// Requests for endpoints the fake does not implement.
    pub fn unknown_requests(&self) -> Vec<Logged> {
        self.requests().into_iter().filter(|r| !r.known).collect()
    }

    pub fn clear_requests(&self) {
        self.shared.log.lock().expect("log poisoned").clear();
        self.shared.counts.lock().expect("counts poisoned").clear();
    }

    /// Every fault injected so far, with the path it hit, in order. Recorded
    /// when injected, so a request the client gave up on still shows.
    pub fn injected(&self) -> Vec<(String, Fault)> {
        self.shared
            .injected
            .lock()
            .expect("injected poisoned")
            .clone()
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.faults.lock().expect("faults poisoned").clear();
    }

    pub fn inject(&self, rule: FaultRule) {
        self.shared
            .faults
            .lock()
            .expect("faults poisoned")
            .push(rule);
    }

    /// Delay added before every answer.
    pub fn set_latency(&self, latency: Duration) {
        *self.shared.latency.lock().expect("latency poisoned") = latency;
    }

    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        *self.shared.rate_limit.lock().expect("rate limit poisoned") = limit;
    }

    /// The most requests the fake was handling at once.
    pub fn peak_in_flight(&self) -> u64 {
        self.shared.peak_in_flight.load(Ordering::SeqCst)
    }

    pub fn reset_peak_in_flight(&self) {
        self.shared.peak_in_flight.store(0, Ordering::SeqCst);
    }

    /// Reads or changes the tenant.
    pub fn with_tenant<R>(&self, f: impl FnOnce(&mut Tenant) -> R) -> R {
        f(&mut self.shared.tenant.lock().expect("tenant poisoned"))
    }
}

/// Serves one connection, in HTTP/2 when ALPN chose it, else HTTP/1.1.
async fn serve_connection(
    stream: impl AsyncRead + AsyncWrite + Send + Unpin + 'static,
    shared: Arc<Shared>,
    h2: bool,
) {
    let service = service_fn(move |req| {
        let shared = shared.clone();
        async move { serve(&shared, req).await }
    });
    // A client that hangs up mid-request is not the fake's problem.
    let _ = if h2 {
        http2::Builder::new(TokioExecutor::new())
            .serve_connection(TokioIo::new(stream), service)
            .await
    } else {
        http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service)
            .await
    };
}

type Response = hyper::Response<http::Body>;

/// Makes hyper drop the connection without an answer.
#[derive(Debug)]
struct Abort;

impl std::fmt::Display for Abort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("fake Jira: connection reset on purpose")
    }
}

impl std::error::Error for Abort {}

async fn serve(
    shared: &Shared,
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<Response, Abort> {
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.peak_in_flight.fetch_max(now, Ordering::SeqCst);
    let result = answer(shared, req, now).await;
    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    result
}

async fn answer(
    shared: &Shared,
    req: hyper::Request<hyper::body::Incoming>,
    now: u64,
) -> Result<Response, Abort> {
    let arrived = std::time::Instant::now();
    let latency = *shared.latency.lock().expect("latency poisoned");
    let (parts, body) = req.into_parts();
    let body = http::bytes_of(body).await;
    let limit = *shared.rate_limit.lock().expect("rate limit poisoned");
    let over_limit = limit.filter(|l| now > l.max_in_flight);
    let near_limit = limit.is_some_and(|l| now * 5 >= l.max_in_flight * 4);
    let request = http::Request::new(&parts, body);
    let fault = match over_limit {
        Some(l) => Some(Fault::Status {
            status: 429,
            retry_after: Some(l.retry_after),
        }),
        None => request
            .as_ref()
            .ok()
            .and_then(|r| faults::next_fault(shared, r)),
    };
    let (mut answer, logged) = match request {
        Ok(request) => router::handle(shared, &request, fault.as_ref()),
        Err(bad) => (bad, None),
    };
    // The latency is the time from the request's arrival to its answer, the
    // fake's own work included, as a server's response time is.
    if !latency.is_zero() {
        shared.clock.sleep_until(arrived + latency).await;
    }
    if let Some(Fault::Slow(delay)) = &fault {
        tokio::time::sleep(*delay).await;
    }
    let succeeded = (200..300).contains(&answer.status);
    let sent_status = match &fault {
        Some(Fault::Reset) if succeeded => 0,
        _ => answer.status,
    };
    if let Some(mut logged) = logged {
        logged.status = sent_status;
        logged.fault = fault.clone();
        shared.log.lock().expect("log poisoned").push(logged);
    }
    if succeeded {
        match &fault {
            Some(Fault::Reset) => return Err(Abort),
            Some(fault) => faults::spoil(&mut answer, fault),
            None => {}
        }
    }
    let mut response = answer.into_response();
    if succeeded && fault == Some(Fault::Truncate) {
        response = faults::cut_off(response).await;
    }
    if near_limit && response.status().is_success() {
        response.headers_mut().insert(
            "x-ratelimit-nearlimit",
            ::http::HeaderValue::from_static("true"),
        );
    }
    Ok(response)
}
