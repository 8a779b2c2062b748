//! The application-roles phase: the Jira products (`applicationrole`, read
//! in one request) and the site they belong to. The groups each product
//! names are passed on: the admin-tiers phase compares them with the
//! product's user tier before writing the `grants-access` relations.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::answer::Answer;
use super::job::Fetch;
use super::phase::{Facts, Phase, Sink, SiteFacts, Tally};
use crate::error::Result;
use crate::jira::api::permissions::application_roles;
use crate::jira::call::{Call, Untyped};
use crate::jira::client::Api;
use crate::jira::models::ApplicationRole;
use crate::mapping;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ApplicationRolesJob;

impl Fetch for ApplicationRolesJob {
    fn call(&self, api: &Api) -> Call<Untyped> {
        application_roles(api).untyped()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct ApplicationRoles {
    site: SiteFacts,
    /// Every application role's key, for `Facts`.
    products: BTreeSet<String>,
    /// The groups each product names, for `Facts`.
    listed_access: BTreeMap<String, Vec<(String, bool)>>,
    tally: Tally,
}

impl Phase for ApplicationRoles {
    type Job = ApplicationRolesJob;
    const NAME: &'static str = "application-roles";

    fn start(facts: &Facts, _: u32) -> (Self, Vec<ApplicationRolesJob>) {
        let phase = Self {
            site: facts.site.clone(),
            ..Self::default()
        };
        (phase, vec![ApplicationRolesJob])
    }

    fn handle(
        &mut self,
        _: ApplicationRolesJob,
        answer: &Answer,
        out: &mut Sink<'_, ApplicationRolesJob>,
    ) -> Result<()> {
        let roles: Vec<ApplicationRole> = answer.decode_as()?;
        // The site is the resource every product belongs to.
        out.entity(mapping::site(&self.site.cloud_id, &self.site.host));
        for role in &roles {
            let (entity, relations) = mapping::application_role(role, &self.site.cloud_id);
            self.listed_access
                .insert(role.key.clone(), mapping::role_groups(role));
            self.products.insert(role.key.clone());
            out.entity(entity);
            out.relations(relations);
        }
        self.tally = Tally::all(roles.len());
        Ok(())
    }

    fn is_complete(&self) -> bool {
        true
    }

    fn progress(&self) -> Tally {
        self.tally
    }

    fn finish(&self, facts: &mut Facts) {
        facts.products = self.products.clone();
        facts.listed_access = self.listed_access.clone();
    }
}
