//! What a failed request means: the typed error for an answer's status, for
//! a body that does not decode, and for no answer at all, each naming the
//! step and the request; and Jira's own messages in an error body.

use serde::de::{DeserializeOwned, IgnoredAny};

use super::endpoints::Endpoint;
use super::executor::not_json;
use super::transport::{HttpRequest, HttpResponse, TransportError};
use crate::error::{Error, RequestFailure, Result, sentences};

/// The `network` error for a request that got no answer after `attempts`.
pub(crate) fn network_error(
    endpoint: Endpoint,
    request: &HttpRequest,
    e: &TransportError,
    attempts: u32,
) -> Error {
    Error::Network(RequestFailure::new(
        endpoint.step(),
        &request.line(),
        sentences([e.to_string(), gave_up(attempts)]),
    ))
}

/// Nothing for a success whose body arrived whole; otherwise the typed error
/// the answer means.
pub(super) fn check(
    endpoint: Endpoint,
    request: &HttpRequest,
    response: &HttpResponse,
    attempts: u32,
) -> Result<()> {
    let failure = |message: String| RequestFailure::new(endpoint.step(), &request.line(), message);
    if response.is_success() {
        // The executor retries a read whose body is not JSON at all; still so
        // after more than one attempt, it is an invalid response that says how
        // many attempts were made. (After one, decoding reports it.)
        if attempts > 1
            && request.method.is_read()
            && let Some(e) = not_json(response)
        {
            return Err(body_error(endpoint, request, response, &e, attempts));
        }
        return Ok(());
    }
    let messages = error_messages(&response.body);
    let summary = if messages.is_empty() {
        format!("HTTP {}", response.status)
    } else {
        sentences(&messages)
    };
    // Jira refuses some requests with 401 or 404 instead of 403; the admin
    // API's refusals name the config field to fix.
    let summary = match endpoint.status_hint(response.status) {
        Some(hint) => sentences([summary.as_str(), hint]),
        None => summary,
    };
    Err(match response.status {
        401 => Error::Unauthorized(failure(summary)),
        403 => Error::Forbidden {
            request: failure(summary),
            permission: endpoint.permission().map(str::to_owned),
            scopes: endpoint.scopes().iter().map(|s| (*s).to_owned()).collect(),
        },
        404 => Error::NotFound(failure(summary)),
        429 => Error::RateLimited {
            request: failure(summary),
            retry_after_seconds: response
                .header("retry-after")
                .and_then(|v| v.trim().parse().ok()),
            attempts,
        },
        status => Error::Upstream {
            request: failure(summary),
            status,
            messages,
        },
    })
}

/// Decodes a successful response's JSON body.
pub(super) fn decode_body<T: DeserializeOwned>(
    endpoint: Endpoint,
    request: &HttpRequest,
    response: &HttpResponse,
) -> Result<T> {
    serde_json::from_slice(&response.body)
        .map_err(|e| body_error(endpoint, request, response, &e, 1))
}

/// The `invalid-response` error for a successful answer whose body did not
/// decode, after `attempts` attempts.
fn body_error(
    endpoint: Endpoint,
    request: &HttpRequest,
    response: &HttpResponse,
    e: &serde_json::Error,
    attempts: u32,
) -> Error {
    // serde_json names the line and column, never the content.
    let what = if response.body.is_empty() {
        "empty body".to_owned()
    } else if let Err(syntax) = serde_json::from_slice::<IgnoredAny>(&response.body) {
        format!("not JSON: {syntax}")
    } else {
        format!("unexpected JSON: {e}")
    };
    Error::InvalidResponse(RequestFailure::new(
        endpoint.step(),
        &request.line(),
        sentences([
            format!("HTTP {}: {what}", response.status),
            gave_up(attempts),
        ]),
    ))
}

/// The sentence that says a request was tried more than once; empty when not.
fn gave_up(attempts: u32) -> String {
    if attempts > 1 {
        format!("Gave up after {attempts} attempts")
    } else {
        String::new()
    }
}

/// Jira's error messages from an error body: `errorMessages` and `errors` of
/// an ErrorCollection, or the gateway's `message`. Anything else yields none.
pub fn error_messages(body: &[u8]) -> Vec<String> {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let mut messages = Vec::new();
    if let Some(list) = value.get("errorMessages").and_then(|v| v.as_array()) {
        messages.extend(list.iter().filter_map(|m| m.as_str()).map(clip));
    }
    if let Some(map) = value.get("errors").and_then(|v| v.as_object()) {
        messages.extend(
            map.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| clip(&format!("{k}: {v}")))),
        );
    }
    // The organization admin API's `{"errors": [{"code", "title", "detail"}]}`.
    if let Some(list) = value.get("errors").and_then(|v| v.as_array()) {
        for e in list.iter().take(10) {
            let parts: Vec<&str> = ["code", "title", "detail"]
                .iter()
                .filter_map(|k| e.get(*k).and_then(|v| v.as_str()))
                .filter(|p| !p.is_empty())
                .collect();
            if !parts.is_empty() {
                messages.push(clip(&parts.join(": ")));
            }
        }
    }
    if let Some(message) = value.get("message").and_then(|v| v.as_str()) {
        messages.push(clip(message));
    }
    messages
}

/// Bounds a server-supplied message so that a hostile body cannot flood logs.
fn clip(message: &str) -> String {
    const MAX: usize = 500;
    let cleaned: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if cleaned.chars().count() <= MAX {
        cleaned
    } else {
        let mut s: String = cleaned.chars().take(MAX).collect();
        // One character, not "...", so that a full stop after it is not doubled.
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_reads_the_admin_apis_error_list() {
        assert_eq!(
            error_messages(
                br#"{"errors": [{"id": "x", "status": "404", "code": "ADMIN-404-2", "title": "Not Found", "detail": "Organization not found"}]}"#
            ),
            vec!["ADMIN-404-2: Not Found: Organization not found"]
        );
    }

    #[test]
    fn error_messages_reads_both_shapes() {
        assert_eq!(
            error_messages(br#"{"code": 401, "message": "Unauthorized; scope does not match"}"#),
            vec!["Unauthorized; scope does not match"]
        );
        assert_eq!(error_messages(b"<html>"), Vec::<String>::new());
        let long = format!(r#"{{"errorMessages": ["{}"]}}"#, "x".repeat(2000));
        assert_eq!(error_messages(long.as_bytes())[0].len(), 503);
    }
}
