//! Fault injection: the failures a test can have the fake answer with
//! instead of the normal answer ([`Fault`]), which requests they hit
//! ([`FaultRule`]), the crude rate limit ([`RateLimit`]), and how each
//! fault changes an answer.

use bytes::Bytes;
use http_body_util::BodyExt;
use std::time::Duration;

use super::Shared;
use super::admin;
use super::http::{Answer, Body, Place, Request, bytes_of};

/// A crude model of Atlassian's rate limiting: past `max_in_flight`
/// concurrent requests the fake answers 429 with `Retry-After`, and from 80%
/// of it on, successful answers carry `X-RateLimit-NearLimit: true`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max_in_flight: u64,
    pub retry_after: u64,
}

/// A failure to inject instead of the normal answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and, for 429 and 503, an optional `Retry-After`.
    Status {
        status: u16,
        retry_after: Option<u64>,
    },
    /// Close the connection without answering.
    Reset,
    /// Send the headers and half the body, then close the connection.
    Truncate,
    /// Answer 200 with a body that is not JSON.
    InvalidJson,
    /// Answer 200 with JSON of a shape no endpoint returns.
    WrongShape,
    /// Answer 200 with an empty body.
    EmptyOk,
    /// Answer 200 with the first half of the JSON body, announced as the whole
    /// (`Content-Length` matches what is sent): a body cut short that the
    /// client cannot tell from a whole one.
    TruncatedJson,
    /// Answer 200 with a proxy's HTML error page instead of Jira's JSON.
    HtmlOk,
    /// Answer, but only after this long.
    Slow(Duration),
    /// Answer a `PageBean` whose `nextPage` is its own `self` link and whose
    /// `isLast` is false; on the admin API, a page whose `links.next` is its
    /// own `links.self` cursor.
    SelfLoopingPage,
}

impl Fault {
    /// Answer with this status and no `Retry-After`.
    pub fn status(status: u16) -> Self {
        Fault::Status {
            status,
            retry_after: None,
        }
    }
}

/// Which requests of a path a fault applies to, counted from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    Only(Vec<u64>),
    From(u64),
}

impl Which {
    fn matches(&self, n: u64) -> bool {
        match self {
            Which::Only(list) => list.contains(&n),
            Which::From(first) => n >= *first,
        }
    }
}

/// Injects `fault` into some of the requests for `path` (`*`: any path,
/// counted together).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    pub path: String,
    pub which: Which,
    pub fault: Fault,
}

impl FaultRule {
    /// `fault` on the `nth` (1-based) requests for `path`.
    pub fn on(path: &str, nth: &[u64], fault: Fault) -> Self {
        Self {
            path: path.to_owned(),
            which: Which::Only(nth.to_vec()),
            fault,
        }
    }

    /// `fault` on the `first` request for `path` and every one after it.
    pub fn from(path: &str, first: u64, fault: Fault) -> Self {
        Self {
            path: path.to_owned(),
            which: Which::From(first),
            fault,
        }
    }
}

/// The answer an injected status gives instead of routing, if `fault` is
/// one: in Jira's `ErrorCollection`, or on the admin API in its `errors`.
pub fn status_answer(fault: &Fault, place: Place) -> Option<Answer> {
    let Fault::Status {
        status,
        retry_after,
    } = fault
    else {
        return None;
    };
    let mut answer = match (place, *status) {
        (Place::Admin, 429) => admin::error(429, "ADMIN-429-1", "Rate limit exceeded."),
        (Place::Admin, s) => admin::error(s, &format!("ADMIN-{s}-1"), "Injected failure."),
        (_, 429) => Answer::errors(429, &["Rate limit exceeded."]),
        (_, s) => Answer::errors(s, &["Injected failure."]),
    };
    if let Some(seconds) = retry_after {
        answer.headers.push(("retry-after", seconds.to_string()));
    }
    Some(answer)
}

/// Spoils the body of a successful answer as `fault` says.
pub fn spoil(answer: &mut Answer, fault: &Fault) {
    match fault {
        Fault::InvalidJson => answer.body = b"{\"values\": [{\"accountId\": ".to_vec(),
        Fault::WrongShape => {
            answer.body = br#"{"isLast": "no", "values": {"not": "a list"}}"#.to_vec();
        }
        Fault::EmptyOk => answer.body.clear(),
        Fault::TruncatedJson => {
            // A strict prefix of an object or array is never whole JSON.
            let half = answer.body.len() / 2;
            answer.body.truncate(half);
        }
        Fault::HtmlOk => {
            answer.headers = vec![("content-type", "text/html; charset=UTF-8".into())];
            answer.body = PROXY_ERROR_PAGE.to_vec();
        }
        Fault::SelfLoopingPage => {
            if let Ok(serde_json::Value::Object(mut page)) = serde_json::from_slice(&answer.body) {
                if let Some(link) = page.get("self").cloned() {
                    page.insert("nextPage".into(), link);
                    page.insert("isLast".into(), false.into());
                }
                // The admin API's page: its next cursor is its own.
                if let Some(serde_json::Value::Object(links)) = page.get_mut("links")
                    && let Some(cursor) = links.get("self").cloned()
                {
                    links.insert("next".into(), cursor);
                }
                answer.body = serde_json::Value::Object(page).to_string().into_bytes();
            }
        }
        _ => {}
    }
}

/// The response with its body cut off halfway, its full length announced.
pub async fn cut_off(response: hyper::Response<Body>) -> hyper::Response<Body> {
    let (parts, body) = response.into_parts();
    let bytes = bytes_of(body).await;
    let half = bytes.slice(..bytes.len() / 2);
    let cut = Truncated {
        first: Some(half),
        full_len: bytes.len() as u64,
    };
    hyper::Response::from_parts(parts, cut.boxed())
}

/// A body that sends its first half, then fails, with the full length
/// announced: the client sees the connection break mid-body.
struct Truncated {
    first: Option<Bytes>,
    full_len: u64,
}

impl http_body::Body for Truncated {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        std::task::Poll::Ready(Some(match self.first.take() {
            Some(half) => Ok(http_body::Frame::data(half)),
            None => Err(std::io::Error::other("body cut off on purpose")),
        }))
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.full_len)
    }
}

/// What a proxy in front of Jira may send, with a 200, when Jira did not answer.
const PROXY_ERROR_PAGE: &[u8] =
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n\
<body><h1>Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>\n";

/// The fault the first matching rule injects into this request, if any,
/// counting the request for its path and for `*`.
pub fn next_fault(shared: &Shared, request: &Request) -> Option<Fault> {
    let mut counts = shared.counts.lock().expect("counts poisoned");
    let n = {
        let n = counts.entry(request.path.clone()).or_default();
        *n += 1;
        *n
    };
    let any = {
        let n = counts.entry("*".to_owned()).or_default();
        *n += 1;
        *n
    };
    drop(counts);
    let fault = shared
        .faults
        .lock()
        .expect("faults poisoned")
        .iter()
        .find(|rule| {
            if rule.path == "*" {
                rule.which.matches(any)
            } else {
                rule.path == request.path && rule.which.matches(n)
            }
        })
        .map(|rule| rule.fault.clone());
    if let Some(f) = &fault {
        shared
            .injected
            .lock()
            .expect("injected poisoned")
            .push((request.path.clone(), f.clone()));
    }
    fault
}
