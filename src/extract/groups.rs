//! The groups phase: every group (`group/bulk`) and every group's members
//! (`group/member`), both `PageBean` listings. Each group found starts the
//! listing of its members, so the member pages of different groups are in
//! flight together.

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
pub(crate) enum GroupsJob {
    Groups { start_at: u64 },
    GroupMembers { group_id: Rc<str>, start_at: u64 },
}

impl Fetch for GroupsJob {
    fn call(&self, api: &Api) -> Call<Untyped> {
        match self {
            GroupsJob::Groups { start_at } => groups_page(api, *start_at).untyped(),
            GroupsJob::GroupMembers { group_id, start_at } => {
                group_members_page(api, group_id, *start_at).untyped()
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Groups {
    groups: Listing,
    /// The member listings under way, with the group's name; a group's is
    /// dropped once read.
    member_plans: HashMap<Rc<str>, (OffsetPlan, String)>,
    /// The products each group gives, from application roles: each member
    /// gets an entitlement row per product.
    products_by_group: BTreeMap<String, Vec<String>>,
    /// Group ids by name, for `Facts`.
    by_name: BTreeMap<String, String>,
    /// Groups whose members were all read.
    done: u64,
}

impl Phase for Groups {
    type Job = GroupsJob;
    const NAME: &'static str = "groups";

    fn start(facts: &Facts, _: u32) -> (Self, Vec<GroupsJob>) {
        let (groups, first) = Listing::start(GROUPS_PAGE_SIZE);
        let phase = Self {
            groups,
            member_plans: HashMap::new(),
            products_by_group: facts.products_by_group.clone(),
            by_name: BTreeMap::new(),
            done: 0,
        };
        (phase, vec![GroupsJob::Groups { start_at: first }])
    }

    fn handle(
        &mut self,
        job: GroupsJob,
        answer: &Answer,
        out: &mut Sink<'_, GroupsJob>,
    ) -> Result<()> {
        match job {
            GroupsJob::Groups { start_at } => self.groups_page(answer, start_at, out),
            GroupsJob::GroupMembers { group_id, start_at } => {
                self.members_page(answer, group_id, start_at, out)
            }
        }
    }

    fn is_complete(&self) -> bool {
        self.groups.is_done() && self.member_plans.is_empty()
    }

    fn progress(&self) -> Tally {
        Tally {
            done: self.done,
            total: self.groups.total(),
        }
    }

    fn finish(&self, facts: &mut Facts) {
        facts.groups_by_name = self.by_name.clone();
    }
}

impl Groups {
    fn groups_page(
        &mut self,
        answer: &Answer,
        start_at: u64,
        out: &mut Sink<'_, GroupsJob>,
    ) -> Result<()> {
        let page = self
            .groups
            .page(answer, start_at, |group: &GroupDetails| &group.group_id)?;
        for (id, group) in page.fresh {
            out.entity(mapping::group(&group));
            self.by_name
                .insert(group.name.clone(), group.group_id.clone());
            let (plan, first) = OffsetPlan::start(MEMBERS_PAGE_SIZE);
            self.member_plans.insert(id.clone(), (plan, group.name));
            out.queue(GroupsJob::GroupMembers {
                group_id: id,
                start_at: first,
            });
        }
        for offset in page.next {
            out.queue(GroupsJob::Groups { start_at: offset });
        }
        Ok(())
    }

    fn members_page(
        &mut self,
        answer: &Answer,
        group_id: Rc<str>,
        start_at: u64,
        out: &mut Sink<'_, GroupsJob>,
    ) -> Result<()> {
        let page: PageBean<User> = answer.decode_as()?;
        let Some((plan, name)) = self.member_plans.get_mut(&group_id) else {
            return Err(answer.invalid(format!(
                "a member page of group {group_id} came after its listing ended"
            )));
        };
        let products = self
            .products_by_group
            .get(&*group_id)
            .map_or(&[][..], Vec::as_slice);
        for member in &page.values {
            let (relation, entitlement) = mapping::membership(member, &group_id, name);
            out.relation(relation);
            out.entitlement(entitlement);
            out.entitlements(mapping::product_entitlements(member, name, products));
        }
        let next = plan
            .on_page(page.facts(start_at))
            .map_err(|e| answer.invalid(e.to_string()))?;
        // A group's remaining pages go first, so it finishes and its plan is freed.
        for offset in next.into_iter().rev() {
            out.queue_first(GroupsJob::GroupMembers {
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
}
