//! Product access and permissions: `GET /rest/api/3/applicationrole`,
//! `/permissionscheme?expand=all` and `/permissions`. None of them is paged.

use super::client::Api;
use super::transport::HttpRequest;

pub fn application_roles(api: &Api) -> HttpRequest {
    api.get("/rest/api/3/applicationrole", &[])
}

/// Every permission scheme with every grant and holder.
pub fn schemes(api: &Api) -> HttpRequest {
    api.get("/rest/api/3/permissionscheme", &[("expand", "all")])
}

/// The permission catalogue: every global and project permission.
pub fn catalogue(api: &Api) -> HttpRequest {
    api.get("/rest/api/3/permissions", &[])
}
