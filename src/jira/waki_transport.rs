//! A one-request-at-a-time transport over `waki`, for the calls that are
//! sequential by nature: probing credentials in `configure`, and the
//! read-then-write steps of lifecycle actions. Fan-out uses `WasiTransport`.

use std::time::Duration;

use wasi::clocks::monotonic_clock;

use super::transport::{
    HttpRequest, HttpResponse, MAX_BODY_BYTES, Method, Ticket, Timeouts, Transport, TransportError,
};

pub struct WakiTransport {
    timeouts: Timeouts,
    next_ticket: Ticket,
    finished: Vec<(Ticket, Result<HttpResponse, TransportError>)>,
}

impl WakiTransport {
    pub fn new(timeouts: Timeouts) -> Self {
        Self {
            timeouts,
            next_ticket: 0,
            finished: Vec::new(),
        }
    }

    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let client = waki::Client::new();
        let url = format!("https://{}{}", request.authority, request.path_and_query);
        let builder = match request.method {
            Method::Get => client.get(&url),
            Method::Post => client.post(&url),
            Method::Put => client.put(&url),
            Method::Delete => client.delete(&url),
        };
        let mut builder = builder.connect_timeout(self.timeouts.connect);
        for (name, value) in &request.headers {
            let name = waki::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| TransportError::Request("invalid header name".into()))?;
            builder = builder.header(name, value.as_str());
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        // waki's errors describe the request, never its headers.
        let response = builder
            .send()
            .map_err(|e| TransportError::Connection(format!("{e:#}")))?;
        let status = response.status_code();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .body()
            .map_err(|e| TransportError::Connection(format!("reading body: {e:#}")))?;
        if body.len() > MAX_BODY_BYTES {
            return Err(TransportError::TooLarge(MAX_BODY_BYTES));
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

impl Transport for WakiTransport {
    fn start(&mut self, request: &HttpRequest) -> Ticket {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        let result = self.send(request);
        self.finished.push((ticket, result));
        ticket
    }

    fn wait(
        &mut self,
        timeout: Option<Duration>,
    ) -> Vec<(Ticket, Result<HttpResponse, TransportError>)> {
        if self.finished.is_empty() {
            if let Some(t) = timeout {
                monotonic_clock::subscribe_duration(
                    u64::try_from(t.as_nanos()).unwrap_or(u64::MAX),
                )
                .block();
            }
        }
        std::mem::take(&mut self.finished)
    }

    fn now(&self) -> Duration {
        Duration::from_nanos(monotonic_clock::now())
    }
}
