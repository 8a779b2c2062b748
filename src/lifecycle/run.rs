//! The runner every action family writes through: it sends one call at a
//! time through a [`Client`], records each exchange for audit, settles an
//! ambiguous answer to a write by what was read back, and reads state for
//! the read-backs. Nothing here knows one action from another.

use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::jira::call::{Call, Reply};
use crate::jira::client::{Api, Client};
use crate::jira::executor::RetryPolicy;
use crate::jira::transport::Transport;

use super::action::{Exchange, Outcome, Status};

/// Whether Jira's answer to a write may mean "already done" or "not there".
/// Jira answers 400 for some of those (a member or role actor that is already
/// there or not there, a grant that is present or missing) and 404 for
/// others (a group or property that is gone), and uses both for requests it
/// refuses: only reading the state back tells them apart.
pub(super) fn ambiguous(status: u16) -> bool {
    matches!(status, 400 | 404)
}

pub(super) struct Run<T> {
    client: Client<T>,
    exchanges: Vec<Exchange>,
}

impl<T: Transport> Run<T> {
    /// A runner that sends one call at a time through `transport`.
    pub(super) fn new(api: &Api, transport: T, policy: RetryPolicy) -> Self {
        Run {
            client: Client::new(api.clone(), transport, policy),
            exchanges: Vec::new(),
        }
    }

    /// Where calls go, for the families to build them.
    pub(super) fn api(&self) -> &Api {
        self.client.api()
    }

    /// Sends one call and records the exchange. An answer of any status comes
    /// back; no answer at all is an error (for a write, one that says the
    /// change may or may not have been made).
    pub(super) fn send<R>(&mut self, call: Call<R>) -> Result<Reply<R>> {
        let reply = self.client.send(call)?;
        self.exchanges.push(Exchange {
            method: reply.request().method.as_str(),
            path: reply.request().path_and_query.clone(),
            status: reply.status(),
        });
        Ok(reply)
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
    pub(super) fn settle<R>(
        self,
        reply: Reply<R>,
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
    pub(super) fn read<R: DeserializeOwned>(&mut self, call: Call<R>) -> Result<R> {
        let reply = self.send(call)?;
        if reply.status() != 200 {
            return Err(reply.error());
        }
        reply.decode()
    }

    /// A read-back of something that may not exist: `None` when Jira answers
    /// 404, an error for any other answer but 200.
    pub(super) fn read_found<R: DeserializeOwned>(&mut self, call: Call<R>) -> Result<Option<R>> {
        let reply = self.send(call)?;
        match reply.status() {
            200 => reply.decode().map(Some),
            404 => Ok(None),
            _ => Err(reply.error()),
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
