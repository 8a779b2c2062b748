//! The application-roles phase: who has access to which Jira product,
//! through `applicationrole`, read in one request.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::answer::Answer;
use super::job::Fetch;
use super::phase::{Facts, Phase, Sink, SiteFacts, Tally};
use crate::domain::relation;
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
    /// The products each group gives, by group id, for `Facts`.
    products_by_group: BTreeMap<String, Vec<String>>,
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
            for r in relations
                .iter()
                .filter(|r| r.kind == relation::GRANTS_ACCESS)
            {
                let products = self.products_by_group.entry(r.from.id.clone()).or_default();
                if !products.contains(&role.key) {
                    products.push(role.key.clone());
                }
            }
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
        facts.products_by_group = self.products_by_group.clone();
    }
}
