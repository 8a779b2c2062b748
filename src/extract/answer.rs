//! The answer a phase consumes. This is the one place where what the
//! executor finished becomes a successful response or the typed error its
//! status means, so that phases never see the client's or the executor's
//! types.

use super::Job;
use crate::error::{Error, RequestFailure, Result};
use crate::jira::client::{classify, decode};
use crate::jira::endpoints::Endpoint;
use crate::jira::executor::Completed;
use crate::jira::page::PagingError;
use crate::jira::transport::{HttpRequest, HttpResponse};

/// A successful answer and the request it answers, for decoding and for
/// naming the request in errors.
pub(crate) struct Answer {
    endpoint: Endpoint,
    request: HttpRequest,
    response: HttpResponse,
}

impl Answer {
    /// The job a finished request was for, and its answer if it succeeded.
    pub fn of(done: Completed<Job>) -> Result<(Job, Answer)> {
        let endpoint = done.job.endpoint();
        let response = classify(endpoint, &done.request, done.result, done.attempts)?;
        let answer = Answer {
            endpoint,
            request: done.request,
            response,
        };
        Ok((done.job, answer))
    }

    pub fn decode<D: serde::de::DeserializeOwned>(&self) -> Result<D> {
        decode(self.endpoint, &self.request, &self.response)
    }

    /// The error for an answer that decoded but makes no sense.
    pub fn invalid(&self, message: impl Into<String>) -> Error {
        Error::InvalidResponse(RequestFailure::new(
            self.endpoint.step(),
            &self.request.line(),
            message,
        ))
    }

    /// The error for a listing that cannot be paged to its end.
    pub fn paging(&self, e: PagingError) -> Error {
        self.invalid(e.to_string())
    }
}
