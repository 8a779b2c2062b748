//! Projects and their roles, in two phases.
//!
//! Roles: the global project roles (`/role`), which are the roles of every
//! company-managed project. Projects: every project (`project/search`, a
//! `PageBean` listing), and for each its permission scheme and the actors of
//! each of its roles: the global ones for a company-managed project, its own
//! (`roledetails`) for a team-managed one.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::answer::Answer;
use super::job::Fetch;
use super::listing::Listing;
use super::phase::{Facts, Phase, Sink, Tally};
use crate::error::Result;
use crate::jira::api::projects::{
    PAGE_SIZE, global_roles, project_permission_scheme, project_role_actors, project_roles,
    projects_page,
};
use crate::jira::call::{Call, Untyped};
use crate::jira::client::Api;
use crate::jira::models::{PermissionScheme, Project, ProjectRole};
use crate::mapping;

/// The global roles, `GET /role`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RolesJob;

impl Fetch for RolesJob {
    fn call(&self, api: &Api) -> Call<Untyped> {
        global_roles(api).untyped()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Roles {
    /// Global role ids, as listed.
    ids: Vec<u64>,
    tally: Tally,
}

impl Phase for Roles {
    type Job = RolesJob;
    const NAME: &'static str = "roles";

    fn start(_: &Facts, _: u32) -> (Self, Vec<RolesJob>) {
        (Self::default(), vec![RolesJob])
    }

    fn handle(&mut self, _: RolesJob, answer: &Answer, out: &mut Sink<'_, RolesJob>) -> Result<()> {
        let roles: Vec<ProjectRole> = answer.decode_as()?;
        let mut seen = HashSet::new();
        for role in &roles {
            self.ids.push(role.id);
            if seen.insert(role.id) {
                out.entity(mapping::role(role));
            }
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
        facts.global_roles = self.ids.clone();
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum ProjectsJob {
    Projects { start_at: u64 },
    ProjectRoles { project_id: Rc<str> },
    ProjectRoleActors { project_id: Rc<str>, role_id: u64 },
    ProjectPermissionScheme { project_id: Rc<str> },
}

impl Fetch for ProjectsJob {
    fn call(&self, api: &Api) -> Call<Untyped> {
        match self {
            ProjectsJob::Projects { start_at } => projects_page(api, *start_at).untyped(),
            ProjectsJob::ProjectRoles { project_id } => project_roles(api, project_id).untyped(),
            ProjectsJob::ProjectRoleActors {
                project_id,
                role_id,
            } => project_role_actors(api, project_id, *role_id).untyped(),
            ProjectsJob::ProjectPermissionScheme { project_id } => {
                project_permission_scheme(api, project_id).untyped()
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Projects {
    /// The roles of every company-managed project, from the roles phase.
    global_roles: Vec<u64>,
    /// Roles delivered so far: the global ones, then team-managed ones.
    roles_seen: HashSet<u64>,
    projects: Listing,
    /// Requests still to come per project; a project is done at zero.
    jobs_left: HashMap<Rc<str>, u32>,
    schemes_used: BTreeSet<u64>,
    /// Projects read to the end.
    done: u64,
}

impl Phase for Projects {
    type Job = ProjectsJob;
    const NAME: &'static str = "projects";

    fn start(facts: &Facts, _: u32) -> (Self, Vec<ProjectsJob>) {
        let (projects, first) = Listing::start(PAGE_SIZE);
        let phase = Self {
            global_roles: facts.global_roles.clone(),
            roles_seen: facts.global_roles.iter().copied().collect(),
            projects,
            jobs_left: HashMap::new(),
            schemes_used: BTreeSet::new(),
            done: 0,
        };
        (phase, vec![ProjectsJob::Projects { start_at: first }])
    }

    fn handle(
        &mut self,
        job: ProjectsJob,
        answer: &Answer,
        out: &mut Sink<'_, ProjectsJob>,
    ) -> Result<()> {
        let project_id = match job {
            ProjectsJob::Projects { start_at } => return self.projects_page(answer, start_at, out),
            ProjectsJob::ProjectRoles { project_id } => {
                self.project_roles(answer, &project_id, out)?;
                project_id
            }
            ProjectsJob::ProjectRoleActors { project_id, .. } => {
                let role: ProjectRole = answer.decode_as()?;
                let (entity, relations) =
                    mapping::project_role(&project_id, &role).map_err(|m| answer.invalid(m))?;
                out.entity(entity);
                out.relations(relations);
                project_id
            }
            ProjectsJob::ProjectPermissionScheme { project_id } => {
                let scheme: PermissionScheme = answer.decode_as()?;
                self.schemes_used.insert(scheme.id);
                out.relation(mapping::uses_scheme(&project_id, scheme.id));
                project_id
            }
        };
        self.project_job_done(&project_id);
        Ok(())
    }

    fn is_complete(&self) -> bool {
        self.projects.is_done() && self.jobs_left.is_empty()
    }

    fn progress(&self) -> Tally {
        Tally {
            done: self.done,
            total: self.projects.total(),
        }
    }

    fn finish(&self, facts: &mut Facts) {
        facts.schemes_used = self.schemes_used.clone();
    }
}

impl Projects {
    fn projects_page(
        &mut self,
        answer: &Answer,
        start_at: u64,
        out: &mut Sink<'_, ProjectsJob>,
    ) -> Result<()> {
        let page = self
            .projects
            .page(answer, start_at, |project: &Project| &project.id)?;
        for (id, project) in page.fresh {
            let (entity, leads) = mapping::project(&project);
            out.entity(entity);
            out.relations(leads);
            // Every project has a permission scheme: a team-managed project's
            // is scoped to it (`PermissionScheme.scope`).
            let mut jobs = vec![ProjectsJob::ProjectPermissionScheme {
                project_id: id.clone(),
            }];
            if mapping::has_global_roles(&project) {
                jobs.extend(self.global_roles.iter().map(|role_id| {
                    ProjectsJob::ProjectRoleActors {
                        project_id: id.clone(),
                        role_id: *role_id,
                    }
                }));
            } else {
                // Team-managed projects have roles of their own.
                jobs.push(ProjectsJob::ProjectRoles {
                    project_id: id.clone(),
                });
            }
            self.jobs_left.insert(id, jobs.len() as u32);
            for job in jobs {
                out.queue(job);
            }
        }
        for offset in page.next {
            out.queue(ProjectsJob::Projects { start_at: offset });
        }
        Ok(())
    }

    fn project_roles(
        &mut self,
        answer: &Answer,
        project_id: &Rc<str>,
        out: &mut Sink<'_, ProjectsJob>,
    ) -> Result<()> {
        let roles: Vec<ProjectRole> = answer.decode_as()?;
        for role in &roles {
            if self.roles_seen.insert(role.id) {
                out.entity(mapping::role(role));
            }
            out.queue_first(ProjectsJob::ProjectRoleActors {
                project_id: project_id.clone(),
                role_id: role.id,
            });
        }
        *self
            .jobs_left
            .get_mut(project_id)
            .expect("a planned project") += roles.len() as u32;
        Ok(())
    }

    fn project_job_done(&mut self, project_id: &Rc<str>) {
        if let Some(left) = self.jobs_left.get_mut(project_id) {
            *left -= 1;
            if *left == 0 {
                self.jobs_left.remove(project_id);
                self.done += 1;
            }
        }
    }
}
