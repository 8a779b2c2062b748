//! The production transport: `wasi:http/outgoing-handler`, with every request
//! in flight at once and completion awaited through `wasi:io/poll`.
//!
//! A wasip2 guest has no threads, but the host runs each outgoing request on
//! its own; polling all their pollables together is what lets one guest keep
//! many requests in flight.

use std::collections::BTreeMap;
use std::time::Duration;

use wasi::clocks::monotonic_clock;
use wasi::http::outgoing_handler;
use wasi::http::types::{
    ErrorCode, Fields, FutureIncomingResponse, IncomingBody, IncomingResponse,
    Method as WasiMethod, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};
use wasi::io::poll;
use wasi::io::streams::StreamError;

use super::transport::{
    HttpRequest, HttpResponse, MAX_BODY_BYTES, Method, Ticket, Timeouts, Transport, TransportError,
};

/// How much of a body is read per call.
const READ_CHUNK: u64 = 64 * 1024;

pub struct WasiTransport {
    timeouts: Timeouts,
    next_ticket: Ticket,
    in_flight: BTreeMap<Ticket, FutureIncomingResponse>,
    /// Requests that failed before they were sent; reported on the next `wait`.
    failed: Vec<(Ticket, TransportError)>,
}

impl WasiTransport {
    pub fn new(timeouts: Timeouts) -> Self {
        Self {
            timeouts,
            next_ticket: 0,
            in_flight: BTreeMap::new(),
            failed: Vec::new(),
        }
    }

    fn send(&self, request: &HttpRequest) -> Result<FutureIncomingResponse, TransportError> {
        let entries: Vec<(String, Vec<u8>)> = request
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into_bytes()))
            .collect();
        let headers = Fields::from_list(&entries)
            .map_err(|e| TransportError::Request(format!("invalid header: {e:?}")))?;
        let outgoing = OutgoingRequest::new(headers);
        let method = match request.method {
            Method::Get => WasiMethod::Get,
            Method::Post | Method::Search => WasiMethod::Post,
            Method::Put => WasiMethod::Put,
            Method::Delete => WasiMethod::Delete,
        };
        let invalid = |what: &str| TransportError::Request(format!("invalid {what}"));
        outgoing
            .set_method(&method)
            .map_err(|()| invalid("method"))?;
        outgoing
            .set_scheme(Some(&Scheme::Https))
            .map_err(|()| invalid("scheme"))?;
        outgoing
            .set_authority(Some(&request.authority))
            .map_err(|()| invalid("authority"))?;
        outgoing
            .set_path_with_query(Some(&request.path_and_query))
            .map_err(|()| invalid("path"))?;

        let options = RequestOptions::new();
        // A host may not support a timeout; it then applies its own default.
        let _ = options.set_connect_timeout(Some(nanos(self.timeouts.connect)));
        let _ = options.set_first_byte_timeout(Some(nanos(self.timeouts.first_byte)));
        let _ = options.set_between_bytes_timeout(Some(nanos(self.timeouts.between_bytes)));

        let body = outgoing.body().map_err(|()| invalid("body"))?;
        // The body is written after `handle`, because the host only drains the
        // body stream once the request has been handed to it.
        let future = outgoing_handler::handle(outgoing, Some(options)).map_err(from_error_code)?;
        if let Some(bytes) = &request.body {
            let stream = body.write().map_err(|()| invalid("body stream"))?;
            for chunk in bytes.chunks(4096) {
                stream
                    .blocking_write_and_flush(chunk)
                    .map_err(|e| TransportError::Connection(format!("writing body: {e:?}")))?;
            }
            drop(stream);
        }
        OutgoingBody::finish(body, None).map_err(from_error_code)?;
        Ok(future)
    }
}

impl Transport for WasiTransport {
    fn start(&mut self, request: &HttpRequest) -> Ticket {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        match self.send(request) {
            Ok(future) => {
                self.in_flight.insert(ticket, future);
            }
            Err(e) => self.failed.push((ticket, e)),
        }
        ticket
    }

    fn wait(
        &mut self,
        timeout: Option<Duration>,
    ) -> Vec<(Ticket, Result<HttpResponse, TransportError>)> {
        let mut done: Vec<(Ticket, Result<HttpResponse, TransportError>)> =
            self.failed.drain(..).map(|(t, e)| (t, Err(e))).collect();
        if !done.is_empty() {
            return done;
        }
        let timer = timeout.map(|t| monotonic_clock::subscribe_duration(nanos(t)));
        if self.in_flight.is_empty() {
            if let Some(timer) = timer {
                timer.block();
            }
            return done;
        }

        let tickets: Vec<Ticket> = self.in_flight.keys().copied().collect();
        let pollables: Vec<_> = tickets
            .iter()
            .map(|t| self.in_flight[t].subscribe())
            .collect();
        let mut refs: Vec<&poll::Pollable> = pollables.iter().collect();
        if let Some(timer) = &timer {
            refs.push(timer);
        }
        let ready = poll::poll(&refs);
        drop(refs);
        drop(pollables);

        // One body at a time: the others stay ready for the next call, so the
        // guest never holds more than one response body it has not mapped yet.
        for index in ready {
            if !done.is_empty() {
                break;
            }
            let Some(&ticket) = tickets.get(index as usize) else {
                continue; // the timer
            };
            let Some(future) = self.in_flight.remove(&ticket) else {
                continue;
            };
            let result = match future.get() {
                Some(Ok(Ok(response))) => read_response(response),
                Some(Ok(Err(code))) => Err(from_error_code(code)),
                Some(Err(())) => Err(TransportError::Request("response already taken".into())),
                None => {
                    // Spurious wake-up: still pending.
                    self.in_flight.insert(ticket, future);
                    continue;
                }
            };
            done.push((ticket, result));
        }
        done
    }

    fn now(&self) -> Duration {
        Duration::from_nanos(monotonic_clock::now())
    }
}

fn read_response(response: IncomingResponse) -> Result<HttpResponse, TransportError> {
    let status = response.status();
    let headers = response
        .headers()
        .entries()
        .into_iter()
        .map(|(k, v)| {
            (
                k.to_ascii_lowercase(),
                String::from_utf8_lossy(&v).into_owned(),
            )
        })
        .collect();
    let body = response
        .consume()
        .map_err(|()| TransportError::Request("response body already taken".into()))?;
    let bytes = read_body(&body)?;
    drop(IncomingBody::finish(body));
    Ok(HttpResponse {
        status,
        headers,
        body: bytes,
    })
}

fn read_body(body: &IncomingBody) -> Result<Vec<u8>, TransportError> {
    let stream = body
        .stream()
        .map_err(|()| TransportError::Request("response stream already taken".into()))?;
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(READ_CHUNK) {
            Ok(chunk) => {
                if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(TransportError::TooLarge(MAX_BODY_BYTES));
                }
                bytes.extend_from_slice(&chunk);
            }
            Err(StreamError::Closed) => return Ok(bytes),
            Err(StreamError::LastOperationFailed(e)) => {
                return Err(TransportError::Connection(format!(
                    "reading body after {} bytes: {}",
                    bytes.len(),
                    e.to_debug_string()
                )));
            }
        }
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

fn from_error_code(code: ErrorCode) -> TransportError {
    match code {
        ErrorCode::ConnectionTimeout
        | ErrorCode::ConnectionReadTimeout
        | ErrorCode::ConnectionWriteTimeout => TransportError::Timeout(format!("{code:?}")),
        ErrorCode::HttpRequestDenied => TransportError::Request(
            "the host refused to send it (not an allowed destination)".into(),
        ),
        ErrorCode::HttpRequestUriInvalid | ErrorCode::HttpRequestMethodInvalid => {
            TransportError::Request(format!("{code:?}"))
        }
        // A connection closed mid-answer surfaces as a protocol error: it is
        // the network's fault, not the request's.
        other => TransportError::Connection(format!("{other:?}")),
    }
}
