//! `wasi:http/incoming-handler`: the connector as an HTTP service, for
//! `wasmtime serve`, Spin, wasmCloud and `extractor-jira serve`.
//!
//! This module only moves bytes through `wasi:http`: reading the request's
//! body, setting the response, writing its body in chunks. What the routes
//! are, which status an error gets and what every answer says is in
//! [`crate::service`], plain Rust tested natively; what a route does is the
//! connector's own code, as the `connector` export and the command run it.
//!
//! Every platform gives each request a fresh instance, so nothing is kept
//! between requests: each one carries its config and connects anew.

use serde_json::{Value as Json, json};
use wasi::http::types::{
    Fields, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};
use wasi::io::streams::{OutputStream, StreamError};

use crate::bindings::balkanid::extractor::types as wit;
use crate::config::Config;
use crate::error::Error;
use crate::jira::connect::{Connection, connect};
use crate::jira::executor::RetryPolicy;
use crate::jira::transport::Timeouts;
use crate::jira::wasi_transport::WasiTransport;
use crate::service::{
    self, Counts, MAX_REQUEST_BODY, Route, Routing, WRITE_CHUNK, batch_lines, end_record,
    error_json, error_record, status_of,
};

const JSON: &str = "application/json";
const NDJSON: &str = "application/x-ndjson";

impl crate::bindings::exports::wasi::http::incoming_handler::Guest for super::Component {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let method = method_name(&request.method());
        let path = request.path_with_query().unwrap_or_default();
        let route = match service::route(&method, &path) {
            Routing::Found(route) => route,
            Routing::NotFound => {
                return respond_json(
                    out,
                    404,
                    &[],
                    &json!({"error": "no-route", "message":
                        "No such route. The routes are POST /check, POST /extract and POST /apply."}),
                );
            }
            Routing::MethodNotAllowed => {
                return respond_json(
                    out,
                    405,
                    &[("allow", "POST")],
                    &json!({"error": "method-not-allowed", "message": "Use POST."}),
                );
            }
        };
        let body = match read_body(request) {
            Ok(body) => body,
            Err(status) => {
                return respond_json(
                    out,
                    status,
                    &[],
                    &json!({"error": "bad-body", "message":
                        format!("The request body could not be read or is larger than {MAX_REQUEST_BODY} bytes.")}),
                );
            }
        };
        match route {
            Route::Check => check(out, &body),
            Route::Extract => extract(out, &body),
            Route::Apply => apply(out, &body),
        }
    }
}

/// `POST /check`: configure, and answer the connection as JSON.
fn check(out: ResponseOutparam, body: &str) {
    match configure(body) {
        Ok((_, connection)) => {
            let info = wit::ConnectionInfo::from(&connection);
            respond_json(out, 200, &[], &super::command::connection_json(&info));
        }
        Err(e) => respond_error(out, &e),
    }
}

/// `POST /extract`: the records as NDJSON, written batch by batch as they
/// arrive. The first batch is read before the answer starts, so that a
/// config, credential or permission problem is a status, not a cut stream.
fn extract(out: ResponseOutparam, body: &str) {
    let (config, connection) = match configure(body) {
        Ok(configured) => configured,
        Err(e) => return respond_error(out, &e),
    };
    if let Err(e) = connection.preflight() {
        return respond_error(out, &e);
    }
    let mut extraction = super::start_extraction(&config, connection);
    let first = match extraction.next_batch() {
        Ok(first) => first,
        Err(e) => return respond_error(out, &e),
    };
    let Some((body, stream)) = start(out, 200, NDJSON, &[]) else {
        return;
    };
    let mut counts = Counts::default();
    let mut next = Ok(first);
    let last = loop {
        match next {
            Ok(Some(batch)) => {
                counts.add(&batch);
                let mut lines = String::new();
                for line in batch_lines(&batch) {
                    lines.push_str(&line);
                    // Written as the batch is read, so the buffer stays
                    // near one chunk, not one batch.
                    if lines.len() >= WRITE_CHUNK {
                        if write_all(&stream, lines.as_bytes()).is_err() {
                            // The client went away: nobody to tell.
                            return;
                        }
                        lines.clear();
                    }
                }
                if write_all(&stream, lines.as_bytes()).is_err() {
                    return;
                }
                drop(batch);
                next = extraction.next_batch();
            }
            Ok(None) => break end_record(&counts),
            // What was sent is not the whole tenant: the stream says so in
            // its last line, and has no `end` line.
            Err(e) => break error_record(&e),
        }
    };
    if write_all(&stream, format!("{last}\n").as_bytes()).is_ok() {
        finish(body, stream);
    }
}

/// `POST /apply`: apply the action, and answer the outcome as JSON. The
/// action is checked before the config connects, so a malformed one sends
/// nothing.
fn apply(out: ResponseOutparam, body: &str) {
    let result = service::parse_apply(body).and_then(|(config, action)| {
        // The config's shape first, then the action's, then Jira.
        let parsed = Config::parse(&config)?;
        action.validate()?;
        let connection = connect_with(&parsed)?;
        crate::lifecycle::apply(
            &connection.api,
            WasiTransport::new(Timeouts::within(parsed.request_timeout())),
            RetryPolicy::with_budget(parsed.retry_budget()),
            &action,
        )
    });
    match result {
        Ok(outcome) => respond_json(out, 200, &[], &service::outcome_json(&outcome)),
        Err(e) => respond_error(out, &e),
    }
}

/// Parses the config and connects, as `configure` does.
fn configure(body: &str) -> Result<(Config, Connection), Error> {
    let config = Config::parse(body)?;
    let connection = connect_with(&config)?;
    Ok((config, connection))
}

fn connect_with(config: &Config) -> Result<Connection, Error> {
    connect(
        WasiTransport::new(Timeouts::within(config.request_timeout())),
        config,
        RetryPolicy::with_budget(config.retry_budget()),
    )
}

fn method_name(m: &Method) -> String {
    match m {
        Method::Get => "GET".into(),
        Method::Head => "HEAD".into(),
        Method::Post => "POST".into(),
        Method::Put => "PUT".into(),
        Method::Delete => "DELETE".into(),
        Method::Connect => "CONNECT".into(),
        Method::Options => "OPTIONS".into(),
        Method::Trace => "TRACE".into(),
        Method::Patch => "PATCH".into(),
        Method::Other(other) => other.clone(),
    }
}

/// The request's body as text, up to [`MAX_REQUEST_BODY`] bytes; otherwise
/// the status to refuse it with (413 for too large, 400 for unreadable).
fn read_body(request: IncomingRequest) -> Result<String, u16> {
    let body = request.consume().map_err(|()| 400u16)?;
    let stream = body.stream().map_err(|()| 400u16)?;
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(WRITE_CHUNK as u64) {
            Ok(chunk) => {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > MAX_REQUEST_BODY {
                    return Err(413);
                }
            }
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(_)) => return Err(400),
        }
    }
    drop(stream);
    String::from_utf8(bytes).map_err(|_| 400)
}

/// Answers a typed error: its status and its JSON.
fn respond_error(out: ResponseOutparam, e: &Error) {
    respond_json(out, status_of(e), &[], &error_json(e));
}

/// Answers `status` with `value` as the whole body.
fn respond_json(out: ResponseOutparam, status: u16, extra: &[(&str, &str)], value: &Json) {
    if let Some((body, stream)) = start(out, status, JSON, extra)
        && write_all(&stream, format!("{value}\n").as_bytes()).is_ok()
    {
        finish(body, stream);
    }
}

/// Sends the status and headers, and returns the body to write. `None` when
/// the host refused the response (nothing more can be said then).
fn start(
    out: ResponseOutparam,
    status: u16,
    content_type: &str,
    extra: &[(&str, &str)],
) -> Option<(OutgoingBody, OutputStream)> {
    let headers: Vec<(String, Vec<u8>)> = std::iter::once(("content-type", content_type))
        .chain(extra.iter().copied())
        .map(|(k, v)| (k.to_owned(), v.as_bytes().to_vec()))
        .collect();
    let fields = Fields::from_list(&headers).unwrap_or_else(|_| Fields::new());
    let response = OutgoingResponse::new(fields);
    response.set_status_code(status).ok()?;
    let body = response.body().ok()?;
    ResponseOutparam::set(out, Ok(response));
    let stream = body.write().ok()?;
    Some((body, stream))
}

/// Writes `bytes` in chunks of at most [`WRITE_CHUNK`], each flushed before
/// the next: the most `blocking-write-and-flush` accepts at once.
fn write_all(stream: &OutputStream, bytes: &[u8]) -> Result<(), StreamError> {
    for chunk in bytes.chunks(WRITE_CHUNK) {
        stream.blocking_write_and_flush(chunk)?;
    }
    Ok(())
}

/// Ends the body: the stream is dropped first, as `wasi:http` requires.
fn finish(body: OutgoingBody, stream: OutputStream) {
    drop(stream);
    let _ = OutgoingBody::finish(body, None);
}
