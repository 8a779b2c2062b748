//! Sending HTTP requests, kept apart from building them.
//!
//! Everything above this module builds [`HttpRequest`] values and reads
//! [`HttpResponse`] values; only a [`Transport`] touches `wasi:http`. That seam
//! lets native unit tests run the whole client against [`fake::FakeTransport`],
//! which asserts on exact requests, since the real transports only work
//! inside a wasm component.

use std::time::Duration;

/// An HTTP method the connector uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
    /// A POST that only reads: a search whose query is its body (the
    /// organization's user search). Sent as POST; retried like a GET.
    Search,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Search => "POST",
        }
    }

    /// Whether the request only reads, so that any failed delivery (a
    /// reset, a 5xx, a garbled body) may be retried.
    pub fn is_read(self) -> bool {
        matches!(self, Method::Get | Method::Search)
    }

    /// Whether repeating the request cannot change the outcome, so that it is
    /// safe to retry after an ambiguous failure.
    pub fn is_idempotent(self) -> bool {
        matches!(
            self,
            Method::Get | Method::Put | Method::Delete | Method::Search
        )
    }
}

/// A request ready to send. Always HTTPS.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    /// Host (and never a port or user information), e.g. `acme.atlassian.net`.
    pub authority: String,
    /// Path and query, already percent-encoded.
    pub path_and_query: String,
    /// Header names in lower case. May include `authorization`.
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl HttpRequest {
    /// `METHOD /path?query`: how a request is named in errors and logs. It
    /// holds no header, so no credential.
    pub fn line(&self) -> String {
        format!("{} {}", self.method.as_str(), self.path_and_query)
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.path_and_query
            .split_once('?')
            .map_or(self.path_and_query.as_str(), |(p, _)| p)
    }
}

// Hand-written so that the Authorization header can never reach a log.
impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                if k == "authorization" {
                    (k.as_str(), "<redacted>")
                } else {
                    (k.as_str(), v.as_str())
                }
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("authority", &self.authority)
            .field("path_and_query", &self.path_and_query)
            .field("headers", &headers)
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

/// A complete response: status, headers and the whole body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why a request got no HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// A connect, first-byte or between-bytes deadline passed.
    Timeout(String),
    /// The connection failed or broke, including a body cut off mid-way.
    Connection(String),
    /// The response was larger than the connector accepts.
    TooLarge(usize),
    /// The request itself could not be made.
    Request(String),
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransportError::Timeout(m) => write!(f, "Timed out: {m}"),
            TransportError::Connection(m) => write!(f, "Connection failed: {m}"),
            TransportError::TooLarge(n) => write!(f, "Response body over {n} bytes"),
            TransportError::Request(m) => write!(f, "Request not sent: {m}"),
        }
    }
}

/// Identifies a request started on a transport.
pub type Ticket = u64;

/// Timeouts applied to every request, so that nothing can hang forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub first_byte: Duration,
    pub between_bytes: Duration,
}

impl Timeouts {
    /// Every deadline at most `limit`.
    pub fn within(limit: Duration) -> Self {
        Self {
            connect: limit.min(Duration::from_secs(15)),
            first_byte: limit,
            between_bytes: limit,
        }
    }
}

/// The largest response body accepted. A Jira page of 1000 users is well
/// under 2 MiB; this bound only stops a broken or hostile server.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Sends requests, several at a time where the implementation can.
pub trait Transport {
    /// Starts sending a request and returns at once.
    fn start(&mut self, request: &HttpRequest) -> Ticket;

    /// Waits until at least one started request has finished, or until
    /// `timeout` passes, and returns every request that finished. With nothing
    /// in flight it just waits out `timeout`.
    fn wait(
        &mut self,
        timeout: Option<Duration>,
    ) -> Vec<(Ticket, Result<HttpResponse, TransportError>)>;

    /// A monotonic clock reading.
    fn now(&self) -> Duration;
}

/// Lends a transport, so a caller can look at it after a run.
impl<T: Transport + ?Sized> Transport for &mut T {
    fn start(&mut self, request: &HttpRequest) -> Ticket {
        (**self).start(request)
    }

    fn wait(
        &mut self,
        timeout: Option<Duration>,
    ) -> Vec<(Ticket, Result<HttpResponse, TransportError>)> {
        (**self).wait(timeout)
    }

    fn now(&self) -> Duration {
        (**self).now()
    }
}

#[cfg(test)]
pub mod fake {
    //! A transport for native unit tests: it answers from a closure, records
    //! every request, and keeps a virtual clock so that waits cost no time.

    use super::*;
    use std::collections::VecDeque;

    type Responder = Box<dyn FnMut(&HttpRequest) -> Result<HttpResponse, TransportError>>;

    pub struct FakeTransport {
        responder: Responder,
        pending: VecDeque<(Ticket, Result<HttpResponse, TransportError>)>,
        next_ticket: Ticket,
        clock: Duration,
        pub requests: Vec<HttpRequest>,
        pub max_in_flight: usize,
        pub slept: Duration,
    }

    impl FakeTransport {
        pub fn new(
            responder: impl FnMut(&HttpRequest) -> Result<HttpResponse, TransportError> + 'static,
        ) -> Self {
            Self {
                responder: Box::new(responder),
                pending: VecDeque::new(),
                next_ticket: 0,
                clock: Duration::ZERO,
                requests: Vec::new(),
                max_in_flight: 0,
                slept: Duration::ZERO,
            }
        }

        /// The request lines sent so far, e.g. `GET /rest/api/3/myself`.
        pub fn lines(&self) -> Vec<String> {
            self.requests.iter().map(HttpRequest::line).collect()
        }

        /// Like [`FakeTransport::lines`], each followed by its body, if any.
        pub fn lines_with_bodies(&self) -> Vec<String> {
            self.requests
                .iter()
                .map(|r| match &r.body {
                    Some(b) => format!("{} {}", r.line(), String::from_utf8_lossy(b)),
                    None => r.line(),
                })
                .collect()
        }
    }

    impl Transport for FakeTransport {
        fn start(&mut self, request: &HttpRequest) -> Ticket {
            self.requests.push(request.clone());
            let ticket = self.next_ticket;
            self.next_ticket += 1;
            let result = (self.responder)(request);
            self.pending.push_back((ticket, result));
            self.max_in_flight = self.max_in_flight.max(self.pending.len());
            ticket
        }

        fn wait(
            &mut self,
            timeout: Option<Duration>,
        ) -> Vec<(Ticket, Result<HttpResponse, TransportError>)> {
            if self.pending.is_empty() {
                let t = timeout
                    .expect("FakeTransport::wait with nothing in flight and no timeout would hang");
                self.clock += t;
                self.slept += t;
                return Vec::new();
            }
            // One at a time, so tests see the scheduler refill between answers.
            self.pending.pop_front().into_iter().collect()
        }

        fn now(&self) -> Duration {
            self.clock
        }
    }

    pub fn json(status: u16, body: serde_json::Value) -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        })
    }
}
