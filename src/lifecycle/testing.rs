//! Test helpers shared by the families' unit tests: apply one action against
//! a scripted fake transport and see every request it sent.

use serde_json::json;

use crate::error::Result;
use crate::jira::client::Api;
use crate::jira::executor::RetryPolicy;
use crate::jira::transport::fake::{FakeTransport, json};
use crate::jira::transport::{HttpRequest, HttpResponse, TransportError};

use super::{Action, Outcome, apply};

fn api() -> Api {
    crate::jira::client::test_api()
}

/// Applies `action`, answering each request with `responder`: the outcome,
/// and each request's line with its body.
pub(super) fn run(
    action: Action,
    responder: impl FnMut(&HttpRequest) -> Result<HttpResponse, TransportError> + 'static,
) -> (Result<Outcome>, Vec<String>) {
    let mut transport = FakeTransport::new(responder);
    let result = apply(&api(), &mut transport, RetryPolicy::default(), &action);
    (result, transport.lines_with_bodies())
}

/// Jira's error body with one message.
pub(super) fn errors(status: u16, message: &str) -> Result<HttpResponse, TransportError> {
    json(status, json!({"errorMessages": [message], "errors": {}}))
}

pub(super) fn empty(status: u16) -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse {
        status,
        headers: vec![],
        body: vec![],
    })
}
