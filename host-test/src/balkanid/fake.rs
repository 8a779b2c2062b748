//! A fake BalkanID Bulk upload API, with the storage behind its pre-signed
//! URLs: a real HTTP/1.1 server on 127.0.0.1, so the real client, sockets
//! and all, is what the tests exercise.
//!
//! It is strict where the real services are, so that a client that would
//! fail against them fails here first:
//!
//! - `POST /api/rest/v0/{entities|entity-relations|entitlements}/upload-url`
//!   needs `X-Api-Key-ID` and `X-Api-Key-Secret` (401 with a JSON error
//!   otherwise), `Content-Type: application/json` and a JSON object body. It
//!   answers `{"url": "http://127.0.0.1:PORT/presigned/<kind>/<n>?X-Amz-Signature=...&X-Amz-Expires=900"}`.
//! - `PUT /presigned/<kind>/<n>` is refused, as S3 refuses it, without the
//!   signature it handed out (403), without `Content-Length` or with a
//!   chunked body (411), with a `Content-Type` other than `text/csv` (400),
//!   or carrying the API key headers (400: the key must not leave for
//!   another host). An accepted body is recorded per kind, in order.
//! - Anything else is 404, recorded as unknown and printed: it fails loudly.
//!
//! Every request is recorded (method, path without the query, status and
//! the headers that matter). [`Fault`]s can be injected into either
//! endpoint: a status (with `Retry-After` and a body), an answer without
//! `url`, a `url` of the test's choosing, or a connection reset.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The two endpoints, for aiming a fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `POST /api/rest/v0/{kind}/upload-url`.
    UploadUrl,
    /// `PUT /presigned/{kind}/{n}`.
    Presigned,
}

/// A failure to answer with instead of the normal answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// This status, an optional `Retry-After` (seconds) and, on the upload-URL
    /// endpoint, this JSON body (a default one if `None`). On the pre-signed
    /// URL the body is S3's XML error, which echoes the signature and the
    /// query as S3's `SignatureDoesNotMatch` does: what a client must not
    /// print.
    Status {
        status: u16,
        retry_after: Option<u64>,
        body: Option<Value>,
    },
    /// Answer 200 `{"uploadUrl": ..., "expiresIn": 900}`: no `url`.
    NoUrl,
    /// Answer 200 `{"url": <this>}`.
    Url(String),
    /// Close the connection without answering.
    Reset,
}

impl Fault {
    pub fn status(status: u16) -> Self {
        Fault::Status {
            status,
            retry_after: None,
            body: None,
        }
    }
}

/// A fault, and the requests it hits: those to `endpoint` for `kind`
/// (`entities`, `entity-relations`, `entitlements`; `None`: any kind, counted
/// together), the `nth` of them counted from 1 (empty: every one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    pub endpoint: Endpoint,
    pub kind: Option<String>,
    pub nth: Vec<u64>,
    pub fault: Fault,
}

impl FaultRule {
    pub fn on(endpoint: Endpoint, kind: Option<&str>, nth: &[u64], fault: Fault) -> Self {
        Self {
            endpoint,
            kind: kind.map(str::to_owned),
            nth: nth.to_vec(),
            fault,
        }
    }
}

/// One request the fake received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The status sent; 0 for a connection closed without an answer.
    pub status: u16,
    /// Whether the fake knew the URL.
    pub known: bool,
    pub content_type: Option<String>,
    pub content_length: Option<u64>,
    pub chunked: bool,
    /// Whether `X-Api-Key-ID` or `X-Api-Key-Secret` came with it.
    pub api_key_sent: bool,
    /// Whether the key sent was the right one.
    pub authenticated: bool,
    pub fault: Option<Fault>,
}

/// A file accepted on a pre-signed URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// `entities`, `entity-relations` or `entitlements`.
    pub kind: String,
    /// Which URL of that kind it came to, from 1.
    pub n: u64,
    pub bytes: Bytes,
}

const KINDS: [&str; 3] = ["entities", "entity-relations", "entitlements"];

#[derive(Default)]
struct State {
    calls: Vec<Call>,
    uploads: Vec<Upload>,
    /// Signatures handed out, by (kind, n).
    issued: HashMap<(String, u64), String>,
    /// The pre-signed URLs handed out, in order.
    urls: Vec<String>,
    faults: Vec<FaultRule>,
    /// Requests seen per (endpoint, kind), and per endpoint under `*`.
    counts: HashMap<(Endpoint, String), u64>,
}

struct Shared {
    key_id: String,
    secret: String,
    addr: SocketAddr,
    state: Mutex<State>,
}

impl Shared {
    /// The state; a test that panicked while holding it leaves it usable.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running fake BalkanID. Stops when dropped.
pub struct FakeBalkanId {
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Drop for FakeBalkanId {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeBalkanId {
    /// Starts on an ephemeral port of 127.0.0.1, accepting this key. Must be
    /// called inside a tokio runtime.
    pub async fn start(key_id: &str, secret: &str) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let shared = Arc::new(Shared {
            key_id: key_id.to_owned(),
            secret: secret.to_owned(),
            addr: listener.local_addr()?,
            state: Mutex::default(),
        });
        let serving = shared.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let shared = serving.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let shared = shared.clone();
                        async move { serve(&shared, req).await }
                    });
                    // A client that hangs up mid-request is not the fake's problem.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self { shared, task })
    }

    /// The base URL to pass as `--api-url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// Every request received so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.state().calls.clone()
    }

    /// Requests to URLs the fake does not serve.
    pub fn unknown_calls(&self) -> Vec<Call> {
        self.calls().into_iter().filter(|c| !c.known).collect()
    }

    /// Every file accepted, in order.
    pub fn uploads(&self) -> Vec<Upload> {
        self.shared.state().uploads.clone()
    }

    /// The bodies accepted for `kind`, in order.
    pub fn received(&self, kind: &str) -> Vec<Bytes> {
        self.uploads()
            .into_iter()
            .filter(|u| u.kind == kind)
            .map(|u| u.bytes)
            .collect()
    }

    /// Every pre-signed URL handed out, query included: what a test
    /// searches the client's output for.
    pub fn issued_urls(&self) -> Vec<String> {
        self.shared.state().urls.clone()
    }

    pub fn inject(&self, rule: FaultRule) {
        self.shared.state().faults.push(rule);
    }
}

type Response = hyper::Response<Full<Bytes>>;

/// Makes hyper drop the connection without an answer.
#[derive(Debug)]
struct Abort;

impl std::fmt::Display for Abort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("fake BalkanID: connection reset on purpose")
    }
}

impl std::error::Error for Abort {}

/// An answer before it becomes a response.
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn json(status: u16, value: Value) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: value.to_string().into_bytes(),
        }
    }

    fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(status, json!({"error": code, "message": message}))
    }

    /// S3's XML error shape.
    fn s3(status: u16, code: &str, message: &str, extra: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/xml".into())],
            body: format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
                 <Message>{message}</Message>{extra}<RequestId>FAKE0001</RequestId></Error>"
            )
            .into_bytes(),
        }
    }

    fn into_response(self) -> Response {
        let mut response = hyper::Response::new(Full::new(Bytes::from(self.body)));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

/// What the fake saw of a request, before answering it.
struct Seen {
    method: String,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

async fn serve(
    shared: &Shared,
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<Response, Abort> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let seen = Seen {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts.headers,
        body,
    };
    let mut state = shared.state();
    let (answer, known, fault) = route(shared, &mut state, &seen);
    let api_key_sent =
        seen.headers.contains_key("x-api-key-id") || seen.headers.contains_key("x-api-key-secret");
    let call = Call {
        method: seen.method.clone(),
        path: seen.path.clone(),
        status: if fault == Some(Fault::Reset) {
            0
        } else {
            answer.status
        },
        known,
        content_type: seen.header("content-type").map(str::to_owned),
        content_length: seen
            .header("content-length")
            .and_then(|v| v.trim().parse().ok()),
        chunked: seen
            .header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked")),
        api_key_sent,
        authenticated: authenticated(shared, &seen),
        fault: fault.clone(),
    };
    if !known {
        eprintln!("fake BalkanID: no such URL: {} {}", seen.method, seen.path);
    }
    state.calls.push(call);
    drop(state);
    if fault == Some(Fault::Reset) {
        return Err(Abort);
    }
    Ok(answer.into_response())
}

fn authenticated(shared: &Shared, seen: &Seen) -> bool {
    seen.header("x-api-key-id") == Some(shared.key_id.as_str())
        && seen.header("x-api-key-secret") == Some(shared.secret.as_str())
}

/// The answer, whether the URL is known, and the fault injected if any.
fn route(shared: &Shared, state: &mut State, seen: &Seen) -> (Answer, bool, Option<Fault>) {
    let segments: Vec<&str> = seen.path.split('/').skip(1).collect();
    match (seen.method.as_str(), segments.as_slice()) {
        ("POST", ["api", "rest", "v0", kind, "upload-url"]) if KINDS.contains(kind) => {
            let (answer, fault) = upload_url(shared, state, seen, kind);
            (answer, true, fault)
        }
        ("PUT", ["presigned", kind, n]) => match n.parse::<u64>() {
            Ok(n) if state.issued.contains_key(&(kind.to_string(), n)) => {
                let (answer, fault) = presigned(state, seen, kind, n);
                (answer, true, fault)
            }
            _ => (
                Answer::s3(404, "NoSuchKey", "The specified key does not exist.", ""),
                false,
                None,
            ),
        },
        _ => (
            Answer::error(404, "not_found", "No such endpoint."),
            false,
            None,
        ),
    }
}

/// The fault for the next request to (`endpoint`, `kind`), counting it.
fn next_fault(state: &mut State, endpoint: Endpoint, kind: &str) -> Option<Fault> {
    let mut count = |key: &str| {
        let n = state.counts.entry((endpoint, key.to_owned())).or_default();
        *n += 1;
        *n
    };
    let of_kind = count(kind);
    let of_any = count("*");
    state
        .faults
        .iter()
        .find(|rule| {
            let n = match &rule.kind {
                Some(k) if k == kind => of_kind,
                Some(_) => return false,
                None => of_any,
            };
            rule.endpoint == endpoint && (rule.nth.is_empty() || rule.nth.contains(&n))
        })
        .map(|rule| rule.fault.clone())
}

fn upload_url(
    shared: &Shared,
    state: &mut State,
    seen: &Seen,
    kind: &str,
) -> (Answer, Option<Fault>) {
    if !authenticated(shared, seen) {
        return (
            Answer::error(401, "unauthorized", "Invalid or missing API key."),
            None,
        );
    }
    if !seen
        .header("content-type")
        .is_some_and(|v| v.starts_with("application/json"))
    {
        return (
            Answer::error(400, "bad_request", "Content-Type must be application/json."),
            None,
        );
    }
    if !matches!(serde_json::from_slice(&seen.body), Ok(Value::Object(_))) {
        return (
            Answer::error(400, "bad_request", "The body must be a JSON object."),
            None,
        );
    }
    let fault = next_fault(state, Endpoint::UploadUrl, kind);
    let answer = match &fault {
        Some(Fault::Status {
            status,
            retry_after,
            body,
        }) => {
            let mut answer = Answer::json(
                *status,
                body.clone().unwrap_or_else(
                    || json!({"error": "injected", "message": "Injected failure."}),
                ),
            );
            if let Some(seconds) = retry_after {
                answer.headers.push(("retry-after", seconds.to_string()));
            }
            answer
        }
        Some(Fault::NoUrl) => {
            let (url, _) = issue(shared, state, kind);
            Answer::json(200, json!({"uploadUrl": url, "expiresIn": 900}))
        }
        Some(Fault::Url(url)) => Answer::json(200, json!({"url": url})),
        // Never sent: the connection is closed instead.
        Some(Fault::Reset) => Answer::empty(200),
        None => Answer::json(200, json!({"url": issue(shared, state, kind).0})),
    };
    (answer, fault)
}

/// A new pre-signed URL for `kind`, and its number.
fn issue(shared: &Shared, state: &mut State, kind: &str) -> (String, u64) {
    let n = state.issued.keys().filter(|(k, _)| k == kind).count() as u64 + 1;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let digest = Sha256::digest(format!("{}/{kind}/{n}/{nanos}", shared.addr));
    let signature: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    state.issued.insert((kind.to_owned(), n), signature.clone());
    let url = format!(
        "http://{}/presigned/{kind}/{n}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}",
        shared.addr
    );
    state.urls.push(url.clone());
    (url, n)
}

fn presigned(state: &mut State, seen: &Seen, kind: &str, n: u64) -> (Answer, Option<Fault>) {
    let signature = seen
        .query
        .split('&')
        .find_map(|kv| kv.strip_prefix("X-Amz-Signature="));
    let expected = state.issued.get(&(kind.to_owned(), n));
    if signature.is_none() || signature != expected.map(String::as_str) {
        return (
            Answer::s3(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
                &format!(
                    "<SignatureProvided>{}</SignatureProvided>",
                    signature.unwrap_or_default()
                ),
            ),
            None,
        );
    }
    let chunked = seen
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked || seen.header("content-length").is_none() {
        return (
            Answer::s3(
                411,
                "MissingContentLength",
                "You must provide the Content-Length HTTP header.",
                "",
            ),
            None,
        );
    }
    if seen.header("content-type") != Some("text/csv") {
        return (
            Answer::s3(400, "InvalidArgument", "Content-Type must be text/csv.", ""),
            None,
        );
    }
    if seen.headers.contains_key("x-api-key-id") || seen.headers.contains_key("x-api-key-secret") {
        return (
            Answer::s3(
                400,
                "InvalidArgument",
                "The BalkanID API key was sent to the storage service.",
                "",
            ),
            None,
        );
    }
    let fault = next_fault(state, Endpoint::Presigned, kind);
    let answer = match &fault {
        Some(Fault::Status {
            status,
            retry_after,
            ..
        }) => {
            let code = match status {
                403 => "AccessDenied",
                500 => "InternalError",
                503 => "SlowDown",
                _ => "InjectedFailure",
            };
            // As S3's errors do, this echoes the request: the signature and
            // the whole query.
            let mut answer = Answer::s3(
                *status,
                code,
                "Injected failure.",
                &format!(
                    "<SignatureProvided>{}</SignatureProvided><CanonicalQueryString>{}</CanonicalQueryString>",
                    signature.unwrap_or_default(),
                    seen.query
                ),
            );
            if let Some(seconds) = retry_after {
                answer.headers.push(("retry-after", seconds.to_string()));
            }
            answer
        }
        // Lost before it was stored: the connection is closed instead.
        Some(Fault::Reset) => Answer::empty(200),
        Some(Fault::NoUrl | Fault::Url(_)) | None => {
            state.uploads.push(Upload {
                kind: kind.to_owned(),
                n,
                bytes: seen.body.clone(),
            });
            let mut answer = Answer::empty(200);
            let etag: String = Sha256::digest(&seen.body)
                .iter()
                .take(16)
                .map(|b| format!("{b:02x}"))
                .collect();
            answer.headers.push(("etag", format!("\"{etag}\"")));
            answer
        }
    };
    (answer, fault)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Sends `request` as written, byte for byte (so that a chunked or
    /// length-less body can be sent), and returns the answer's status.
    async fn raw(fake: &FakeBalkanId, request: &str) -> u16 {
        let mut stream = tokio::net::TcpStream::connect(fake.shared.addr)
            .await
            .unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        let mut buf = [0u8; 4096];
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "no answer to {request:?}");
            answer.extend_from_slice(&buf[..n]);
        }
        let line = String::from_utf8_lossy(&answer);
        line.split(' ').nth(1).unwrap().parse().unwrap()
    }

    fn post(key: Option<(&str, &str)>) -> String {
        let key = key
            .map(|(id, secret)| format!("X-Api-Key-ID: {id}\r\nX-Api-Key-Secret: {secret}\r\n"))
            .unwrap_or_default();
        format!(
            "POST /api/rest/v0/entities/upload-url HTTP/1.1\r\nHost: x\r\n{key}\
             Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}"
        )
    }

    fn put(target: &str, headers: &str, body: &str) -> String {
        format!("PUT {target} HTTP/1.1\r\nHost: x\r\n{headers}\r\n{body}")
    }

    #[tokio::test]
    async fn fake_refuses_what_balkanid_and_s3_refuse() {
        let fake = FakeBalkanId::start("id", "secret").await.unwrap();
        assert_eq!(raw(&fake, &post(None)).await, 401);
        assert_eq!(raw(&fake, &post(Some(("id", "wrong")))).await, 401);
        assert_eq!(raw(&fake, &post(Some(("id", "secret")))).await, 200);
        let url = fake.issued_urls().pop().unwrap();
        let target = &url[url.find("/presigned").unwrap()..];
        let path = &target[..target.find('?').unwrap()];
        let csv = "Content-Type: text/csv\r\n";

        let unsigned = put(path, &format!("{csv}Content-Length: 2\r\n"), "a\n");
        assert_eq!(raw(&fake, &unsigned).await, 403);
        let forged = put(
            &format!("{path}?X-Amz-Signature=0000"),
            &format!("{csv}Content-Length: 2\r\n"),
            "a\n",
        );
        assert_eq!(raw(&fake, &forged).await, 403);
        let chunked = put(
            target,
            &format!("{csv}Transfer-Encoding: chunked\r\n"),
            "2\r\na\n\r\n0\r\n\r\n",
        );
        assert_eq!(raw(&fake, &chunked).await, 411);
        let json = put(
            target,
            "Content-Type: application/json\r\nContent-Length: 2\r\n",
            "{}",
        );
        assert_eq!(raw(&fake, &json).await, 400);
        let keyed = put(
            target,
            &format!("{csv}X-Api-Key-Secret: secret\r\nContent-Length: 2\r\n"),
            "a\n",
        );
        assert_eq!(raw(&fake, &keyed).await, 400);
        assert!(fake.uploads().is_empty());

        let good = put(target, &format!("{csv}Content-Length: 2\r\n"), "a\n");
        assert_eq!(raw(&fake, &good).await, 200);
        assert_eq!(fake.received("entities"), vec![Bytes::from_static(b"a\n")]);

        let unknown = put(
            "/presigned/entities/9?X-Amz-Signature=1",
            &format!("{csv}Content-Length: 0\r\n"),
            "",
        );
        assert_eq!(raw(&fake, &unknown).await, 404);
        assert_eq!(
            raw(
                &fake,
                "GET /api/rest/v0/entities HTTP/1.1\r\nHost: x\r\n\r\n"
            )
            .await,
            404
        );
        let unknown: Vec<(String, String)> = fake
            .unknown_calls()
            .into_iter()
            .map(|c| (c.method, c.path))
            .collect();
        assert_eq!(
            unknown,
            vec![
                ("PUT".to_owned(), "/presigned/entities/9".to_owned()),
                ("GET".to_owned(), "/api/rest/v0/entities".to_owned()),
            ]
        );
    }
}
