//! A full extraction, run as phases that overlap and delivered in batches.
//!
//! This module is the scheduler; it knows nothing of Jira's resources. Each
//! phase lives in the module of its resource, owns its jobs and its
//! bookkeeping, and maps its answers (see [`phase::Phase`]).
//!
//! Every page is a job. Jobs that do not depend on each other (the pages of
//! one listing once its total is known, the member pages of different groups,
//! the roles of different projects) are handed to the executor together, so
//! they are in flight at once. Phases that do not depend on each other run
//! at once too: a phase starts as soon as every phase whose facts it reads
//! has finished, and the jobs of every phase under way share one queue and
//! one window of requests in flight, so the window does not drain between
//! phases. Each answer is mapped straight into the current batch, so the
//! guest holds at most a batch, the pages in flight and the bookkeeping of
//! the phases under way, whatever the size of the tenant.

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
use std::collections::BTreeSet;

// The phases; adding one is adding its module and a line here. A phase
// reads facts only in `start` and passes them on only in `finish` (see
// `phase::Facts`), so it comes after exactly the phases whose facts its
// `start` reads, and runs alongside every other. Users (the account types
// of apps and customers), application roles (the products and the groups
// each names), groups (their names), global roles (the roles of every
// company-managed project), permissions and permission schemes (their
// grants) read nothing, and start together. Admin tiers (site-admin, and
// each product's admin and user groups) read the products and the groups
// `/applicationrole` names, and pass on the site-admin groups and what
// each group gives. Projects resolve each project's grants (and write its
// project entity) once its roles, its lead and its scheme are known: they
// read the account types, the products, group ids by name, the global
// roles and the scheme grants, and pass on the groups that administer each
// project. Group members read every group's name and what each gives:
// products and admin tiers, and the projects it administers. Every fact is
// kept per group, never per user.
job::phases! {
    Users: users::Users,
    ApplicationRoles: product_access::ApplicationRoles,
    AdminTiers: admin_tiers::AdminTiers [after ApplicationRoles],
    Groups: groups::Groups,
    Roles: projects::Roles,
    Permissions: permissions::Permissions,
    PermissionSchemes: permissions::PermissionSchemes,
    Projects: projects::Projects
        [after Users, ApplicationRoles, Groups, Roles, PermissionSchemes],
    GroupMembers: groups::GroupMembers [after Groups, AdminTiers, Projects],
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

/// A phase under way, and how many of its jobs are outstanding: waiting in
/// the queue or in the executor. It is over when none is left.
struct Running {
    phase: Current,
    outstanding: usize,
}

pub struct Extraction<T: Transport> {
    api: Api,
    executor: Executor<T, Sent>,
    concurrency: u32,
    /// How many jobs may wait in the executor at once: enough to keep it
    /// busy, few enough that requests are built only shortly before sending.
    feed_limit: usize,
    /// Records not yet delivered and jobs not yet handed to the executor,
    /// of every phase under way.
    pending: Pending,
    /// What finished phases passed on.
    facts: Facts,
    /// The phases under way, in the order they started; empty once every
    /// phase was delivered.
    running: Vec<Running>,
    /// The phases that finished and passed on their facts. A phase neither
    /// here nor under way waits for one it comes after.
    finished: BTreeSet<PhaseId>,
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
        extraction.start_ready_phases();
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
        // The cursor holds every job not handled yet, so each phase's share
        // of them is what it has outstanding.
        extraction.running = cursor
            .running
            .iter()
            .map(|phase| Running {
                outstanding: cursor.jobs.iter().filter(|job| phase.owns(job)).count(),
                phase: phase.clone(),
            })
            .collect();
        extraction.finished = cursor.finished.clone();
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
            running: Vec::new(),
            finished: BTreeSet::new(),
            failed: None,
            checkpoint: None,
        }
    }

    /// Starts, in list order, every phase that has not started and whose
    /// dependencies have all finished; their first jobs join the queue
    /// behind the jobs of the phases already under way.
    fn start_ready_phases(&mut self) {
        for &id in PhaseId::ALL {
            let started = self.finished.contains(&id)
                || self.running.iter().any(|running| running.phase.id() == id);
            if started || !id.after().iter().all(|dep| self.finished.contains(dep)) {
                continue;
            }
            let (phase, jobs) = id.start(&self.facts, self.concurrency);
            let outstanding = jobs.len();
            self.pending.queue.extend(jobs);
            self.running.push(Running { phase, outstanding });
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
            self.running.iter().map(|r| r.phase.clone()).collect(),
            self.finished.clone(),
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
        if self.running.is_empty() {
            return Ok(None);
        }
        match self.run() {
            Ok(batch) => {
                self.save_checkpoint();
                Ok(Some(batch))
            }
            Err(e) => {
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Runs the phases under way until a batch is ready: one is full, or a
    /// phase is over.
    fn run(&mut self) -> Result<Batch> {
        loop {
            // A phase that started with no job (group members of a site
            // without groups), or a cursor saved so, is over at once.
            if let Some(i) = self.running.iter().position(|r| r.outstanding == 0) {
                return self.end_phase(i);
            }
            while self.executor.outstanding() < self.feed_limit {
                let Some(job) = self.pending.queue.pop_front() else {
                    break;
                };
                let (endpoint, request) = job.call(&self.api).into_parts();
                self.executor.submit(Sent { endpoint, job }, request);
            }
            let Some(done) = self.executor.next_completed() else {
                // Every phase under way has a job outstanding, and the feed
                // above hands queued jobs on to an idle executor.
                return Err(Error::Other(format!(
                    "The scheduler lost the jobs of phase {}",
                    self.running.first().map_or("(none)", |r| r.phase.name())
                )));
            };
            let (job, answer) = answer::receive(done)?;
            let owner = job.phase();
            let Some(i) = self.running.iter().position(|r| r.phase.id() == owner) else {
                return Err(Error::Other(format!(
                    "An answer came for phase {}, which is not under way",
                    owner.name()
                )));
            };
            let queued = self.pending.queue.len();
            let running = &mut self.running[i];
            running.phase.handle(job, &answer, &mut self.pending)?;
            // The queue only grows while a phase handles an answer, and only
            // with that phase's jobs: the growth is what it queued.
            let added = self.pending.queue.len().saturating_sub(queued);
            running.outstanding = (running.outstanding + added).saturating_sub(1);
            if running.outstanding == 0 {
                return self.end_phase(i);
            }
            if self.pending.records() >= BATCH_RECORDS {
                let progress = progress(&running.phase);
                return Ok(self.take_batch(progress));
            }
        }
    }

    /// A phase ends when no job of it is left; it must agree that it read
    /// every listing to its end, or something would be missing. Its batch
    /// (perhaps empty) carries its final progress, so that each phase is
    /// seen to end; then the phases that waited for it start.
    fn end_phase(&mut self, i: usize) -> Result<Batch> {
        let ended = &self.running[i].phase;
        if !ended.is_complete() {
            return Err(Error::Other(format!(
                "Phase {} ended before every page was read",
                ended.name()
            )));
        }
        let batch = self.take_batch(progress(ended));
        let ended = self.running.remove(i).phase;
        ended.finish(&mut self.facts);
        self.finished.insert(ended.id());
        self.start_ready_phases();
        Ok(batch)
    }

    /// Hands over the records pending, of whichever phases mapped them,
    /// with `progress`: that of the phase whose answer or end cut the batch.
    fn take_batch(&mut self, progress: Progress) -> Batch {
        Batch {
            entities: std::mem::take(&mut self.pending.entities),
            relations: std::mem::take(&mut self.pending.relations),
            entitlements: std::mem::take(&mut self.pending.entitlements),
            progress,
        }
    }
}

/// How far `phase` is, for a batch.
fn progress(phase: &Current) -> Progress {
    let tally = phase.progress();
    Progress {
        phase: phase.name(),
        done: tally.done,
        total: tally.total,
    }
}

#[cfg(test)]
mod tests;
