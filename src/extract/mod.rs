//! A full extraction, run as a sequence of phases and delivered in batches.
//!
//! This module is the scheduler; it knows nothing of Jira's resources. Each
//! phase lives in the module of its resource, owns its jobs and its
//! bookkeeping, and maps its answers (see [`phase::Phase`]).
//!
//! Every page is a job. Jobs that do not depend on each other (the pages of
//! one listing once its total is known, the member pages of different groups,
//! the roles of different projects) are handed to the executor together, so
//! they are in flight at once. Each answer is mapped straight into the current
//! batch, so the guest holds at most a batch and the pages in flight, whatever
//! the size of the tenant.

mod admin_tiers;
mod answer;
mod cursor;
mod groups;
mod job;
mod listing;
mod permissions;
mod phase;
mod product_access;
mod projects;
mod users;

use crate::domain::{Entitlement, Entity, Relation};
use crate::error::{Error, Result, sentences};
use crate::jira::client::Api;
use crate::jira::executor::{Executor, RetryPolicy, Stats};
use crate::jira::transport::Transport;
use crate::mapping::ActivityWindow;
use answer::Sent;
use cursor::Cursor;
pub use phase::SiteFacts;
use phase::{Facts, Pending};

// The phases, in order; adding one is adding its module and a line here.
// Each phase passes on facts a later one needs (see `phase::Facts`): users
// the account types of apps and customers; application roles the products
// and the groups each names; admin tiers (site-admin, and each product's
// admin and user groups, after application roles because they are read per
// product) the site-admin groups and what each group gives; groups their
// names (for projects, whose grants may name a group only by name, and for
// group members); global roles the roles of every company-managed project;
// permission schemes their grants. Projects come after those, because each
// project's grants are resolved (and its project entity written) once its
// roles, its lead and its scheme are known; they pass on the groups that
// administer each project. Group members come last, because each member's
// entitlement rows name what the group gives: products, admin tiers and
// the projects it administers. Every fact is kept per group, never per user.
job::phases! {
    Users: users::Users,
    ApplicationRoles: product_access::ApplicationRoles,
    AdminTiers: admin_tiers::AdminTiers,
    Groups: groups::Groups,
    Roles: projects::Roles,
    Permissions: permissions::Permissions,
    PermissionSchemes: permissions::PermissionSchemes,
    Projects: projects::Projects,
    GroupMembers: groups::GroupMembers,
}

/// A batch is handed over once it holds this many records.
pub const BATCH_RECORDS: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub phase: &'static str,
    pub done: u64,
    pub total: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub entities: Vec<Entity>,
    pub relations: Vec<Relation>,
    pub entitlements: Vec<Entitlement>,
    pub progress: Progress,
}

pub struct Extraction<T: Transport> {
    api: Api,
    executor: Executor<T, Sent>,
    concurrency: u32,
    /// How many jobs may wait in the executor at once: enough to keep it
    /// busy, few enough that requests are built only shortly before sending.
    feed_limit: usize,
    /// Records not yet delivered and jobs not yet handed to the executor.
    pending: Pending,
    /// What finished phases passed on.
    facts: Facts,
    /// The phase under way; `None` once every phase was delivered.
    phase: Option<Current>,
    failed: Option<Error>,
    /// The cursor as of the last delivered batch.
    checkpoint: Option<Cursor>,
}

impl<T: Transport> Extraction<T> {
    pub fn new(
        api: Api,
        site: SiteFacts,
        transport: T,
        concurrency: u32,
        policy: RetryPolicy,
    ) -> Self {
        Self::with_activity(api, site, None, transport, concurrency, policy)
    }

    /// Like [`Extraction::new`]; with `activity`, each user is also looked
    /// up in the organization admin API `api` names, and judged dormant or
    /// not over the window.
    pub fn with_activity(
        api: Api,
        site: SiteFacts,
        activity: Option<ActivityWindow>,
        transport: T,
        concurrency: u32,
        policy: RetryPolicy,
    ) -> Self {
        let mut extraction = Self::blank(api, transport, concurrency, policy);
        extraction.facts.site = site;
        // Without the admin API configured there is nothing to look up.
        extraction.facts.activity = activity.filter(|_| extraction.api.org().is_some());
        let (phase, jobs) = Current::first(&extraction.facts, extraction.concurrency);
        extraction.pending.queue.extend(jobs);
        extraction.phase = Some(phase);
        extraction
    }

    /// Carries on from a cursor that [`Extraction::resume_cursor`] gave.
    pub fn resume(
        api: Api,
        transport: T,
        concurrency: u32,
        policy: RetryPolicy,
        cursor: &str,
    ) -> Result<Self> {
        let cursor = Cursor::parse(cursor, &api.base_url())?;
        // The users phase of a cursor made with the admin API looks users up
        // in the organization; one made without it does not. Either way the
        // configuration must say the same.
        if cursor.facts.activity.is_some() != api.org().is_some() {
            return Err(Error::InvalidCursor(
                "The cursor was made with a different organization setting \
                 (appConfig.adminApiKey and appConfig.orgId): configure them as for the run \
                 that made it, or start over without --resume"
                    .to_owned(),
            ));
        }
        let mut extraction = Self::blank(api, transport, concurrency, policy);
        extraction.pending.queue.extend(cursor.jobs.iter().cloned());
        extraction.facts = cursor.facts.clone();
        extraction.phase = cursor.phase.clone();
        extraction.checkpoint = Some(cursor);
        Ok(extraction)
    }

    fn blank(api: Api, transport: T, concurrency: u32, policy: RetryPolicy) -> Self {
        let concurrency = concurrency.max(1);
        Self {
            api,
            executor: Executor::new(transport, concurrency, policy),
            concurrency,
            feed_limit: 2 * concurrency as usize,
            pending: Pending::default(),
            facts: Facts::default(),
            phase: None,
            failed: None,
            checkpoint: None,
        }
    }

    /// The cursor as of the last delivered batch, serialised; `None` before
    /// the first batch.
    pub fn resume_cursor(&self) -> Option<String> {
        self.checkpoint.as_ref().map(Cursor::to_json)
    }

    /// Saves the state that follows the batch about to be delivered: every
    /// job not handled yet, wherever it waits.
    fn save_checkpoint(&mut self) {
        let jobs = self
            .executor
            .pending_jobs()
            .map(|sent| &sent.job)
            .chain(self.pending.queue.iter())
            .cloned()
            .collect();
        self.checkpoint = Some(Cursor::new(
            self.api.base_url(),
            self.facts.clone(),
            self.phase.clone(),
            jobs,
        ));
    }

    pub fn stats(&self) -> Stats {
        self.executor.stats()
    }

    #[cfg(test)]
    fn transport(&self) -> &T {
        self.executor.transport()
    }

    /// Does work until a batch is ready. `None` once everything was delivered.
    pub fn next_batch(&mut self) -> Result<Option<Batch>> {
        if let Some(e) = &self.failed {
            return Err(Error::Other(sentences([
                "This extraction already failed and cannot continue".to_owned(),
                format!("It failed with: {e}"),
                "Resume it from its cursor".to_owned(),
            ])));
        }
        let Some(phase) = self.phase.take() else {
            return Ok(None);
        };
        match self.run(phase) {
            Ok((batch, phase)) => {
                self.phase = phase;
                self.save_checkpoint();
                Ok(Some(batch))
            }
            Err(e) => {
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Runs `phase` until a batch is ready; returns the batch and the phase
    /// under way after it.
    fn run(&mut self, mut phase: Current) -> Result<(Batch, Option<Current>)> {
        loop {
            while self.executor.outstanding() < self.feed_limit {
                let Some(job) = self.pending.queue.pop_front() else {
                    break;
                };
                let (endpoint, request) = job.call(&self.api).into_parts();
                self.executor.submit(Sent { endpoint, job }, request);
            }
            let Some(done) = self.executor.next_completed() else {
                return self.end_phase(phase);
            };
            let (job, answer) = answer::receive(done)?;
            phase.handle(job, &answer, &mut self.pending)?;
            if self.pending.records() >= BATCH_RECORDS {
                let batch = self.take_batch(&phase);
                return Ok((batch, Some(phase)));
            }
        }
    }

    /// A phase ends when no job is left; it must agree that it read every
    /// listing to its end, or something would be missing. Then the next
    /// phase starts.
    fn end_phase(&mut self, phase: Current) -> Result<(Batch, Option<Current>)> {
        if !phase.is_complete() {
            return Err(Error::Other(format!(
                "Phase {} ended before every page was read",
                phase.name()
            )));
        }
        let batch = self.take_batch(&phase);
        phase.finish(&mut self.facts);
        let next = phase
            .next(&self.facts, self.concurrency)
            .map(|(next, jobs)| {
                self.pending.queue.extend(jobs);
                next
            });
        Ok((batch, next))
    }

    fn take_batch(&mut self, phase: &Current) -> Batch {
        let tally = phase.progress();
        Batch {
            entities: std::mem::take(&mut self.pending.entities),
            relations: std::mem::take(&mut self.pending.relations),
            entitlements: std::mem::take(&mut self.pending.entitlements),
            progress: Progress {
                phase: phase.name(),
                done: tally.done,
                total: tally.total,
            },
        }
    }
}

#[cfg(test)]
mod tests;
