//! The application-roles phase: who has access to which Jira product,
//! through `applicationrole`, read in one request.

use serde::{Deserialize, Serialize};

use super::answer::Answer;
use super::job::Fetch;
use super::phase::{Facts, Phase, Sink, Tally};
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
    tally: Tally,
}

impl Phase for ApplicationRoles {
    type Job = ApplicationRolesJob;
    const NAME: &'static str = "application-roles";

    fn start(_: &Facts, _: u32) -> (Self, Vec<ApplicationRolesJob>) {
        (Self::default(), vec![ApplicationRolesJob])
    }

    fn handle(
        &mut self,
        _: ApplicationRolesJob,
        answer: &Answer,
        out: &mut Sink<'_, ApplicationRolesJob>,
    ) -> Result<()> {
        let roles: Vec<ApplicationRole> = answer.decode_as()?;
        for role in &roles {
            let (entity, relations) = mapping::application_role(role);
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
}
