//! Permissions, in two phases.
//!
//! Permissions: the catalogue of every global and project permission
//! (`permissions`). Permission schemes: every scheme with its grants
//! (`permissionscheme?expand=all`), then each scheme a project uses that the
//! listing left out (a team-managed project's may be), read by id.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::answer::Answer;
use super::job::Fetch;
use super::phase::{Facts, Phase, Sink, Tally};
use crate::error::Result;
use crate::jira::api::permissions::{permission_scheme, permission_schemes, permissions};
use crate::jira::call::{Call, Untyped};
use crate::jira::client::Api;
use crate::jira::models::{self, PermissionScheme};
use crate::mapping;

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

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum PermissionSchemesJob {
    PermissionSchemes,
    /// A scheme some project uses that the listing did not return.
    PermissionScheme {
        scheme_id: u64,
    },
}

impl Fetch for PermissionSchemesJob {
    fn call(&self, api: &Api) -> Call<Untyped> {
        match self {
            PermissionSchemesJob::PermissionSchemes => permission_schemes(api).untyped(),
            PermissionSchemesJob::PermissionScheme { scheme_id } => {
                permission_scheme(api, *scheme_id).untyped()
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PermissionSchemes {
    /// The schemes projects use, from the projects phase.
    used: BTreeSet<u64>,
    /// Schemes read, of those listed and those read by id.
    tally: Tally,
}

impl Phase for PermissionSchemes {
    type Job = PermissionSchemesJob;
    const NAME: &'static str = "permission-schemes";

    fn start(facts: &Facts, _: u32) -> (Self, Vec<PermissionSchemesJob>) {
        let phase = Self {
            used: facts.schemes_used.clone(),
            tally: Tally::default(),
        };
        (phase, vec![PermissionSchemesJob::PermissionSchemes])
    }

    fn handle(
        &mut self,
        job: PermissionSchemesJob,
        answer: &Answer,
        out: &mut Sink<'_, PermissionSchemesJob>,
    ) -> Result<()> {
        match job {
            PermissionSchemesJob::PermissionSchemes => self.schemes_page(answer, out),
            PermissionSchemesJob::PermissionScheme { scheme_id } => {
                let scheme: PermissionScheme = answer.decode_as()?;
                if scheme.id != scheme_id {
                    return Err(answer.invalid(format!(
                        "asked for permission scheme {scheme_id}, got scheme {}",
                        scheme.id
                    )));
                }
                add_scheme(&scheme, out);
                self.tally.done += 1;
                Ok(())
            }
        }
    }

    fn is_complete(&self) -> bool {
        true
    }

    fn progress(&self) -> Tally {
        self.tally
    }
}

impl PermissionSchemes {
    fn schemes_page(
        &mut self,
        answer: &Answer,
        out: &mut Sink<'_, PermissionSchemesJob>,
    ) -> Result<()> {
        let listing: models::PermissionSchemes = answer.decode_as()?;
        let mut unlisted = self.used.clone();
        for scheme in &listing.permission_schemes {
            unlisted.remove(&scheme.id);
            add_scheme(scheme, out);
        }
        let listed = listing.permission_schemes.len() as u64;
        self.tally = Tally {
            done: listed,
            total: Some(listed + unlisted.len() as u64),
        };
        for scheme_id in unlisted {
            out.queue(PermissionSchemesJob::PermissionScheme { scheme_id });
        }
        Ok(())
    }
}

fn add_scheme(scheme: &PermissionScheme, out: &mut Sink<'_, PermissionSchemesJob>) {
    let (entities, relations) = mapping::permission_scheme(scheme);
    out.entities(entities);
    out.relations(relations);
}
