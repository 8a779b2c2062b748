//! A full extraction, run as a sequence of phases and delivered in batches.
//!
//! Every page is a job. Jobs that do not depend on each other (the pages of
//! one listing once its total is known, the member pages of different groups,
//! the roles of different projects) are handed to the executor together, so
//! they are in flight at once. Each answer is mapped straight into the current
//! batch, so the guest holds at most a batch and the pages in flight, whatever
//! the size of the tenant.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::domain::{Entity, Relation};
use crate::error::{Error, RequestFailure, Result, sentences};
use crate::jira::api::{groups, permissions, projects, users};
use crate::jira::client::{Api, classify, decode};
use crate::jira::endpoints::Endpoint;
use crate::jira::executor::{Completed, Executor, RetryPolicy, Stats};
use crate::jira::models::{
    ApplicationRole, GroupDetails, PermissionScheme, PermissionSchemes, Permissions, Project,
    ProjectRole, User,
};
use crate::jira::page::{ArrayPlan, OffsetPlan, PageBean, PageFacts, PagingError};
use crate::jira::transport::{HttpRequest, HttpResponse, Transport};
use crate::mapping;

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
    pub progress: Progress,
}

/// The phases, in order. Global roles come before projects, because a
/// company-managed project's roles are the global ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Users,
    Groups,
    Roles,
    Projects,
    ApplicationRoles,
    Permissions,
    PermissionSchemes,
}

impl Phase {
    const ORDER: [Phase; 7] = [
        Phase::Users,
        Phase::Groups,
        Phase::Roles,
        Phase::Projects,
        Phase::ApplicationRoles,
        Phase::Permissions,
        Phase::PermissionSchemes,
    ];

    fn name(self) -> &'static str {
        match self {
            Phase::Users => "users",
            Phase::Groups => "groups",
            Phase::Roles => "roles",
            Phase::Projects => "projects",
            Phase::ApplicationRoles => "application-roles",
            Phase::Permissions => "permissions",
            Phase::PermissionSchemes => "permission-schemes",
        }
    }
}

/// One request to make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Job {
    Users {
        start_at: u64,
    },
    Groups {
        start_at: u64,
    },
    Members {
        group_id: Rc<str>,
        start_at: u64,
    },
    GlobalRoles,
    Projects {
        start_at: u64,
    },
    ProjectRoles {
        project_id: Rc<str>,
    },
    RoleActors {
        project_id: Rc<str>,
        role_id: u64,
    },
    ProjectScheme {
        project_id: Rc<str>,
    },
    ApplicationRoles,
    Permissions,
    PermissionSchemes,
    /// A scheme some project uses that the listing did not return.
    Scheme {
        scheme_id: u64,
    },
}

impl Job {
    fn endpoint(&self) -> Endpoint {
        match self {
            Job::Users { .. } => Endpoint::Users,
            Job::Groups { .. } => Endpoint::Groups,
            Job::Members { .. } => Endpoint::GroupMembers,
            Job::GlobalRoles => Endpoint::GlobalRoles,
            Job::Projects { .. } => Endpoint::Projects,
            Job::ProjectRoles { .. } => Endpoint::ProjectRoles,
            Job::RoleActors { .. } => Endpoint::ProjectRoleActors,
            Job::ProjectScheme { .. } => Endpoint::ProjectPermissionScheme,
            Job::ApplicationRoles => Endpoint::ApplicationRoles,
            Job::Permissions => Endpoint::Permissions,
            Job::PermissionSchemes => Endpoint::PermissionSchemes,
            Job::Scheme { .. } => Endpoint::PermissionScheme,
        }
    }

    fn request(&self, api: &Api) -> HttpRequest {
        match self {
            Job::Users { start_at } => users::search_page(api, *start_at),
            Job::Groups { start_at } => groups::bulk_page(api, *start_at),
            Job::Members { group_id, start_at } => groups::members_page(api, group_id, *start_at),
            Job::GlobalRoles => projects::global_roles(api),
            Job::Projects { start_at } => projects::search_page(api, *start_at),
            Job::ProjectRoles { project_id } => projects::role_details(api, project_id),
            Job::RoleActors {
                project_id,
                role_id,
            } => projects::role_actors(api, project_id, *role_id),
            Job::ProjectScheme { project_id } => projects::permission_scheme(api, project_id),
            Job::ApplicationRoles => permissions::application_roles(api),
            Job::Permissions => permissions::catalogue(api),
            Job::PermissionSchemes => permissions::schemes(api),
            Job::Scheme { scheme_id } => permissions::scheme(api, *scheme_id),
        }
    }

    /// The project a job reads, for counting finished projects.
    fn project(&self) -> Option<&Rc<str>> {
        match self {
            Job::ProjectRoles { project_id }
            | Job::RoleActors { project_id, .. }
            | Job::ProjectScheme { project_id } => Some(project_id),
            _ => None,
        }
    }
}

/// Everything an extraction has learnt that decides what it fetches next.
/// Saved at each delivered batch, it is what a resume cursor carries.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Ledger {
    /// Index into `Phase::ORDER`; its length once everything is delivered.
    phase: usize,
    /// Progress units of the current phase.
    done: u64,
    total: Option<u64>,

    user_plan: Option<ArrayPlan>,

    group_plan: Option<OffsetPlan>,
    groups_seen: HashSet<Rc<str>>,
    member_plans: HashMap<Rc<str>, OffsetPlan>,

    /// Global role ids: the roles of every company-managed project.
    global_roles: Vec<u64>,
    roles_seen: HashSet<u64>,
    project_plan: Option<OffsetPlan>,
    projects_seen: HashSet<Rc<str>>,
    /// Requests still to come per project; a project is done at zero.
    project_jobs: HashMap<Rc<str>, u32>,
    /// The schemes projects use, so that each one's grants are read even when
    /// the listing leaves it out (a team-managed project's scheme may be).
    #[serde(default)]
    schemes_used: BTreeSet<u64>,
}

/// A resume cursor's content: the ledger and the jobs not yet delivered.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cursor {
    version: u32,
    /// The API base URL: a cursor only resumes against the same site.
    base: String,
    ledger: Ledger,
    jobs: Vec<Job>,
}

/// 2: every project's scheme is read, and schemes used but not listed are
/// read by id; a version-1 cursor would skip them.
const CURSOR_VERSION: u32 = 2;
/// A cursor is a few kilobytes per thousand groups or projects; anything
/// near this size is not one of ours.
const MAX_CURSOR_BYTES: usize = 16 * 1024 * 1024;

pub struct Extraction<T: Transport> {
    api: Api,
    executor: Executor<T, Job>,
    concurrency: u32,
    /// How many jobs may wait in the executor at once: enough to keep it
    /// busy, few enough that requests are built only shortly before sending.
    feed_limit: usize,
    queue: VecDeque<Job>,
    failed: Option<Error>,
    entities: Vec<Entity>,
    relations: Vec<Relation>,
    ledger: Ledger,
    /// The cursor as of the last delivered batch.
    checkpoint: Option<Cursor>,
}

impl<T: Transport> Extraction<T> {
    pub fn new(api: Api, transport: T, concurrency: u32, policy: RetryPolicy) -> Self {
        let mut extraction = Self::blank(api, transport, concurrency, policy);
        extraction.enter(Phase::ORDER[0]);
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
        if cursor.len() > MAX_CURSOR_BYTES {
            return Err(Error::InvalidCursor("too large".into()));
        }
        let cursor: Cursor = serde_json::from_str(cursor)
            .map_err(|e| Error::InvalidCursor(format!("not a cursor of this connector: {e}")))?;
        if cursor.version != CURSOR_VERSION {
            return Err(Error::InvalidCursor(format!(
                "version {} cannot be resumed by this connector (version {CURSOR_VERSION})",
                cursor.version
            )));
        }
        if cursor.base != api.base_url() {
            return Err(Error::InvalidCursor(format!(
                "it belongs to {}, not to {}",
                cursor.base,
                api.base_url()
            )));
        }
        if cursor.ledger.phase > Phase::ORDER.len() {
            return Err(Error::InvalidCursor(
                "it names a phase that does not exist".into(),
            ));
        }
        let mut extraction = Self::blank(api, transport, concurrency, policy);
        extraction.queue.extend(cursor.jobs.iter().cloned());
        extraction.ledger = cursor.ledger.clone();
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
            queue: VecDeque::new(),
            failed: None,
            entities: Vec::new(),
            relations: Vec::new(),
            ledger: Ledger::default(),
            checkpoint: None,
        }
    }

    /// The cursor as of the last delivered batch, serialised; `None` before
    /// the first batch.
    pub fn resume_cursor(&self) -> Option<String> {
        self.checkpoint
            .as_ref()
            .map(|c| serde_json::to_string(c).expect("a cursor always serialises"))
    }

    /// Saves the state that follows the batch about to be delivered: every
    /// job not handled yet, wherever it waits.
    fn save_checkpoint(&mut self) {
        let jobs = self
            .executor
            .pending_jobs()
            .chain(self.queue.iter())
            .cloned()
            .collect();
        self.checkpoint = Some(Cursor {
            version: CURSOR_VERSION,
            base: self.api.base_url(),
            ledger: self.ledger.clone(),
            jobs,
        });
    }

    pub fn stats(&self) -> Stats {
        self.executor.stats()
    }

    #[cfg(test)]
    fn transport(&self) -> &T {
        self.executor.transport()
    }

    fn enter(&mut self, phase: Phase) {
        self.ledger.done = 0;
        self.ledger.total = None;
        let first = match phase {
            Phase::Users => {
                let (plan, first) = ArrayPlan::start(users::PAGE_SIZE, u64::from(self.concurrency));
                self.ledger.user_plan = Some(plan);
                Job::Users { start_at: first }
            }
            Phase::Groups => {
                let (plan, first) = OffsetPlan::start(groups::GROUPS_PAGE_SIZE);
                self.ledger.group_plan = Some(plan);
                Job::Groups { start_at: first }
            }
            Phase::Roles => Job::GlobalRoles,
            Phase::Projects => {
                let (plan, first) = OffsetPlan::start(projects::PAGE_SIZE);
                self.ledger.project_plan = Some(plan);
                Job::Projects { start_at: first }
            }
            Phase::ApplicationRoles => Job::ApplicationRoles,
            Phase::Permissions => Job::Permissions,
            Phase::PermissionSchemes => Job::PermissionSchemes,
        };
        self.queue.push_back(first);
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
        let phase_index = self.ledger.phase;
        if phase_index >= Phase::ORDER.len() {
            return Ok(None);
        }
        match self.run(phase_index) {
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

    fn run(&mut self, phase_index: usize) -> Result<Batch> {
        let phase = Phase::ORDER[phase_index];
        loop {
            while self.executor.outstanding() < self.feed_limit {
                let Some(job) = self.queue.pop_front() else {
                    break;
                };
                let request = job.request(&self.api);
                self.executor.submit(job, request);
            }
            match self.executor.next_completed() {
                Some(done) => {
                    self.handle(done)?;
                    if self.entities.len() + self.relations.len() >= BATCH_RECORDS {
                        return Ok(self.take_batch(phase));
                    }
                }
                None => {
                    self.check_complete(phase)?;
                    let batch = self.take_batch(phase);
                    self.ledger.phase = phase_index + 1;
                    if let Some(next) = Phase::ORDER.get(phase_index + 1) {
                        self.enter(*next);
                    }
                    return Ok(batch);
                }
            }
        }
    }

    /// A phase ends when no job is left; its planners must agree that they
    /// reached the end of every listing, or something would be missing.
    fn check_complete(&self, phase: Phase) -> Result<()> {
        let complete = match phase {
            Phase::Users => self
                .ledger
                .user_plan
                .as_ref()
                .is_some_and(ArrayPlan::is_done),
            Phase::Groups => {
                self.ledger
                    .group_plan
                    .as_ref()
                    .is_some_and(OffsetPlan::is_done)
                    && self.ledger.member_plans.is_empty()
            }
            Phase::Projects => {
                self.ledger
                    .project_plan
                    .as_ref()
                    .is_some_and(OffsetPlan::is_done)
                    && self.ledger.project_jobs.is_empty()
            }
            Phase::Roles
            | Phase::ApplicationRoles
            | Phase::Permissions
            | Phase::PermissionSchemes => true,
        };
        if complete {
            Ok(())
        } else {
            Err(Error::Other(format!(
                "Phase {} ended before every page was read",
                phase.name()
            )))
        }
    }

    fn take_batch(&mut self, phase: Phase) -> Batch {
        Batch {
            entities: std::mem::take(&mut self.entities),
            relations: std::mem::take(&mut self.relations),
            progress: Progress {
                phase: phase.name(),
                done: self.ledger.done,
                total: self.ledger.total,
            },
        }
    }

    fn handle(&mut self, done: Completed<Job>) -> Result<()> {
        let endpoint = done.job.endpoint();
        let request = done.request;
        let response = classify(endpoint, &request, done.result, done.attempts)?;
        let ctx = Answer {
            endpoint,
            request: &request,
            response: &response,
        };
        let project = done.job.project().cloned();
        match done.job {
            Job::Users { start_at } => self.users_page(&ctx, start_at)?,
            Job::Groups { start_at } => self.groups_page(&ctx, start_at)?,
            Job::Members { group_id, start_at } => self.members_page(&ctx, group_id, start_at)?,
            Job::GlobalRoles => self.global_roles(&ctx)?,
            Job::Projects { start_at } => self.projects_page(&ctx, start_at)?,
            Job::ProjectRoles { project_id } => self.project_roles(&ctx, project_id)?,
            Job::RoleActors { project_id, .. } => self.role_actors(&ctx, &project_id)?,
            Job::ProjectScheme { project_id } => self.project_scheme(&ctx, &project_id)?,
            Job::ApplicationRoles => self.application_roles(&ctx)?,
            Job::Permissions => self.permissions(&ctx)?,
            Job::PermissionSchemes => self.permission_schemes(&ctx)?,
            Job::Scheme { scheme_id } => self.scheme(&ctx, scheme_id)?,
        }
        if let Some(project_id) = project {
            self.project_job_done(&project_id);
        }
        Ok(())
    }

    fn users_page(&mut self, ctx: &Answer, start_at: u64) -> Result<()> {
        let page: Vec<User> = ctx.decode()?;
        self.ledger.done += page.len() as u64;
        self.entities.extend(page.iter().map(mapping::user));
        let plan = self
            .ledger
            .user_plan
            .as_mut()
            .expect("users phase has a plan");
        for offset in plan.on_page(start_at, page.len() as u64) {
            self.queue.push_back(Job::Users { start_at: offset });
        }
        Ok(())
    }

    fn groups_page(&mut self, ctx: &Answer, start_at: u64) -> Result<()> {
        let page: PageBean<GroupDetails> = ctx.decode()?;
        if page.total.is_some() {
            self.ledger.total = page.total;
        }
        for group in &page.values {
            let id: Rc<str> = Rc::from(group.group_id.as_str());
            // Offsets shift if groups change mid-run; never list one twice.
            if !self.ledger.groups_seen.insert(id.clone()) {
                continue;
            }
            self.entities.push(mapping::group(group));
            let (plan, first) = OffsetPlan::start(groups::MEMBERS_PAGE_SIZE);
            self.ledger.member_plans.insert(id.clone(), plan);
            self.queue.push_back(Job::Members {
                group_id: id,
                start_at: first,
            });
        }
        self.queue_listing_pages(
            ctx,
            page.facts(start_at),
            |ledger| ledger.group_plan.as_mut(),
            |start_at| Job::Groups { start_at },
        )
    }

    /// Queues the further pages of a `PageBean` listing that one page reveals.
    fn queue_listing_pages(
        &mut self,
        ctx: &Answer,
        facts: PageFacts,
        plan: fn(&mut Ledger) -> Option<&mut OffsetPlan>,
        job: fn(u64) -> Job,
    ) -> Result<()> {
        let plan = plan(&mut self.ledger).expect("a listing phase has a plan");
        for offset in plan.on_page(facts).map_err(|e| ctx.paging(e))? {
            self.queue.push_back(job(offset));
        }
        Ok(())
    }

    fn members_page(&mut self, ctx: &Answer, group_id: Rc<str>, start_at: u64) -> Result<()> {
        let page: PageBean<User> = ctx.decode()?;
        self.relations.extend(
            page.values
                .iter()
                .map(|u| mapping::membership(u, &group_id)),
        );
        let plan = self
            .ledger
            .member_plans
            .get_mut(&group_id)
            .expect("every member page belongs to a planned group");
        let next = plan
            .on_page(page.facts(start_at))
            .map_err(|e| ctx.paging(e))?;
        // A group's remaining pages go first, so it finishes and its plan is freed.
        for offset in next.into_iter().rev() {
            self.queue.push_front(Job::Members {
                group_id: group_id.clone(),
                start_at: offset,
            });
        }
        if plan.is_done() {
            self.ledger.member_plans.remove(&group_id);
            self.ledger.done += 1;
        }
        Ok(())
    }

    fn global_roles(&mut self, ctx: &Answer) -> Result<()> {
        let roles: Vec<ProjectRole> = ctx.decode()?;
        for role in &roles {
            self.ledger.global_roles.push(role.id);
            self.add_role(role);
        }
        self.ledger.done = roles.len() as u64;
        self.ledger.total = Some(self.ledger.done);
        Ok(())
    }

    fn add_role(&mut self, role: &ProjectRole) {
        if self.ledger.roles_seen.insert(role.id) {
            self.entities.push(mapping::role(role));
        }
    }

    fn projects_page(&mut self, ctx: &Answer, start_at: u64) -> Result<()> {
        let page: PageBean<Project> = ctx.decode()?;
        if page.total.is_some() {
            self.ledger.total = page.total;
        }
        for project in &page.values {
            let id: Rc<str> = Rc::from(project.id.as_str());
            if !self.ledger.projects_seen.insert(id.clone()) {
                continue;
            }
            let (entity, leads) = mapping::project(project);
            self.entities.push(entity);
            self.relations.extend(leads);
            // Every project has a permission scheme: a team-managed project's
            // is scoped to it (`PermissionScheme.scope`).
            let mut jobs = vec![Job::ProjectScheme {
                project_id: id.clone(),
            }];
            if mapping::has_global_roles(project) {
                jobs.extend(
                    self.ledger
                        .global_roles
                        .iter()
                        .map(|role_id| Job::RoleActors {
                            project_id: id.clone(),
                            role_id: *role_id,
                        }),
                );
            } else {
                // Team-managed projects have roles of their own.
                jobs.push(Job::ProjectRoles {
                    project_id: id.clone(),
                });
            }
            self.ledger.project_jobs.insert(id, jobs.len() as u32);
            self.queue.extend(jobs);
        }
        self.queue_listing_pages(
            ctx,
            page.facts(start_at),
            |ledger| ledger.project_plan.as_mut(),
            |start_at| Job::Projects { start_at },
        )
    }

    fn project_roles(&mut self, ctx: &Answer, project_id: Rc<str>) -> Result<()> {
        let roles: Vec<ProjectRole> = ctx.decode()?;
        for role in &roles {
            self.add_role(role);
            self.queue.push_front(Job::RoleActors {
                project_id: project_id.clone(),
                role_id: role.id,
            });
        }
        *self
            .ledger
            .project_jobs
            .get_mut(&project_id)
            .expect("a planned project") += roles.len() as u32;
        Ok(())
    }

    fn role_actors(&mut self, ctx: &Answer, project_id: &str) -> Result<()> {
        let role: ProjectRole = ctx.decode()?;
        let (entity, relations) =
            mapping::project_role(project_id, &role).map_err(|m| ctx.invalid(m))?;
        self.entities.push(entity);
        self.relations.extend(relations);
        Ok(())
    }

    fn project_scheme(&mut self, ctx: &Answer, project_id: &str) -> Result<()> {
        let scheme: PermissionScheme = ctx.decode()?;
        self.ledger.schemes_used.insert(scheme.id);
        self.relations
            .push(mapping::uses_scheme(project_id, scheme.id));
        Ok(())
    }

    fn project_job_done(&mut self, project_id: &Rc<str>) {
        if let Some(left) = self.ledger.project_jobs.get_mut(project_id) {
            *left -= 1;
            if *left == 0 {
                self.ledger.project_jobs.remove(project_id);
                self.ledger.done += 1;
            }
        }
    }

    fn application_roles(&mut self, ctx: &Answer) -> Result<()> {
        let roles: Vec<ApplicationRole> = ctx.decode()?;
        for role in &roles {
            let (entity, relations) = mapping::application_role(role);
            self.entities.push(entity);
            self.relations.extend(relations);
        }
        self.ledger.done = roles.len() as u64;
        self.ledger.total = Some(self.ledger.done);
        Ok(())
    }

    fn permissions(&mut self, ctx: &Answer) -> Result<()> {
        let catalogue: Permissions = ctx.decode()?;
        for (key, permission) in &catalogue.permissions {
            self.entities.push(mapping::permission(key, permission));
        }
        self.ledger.done = catalogue.permissions.len() as u64;
        self.ledger.total = Some(self.ledger.done);
        Ok(())
    }

    fn permission_schemes(&mut self, ctx: &Answer) -> Result<()> {
        let schemes: PermissionSchemes = ctx.decode()?;
        let mut unlisted = self.ledger.schemes_used.clone();
        for scheme in &schemes.permission_schemes {
            unlisted.remove(&scheme.id);
            self.add_scheme(scheme);
        }
        self.ledger.done = schemes.permission_schemes.len() as u64;
        self.ledger.total = Some(self.ledger.done + unlisted.len() as u64);
        self.queue.extend(
            unlisted
                .into_iter()
                .map(|scheme_id| Job::Scheme { scheme_id }),
        );
        Ok(())
    }

    fn scheme(&mut self, ctx: &Answer, scheme_id: u64) -> Result<()> {
        let scheme: PermissionScheme = ctx.decode()?;
        if scheme.id != scheme_id {
            return Err(ctx.invalid(format!(
                "asked for permission scheme {scheme_id}, got scheme {}",
                scheme.id
            )));
        }
        self.add_scheme(&scheme);
        self.ledger.done += 1;
        Ok(())
    }

    fn add_scheme(&mut self, scheme: &PermissionScheme) {
        let (entities, relations) = mapping::permission_scheme(scheme);
        self.entities.extend(entities);
        self.relations.extend(relations);
    }
}

/// A successful answer and the request it answers, for decoding and for
/// naming the request in errors.
struct Answer<'a> {
    endpoint: Endpoint,
    request: &'a HttpRequest,
    response: &'a HttpResponse,
}

impl Answer<'_> {
    fn decode<D: serde::de::DeserializeOwned>(&self) -> Result<D> {
        decode(self.endpoint, self.request, self.response)
    }

    fn invalid(&self, message: impl Into<String>) -> Error {
        Error::InvalidResponse(RequestFailure::new(
            self.endpoint.step(),
            &self.request.line(),
            message,
        ))
    }

    fn paging(&self, e: PagingError) -> Error {
        self.invalid(e.to_string())
    }
}

#[cfg(test)]
mod tests;
