//! The users phase: every account, through `users/search`, a plain array
//! with no total, paged by `startAt` until an empty page.
//!
//! With the organization admin API configured, each page's accounts are
//! also looked up in the organization's user search, in chunks of
//! [`IDS_PER_SEARCH`] ids, each chunk followed through its cursor pages.
//! The page's users are written once every chunk is in, so each user entity
//! carries its last activity and account status; only the pages awaiting
//! their lookups are held, never the whole site.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::answer::Answer;
use super::job::Fetch;
use super::phase::{Facts, Phase, Sink, Tally};
use crate::domain::source;
use crate::error::Result;
use crate::jira::api::org::{IDS_PER_SEARCH, org_user_search_page};
use crate::jira::api::users::{PAGE_SIZE, users_page};
use crate::jira::call::{Call, Untyped};
use crate::jira::client::{Api, OrgApi};
use crate::jira::models::{OrgUserPage, User};
use crate::jira::page::ArrayPlan;
use crate::mapping::{self, ActivityWindow, OrgRecord};

/// One request of the users phase.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum UsersJob {
    /// A page of `users/search`.
    Page { start_at: u64 },
    /// One page of the organization's search for some of the accounts of
    /// the users page at `start_at`; `cursor` is the previous page's
    /// `links.next`, `None` for the first.
    Org {
        start_at: u64,
        ids: Vec<String>,
        cursor: Option<String>,
    },
}

impl Fetch for UsersJob {
    fn call(&self, api: &Api) -> Call<Untyped> {
        match self {
            UsersJob::Page { start_at } => users_page(api, *start_at).untyped(),
            UsersJob::Org { ids, cursor, .. } => {
                // `Extraction::resume` refuses a cursor with org jobs when
                // the admin API is not configured; should one get here all
                // the same, the request carries no key and is refused.
                let fallback;
                let org = match api.org() {
                    Some(org) => org,
                    None => {
                        fallback = OrgApi::unconfigured();
                        &fallback
                    }
                };
                org_user_search_page(org, ids, cursor.as_deref()).untyped()
            }
        }
    }
}

/// A users page waiting for its organization lookups.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Waiting {
    users: Vec<User>,
    /// What the organization said so far, by account id.
    records: BTreeMap<String, OrgRecord>,
    /// Chunks whose last page has not arrived yet.
    chunks_left: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Users {
    plan: ArrayPlan,
    /// Accounts that are not plain users (apps, customers), for `Facts`.
    account_types: BTreeMap<String, String>,
    /// Set when the organization admin API is configured.
    activity: Option<ActivityWindow>,
    /// Users pages waiting for their organization lookups, by `startAt`.
    waiting: BTreeMap<u64, Waiting>,
    /// Users written.
    tally: Tally,
}

impl Users {
    /// Writes a page's users, each with what the organization said of it
    /// when the admin API is configured.
    fn write(
        &mut self,
        users: &[User],
        records: &BTreeMap<String, OrgRecord>,
        out: &mut Sink<'_, UsersJob>,
    ) {
        self.tally.done += users.len() as u64;
        for user in users {
            let mut entity = mapping::user(user);
            if let Some(window) = &self.activity
                && let Some(row) =
                    mapping::enrich(&mut entity, records.get(&user.account_id), window)
            {
                out.entitlement(row);
            }
            out.entity(entity);
        }
    }

    fn org_page(
        &mut self,
        (start_at, ids, cursor): (u64, Vec<String>, Option<String>),
        answer: &Answer,
        out: &mut Sink<'_, UsersJob>,
    ) -> Result<()> {
        let page: OrgUserPage = answer.decode_as()?;
        let Some(waiting) = self.waiting.get_mut(&start_at) else {
            return Err(answer.invalid(format!(
                "an organization page for users page {start_at}, which is not awaited"
            )));
        };
        for u in &page.data {
            // An account the search was not asked for is not this page's.
            if !ids.contains(&u.account_id) {
                continue;
            }
            let record = waiting.records.entry(u.account_id.clone()).or_default();
            record.merge(u).map_err(|e| answer.invalid(e))?;
        }
        match page.links.and_then(|l| l.next).filter(|n| !n.is_empty()) {
            // A search that hands back the cursor it was given would never end.
            Some(next) if cursor.as_deref() == Some(next.as_str()) => {
                return Err(answer.invalid("links.next repeats the cursor of the page it is on"));
            }
            Some(next) => {
                out.queue_first(UsersJob::Org {
                    start_at,
                    ids,
                    cursor: Some(next),
                });
                return Ok(());
            }
            None => waiting.chunks_left -= 1,
        }
        if waiting.chunks_left == 0
            && let Some(done) = self.waiting.remove(&start_at)
        {
            self.write(&done.users, &done.records, out);
        }
        Ok(())
    }
}

impl Phase for Users {
    type Job = UsersJob;
    const NAME: &'static str = "users";

    fn start(facts: &Facts, concurrency: u32) -> (Self, Vec<UsersJob>) {
        // Without a total, a window of pages as wide as the concurrency is
        // kept in flight ahead of the last page seen. With the organization
        // configured, each page is held until its searches are in, and ten
        // searches per page keep the window full: two pages ahead is enough,
        // and holds two pages, not the concurrency's worth (at 16, the whole
        // of a 16,000-user site at once).
        let window = match facts.activity {
            Some(_) => u64::from(concurrency).min(2),
            None => u64::from(concurrency),
        };
        let (plan, first) = ArrayPlan::start(PAGE_SIZE, window);
        let phase = Self {
            plan,
            account_types: BTreeMap::new(),
            activity: facts.activity,
            waiting: BTreeMap::new(),
            tally: Tally::default(),
        };
        (phase, vec![UsersJob::Page { start_at: first }])
    }

    fn handle(
        &mut self,
        job: UsersJob,
        answer: &Answer,
        out: &mut Sink<'_, UsersJob>,
    ) -> Result<()> {
        let start_at = match job {
            UsersJob::Page { start_at } => start_at,
            UsersJob::Org {
                start_at,
                ids,
                cursor,
            } => return self.org_page((start_at, ids, cursor), answer, out),
        };
        let page: Vec<User> = answer.decode_as()?;
        for user in &page {
            let account_type = user.account_type.as_deref();
            if mapping::identity_source(account_type) != source::USER {
                self.account_types.insert(
                    user.account_id.clone(),
                    account_type.unwrap_or_default().to_owned(),
                );
            }
        }
        for offset in self.plan.on_page(start_at, page.len() as u64) {
            out.queue(UsersJob::Page { start_at: offset });
        }
        if self.activity.is_none() || page.is_empty() {
            self.write(&page, &BTreeMap::new(), out);
            return Ok(());
        }
        let ids: Vec<String> = page.iter().map(|u| u.account_id.clone()).collect();
        let chunks: Vec<&[String]> = ids.chunks(IDS_PER_SEARCH).collect();
        self.waiting.insert(
            start_at,
            Waiting {
                users: page,
                records: BTreeMap::new(),
                chunks_left: chunks.len(),
            },
        );
        // Ahead of further users pages: finishing a page frees it.
        for chunk in chunks.into_iter().rev() {
            out.queue_first(UsersJob::Org {
                start_at,
                ids: chunk.to_vec(),
                cursor: None,
            });
        }
        Ok(())
    }

    fn is_complete(&self) -> bool {
        self.plan.is_done() && self.waiting.is_empty()
    }

    fn progress(&self) -> Tally {
        self.tally
    }

    fn finish(&self, facts: &mut Facts) {
        facts.account_types = self.account_types.clone();
    }
}
