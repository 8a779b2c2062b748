//! Permissions, in two phases.
//!
//! Permissions: the catalogue of every global and project permission
//! (`permissions`). Permission schemes: every listed scheme with its grants
//! (`permissionscheme?expand=all`), passed on to the projects phase, which
//! reads by id each scheme a project uses that the listing left out (a
//! team-managed project's may be).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Job;
use super::answer::Answer;
use super::job::Fetch;
use super::phase::{Facts, Phase, Sink, Tally};
use crate::error::Result;
use crate::jira::api::permissions::{permission_schemes, permissions};
use crate::jira::call::{Call, Untyped};
use crate::jira::client::Api;
use crate::jira::models::{self, PermissionScheme};
use crate::mapping::{self, GrantFact};

/// The permission catalogue, `GET /permissions`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PermissionsJob;

impl Fetch for PermissionsJob {
    fn call(&self, api: &Api) -> Call<Untyped> {
        permissions(api).untyped()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Permissions {
    tally: Tally,
}

impl Phase for Permissions {
    type Job = PermissionsJob;
    const NAME: &'static str = "permissions";

    fn start(_: &Facts, _: u32) -> (Self, Vec<PermissionsJob>) {
        (Self::default(), vec![PermissionsJob])
    }

    fn handle(
        &mut self,
        _: PermissionsJob,
        answer: &Answer,
        out: &mut Sink<'_, PermissionsJob>,
    ) -> Result<()> {
        let listed: models::Permissions = answer.decode_as()?;
        for (key, permission) in &listed.permissions {
            out.entity(mapping::permission(key, permission));
        }
        self.tally = Tally::all(listed.permissions.len());
        Ok(())
    }

    fn is_complete(&self) -> bool {
        true
    }

    fn progress(&self) -> Tally {
        self.tally
    }
}

/// Every scheme with its grants, `GET /permissionscheme?expand=all`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PermissionSchemesJob;

impl Fetch for PermissionSchemesJob {
    fn call(&self, api: &Api) -> Call<Untyped> {
        permission_schemes(api).untyped()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct PermissionSchemes {
    /// Each listed scheme's grants, for `Facts`.
    grants: BTreeMap<u64, Vec<GrantFact>>,
    tally: Tally,
}

impl Phase for PermissionSchemes {
    type Job = PermissionSchemesJob;
    const NAME: &'static str = "permission-schemes";

    fn start(_: &Facts, _: u32) -> (Self, Vec<PermissionSchemesJob>) {
        (Self::default(), vec![PermissionSchemesJob])
    }

    fn handle(
        &mut self,
        _: PermissionSchemesJob,
        answer: &Answer,
        out: &mut Sink<'_, PermissionSchemesJob>,
    ) -> Result<()> {
        let listing: models::PermissionSchemes = answer.decode_as()?;
        for scheme in &listing.permission_schemes {
            self.grants.insert(scheme.id, mapping::grant_facts(scheme));
            add_scheme(scheme, out);
        }
        self.tally = Tally::all(listing.permission_schemes.len());
        Ok(())
    }

    fn is_complete(&self) -> bool {
        true
    }

    fn progress(&self) -> Tally {
        self.tally
    }

    fn finish(&self, facts: &mut Facts) {
        facts.scheme_grants = self.grants.clone();
    }
}

/// A scheme's entities and relations in Jira's terms.
pub(crate) fn add_scheme<J: Into<Job>>(scheme: &PermissionScheme, out: &mut Sink<'_, J>) {
    let (entities, relations) = mapping::permission_scheme(scheme);
    out.entities(entities);
    out.relations(relations);
}
