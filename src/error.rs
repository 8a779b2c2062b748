//! The connector's error type: one variant per cause, each carrying what a
//! person needs to act on it. `lib.rs` converts it to the WIT `error` variant.

use std::fmt;

/// Identifies the request a failure came from: what the connector was doing
/// and which endpoint it called. Never holds a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFailure {
    /// What the connector was doing, e.g. `list group members`.
    pub step: String,
    /// Method plus path and query, e.g. `GET /rest/api/3/myself`.
    pub endpoint: String,
    /// What went wrong.
    pub message: String,
}

impl RequestFailure {
    pub fn new(step: &str, endpoint: &str, message: impl Into<String>) -> Self {
        Self {
            step: step.to_owned(),
            endpoint: endpoint.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for RequestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.step, self.endpoint, self.message)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("invalid configuration: {field}: {reason}")]
    InvalidConfig { field: String, reason: String },

    #[error("not configured: call configure first")]
    NotConfigured,

    #[error("unauthorized: {0}")]
    Unauthorized(RequestFailure),

    #[error("forbidden: {request}{}{}", permission_hint(.permission), scope_hint(.scopes))]
    Forbidden {
        request: RequestFailure,
        permission: Option<String>,
        scopes: Vec<String>,
    },

    #[error("not found: {0}")]
    NotFound(RequestFailure),

    #[error("rate limited after {attempts} attempts: {request}")]
    RateLimited {
        request: RequestFailure,
        retry_after_seconds: Option<u32>,
        attempts: u32,
    },

    #[error("network: {0}")]
    Network(RequestFailure),

    #[error("invalid response: {0}")]
    InvalidResponse(RequestFailure),

    #[error("HTTP {status}: {request}")]
    Upstream {
        request: RequestFailure,
        status: u16,
        messages: Vec<String>,
    },

    #[error("invalid action: {field}: {reason}")]
    InvalidAction { field: String, reason: String },

    #[error("rejected by Jira (HTTP {status}): {request}")]
    Rejected {
        request: RequestFailure,
        status: u16,
        messages: Vec<String>,
    },

    #[error("invalid resume cursor: {0}")]
    InvalidCursor(String),

    #[error("unsupported: {0}")]
    Unsupported(String),

    #[error("{0}")]
    Other(String),
}

fn permission_hint(permission: &Option<String>) -> String {
    match permission {
        Some(p) => format!("; needs the Jira permission: {p}"),
        None => String::new(),
    }
}

fn scope_hint(scopes: &[String]) -> String {
    if scopes.is_empty() {
        String::new()
    } else {
        format!("; a scoped token needs the scopes: {}", scopes.join(", "))
    }
}

impl Error {
    pub fn invalid_config(field: &str, reason: impl Into<String>) -> Self {
        Error::InvalidConfig {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    pub fn invalid_action(field: &str, reason: impl Into<String>) -> Self {
        Error::InvalidAction {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
