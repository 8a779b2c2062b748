//! The runner every action family writes through: it sends one request at a
//! time, records each exchange for audit, settles an ambiguous answer to a
//! write by what was read back, and reads state for the read-backs. Nothing
//! here knows one action from another.

use crate::error::{Error, RequestFailure, Result, sentences};
use crate::jira::client::{Api, classify, decode, error_messages};
use crate::jira::endpoints::Endpoint;
use crate::jira::executor::{Executor, RetryPolicy};
use crate::jira::transport::{HttpRequest, HttpResponse, Method, Transport};

use super::action::{Exchange, Outcome, Status};

/// Whether Jira's answer to a write may mean "already done" or "not there".
/// Jira answers 400 for some of those (a member or role actor that is already
/// there or not there, a grant that is present or missing) and 404 for
/// others (a group or property that is gone), and uses both for requests it
/// refuses: only reading the state back tells them apart.
pub(super) fn ambiguous(status: u16) -> bool {
    matches!(status, 400 | 404)
}

pub(super) struct Run<'a, T> {
    api: &'a Api,
    executor: Executor<T, ()>,
    exchanges: Vec<Exchange>,
}

/// An HTTP answer of any status, to decide on.
pub(super) struct Reply {
    endpoint: Endpoint,
    request: HttpRequest,
    response: HttpResponse,
    attempts: u32,
}

impl<'a, T: Transport> Run<'a, T> {
    /// A runner that sends one request at a time through `transport`.
    pub(super) fn new(api: &'a Api, transport: T, policy: RetryPolicy) -> Self {
        Run {
            api,
            executor: Executor::new(transport, 1, policy),
            exchanges: Vec::new(),
        }
    }

    /// Where requests go, for the families to build them.
    pub(super) fn api(&self) -> &'a Api {
        self.api
    }

    /// Sends one request and records it. An answer of any status comes back;
    /// no answer at all is an error.
    pub(super) fn send(&mut self, endpoint: Endpoint, request: HttpRequest) -> Result<Reply> {
        self.executor.submit((), request);
        let done = self
            .executor
            .next_completed()
            .ok_or_else(|| Error::Other(format!("The request to {} was lost", endpoint.step())))?;
        let response = match done.result {
            Ok(response) => response,
            Err(e) => {
                let mut error = match classify(endpoint, &done.request, Err(e), done.attempts) {
                    Err(error) => error,
                    Ok(_) => Error::Other(format!("{}: no answer", endpoint.step())),
                };
                if done.request.method != Method::Get
                    && let Error::Network(f) = &mut error
                {
                    f.message = sentences([
                        f.message.as_str(),
                        "The change may or may not have been made",
                        "Apply the action again to find out (it is idempotent)",
                    ]);
                }
                return Err(error);
            }
        };
        self.exchanges.push(Exchange {
            method: done.request.method.as_str(),
            path: done.request.path_and_query.clone(),
            status: response.status,
        });
        Ok(Reply {
            endpoint,
            request: done.request,
            response,
            attempts: done.attempts,
        })
    }

    pub(super) fn done(self, status: Status, created_id: Option<String>) -> Result<Outcome> {
        Ok(Outcome {
            status,
            created_id,
            exchanges: self.exchanges,
        })
    }

    /// Settles an ambiguous answer to a write by what was read back:
    /// `already-in-state` when the state is as the action wants, and
    /// otherwise the write's own error.
    pub(super) fn settle(
        self,
        reply: Reply,
        holds: bool,
        created_id: Option<String>,
    ) -> Result<Outcome> {
        if holds {
            self.done(Status::AlreadyInState, created_id)
        } else {
            Err(reply.error())
        }
    }

    /// A read after an ambiguous answer: anything but 200 is an error.
    pub(super) fn read<D: serde::de::DeserializeOwned>(
        &mut self,
        endpoint: Endpoint,
        request: HttpRequest,
    ) -> Result<D> {
        let reply = self.send(endpoint, request)?;
        if reply.status() != 200 {
            return Err(reply.error());
        }
        reply.decode()
    }

    /// A read-back of something that may not exist: `None` when Jira answers
    /// 404, an error for any other answer but 200.
    pub(super) fn read_found<D: serde::de::DeserializeOwned>(
        &mut self,
        endpoint: Endpoint,
        request: HttpRequest,
    ) -> Result<Option<D>> {
        let reply = self.send(endpoint, request)?;
        match reply.status() {
            200 => reply.decode().map(Some),
            404 => Ok(None),
            _ => Err(reply.error()),
        }
    }
}

impl Reply {
    pub(super) fn status(&self) -> u16 {
        self.response.status
    }

    /// Whether Jira's error messages say `needle` (case-insensitive).
    pub(super) fn mentions(&self, needle: &str) -> bool {
        let needle = needle.to_ascii_lowercase();
        error_messages(&self.response.body)
            .iter()
            .any(|m| m.to_ascii_lowercase().contains(&needle))
    }

    pub(super) fn decode<D: serde::de::DeserializeOwned>(&self) -> Result<D> {
        decode(self.endpoint, &self.request, &self.response)
    }

    pub(super) fn failure(&self, message: String) -> RequestFailure {
        RequestFailure::new(self.endpoint.step(), &self.request.line(), message)
    }

    /// The typed error this answer's status means.
    pub(super) fn error(self) -> Error {
        match classify(
            self.endpoint,
            &self.request,
            Ok(self.response.clone()),
            self.attempts,
        ) {
            Err(e) => e,
            Ok(_) => Error::Upstream {
                request: self.failure(format!("Unexpected HTTP {}", self.response.status)),
                status: self.response.status,
                messages: error_messages(&self.response.body),
            },
        }
    }

    pub(super) fn rejected(self) -> Error {
        let messages = error_messages(&self.response.body);
        Error::Rejected {
            request: self.failure(sentences(&messages)),
            status: self.response.status,
            messages,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::error::Error;
    use crate::jira::transport::TransportError;
    use crate::lifecycle::Action;
    use crate::lifecycle::testing::run;

    #[test]
    fn a_write_that_gets_no_answer_is_not_retried() {
        let action = Action::CreateGroup { name: "x".into() };
        let (outcome, lines) = run(action, |_| Err(TransportError::Connection("reset".into())));
        match outcome {
            Err(Error::Network(f)) => {
                assert!(f.message.contains("Apply the action again"), "{f:?}");
                crate::error::tests::assert_clean_sentences(&Error::Network(f).to_string());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(lines.len(), 1);
    }
}
