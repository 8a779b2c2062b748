//! The answer a phase consumes: the jira client's [`Reply`] to a call whose
//! answer type only the phase knows. This is the one place where what the
//! executor finished becomes a successful reply or the typed error its
//! status means.

use super::Job;
use crate::error::Result;
use crate::jira::call::{Reply, Untyped};
use crate::jira::endpoints::Endpoint;
use crate::jira::executor::Completed;

/// A successful reply; phases decode it with [`Reply::decode_as`].
pub(crate) type Answer = Reply<Untyped>;

/// A job as the executor holds it: with the endpoint its call named, so that
/// its reply and its errors name the endpoint without building the call again.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub endpoint: Endpoint,
    pub job: Job,
}

/// The job a finished request was for, and its reply if it succeeded.
pub(crate) fn receive(done: Completed<Sent>) -> Result<(Job, Answer)> {
    let (sent, reply) = Reply::receive(done.job.endpoint, done);
    Ok((sent.job, reply?.success()?))
}
