//! The admin-tiers phase: `group/bulk` filtered by access type. One listing
//! of the site-admin groups, and for each product (from application roles)
//! one of its admin groups and one of its user groups; each a `PageBean`
//! listing like the plain group listing, and all in flight together.
//!
//! Site-admin and admin groups are written as they come. A product's
//! `grants-access` relations wait until its user tier is read to the end,
//! because each says whether `/applicationrole`, the user tier or both list
//! the group (`source`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::answer::Answer;
use super::job::Fetch;
use super::listing::Listing;
use super::phase::{Facts, Phase, Sink, Tally};
use crate::error::Result;
use crate::jira::api::groups::{
    GROUPS_PAGE_SIZE, product_admin_groups_page, product_user_groups_page, site_admin_groups_page,
};
use crate::jira::call::{Call, Untyped};
use crate::jira::client::Api;
use crate::jira::models::GroupDetails;
use crate::mapping;

/// Which access tier a listing reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Tier {
    SiteAdmin,
    /// A product's admins, by application key.
    Admin(String),
    /// The groups that give a product, by application key.
    User(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AdminTiersJob {
    tier: Tier,
    start_at: u64,
}

impl Fetch for AdminTiersJob {
    fn call(&self, api: &Api) -> Call<Untyped> {
        match &self.tier {
            Tier::SiteAdmin => site_admin_groups_page(api, self.start_at).untyped(),
            Tier::Admin(key) => product_admin_groups_page(api, key, self.start_at).untyped(),
            Tier::User(key) => product_user_groups_page(api, key, self.start_at).untyped(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AdminTiers {
    /// The site's cloud id, which `grants-site-admin` points at.
    site_id: String,
    /// One listing per tier: a few (one and two per product), so a list.
    listings: Vec<(Tier, Listing)>,
    /// The groups `/applicationrole` names for each product; a product's
    /// entry is dropped once its `grants-access` relations are written.
    listed_access: BTreeMap<String, Vec<(String, bool)>>,
    /// The groups each product's user tier listed so far.
    user_tier: BTreeMap<String, BTreeSet<String>>,
    /// For `Facts`: what each group gives, by group id.
    products_by_group: BTreeMap<String, Vec<String>>,
    site_admin_groups: BTreeSet<String>,
    admin_products_by_group: BTreeMap<String, Vec<String>>,
}

impl Phase for AdminTiers {
    type Job = AdminTiersJob;
    const NAME: &'static str = "admin-tiers";

    fn start(facts: &Facts, _: u32) -> (Self, Vec<AdminTiersJob>) {
        let tiers = std::iter::once(Tier::SiteAdmin).chain(
            facts
                .products
                .iter()
                .flat_map(|key| [Tier::Admin(key.clone()), Tier::User(key.clone())]),
        );
        let mut listings = Vec::new();
        let mut jobs = Vec::new();
        for tier in tiers {
            let (listing, start_at) = Listing::start(GROUPS_PAGE_SIZE);
            jobs.push(AdminTiersJob {
                tier: tier.clone(),
                start_at,
            });
            listings.push((tier, listing));
        }
        let phase = Self {
            site_id: facts.site.cloud_id.clone(),
            listings,
            listed_access: facts.listed_access.clone(),
            user_tier: BTreeMap::new(),
            products_by_group: BTreeMap::new(),
            site_admin_groups: BTreeSet::new(),
            admin_products_by_group: BTreeMap::new(),
        };
        (phase, jobs)
    }

    fn handle(
        &mut self,
        job: AdminTiersJob,
        answer: &Answer,
        out: &mut Sink<'_, AdminTiersJob>,
    ) -> Result<()> {
        let AdminTiersJob { tier, start_at } = job;
        let Some((_, listing)) = self.listings.iter_mut().find(|(t, _)| *t == tier) else {
            return Err(answer.invalid(format!("a page came for an unknown tier {tier:?}")));
        };
        let page = listing.page(answer, start_at, |g: &GroupDetails| &g.group_id)?;
        let done = listing.is_done();
        for offset in page.next {
            out.queue(AdminTiersJob {
                tier: tier.clone(),
                start_at: offset,
            });
        }
        for (id, _) in page.fresh {
            let id = id.to_string();
            match &tier {
                Tier::SiteAdmin => {
                    out.relation(mapping::site_admin_grant(&id, &self.site_id));
                    self.site_admin_groups.insert(id);
                }
                Tier::Admin(key) => {
                    out.relation(mapping::product_admin_grant(&id, key));
                    add(&mut self.admin_products_by_group, id, key);
                }
                Tier::User(key) => {
                    self.user_tier.entry(key.clone()).or_default().insert(id);
                }
            }
        }
        if let (Tier::User(key), true) = (&tier, done) {
            self.product_access(key, out);
        }
        Ok(())
    }

    fn is_complete(&self) -> bool {
        self.listings.iter().all(|(_, l)| l.is_done())
    }

    fn progress(&self) -> Tally {
        let done = self.listings.iter().filter(|(_, l)| l.is_done()).count();
        Tally {
            done: done as u64,
            total: Some(self.listings.len() as u64),
        }
    }

    fn finish(&self, facts: &mut Facts) {
        facts.products_by_group = self.products_by_group.clone();
        facts.site_admin_groups = self.site_admin_groups.clone();
        facts.admin_products_by_group = self.admin_products_by_group.clone();
        // Compared and written: no later phase needs them.
        facts.listed_access = BTreeMap::new();
    }
}

impl AdminTiers {
    /// Writes a product's `grants-access` relations once its user tier is
    /// read to the end, and notes which products each group gives.
    fn product_access(&mut self, key: &str, out: &mut Sink<'_, AdminTiersJob>) {
        let listed = self.listed_access.remove(key).unwrap_or_default();
        let user_tier = self.user_tier.remove(key).unwrap_or_default();
        for relation in mapping::grants_access(key, &listed, &user_tier) {
            add(&mut self.products_by_group, relation.from.id.clone(), key);
            out.relation(relation);
        }
    }
}

/// Adds `key` to a group's list, once.
fn add(by_group: &mut BTreeMap<String, Vec<String>>, group_id: String, key: &str) {
    let keys = by_group.entry(group_id).or_default();
    if !keys.iter().any(|k| k == key) {
        keys.push(key.to_owned());
    }
}
