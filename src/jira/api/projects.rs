//! Projects and their roles: `GET /rest/api/3/project/search` (a `PageBean`),
//! `/project/{id}/roledetails`, `/project/{id}/role/{roleId}`,
//! `/project/{id}/permissionscheme`, the global `/role`, and the role actor
//! writes.

use crate::jira::call::{Call, NoBody};
use crate::jira::client::{Api, json_body};
use crate::jira::endpoints::Endpoint;
use crate::jira::models::{PermissionScheme, Project, ProjectRole};
use crate::jira::page::PageBean;

/// `project/search` allows at most 100 per page.
pub const PAGE_SIZE: u64 = super::page_size(Endpoint::Projects);

/// One page of every project the account can see, live and archived, with
/// each project's lead.
pub fn projects_page(api: &Api, start_at: u64) -> Call<PageBean<Project>> {
    api.call(
        Endpoint::Projects,
        &[],
        &[
            ("startAt", &start_at.to_string()),
            ("maxResults", &PAGE_SIZE.to_string()),
            ("status", "live"),
            ("status", "archived"),
            ("expand", "lead"),
        ],
        None,
    )
}

/// Every global project role. Team-managed projects' own roles are not here.
pub fn global_roles(api: &Api) -> Call<Vec<ProjectRole>> {
    api.call(Endpoint::GlobalRoles, &[], &[], None)
}

/// The roles of one project, its own roles included.
pub fn project_roles(api: &Api, project_id: &str) -> Call<Vec<ProjectRole>> {
    api.call(Endpoint::ProjectRoles, &[&project_id], &[], None)
}

/// One project role in one project, with its actors (users and groups).
pub fn project_role_actors(api: &Api, project_id: &str, role_id: u64) -> Call<ProjectRole> {
    api.call(
        Endpoint::ProjectRoleActors,
        &[&project_id, &role_id],
        &[],
        None,
    )
}

/// The permission scheme a project uses: company-managed projects share
/// global schemes, a team-managed project has a scheme scoped to itself.
pub fn project_permission_scheme(api: &Api, project_id: &str) -> Call<PermissionScheme> {
    api.call(Endpoint::ProjectPermissionScheme, &[&project_id], &[], None)
}

/// A project role actor, as the write endpoints name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor<'a> {
    User(&'a str),
    Group(&'a str),
}

/// With `{"user": [...]}` or `{"groupId": [...]}`.
pub fn add_role_actor(api: &Api, project_id: &str, role_id: u64, actor: Actor<'_>) -> Call<NoBody> {
    let body = match actor {
        Actor::User(account_id) => serde_json::json!({ "user": [account_id] }),
        Actor::Group(group_id) => serde_json::json!({ "groupId": [group_id] }),
    };
    let body = json_body(&body);
    api.call(Endpoint::AddRoleActor, &[&project_id, &role_id], &[], body)
}

/// With `?user=` or `?groupId=`: a group is never named with `user`.
pub fn remove_role_actor(
    api: &Api,
    project_id: &str,
    role_id: u64,
    actor: Actor<'_>,
) -> Call<NoBody> {
    let query = match actor {
        Actor::User(account_id) => ("user", account_id),
        Actor::Group(group_id) => ("groupId", group_id),
    };
    api.call(
        Endpoint::RemoveRoleActor,
        &[&project_id, &role_id],
        &[query],
        None,
    )
}
