//! Product access and permissions: `GET /rest/api/3/applicationrole`,
//! `/permissionscheme?expand=all`, `/permissionscheme/{id}?expand=all` and
//! `/permissions`. None of them is paged.

use crate::jira::client::Api;
use crate::jira::transport::{HttpRequest, Method};

pub fn application_roles(api: &Api) -> HttpRequest {
    api.get("/rest/api/3/applicationrole", &[])
}

/// Every permission scheme with every grant and holder.
pub fn schemes(api: &Api) -> HttpRequest {
    api.get("/rest/api/3/permissionscheme", &[("expand", "all")])
}

/// One permission scheme with every grant and holder: for a project-scoped
/// scheme (a team-managed project's) that the listing may leave out.
pub fn scheme(api: &Api, scheme_id: u64) -> HttpRequest {
    api.get(
        &format!("/rest/api/3/permissionscheme/{scheme_id}"),
        &[("expand", "all")],
    )
}

/// The permission catalogue: every global and project permission.
pub fn catalogue(api: &Api) -> HttpRequest {
    api.get("/rest/api/3/permissions", &[])
}

/// `GET /permissionscheme/{id}/permission`: a scheme's grants.
pub fn scheme_grants(api: &Api, scheme_id: u64) -> HttpRequest {
    api.get(
        &format!("/rest/api/3/permissionscheme/{scheme_id}/permission"),
        &[],
    )
}

/// `POST /permissionscheme/{id}/permission` with a `PermissionGrant` body.
pub fn add_grant(api: &Api, scheme_id: u64, grant: &serde_json::Value) -> HttpRequest {
    api.with_json(
        Method::Post,
        &format!("/rest/api/3/permissionscheme/{scheme_id}/permission"),
        &[],
        grant,
    )
}

/// `DELETE /permissionscheme/{id}/permission/{grantId}`.
pub fn remove_grant(api: &Api, scheme_id: u64, grant_id: u64) -> HttpRequest {
    api.request(
        Method::Delete,
        &format!("/rest/api/3/permissionscheme/{scheme_id}/permission/{grant_id}"),
        &[],
        None,
    )
}
