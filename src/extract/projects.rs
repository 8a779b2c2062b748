//! Projects and their roles, in two phases.
//!
//! Roles: the global project roles (`/role`), which are the roles of every
//! company-managed project. Projects: every project (`project/search`, a
//! `PageBean` listing), and for each its permission scheme (read by id when
//! the schemes listing left it out) and the actors of each of its roles: the
//! global ones for a company-managed project, its own (`roledetails`) for a
//! team-managed one. Once all of a project's reads are in, its scheme's
//! grants are resolved for it (`mapping::project_grants`) and the project is
//! written; the groups that hold `ADMINISTER_PROJECTS` on it are passed on,
//! for their members' entitlement rows.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::answer::Answer;
use super::job::Fetch;
use super::listing::Listing;
use super::permissions::add_scheme;
use super::phase::{Facts, Phase, Sink, Tally};
use crate::domain::{kind, relation};
use crate::error::Result;
use crate::jira::api::permissions::permission_scheme;
use crate::jira::api::projects::{
    PAGE_SIZE, global_roles, project_permission_scheme, project_role_actors, project_roles,
    projects_page,
};
use crate::jira::call::{Call, Untyped};
use crate::jira::client::Api;
use crate::jira::models::{PermissionScheme, Project, ProjectRole};
use crate::mapping::{self, Directory, GrantFact, ProjectScope};

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
    Projects {
        start_at: u64,
    },
    ProjectRoles {
        project_id: Rc<str>,
    },
    ProjectRoleActors {
        project_id: Rc<str>,
        role_id: u64,
    },
    ProjectPermissionScheme {
        project_id: Rc<str>,
    },
    /// A scheme some project uses that the listing did not return.
    PermissionScheme {
        scheme_id: u64,
    },
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
            ProjectsJob::PermissionScheme { scheme_id } => {
                permission_scheme(api, *scheme_id).untyped()
            }
        }
    }
}

/// A project whose reads are under way. Its entity is written once they are
/// all done, because its `conditionalGrants` depend on its roles, its lead
/// and its scheme's grants.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct OpenProject {
    project: Project,
    /// Requests still to come; the project is done at zero, once its
    /// scheme's grants are known too.
    jobs_left: u32,
    /// The roles it has: the global ones for a company-managed project,
    /// its own for a team-managed one.
    roles: BTreeSet<u64>,
    /// The permission scheme it uses, once read.
    scheme: Option<u64>,
    /// Each of its project roles' group actors, by the project role's
    /// entity id: a grant to a role reaches those groups' members.
    role_groups: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Projects {
    /// The roles of every company-managed project, from the roles phase.
    global_roles: Vec<u64>,
    /// Roles delivered so far: the global ones, then team-managed ones.
    roles_seen: HashSet<u64>,
    projects: Listing,
    open: HashMap<Rc<str>, OpenProject>,
    /// Each scheme's grants: the listed schemes' from the schemes phase,
    /// then those read by id.
    schemes: BTreeMap<u64, Vec<GrantFact>>,
    /// Schemes being read by id.
    reading: BTreeSet<u64>,
    /// What grants resolve against, from earlier phases.
    products: BTreeSet<String>,
    groups_by_name: BTreeMap<String, String>,
    account_types: BTreeMap<String, String>,
    /// For `Facts`: the keys of the projects each group administers, by
    /// group id.
    administered: BTreeMap<String, Vec<String>>,
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
            open: HashMap::new(),
            schemes: facts.scheme_grants.clone(),
            reading: BTreeSet::new(),
            products: facts.products.clone(),
            groups_by_name: facts.groups_by_name.clone(),
            account_types: facts.account_types.clone(),
            administered: BTreeMap::new(),
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
            ProjectsJob::PermissionScheme { scheme_id } => {
                return self.unlisted_scheme(answer, scheme_id, out);
            }
            ProjectsJob::ProjectRoles { project_id } => {
                self.project_roles(answer, &project_id, out)?;
                project_id
            }
            ProjectsJob::ProjectRoleActors { project_id, .. } => {
                let role: ProjectRole = answer.decode_as()?;
                let open = self.open_project(answer, &project_id)?;
                let mapped = mapping::project_role(&project_id, &open.project.key, &role)
                    .map_err(|m| answer.invalid(m))?;
                let groups = mapped
                    .relations
                    .iter()
                    .filter(|r| r.kind == relation::ASSIGNED && r.from.kind == kind::GROUP)
                    .map(|r| r.from.id.clone())
                    .collect();
                open.role_groups.insert(mapped.entity.id.clone(), groups);
                out.entity(mapped.entity);
                out.relations(mapped.relations);
                out.entitlements(mapped.entitlements);
                project_id
            }
            ProjectsJob::ProjectPermissionScheme { project_id } => {
                let scheme: PermissionScheme = answer.decode_as()?;
                self.open_project(answer, &project_id)?.scheme = Some(scheme.id);
                out.relation(mapping::uses_scheme(&project_id, scheme.id));
                if !self.schemes.contains_key(&scheme.id) && self.reading.insert(scheme.id) {
                    // The listing left it out: read it by id, first, so the
                    // projects waiting on it close early.
                    out.queue_first(ProjectsJob::PermissionScheme {
                        scheme_id: scheme.id,
                    });
                }
                project_id
            }
        };
        if let Some(open) = self.open.get_mut(&project_id) {
            open.jobs_left = open.jobs_left.saturating_sub(1);
        }
        self.close_if_done(&project_id, out);
        Ok(())
    }

    fn is_complete(&self) -> bool {
        self.projects.is_done() && self.open.is_empty() && self.reading.is_empty()
    }

    fn progress(&self) -> Tally {
        Tally {
            done: self.done,
            total: self.projects.total(),
        }
    }

    fn finish(&self, facts: &mut Facts) {
        facts.administered_projects = self.administered.clone();
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
            let mapped = mapping::project(&project);
            out.relations(mapped.leads);
            out.entitlements(mapped.lead_entitlement);
            // Every project has a permission scheme: a team-managed project's
            // is scoped to it (`PermissionScheme.scope`).
            let mut jobs = vec![ProjectsJob::ProjectPermissionScheme {
                project_id: id.clone(),
            }];
            let mut roles = BTreeSet::new();
            if mapping::has_global_roles(&project) {
                roles.extend(self.global_roles.iter().copied());
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
            self.open.insert(
                id,
                OpenProject {
                    project,
                    jobs_left: jobs.len() as u32,
                    roles,
                    scheme: None,
                    role_groups: BTreeMap::new(),
                },
            );
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
        let open = self.open_project(answer, project_id)?;
        open.roles.extend(roles.iter().map(|r| r.id));
        open.jobs_left += roles.len() as u32;
        Ok(())
    }

    /// A scheme read by id: its entities, its grants for the projects that
    /// use it, and those projects closed if nothing else is awaited.
    fn unlisted_scheme(
        &mut self,
        answer: &Answer,
        scheme_id: u64,
        out: &mut Sink<'_, ProjectsJob>,
    ) -> Result<()> {
        let scheme: PermissionScheme = answer.decode_as()?;
        if scheme.id != scheme_id {
            return Err(answer.invalid(format!(
                "asked for permission scheme {scheme_id}, got scheme {}",
                scheme.id
            )));
        }
        add_scheme(&scheme, out);
        self.schemes
            .insert(scheme_id, mapping::grant_facts(&scheme));
        self.reading.remove(&scheme_id);
        let waiting: Vec<Rc<str>> = self
            .open
            .iter()
            .filter(|(_, open)| open.scheme == Some(scheme_id))
            .map(|(id, _)| id.clone())
            .collect();
        for project_id in waiting {
            self.close_if_done(&project_id, out);
        }
        Ok(())
    }

    fn open_project(&mut self, answer: &Answer, project_id: &str) -> Result<&mut OpenProject> {
        self.open.get_mut(project_id).ok_or_else(|| {
            answer.invalid(format!(
                "an answer for project {project_id} came after the project was done"
            ))
        })
    }

    /// Writes a project whose reads are all done: its entity, with the grants
    /// that reach no entity, and one relation per grant and holder.
    fn close_if_done(&mut self, project_id: &Rc<str>, out: &mut Sink<'_, ProjectsJob>) {
        let Some(open) = self.open.get(project_id) else {
            return;
        };
        let Some(grants) = open.scheme.and_then(|id| self.schemes.get(&id)) else {
            return;
        };
        if open.jobs_left > 0 {
            return;
        }
        let scope = ProjectScope {
            id: project_id,
            lead: open.project.lead.as_ref().map(|l| l.account_id.as_str()),
            roles: &open.roles,
        };
        let directory = Directory {
            products: &self.products,
            groups_by_name: &self.groups_by_name,
            account_types: &self.account_types,
        };
        let resolved =
            mapping::project_grants(scope, open.scheme.unwrap_or_default(), grants, directory);
        for group_id in mapping::project_admin_groups(&resolved.relations, &open.role_groups) {
            let keys = self.administered.entry(group_id).or_default();
            if !keys.contains(&open.project.key) {
                keys.push(open.project.key.clone());
            }
        }
        let mut entity = mapping::project(&open.project).entity;
        entity.attributes.push(resolved.conditional_attribute());
        out.entity(entity);
        out.relations(resolved.relations);
        self.open.remove(project_id);
        self.done += 1;
    }
}
