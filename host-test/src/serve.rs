//! `extractor-jira serve`: the component's `wasi:http/incoming-handler`
//! served with hyper, as `wasmtime serve` would, but behind this host's own
//! guard: a fresh instance per request, the outbound allowlist taken from the
//! config in the request's body, the call deadline and memory cap of
//! `extract`, and one log line per request without secrets.
//!
//! The host reads the body before the guest does, because the one site the
//! instance may call is the one its config names ([`Outbound::allow_site_of`]);
//! the guest then reads the same bytes.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;

use crate::outbound::{Outbound, Upstream};
use crate::pool::Pool;
use crate::runtime::Runtime;

/// The largest request body the host reads: the guest's own limit
/// (`extractor_jira::service::MAX_REQUEST_BODY`).
const MAX_BODY: usize = extractor_jira::service::MAX_REQUEST_BODY;

/// What one request did, for its log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The status answered; 500 when the guest trapped before answering.
    pub status: u16,
    /// From the request's arrival until the guest finished the body.
    pub duration: Duration,
    /// Requests the instance sent upstream.
    pub upstream_requests: usize,
    /// The largest the instance's linear memory grew, in bytes (0 when
    /// no instance ran).
    pub peak_memory: usize,
    /// Why the instance failed, when it trapped or hit its deadline.
    pub trap: Option<String>,
}

impl std::fmt::Display for Served {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "serve: {} {} {} {} ms, {} requests upstream, peak memory {:.1} MiB",
            self.method,
            self.path,
            self.status,
            self.duration.as_millis(),
            self.upstream_requests,
            self.peak_memory as f64 / (1024.0 * 1024.0)
        )?;
        if let Some(trap) = &self.trap {
            write!(f, ", instance failed: {trap}")?;
        }
        Ok(())
    }
}

/// Where each request's [`Served`] goes: standard error by default.
pub type Log = Arc<dyn Fn(&Served) + Send + Sync>;

/// What the server needs: the loaded component, where Atlassian's hosts
/// are redirected (tests, a proxy), and where the log lines go.
pub struct ServeOptions {
    pub runtime: Arc<Runtime>,
    pub upstream: Option<Upstream>,
    pub log: Log,
}

impl ServeOptions {
    /// Serves `runtime`, logging to standard error.
    pub fn new(runtime: Arc<Runtime>, upstream: Option<Upstream>) -> Self {
        Self {
            runtime,
            upstream,
            log: Arc::new(|served| eprintln!("{served}")),
        }
    }
}

/// A running server. Dropping it stops accepting connections.
pub struct Server {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Server {
    /// The address it listens on (with the port chosen, for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves until the task ends (it does not, unless it panics).
    pub async fn wait(self) -> anyhow::Result<()> {
        let task = &mut { self }.task;
        task.await?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds `listen` (port 0 for any) and serves in the background.
pub async fn start(listen: SocketAddr, options: ServeOptions) -> anyhow::Result<Server> {
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(options);
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let shared = shared.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let shared = shared.clone();
                    async move { Ok::<_, Infallible>(handle(&shared, req).await) }
                });
                // A client that goes away mid-answer is not the server's error.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(Server { addr, task })
}

/// A body the host writes itself.
fn full(status: StatusCode, json: serde_json::Value) -> Response<HyperOutgoingBody> {
    let body = Full::new(Bytes::from(format!("{json}\n")))
        .map_err(|never| match never {})
        .boxed_unsync();
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// The config a request's body carries, for the outbound guard: the body
/// itself for `/check` and `/extract`, its `config` member for `/apply`.
/// `None` (nothing allowed) for anything else or anything unreadable.
pub fn config_of(path: &str, body: &[u8]) -> Option<String> {
    match path {
        "/check" | "/extract" => std::str::from_utf8(body).ok().map(str::to_owned),
        "/apply" => {
            let value: serde_json::Value = serde_json::from_slice(body).ok()?;
            value.get("config").map(serde_json::Value::to_string)
        }
        _ => None,
    }
}

async fn handle(options: &ServeOptions, req: Request<Incoming>) -> Response<HyperOutgoingBody> {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let mut served = Served {
        method,
        path,
        status: 500,
        duration: Duration::ZERO,
        upstream_requests: 0,
        peak_memory: 0,
        trap: None,
    };
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            served.status = 413;
            served.duration = started.elapsed();
            (options.log)(&served);
            return full(
                StatusCode::PAYLOAD_TOO_LARGE,
                serde_json::json!({"error": "bad-body", "message":
                    format!("The request body could not be read or is larger than {MAX_BODY} bytes.")}),
            );
        }
    };
    let outbound = Outbound::new(options.upstream.clone(), Pool::new(options.runtime.tls()));
    if let Some(config) = config_of(&served.path, &body) {
        outbound.allow_site_of(&config);
    }
    let mut instance = match options.runtime.instantiate_for_request(outbound).await {
        Ok(instance) => instance,
        Err(e) => {
            served.trap = Some(format!("{e:#}"));
            served.duration = started.elapsed();
            (options.log)(&served);
            return full(
                StatusCode::INTERNAL_SERVER_ERROR,
                serde_json::json!({"error": "host", "message": "The component could not be instantiated."}),
            );
        }
    };
    let request = Request::from_parts(parts, Full::new(body));
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let status = Arc::new(AtomicU16::new(500));
    let seen = status.clone();
    let sender = Mutex::new(Some(sender));
    let respond = move |response: crate::runtime::GuestResponse| {
        if let Ok(r) = &response {
            seen.store(r.status().as_u16(), Ordering::SeqCst);
        }
        if let Some(sender) = sender.lock().ok().and_then(|mut s| s.take()) {
            let _ = sender.send(response);
        }
    };
    let log = options.log.clone();
    // The guest runs beside the response: it writes the body while hyper
    // sends it, and the log line is written when it is done.
    tokio::spawn(async move {
        let result = instance.handle(request, respond).await;
        served.status = status.load(Ordering::SeqCst);
        served.trap = result.err().map(|e| format!("{e:#}"));
        served.duration = started.elapsed();
        served.upstream_requests = instance.requests().len();
        served.peak_memory = instance.peak_memory();
        log(&served);
    });
    match receiver.await {
        Ok(Ok(response)) => response,
        // The guest answered with an error code, or ended without answering.
        _ => full(
            StatusCode::INTERNAL_SERVER_ERROR,
            serde_json::json!({"error": "host", "message": "The component did not answer."}),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_of_reads_the_body_or_its_config_member() {
        let config = r#"{"appConfig": {"siteName": "acme"}}"#;
        assert_eq!(
            config_of("/check", config.as_bytes()).as_deref(),
            Some(config)
        );
        assert_eq!(
            config_of("/extract", config.as_bytes()).as_deref(),
            Some(config)
        );
        let apply = format!(r#"{{"config": {config}, "action": {{}}}}"#);
        assert_eq!(
            config_of("/apply", apply.as_bytes()).as_deref(),
            Some(r#"{"appConfig":{"siteName":"acme"}}"#)
        );
        assert_eq!(config_of("/apply", b"not json"), None);
        assert_eq!(config_of("/other", config.as_bytes()), None);
    }
}
