//! Jira's wire types, as Atlassian's OpenAPI spec names them. Only the fields
//! the connector reads are declared; serde ignores the rest. Mapping to the
//! identity domain happens in `crate::mapping`, never here.

use serde::{Deserialize, Serialize};

/// `User` from `/myself` and `/users/search`, and `UserDetails` from
/// `/group/member`: the two share every field the connector reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub account_id: String,
    #[serde(default)]
    pub account_type: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub display_name: Option<String>,
    /// `null` or absent when the user's privacy settings hide it.
    #[serde(default)]
    pub email_address: Option<String>,
}

/// `GroupDetails` from `/group/bulk`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupDetails {
    pub group_id: String,
    pub name: String,
}

/// The answer of `/_edge/tenant_info`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantInfo {
    pub cloud_id: String,
}

/// `Project` from `/project/search` (with `expand=lead`). Serialisable
/// because an open project waits in the resume cursor until its roles and
/// scheme are read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub id: String,
    pub key: String,
    #[serde(default)]
    pub name: Option<String>,
    /// `classic` (company-managed) or `next-gen` (team-managed).
    #[serde(default)]
    pub style: Option<String>,
    #[serde(default)]
    pub simplified: Option<bool>,
    #[serde(default)]
    pub project_type_key: Option<String>,
    #[serde(default)]
    pub is_private: Option<bool>,
    #[serde(default)]
    pub archived: Option<bool>,
    #[serde(default)]
    pub deleted: Option<bool>,
    #[serde(default)]
    pub project_category: Option<ProjectCategory>,
    #[serde(default)]
    pub lead: Option<AccountRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectCategory {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// Any object that names a user by `accountId` (a project lead, a role actor).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRef {
    pub account_id: String,
}

/// `ProjectRole` (from `/role` and `/project/{id}/role/{roleId}`) and
/// `ProjectRoleDetails` (from `/project/{id}/roledetails`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectRole {
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Present for roles that belong to one team-managed project.
    #[serde(default)]
    pub scope: Option<Scope>,
    #[serde(default)]
    pub actors: Vec<RoleActor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scope {
    /// `PROJECT` or `TEMPLATE`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub project: Option<ScopeProject>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ScopeProject {
    pub id: String,
}

/// `RoleActor`: a user or a group holding a project role.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleActor {
    /// `atlassian-user-role-actor` or `atlassian-group-role-actor`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub actor_user: Option<AccountRef>,
    #[serde(default)]
    pub actor_group: Option<GroupName>,
}

/// `ApplicationRole` from `/applicationrole`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationRole {
    pub key: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub group_details: Vec<GroupName>,
    #[serde(default)]
    pub default_groups_details: Vec<GroupName>,
    #[serde(default)]
    pub number_of_seats: Option<i64>,
    #[serde(default)]
    pub remaining_seats: Option<i64>,
    #[serde(default)]
    pub user_count: Option<i64>,
    #[serde(default)]
    pub has_unlimited_seats: Option<bool>,
    #[serde(default)]
    pub platform: Option<bool>,
}

/// `GroupName`: a group as other resources refer to it (an application
/// role's groups, a role actor's `actorGroup`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupName {
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// `PermissionSchemes` from `/permissionscheme`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionSchemes {
    pub permission_schemes: Vec<PermissionScheme>,
}

/// `PermissionScheme`. Scheme id 0 is a real id (Jira's default scheme).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionScheme {
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub permissions: Vec<PermissionGrant>,
    /// Present for a scheme that belongs to one (team-managed) project.
    #[serde(default)]
    pub scope: Option<Scope>,
}

/// `PermissionGrant`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionGrant {
    pub id: u64,
    pub permission: String,
    pub holder: PermissionHolder,
}

/// `PermissionHolder`: `type` is an open set; unknown types are kept as-is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionHolder {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub parameter: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
}

/// `Permissions` from `/permissions`: a map keyed by permission key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Permissions {
    pub permissions: std::collections::BTreeMap<String, Permission>,
}

/// `UserPermission` as `/permissions` and `/mypermissions` return it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `GLOBAL` or `PROJECT`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// Whether the calling account holds it: `/mypermissions` only.
    #[serde(default)]
    pub have_permission: Option<bool>,
}

/// `PermissionGrants` from `/permissionscheme/{id}/permission`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PermissionGrants {
    #[serde(default)]
    pub permissions: Vec<PermissionGrant>,
}

/// `EntityProperty` from `/user/properties/{key}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EntityProperty {
    #[serde(default)]
    pub value: serde_json::Value,
}

/// `PropertyKeys` from `/user/properties`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PropertyKeys {
    #[serde(default)]
    pub keys: Vec<PropertyKey>,
}

/// `PropertyKey`: the key of one entity property.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PropertyKey {
    pub key: String,
}

/// A page of the organization admin API's user search
/// (`MultiDirectoryUserSearchPage`): the users, and the cursor of the next
/// page in `links.next`, absent or null on the last.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OrgUserPage {
    pub data: Vec<OrgUser>,
    #[serde(default)]
    pub links: Option<OrgLinks>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OrgLinks {
    #[serde(default)]
    pub next: Option<String>,
}

/// One record of an account (`MultiDirectoryUser`); an account in several
/// directories has one each. Every field but the id is optional.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgUser {
    pub account_id: String,
    /// `active`, `inactive` or `closed`.
    #[serde(default)]
    pub account_status: Option<String>,
    /// `managed` or `unmanaged`.
    #[serde(default)]
    pub claim_status: Option<String>,
    /// Only with `expand: ["productAccess"]`.
    #[serde(default)]
    pub product_access: Option<Vec<ProductActivity>>,
}

/// The last activity of an account in one product (`productAccess[]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductActivity {
    pub key: String,
    /// The product instance, an ARI such as `ari:cloud:jira::site/<cloudId>`.
    #[serde(default)]
    pub id: Option<String>,
    /// RFC 3339; null when the product was never used.
    #[serde(default)]
    pub last_active_timestamp: Option<String>,
}
