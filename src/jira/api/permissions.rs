//! Product access and permissions: `GET /rest/api/3/applicationrole`,
//! `/permissionscheme?expand=all`, `/permissionscheme/{id}?expand=all`,
//! `/permissions`, `/mypermissions`, and a scheme's grants. None of them is
//! paged.

use crate::jira::call::{Call, NoBody};
use crate::jira::client::{Api, json_body};
use crate::jira::endpoints::Endpoint;
use crate::jira::models::{
    ApplicationRole, PermissionGrant, PermissionGrants, PermissionScheme, PermissionSchemes,
    Permissions,
};

pub fn application_roles(api: &Api) -> Call<Vec<ApplicationRole>> {
    api.call(Endpoint::ApplicationRoles, &[], &[], None)
}

/// Every permission scheme with every grant and holder.
pub fn permission_schemes(api: &Api) -> Call<PermissionSchemes> {
    api.call(Endpoint::PermissionSchemes, &[], &[("expand", "all")], None)
}

/// One permission scheme with every grant and holder: for a project-scoped
/// scheme (a team-managed project's) that the listing may leave out.
pub fn permission_scheme(api: &Api, scheme_id: u64) -> Call<PermissionScheme> {
    let query = [("expand", "all")];
    api.call(Endpoint::PermissionScheme, &[&scheme_id], &query, None)
}

/// Whether the account holds each of `keys` (permission keys), in the
/// global context: no project or issue is named.
pub fn my_permissions(api: &Api, keys: &[&str]) -> Call<Permissions> {
    let keys = keys.join(",");
    api.call(
        Endpoint::MyPermissions,
        &[],
        &[("permissions", &keys)],
        None,
    )
}

/// The permission catalogue: every global and project permission.
pub fn permissions(api: &Api) -> Call<Permissions> {
    api.call(Endpoint::Permissions, &[], &[], None)
}

pub fn scheme_grants(api: &Api, scheme_id: u64) -> Call<PermissionGrants> {
    api.call(Endpoint::SchemeGrants, &[&scheme_id], &[], None)
}

/// With a `PermissionGrant` body.
pub fn add_grant(api: &Api, scheme_id: u64, grant: &serde_json::Value) -> Call<PermissionGrant> {
    api.call(Endpoint::AddGrant, &[&scheme_id], &[], json_body(grant))
}

pub fn remove_grant(api: &Api, scheme_id: u64, grant_id: u64) -> Call<NoBody> {
    api.call(Endpoint::RemoveGrant, &[&scheme_id, &grant_id], &[], None)
}
