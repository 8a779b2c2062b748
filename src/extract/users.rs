//! The users phase: every account, through `users/search`, a plain array
//! with no total, paged by `startAt` until an empty page.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::answer::Answer;
use super::job::Fetch;
use super::phase::{Facts, Phase, Sink, Tally};
use crate::domain::source;
use crate::error::Result;
use crate::jira::api::users::{PAGE_SIZE, users_page};
use crate::jira::call::{Call, Untyped};
use crate::jira::client::Api;
use crate::jira::models::User;
use crate::jira::page::ArrayPlan;
use crate::mapping;

/// One page of users.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UsersJob {
    start_at: u64,
}

impl Fetch for UsersJob {
    fn call(&self, api: &Api) -> Call<Untyped> {
        users_page(api, self.start_at).untyped()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Users {
    plan: ArrayPlan,
    /// Accounts that are not plain users (apps, customers), for `Facts`.
    account_types: BTreeMap<String, String>,
    /// Users read.
    tally: Tally,
}

impl Phase for Users {
    type Job = UsersJob;
    const NAME: &'static str = "users";

    fn start(_: &Facts, concurrency: u32) -> (Self, Vec<UsersJob>) {
        // Without a total, a window of pages as wide as the concurrency is
        // kept in flight ahead of the last page seen.
        let (plan, first) = ArrayPlan::start(PAGE_SIZE, u64::from(concurrency));
        let phase = Self {
            plan,
            account_types: BTreeMap::new(),
            tally: Tally::default(),
        };
        (phase, vec![UsersJob { start_at: first }])
    }

    fn handle(
        &mut self,
        job: UsersJob,
        answer: &Answer,
        out: &mut Sink<'_, UsersJob>,
    ) -> Result<()> {
        let UsersJob { start_at } = job;
        let page: Vec<User> = answer.decode_as()?;
        self.tally.done += page.len() as u64;
        for user in &page {
            let account_type = user.account_type.as_deref();
            if mapping::identity_source(account_type) != source::USER {
                self.account_types.insert(
                    user.account_id.clone(),
                    account_type.unwrap_or_default().to_owned(),
                );
            }
        }
        out.entities(page.iter().map(mapping::user));
        for offset in self.plan.on_page(start_at, page.len() as u64) {
            out.queue(UsersJob { start_at: offset });
        }
        Ok(())
    }

    fn is_complete(&self) -> bool {
        self.plan.is_done()
    }

    fn progress(&self) -> Tally {
        self.tally
    }

    fn finish(&self, facts: &mut Facts) {
        facts.account_types = self.account_types.clone();
    }
}
