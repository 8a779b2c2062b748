//! A full extraction, run as a sequence of phases and delivered in batches.
//!
//! Every page is a job. Jobs that do not depend on each other (the pages of
//! one listing once its total is known, the member pages of different groups)
//! are handed to the executor together, so they are in flight at once. Each
//! answer is mapped straight into the current batch, so the guest holds at
//! most a batch and the pages in flight, whatever the size of the tenant.

use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;

use crate::domain::{Entity, Relation};
use crate::error::{Error, RequestFailure, Result};
use crate::jira::client::{Api, classify, decode};
use crate::jira::endpoints::Endpoint;
use crate::jira::executor::{Completed, Executor, RetryPolicy, Stats};
use crate::jira::models::{GroupDetails, User};
use crate::jira::page::{ArrayPlan, OffsetPlan, PageBean, PagingError};
use crate::jira::transport::{HttpRequest, Transport};
use crate::jira::{groups, users};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Users,
    Groups,
}

impl Phase {
    const ORDER: [Phase; 2] = [Phase::Users, Phase::Groups];

    fn name(self) -> &'static str {
        match self {
            Phase::Users => "users",
            Phase::Groups => "groups",
        }
    }
}

/// One page to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Job {
    Users { start_at: u64 },
    Groups { start_at: u64 },
    Members { group_id: Rc<str>, start_at: u64 },
}

impl Job {
    fn endpoint(&self) -> Endpoint {
        match self {
            Job::Users { .. } => Endpoint::Users,
            Job::Groups { .. } => Endpoint::Groups,
            Job::Members { .. } => Endpoint::GroupMembers,
        }
    }

    fn request(&self, api: &Api) -> HttpRequest {
        match self {
            Job::Users { start_at } => users::search_page(api, *start_at),
            Job::Groups { start_at } => groups::bulk_page(api, *start_at),
            Job::Members { group_id, start_at } => groups::members_page(api, group_id, *start_at),
        }
    }
}

enum State {
    Running { phase: usize },
    Finished,
    Failed(Error),
}

pub struct Extraction<T: Transport> {
    api: Api,
    executor: Executor<T, Job>,
    /// How many jobs may wait in the executor at once: enough to keep it
    /// busy, few enough that requests are built only shortly before sending.
    feed_limit: usize,
    queue: VecDeque<Job>,
    state: State,
    entities: Vec<Entity>,
    relations: Vec<Relation>,

    user_plan: Option<ArrayPlan>,
    users_seen: u64,

    group_plan: Option<OffsetPlan>,
    groups_total: Option<u64>,
    groups_seen: HashSet<Rc<str>>,
    member_plans: HashMap<Rc<str>, OffsetPlan>,
    groups_done: u64,
}

impl<T: Transport> Extraction<T> {
    pub fn new(api: Api, transport: T, concurrency: u32, policy: RetryPolicy) -> Self {
        let concurrency = concurrency.max(1);
        let mut extraction = Self {
            api,
            executor: Executor::new(transport, concurrency, policy),
            feed_limit: 2 * concurrency as usize,
            queue: VecDeque::new(),
            state: State::Running { phase: 0 },
            entities: Vec::new(),
            relations: Vec::new(),
            user_plan: None,
            users_seen: 0,
            group_plan: None,
            groups_total: None,
            groups_seen: HashSet::new(),
            member_plans: HashMap::new(),
            groups_done: 0,
        };
        extraction.enter(Phase::ORDER[0], concurrency);
        extraction
    }

    pub fn stats(&self) -> Stats {
        self.executor.stats()
    }

    #[cfg(test)]
    fn transport(&self) -> &T {
        self.executor.transport()
    }

    fn enter(&mut self, phase: Phase, concurrency: u32) {
        match phase {
            Phase::Users => {
                let (plan, first) = ArrayPlan::start(users::PAGE_SIZE, u64::from(concurrency));
                self.user_plan = Some(plan);
                self.queue.push_back(Job::Users { start_at: first });
            }
            Phase::Groups => {
                let (plan, first) = OffsetPlan::start(groups::GROUPS_PAGE_SIZE);
                self.group_plan = Some(plan);
                self.queue.push_back(Job::Groups { start_at: first });
            }
        }
    }

    /// Does work until a batch is ready. `None` once everything was delivered.
    pub fn next_batch(&mut self) -> Result<Option<Batch>> {
        let phase_index = match &self.state {
            State::Running { phase } => *phase,
            State::Finished => return Ok(None),
            State::Failed(e) => {
                return Err(Error::Other(format!(
                    "this extraction already failed and cannot continue ({e})"
                )));
            }
        };
        match self.run(Phase::ORDER[phase_index]) {
            Ok(batch) => Ok(Some(batch)),
            Err(e) => {
                self.state = State::Failed(e.clone());
                Err(e)
            }
        }
    }

    fn run(&mut self, phase: Phase) -> Result<Batch> {
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
                    let next = Phase::ORDER.iter().position(|p| *p == phase).unwrap_or(0) + 1;
                    if let Some(next_phase) = Phase::ORDER.get(next) {
                        self.state = State::Running { phase: next };
                        let concurrency = self.feed_limit as u32 / 2;
                        self.enter(*next_phase, concurrency);
                    } else {
                        self.state = State::Finished;
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
            Phase::Users => self.user_plan.as_ref().is_some_and(ArrayPlan::is_done),
            Phase::Groups => {
                self.group_plan.as_ref().is_some_and(OffsetPlan::is_done)
                    && self.member_plans.is_empty()
            }
        };
        if complete {
            Ok(())
        } else {
            Err(Error::Other(format!(
                "phase {} ended before every page was read",
                phase.name()
            )))
        }
    }

    fn take_batch(&mut self, phase: Phase) -> Batch {
        let progress = match phase {
            Phase::Users => Progress {
                phase: phase.name(),
                done: self.users_seen,
                total: None,
            },
            Phase::Groups => Progress {
                phase: phase.name(),
                done: self.groups_done,
                total: self.groups_total,
            },
        };
        Batch {
            entities: std::mem::take(&mut self.entities),
            relations: std::mem::take(&mut self.relations),
            progress,
        }
    }

    fn handle(&mut self, done: Completed<Job>) -> Result<()> {
        let endpoint = done.job.endpoint();
        let request = done.request;
        let response = classify(endpoint, &request, done.result, done.attempts)?;
        let paging = |e: PagingError| {
            Error::InvalidResponse(RequestFailure::new(
                endpoint.step(),
                &request.line(),
                e.to_string(),
            ))
        };
        match done.job {
            Job::Users { start_at } => {
                let page: Vec<User> = decode(endpoint, &request, &response)?;
                self.users_seen += page.len() as u64;
                self.entities.extend(page.iter().map(mapping::user));
                let plan = self.user_plan.as_mut().expect("users phase has a plan");
                for offset in plan.on_page(start_at, page.len() as u64) {
                    self.queue.push_back(Job::Users { start_at: offset });
                }
            }
            Job::Groups { start_at } => {
                let page: PageBean<GroupDetails> = decode(endpoint, &request, &response)?;
                let facts = page.facts(start_at);
                if let Some(total) = page.total {
                    self.groups_total = Some(total);
                }
                for group in &page.values {
                    let id: Rc<str> = Rc::from(group.group_id.as_str());
                    // Offsets shift if groups change mid-run; never list one twice.
                    if !self.groups_seen.insert(id.clone()) {
                        continue;
                    }
                    self.entities.push(mapping::group(group));
                    let (plan, first) = OffsetPlan::start(groups::MEMBERS_PAGE_SIZE);
                    self.member_plans.insert(id.clone(), plan);
                    self.queue.push_back(Job::Members {
                        group_id: id,
                        start_at: first,
                    });
                }
                let plan = self.group_plan.as_mut().expect("groups phase has a plan");
                for offset in plan.on_page(facts).map_err(paging)? {
                    self.queue.push_back(Job::Groups { start_at: offset });
                }
            }
            Job::Members { group_id, start_at } => {
                let page: PageBean<User> = decode(endpoint, &request, &response)?;
                let facts = page.facts(start_at);
                self.relations.extend(
                    page.values
                        .iter()
                        .map(|u| mapping::membership(u, &group_id)),
                );
                let plan = self
                    .member_plans
                    .get_mut(&group_id)
                    .expect("every member page belongs to a planned group");
                let next = plan.on_page(facts).map_err(paging)?;
                // A group's remaining pages go first, so it finishes and its plan is freed.
                for offset in next.into_iter().rev() {
                    self.queue.push_front(Job::Members {
                        group_id: group_id.clone(),
                        start_at: offset,
                    });
                }
                if plan.is_done() {
                    self.member_plans.remove(&group_id);
                    self.groups_done += 1;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::jira::transport::fake::{FakeTransport, json};
    use crate::jira::transport::{HttpResponse, TransportError};
    use serde_json::{Value as Json, json};

    fn api() -> Api {
        let config =
            Config::parse(r#"{"appConfig": {"token": "me@acme.com:TOKEN", "siteName": "acme"}}"#)
                .unwrap();
        Api::site(config.site(), config.credentials())
    }

    fn query(req: &HttpRequest) -> HashMap<String, String> {
        req.path_and_query
            .split_once('?')
            .map(|(_, q)| q)
            .unwrap_or("")
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    fn num(q: &HashMap<String, String>, k: &str) -> usize {
        q[k].parse().unwrap()
    }

    /// A tiny Jira: `users` accounts, `groups` with `members[i]` member counts.
    fn tenant(
        users: usize,
        members: Vec<usize>,
    ) -> impl FnMut(&HttpRequest) -> Result<HttpResponse, TransportError> {
        move |req| {
            let q = query(req);
            match req.path() {
                "/rest/api/3/users/search" => {
                    assert_eq!(q["maxResults"], "1000");
                    let start = num(&q, "startAt");
                    let page: Vec<Json> = (start..users.min(start + 1000))
                        .map(|i| json!({"accountId": format!("u{i}"), "accountType": "atlassian", "active": true, "displayName": format!("User {i}")}))
                        .collect();
                    json(200, Json::Array(page))
                }
                "/rest/api/3/group/bulk" => {
                    let start = num(&q, "startAt");
                    let total = members.len();
                    let values: Vec<Json> = (start..total.min(start + 50))
                        .map(|i| json!({"groupId": format!("g{i}"), "name": format!("group {i}")}))
                        .collect();
                    json(
                        200,
                        json!({"startAt": start, "maxResults": 50, "total": total,
                        "isLast": start + 50 >= total, "values": values}),
                    )
                }
                "/rest/api/3/group/member" => {
                    assert_eq!(q["includeInactiveUsers"], "true");
                    assert_eq!(q["maxResults"], "50");
                    let g: usize = q["groupId"][1..].parse().unwrap();
                    let start = num(&q, "startAt");
                    let total = members[g];
                    let values: Vec<Json> = (start..total.min(start + 50))
                        .map(|i| json!({"accountId": format!("u{i}"), "active": i % 2 == 0}))
                        .collect();
                    json(
                        200,
                        json!({"startAt": start, "maxResults": 50, "total": total,
                        "isLast": start + 50 >= total, "values": values}),
                    )
                }
                other => panic!("unexpected request {other}"),
            }
        }
    }

    fn run_all<T: Transport>(
        ex: &mut Extraction<T>,
    ) -> (Vec<Entity>, Vec<Relation>, Vec<Progress>) {
        let (mut entities, mut relations, mut progress) = (Vec::new(), Vec::new(), Vec::new());
        while let Some(batch) = ex.next_batch().unwrap() {
            assert!(batch.entities.len() + batch.relations.len() <= BATCH_RECORDS + 50);
            entities.extend(batch.entities);
            relations.extend(batch.relations);
            progress.push(batch.progress);
        }
        (entities, relations, progress)
    }

    #[test]
    fn next_batch_reads_every_page_of_every_listing() {
        let transport = FakeTransport::new(tenant(2500, vec![0, 51, 120, 3]));
        let mut ex = Extraction::new(api(), transport, 4, RetryPolicy::default());
        let (entities, relations, progress) = run_all(&mut ex);

        let users = entities.iter().filter(|e| e.kind == "user").count();
        let groups = entities.iter().filter(|e| e.kind == "group").count();
        assert_eq!((users, groups), (2500, 4));
        assert_eq!(relations.len(), 51 + 120 + 3);
        let mut g2: Vec<_> = relations
            .iter()
            .filter(|r| r.to.id == "g2")
            .map(|r| r.from.id.clone())
            .collect();
        g2.sort();
        g2.dedup();
        assert_eq!(g2.len(), 120);

        let last = progress.last().unwrap();
        assert_eq!((last.phase, last.done, last.total), ("groups", 4, Some(4)));
        assert!(
            progress
                .iter()
                .any(|p| p.phase == "users" && p.done == 2500)
        );

        let lines = ex.transport().lines();
        // Users: pages 0..2 hold data, page 3 is empty; the window of 4 adds at most 3 more.
        let user_pages = lines.iter().filter(|l| l.contains("users/search")).count();
        assert!((4..=7).contains(&user_pages), "{user_pages}");
        // Groups: 1 page; members: 0 + 2 + 3 + 1 pages (an empty group still costs one).
        assert_eq!(lines.iter().filter(|l| l.contains("group/bulk")).count(), 1);
        assert_eq!(
            lines.iter().filter(|l| l.contains("group/member")).count(),
            1 + 2 + 3 + 1
        );
        assert!(ex.transport().max_in_flight <= 4);
    }

    #[test]
    fn next_batch_pages_groups_past_fifty() {
        let transport = FakeTransport::new(tenant(0, vec![1; 120]));
        let mut ex = Extraction::new(api(), transport, 8, RetryPolicy::default());
        let (entities, relations, _) = run_all(&mut ex);
        assert_eq!(entities.len(), 120);
        assert_eq!(relations.len(), 120);
        let lines = ex.transport().lines();
        for start in [0, 50, 100] {
            let needle = format!("group/bulk?startAt={start}&maxResults=50");
            assert_eq!(
                lines.iter().filter(|l| l.contains(&needle)).count(),
                1,
                "{needle}"
            );
        }
    }

    #[test]
    fn next_batch_stops_with_a_typed_error_and_stays_failed() {
        let mut inner = tenant(10, vec![60]);
        let transport = FakeTransport::new(move |req| {
            if req.path_and_query.contains("group/member")
                && req.path_and_query.contains("startAt=50")
            {
                return json(403, json!({"errorMessages": ["nope"], "errors": {}}));
            }
            inner(req)
        });
        let mut ex = Extraction::new(api(), transport, 2, RetryPolicy::default());
        let mut result = Ok(None);
        for _ in 0..10 {
            result = ex.next_batch();
            if result.is_err() {
                break;
            }
        }
        match result {
            Err(Error::Forbidden {
                request,
                permission,
                ..
            }) => {
                assert_eq!(request.step, "list group members");
                assert!(request.endpoint.contains("groupId=g0"));
                assert!(permission.unwrap().contains("Browse users and groups"));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            ex.next_batch().is_err(),
            "a failed extraction never reports success"
        );
    }

    #[test]
    fn next_batch_rejects_a_page_of_the_wrong_shape() {
        let transport = FakeTransport::new(|req| {
            if req.path() == "/rest/api/3/users/search" {
                json(200, json!({"values": []}))
            } else {
                panic!("no further request expected")
            }
        });
        let mut ex = Extraction::new(api(), transport, 2, RetryPolicy::default());
        assert!(
            matches!(ex.next_batch(), Err(Error::InvalidResponse(f)) if f.step == "list users")
        );
    }

    #[test]
    fn next_batch_encodes_odd_group_ids() {
        let odd = "a b+c&d/e%f#g?h=i ü";
        let transport = FakeTransport::new(move |req| {
            let q = query(req);
            match req.path() {
                "/rest/api/3/users/search" => json(200, json!([])),
                "/rest/api/3/group/bulk" => json(
                    200,
                    json!({"startAt": 0, "maxResults": 50, "total": 1, "isLast": true,
                    "values": [{"groupId": odd, "name": odd}]}),
                ),
                "/rest/api/3/group/member" => {
                    assert_eq!(q["groupId"], "a%20b%2Bc%26d%2Fe%25f%23g%3Fh%3Di%20%C3%BC");
                    json(
                        200,
                        json!({"startAt": 0, "maxResults": 50, "total": 1, "isLast": true,
                        "values": [{"accountId": "u1"}]}),
                    )
                }
                other => panic!("{other}"),
            }
        });
        let mut ex = Extraction::new(api(), transport, 2, RetryPolicy::default());
        let (entities, relations, _) = run_all(&mut ex);
        assert_eq!(entities[0].id, odd);
        assert_eq!(relations[0].to.id, odd);
    }
}
