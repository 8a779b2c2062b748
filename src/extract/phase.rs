//! What a phase is: the trait each resource's phase implements, the facts
//! one phase passes on to a later one, and the sink a phase writes to.
//!
//! A phase owns its jobs and its bookkeeping; the scheduler only feeds its
//! jobs to the executor, hands it their answers, and asks it whether it is
//! complete. Nothing a phase keeps is seen by another, except what it passes
//! on in [`Facts`] when it finishes.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Debug;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::Job;
use super::answer::Answer;
use super::job::Fetch;
use crate::domain::{Entitlement, Entity, Relation};
use crate::error::Result;
use crate::mapping::{ActivityWindow, GrantFact};

/// One phase of an extraction: a listing and the reads that hang off it.
///
/// Its state is saved in the resume cursor while it is under way, so it
/// must be serialisable and must hold everything it needs to carry on.
pub(crate) trait Phase: Debug + Clone + Serialize + DeserializeOwned {
    /// One request of this phase; saved in the cursor until it is handled.
    type Job: Fetch + Into<Job> + Debug + Clone + Serialize + DeserializeOwned;

    /// The phase's name in progress reports.
    const NAME: &'static str;

    /// Starts the phase: its state and its first jobs. `facts` holds what
    /// the phases that finished passed on; the only facts read may be those
    /// of the phases it comes after (its `[after ...]` in `phases!`), since
    /// the others may still run. `concurrency` is the most requests that
    /// may be in flight at once.
    fn start(facts: &Facts, concurrency: u32) -> (Self, Vec<Self::Job>);

    /// Takes in the answer to one of its jobs: records go to `out`, and so
    /// do the jobs the answer reveals.
    fn handle(
        &mut self,
        job: Self::Job,
        answer: &Answer,
        out: &mut Sink<'_, Self::Job>,
    ) -> Result<()>;

    /// Whether every listing was read to its end. Asked once no job is
    /// left: `false` then means something would be missing.
    fn is_complete(&self) -> bool;

    fn progress(&self) -> Tally;

    /// Passes on what later phases need, once the phase is complete.
    fn finish(&self, _facts: &mut Facts) {}
}

/// How far a phase is: units done, of a total if it is known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Tally {
    pub done: u64,
    pub total: Option<u64>,
}

impl Tally {
    /// All of `count` units, known at once: a phase read in one request.
    pub fn all(count: usize) -> Self {
        let count = count as u64;
        Self {
            done: count,
            total: Some(count),
        }
    }
}

/// What a phase learns that a later phase needs. Passed on explicitly, so
/// that no phase reads another's bookkeeping.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Facts {
    /// The site: its cloud id and host. Set when the extraction starts.
    pub site: SiteFacts,
    /// When dormancy is judged, and over how many days; set when the
    /// extraction starts with the organization admin API configured. For
    /// users, which look each page's accounts up in the organization.
    pub activity: Option<ActivityWindow>,
    /// The account type of every account that is not a plain user (apps,
    /// customers), by account id: a grant to one names its source type.
    /// From users, for projects.
    pub account_types: BTreeMap<String, String>,
    /// Every application role's key. From application roles, for admin
    /// tiers (a user and an admin listing per product) and projects (a
    /// grant to any product reaches each).
    pub products: BTreeSet<String>,
    /// The groups `/applicationrole` says give each product, with whether
    /// each is a default group, by application key. From application roles,
    /// for admin tiers, which compare them with the product's user tier.
    pub listed_access: BTreeMap<String, Vec<(String, bool)>>,
    /// The products each group gives access to (by either source), by group
    /// id. From admin tiers, for group members (each member's product
    /// entitlements).
    pub products_by_group: BTreeMap<String, Vec<String>>,
    /// The site-admin groups' ids. From admin tiers, for group members.
    pub site_admin_groups: BTreeSet<String>,
    /// The products each group administers, by group id. From admin tiers,
    /// for group members.
    pub admin_products_by_group: BTreeMap<String, Vec<String>>,
    /// Every group's name, by id. From groups, for group members.
    pub groups: BTreeMap<String, String>,
    /// Group ids by name. From groups, for projects (a grant may name its
    /// group only by name).
    pub groups_by_name: BTreeMap<String, String>,
    /// The global role ids, as `/role` listed them: the roles of every
    /// company-managed project. From roles, for projects.
    pub global_roles: Vec<u64>,
    /// Every listed permission scheme's grants, by scheme id. From
    /// permission schemes, for projects, which resolve them per project.
    pub scheme_grants: BTreeMap<u64, Vec<GrantFact>>,
    /// The keys of the projects on which each group holds
    /// `ADMINISTER_PROJECTS` (directly, or as a group actor of a project
    /// role that holds it), by group id. From projects, for group members.
    /// Per group, not per user, so it stays as small as the configuration.
    pub administered_projects: BTreeMap<String, Vec<String>>,
}

/// The site being extracted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteFacts {
    /// The cloud id: the site's Source ID in BalkanID.
    pub cloud_id: String,
    /// The site's host, e.g. `acme.atlassian.net`.
    pub host: String,
}

/// What waits in the scheduler between answers: records not yet delivered
/// and jobs not yet handed to the executor.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    pub entities: Vec<Entity>,
    pub relations: Vec<Relation>,
    pub entitlements: Vec<Entitlement>,
    pub queue: VecDeque<Job>,
}

impl Pending {
    /// Records waiting to be delivered.
    pub fn records(&self) -> usize {
        self.entities.len() + self.relations.len() + self.entitlements.len()
    }
}

/// Where a phase's handler writes: the records it maps and the jobs it
/// queues, which can only be the phase's own.
pub(crate) struct Sink<'a, J> {
    pending: &'a mut Pending,
    job: PhantomData<fn(J)>,
}

impl<'a, J: Into<Job>> Sink<'a, J> {
    pub fn new(pending: &'a mut Pending) -> Self {
        Self {
            pending,
            job: PhantomData,
        }
    }

    pub fn entity(&mut self, entity: Entity) {
        self.pending.entities.push(entity);
    }

    pub fn entities(&mut self, entities: impl IntoIterator<Item = Entity>) {
        self.pending.entities.extend(entities);
    }

    pub fn relation(&mut self, relation: Relation) {
        self.pending.relations.push(relation);
    }

    pub fn relations(&mut self, relations: impl IntoIterator<Item = Relation>) {
        self.pending.relations.extend(relations);
    }

    pub fn entitlement(&mut self, entitlement: Entitlement) {
        self.pending.entitlements.push(entitlement);
    }

    pub fn entitlements(&mut self, entitlements: impl IntoIterator<Item = Entitlement>) {
        self.pending.entitlements.extend(entitlements);
    }

    /// Queues a job behind every job waiting.
    pub fn queue(&mut self, job: J) {
        self.pending.queue.push_back(job.into());
    }

    /// Queues a job ahead of every job waiting: work that finishes
    /// something begun, so that its bookkeeping is freed early.
    pub fn queue_first(&mut self, job: J) {
        self.pending.queue.push_front(job.into());
    }
}
