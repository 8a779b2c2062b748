//! Groups, in two phases, both reading `PageBean` listings.
//!
//! Groups: every group (`group/bulk`), early, because projects resolve a
//! grant that names its group only by name. Group members: every group's
//! members (`group/member`), last, because a member's entitlement rows
//! depend on what the group gives: its products and admin tiers (from the
//! admin-tiers phase) and the projects it administers (from projects). The
//! first member page of every group is queued at once, so the member pages
//! of different groups are in flight together.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::answer::Answer;
use super::job::Fetch;
use super::listing::Listing;
use super::phase::{Facts, Phase, Sink, Tally};
use crate::error::Result;
use crate::jira::api::groups::{
    GROUPS_PAGE_SIZE, MEMBERS_PAGE_SIZE, group_members_page, groups_page,
};
use crate::jira::call::{Call, Untyped};
use crate::jira::client::Api;
use crate::jira::models::{GroupDetails, User};
use crate::jira::page::{OffsetPlan, PageBean};
use crate::mapping;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct GroupsJob {
    start_at: u64,
}

impl Fetch for GroupsJob {
    fn call(&self, api: &Api) -> Call<Untyped> {
        groups_page(api, self.start_at).untyped()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Groups {
    groups: Listing,
    /// Every group's name by id, and ids by name, for `Facts`.
    names: BTreeMap<String, String>,
    by_name: BTreeMap<String, String>,
}

impl Phase for Groups {
    type Job = GroupsJob;
    const NAME: &'static str = "groups";

    fn start(_: &Facts, _: u32) -> (Self, Vec<GroupsJob>) {
        let (groups, start_at) = Listing::start(GROUPS_PAGE_SIZE);
        let phase = Self {
            groups,
            names: BTreeMap::new(),
            by_name: BTreeMap::new(),
        };
        (phase, vec![GroupsJob { start_at }])
    }

    fn handle(
        &mut self,
        job: GroupsJob,
        answer: &Answer,
        out: &mut Sink<'_, GroupsJob>,
    ) -> Result<()> {
        let page = self
            .groups
            .page(answer, job.start_at, |group: &GroupDetails| &group.group_id)?;
        for (id, group) in page.fresh {
            out.entity(mapping::group(&group));
            self.by_name.insert(group.name.clone(), id.to_string());
            self.names.insert(id.to_string(), group.name);
        }
        for start_at in page.next {
            out.queue(GroupsJob { start_at });
        }
        Ok(())
    }

    fn is_complete(&self) -> bool {
        self.groups.is_done()
    }

    fn progress(&self) -> Tally {
        Tally {
            done: self.names.len() as u64,
            total: self.groups.total(),
        }
    }

    fn finish(&self, facts: &mut Facts) {
        facts.groups = self.names.clone();
        facts.groups_by_name = self.by_name.clone();
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct GroupMembersJob {
    group_id: Rc<str>,
    start_at: u64,
}

impl Fetch for GroupMembersJob {
    fn call(&self, api: &Api) -> Call<Untyped> {
        group_members_page(api, &self.group_id, self.start_at).untyped()
    }
}

/// What membership of one group gives, besides the membership: the facts
/// earlier phases passed on, kept per group (never per member).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Gives {
    products: Vec<String>,
    site_admin: bool,
    admin_of: Vec<String>,
    administers: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct GroupMembers {
    /// The site's host, the resource of a `site-admin` row.
    site_host: String,
    /// The member listings under way, with the group's name and what it
    /// gives; a group's is dropped once read.
    member_plans: HashMap<Rc<str>, (OffsetPlan, String, Gives)>,
    groups: u64,
    /// Groups whose members were all read.
    done: u64,
}

impl Phase for GroupMembers {
    type Job = GroupMembersJob;
    const NAME: &'static str = "group-members";

    fn start(facts: &Facts, _: u32) -> (Self, Vec<GroupMembersJob>) {
        let none = Vec::new;
        let mut member_plans = HashMap::new();
        let mut jobs = Vec::new();
        for (id, name) in &facts.groups {
            let gives = Gives {
                products: facts
                    .products_by_group
                    .get(id)
                    .cloned()
                    .unwrap_or_else(none),
                site_admin: facts.site_admin_groups.contains(id),
                admin_of: facts
                    .admin_products_by_group
                    .get(id)
                    .cloned()
                    .unwrap_or_else(none),
                administers: facts
                    .administered_projects
                    .get(id)
                    .cloned()
                    .unwrap_or_else(none),
            };
            let (plan, start_at) = OffsetPlan::start(MEMBERS_PAGE_SIZE);
            let group_id: Rc<str> = Rc::from(id.as_str());
            member_plans.insert(group_id.clone(), (plan, name.clone(), gives));
            jobs.push(GroupMembersJob { group_id, start_at });
        }
        let phase = Self {
            site_host: facts.site.host.clone(),
            member_plans,
            groups: facts.groups.len() as u64,
            done: 0,
        };
        (phase, jobs)
    }

    fn handle(
        &mut self,
        job: GroupMembersJob,
        answer: &Answer,
        out: &mut Sink<'_, GroupMembersJob>,
    ) -> Result<()> {
        let GroupMembersJob { group_id, start_at } = job;
        let page: PageBean<User> = answer.decode_as()?;
        let Some((plan, name, gives)) = self.member_plans.get_mut(&group_id) else {
            return Err(answer.invalid(format!(
                "a member page of group {group_id} came after its listing ended"
            )));
        };
        let tiers = mapping::GroupTiers {
            site_admin_of: gives.site_admin.then_some(self.site_host.as_str()),
            admin_of: &gives.admin_of,
            administers: &gives.administers,
        };
        for member in &page.values {
            let (relation, entitlement) = mapping::membership(member, &group_id, name);
            out.relation(relation);
            out.entitlement(entitlement);
            out.entitlements(mapping::product_entitlements(member, name, &gives.products));
            out.entitlements(mapping::tier_entitlements(&member.account_id, name, tiers));
        }
        let next = plan
            .on_page(page.facts(start_at))
            .map_err(|e| answer.invalid(e.to_string()))?;
        // A group's remaining pages go first, so it finishes and its plan is freed.
        for offset in next.into_iter().rev() {
            out.queue_first(GroupMembersJob {
                group_id: group_id.clone(),
                start_at: offset,
            });
        }
        if plan.is_done() {
            self.member_plans.remove(&group_id);
            self.done += 1;
        }
        Ok(())
    }

    fn is_complete(&self) -> bool {
        self.member_plans.is_empty()
    }

    fn progress(&self) -> Tally {
        Tally {
            done: self.done,
            total: Some(self.groups),
        }
    }
}
