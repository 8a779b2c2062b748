//! Projects and their roles: `GET /rest/api/3/project/search` (a `PageBean`),
//! `/project/{id}/roledetails`, `/project/{id}/role/{roleId}`,
//! `/project/{id}/permissionscheme`, and the global `/role`.

use crate::jira::client::{Api, encode};
use crate::jira::transport::{HttpRequest, Method};

/// `project/search` allows at most 100 per page.
pub const PAGE_SIZE: u64 = 100;

/// One page of every project the account can see, live and archived, with
/// each project's lead.
pub fn search_page(api: &Api, start_at: u64) -> HttpRequest {
    api.get(
        "/rest/api/3/project/search",
        &[
            ("startAt", &start_at.to_string()),
            ("maxResults", &PAGE_SIZE.to_string()),
            ("status", "live"),
            ("status", "archived"),
            ("expand", "lead"),
        ],
    )
}

/// Every global project role. Team-managed projects' own roles are not here.
pub fn global_roles(api: &Api) -> HttpRequest {
    api.get("/rest/api/3/role", &[])
}

/// The roles of one project, its own roles included.
pub fn role_details(api: &Api, project_id: &str) -> HttpRequest {
    api.get(
        &format!("/rest/api/3/project/{}/roledetails", encode(project_id)),
        &[],
    )
}

/// One project role in one project, with its actors (users and groups).
pub fn role_actors(api: &Api, project_id: &str, role_id: u64) -> HttpRequest {
    api.get(
        &format!("/rest/api/3/project/{}/role/{role_id}", encode(project_id)),
        &[],
    )
}

/// The permission scheme a project uses: company-managed projects share
/// global schemes, a team-managed project has a scheme scoped to itself.
pub fn permission_scheme(api: &Api, project_id: &str) -> HttpRequest {
    api.get(
        &format!(
            "/rest/api/3/project/{}/permissionscheme",
            encode(project_id)
        ),
        &[],
    )
}

/// A project role actor, as the write endpoints name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor<'a> {
    User(&'a str),
    Group(&'a str),
}

/// `POST /project/{id}/role/{roleId}` with `{"user": [...]}` or `{"groupId": [...]}`.
pub fn add_actor(api: &Api, project_id: &str, role_id: u64, actor: Actor<'_>) -> HttpRequest {
    let body = match actor {
        Actor::User(account_id) => serde_json::json!({ "user": [account_id] }),
        Actor::Group(group_id) => serde_json::json!({ "groupId": [group_id] }),
    };
    api.with_json(
        Method::Post,
        &format!("/rest/api/3/project/{}/role/{role_id}", encode(project_id)),
        &[],
        &body,
    )
}

/// `DELETE /project/{id}/role/{roleId}?user=` or `?groupId=`: a group is
/// never named with `user`.
pub fn remove_actor(api: &Api, project_id: &str, role_id: u64, actor: Actor<'_>) -> HttpRequest {
    let query = match actor {
        Actor::User(account_id) => ("user", account_id),
        Actor::Group(group_id) => ("groupId", group_id),
    };
    api.request(
        Method::Delete,
        &format!("/rest/api/3/project/{}/role/{role_id}", encode(project_id)),
        &[query],
        None,
    )
}
