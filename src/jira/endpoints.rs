//! Every Jira endpoint the connector calls, each with its facts in one row:
//! how it is called, what the connector is doing when it calls it, what the
//! credential needs to be allowed to, and how many items a page of it holds.
//! Errors name these, so that a 403 tells the admin exactly what to grant.
//!
//! Permissions and scopes are taken from Atlassian's OpenAPI spec
//! (`x-atlassian-oauth2-scopes` and each operation's "Permissions required").
//! Each endpoint has one name: the variant here, and in snake case its
//! request builder in `api` (a paged endpoint's builder adds `_page`).

use super::transport::Method::{self, Delete, Get, Post, Put, Search};

/// A Jira REST operation the connector uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Myself,
    /// The global permissions the account holds, checked before a run.
    MyPermissions,
    TenantInfo,
    Users,
    /// The organization's user search (admin API): account and claim
    /// status and last activity per product, for the users of one page.
    OrgUserSearch,
    Groups,
    /// `group/bulk?accessType=site-admin`: the groups whose members
    /// administer the site.
    SiteAdminGroups,
    /// `group/bulk?accessType=admin&applicationKey=…`: one product's admin
    /// groups.
    ProductAdminGroups,
    /// `group/bulk?accessType=user&applicationKey=…`: the groups that give
    /// one product.
    ProductUserGroups,
    GroupMembers,
    Projects,
    GlobalRoles,
    ProjectRoles,
    ProjectRoleActors,
    ProjectPermissionScheme,
    ApplicationRoles,
    PermissionSchemes,
    /// A scheme a project names that the listing did not return.
    PermissionScheme,
    Permissions,
    AddGroupMember,
    RemoveGroupMember,
    CreateGroup,
    DeleteGroup,
    /// `group/bulk` with a `groupId` or `groupName`, to look one group up.
    FindGroup,
    AddRoleActor,
    RemoveRoleActor,
    SchemeGrants,
    AddGrant,
    RemoveGrant,
    GetUser,
    UserGroups,
    UserPropertyKeys,
    GetUserProperty,
    SetUserProperty,
    DeleteUserProperty,
}

/// What the connector knows about one endpoint.
#[derive(Debug, PartialEq, Eq)]
pub struct EndpointFacts {
    pub method: Method,
    /// The path after the base URL; each `{name}` is a path parameter, filled
    /// in order by the request builder.
    pub path: &'static str,
    /// What the connector is doing when it calls the endpoint.
    pub step: &'static str,
    /// The Jira permission the account needs, as Jira's admin UI names it.
    pub permission: Option<&'static str>,
    /// Scopes a scoped token needs: the classic scope, then the granular ones.
    pub scopes: &'static [&'static str],
    /// Jira answers some refusals with 401 or 404 rather than 403 (its spec
    /// says so for the project-role endpoints). Such answers get this hint.
    pub refusal_hint: Option<&'static str>,
    /// For a paged listing, the most items the connector asks for per page
    /// (Jira's cap for the endpoint).
    pub page_size: Option<u64>,
}

const LICENCE: &str = "access to Jira (a product licence on the site)";
const BROWSE: &str = "Browse users and groups (global permission)";
const ADMINISTER_JIRA: &str = "Administer Jira (global permission)";
const ADMINISTER_PROJECTS: &str = "Administer Projects (project permission) for the project, or \
                                   Administer Jira (global permission)";
const ORG_KEY: &str = "an organization API key (appConfig.adminApiKey) of the organization \
                       appConfig.orgId, which can read its user directory";
const ORG_UNAUTHORIZED: &str = "The admin API refused appConfig.adminApiKey. It must be an \
                                organization API key from admin.atlassian.com (Settings, API keys), \
                                not a Jira API token, and keys expire after at most a year";
const ORG_NOT_FOUND: &str = "The admin API has no organization appConfig.orgId for this key. \
                             Check the id (admin.atlassian.com/o/<orgId>/) and that the key in \
                             appConfig.adminApiKey belongs to that organization";
const SITE_ADMIN: &str = "site administration (membership of the site-admin group)";
const PROJECT_REFUSAL: &str = "Jira gives this answer when the account lacks Administer Projects \
                               for the project (or Administer Jira)";

const READ_USER: &[&str] = &["read:jira-user", "read:user:jira"];
const READ_GROUP: &[&str] = &["read:jira-user", "read:group:jira"];
const READ_USER_PROPERTY: &[&str] = &["read:jira-user", "read:user.property:jira"];
const READ_PERMISSION_SCHEME: &[&str] = &[
    "read:jira-work",
    "read:permission-scheme:jira",
    "read:permission:jira",
    "read:application-role:jira",
    "read:field:jira",
    "read:group:jira",
    "read:project-role:jira",
    "read:user:jira",
    "read:avatar:jira",
    "read:project-category:jira",
    "read:project:jira",
];
const WRITE_GROUP: &[&str] = &[
    "manage:jira-configuration",
    "write:group:jira",
    "read:group:jira",
    "read:user:jira",
    "read:avatar:jira",
];

impl Endpoint {
    /// This endpoint's row in the table.
    pub const fn facts(self) -> &'static EndpointFacts {
        match self {
            Endpoint::Myself => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/myself",
                step: "check credentials",
                permission: Some(LICENCE),
                scopes: READ_USER,
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::MyPermissions => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/mypermissions",
                step: "check the account's global permissions",
                permission: None,
                scopes: &["read:jira-work", "read:permission:jira"],
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::TenantInfo => &EndpointFacts {
                method: Get,
                path: "/_edge/tenant_info",
                step: "look up the site's cloud id",
                permission: None,
                scopes: &[],
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::OrgUserSearch => &EndpointFacts {
                method: Search,
                path: "/admin/v2/orgs/{orgId}/directories/-/users/search",
                step: "read last activity and account status from the organization",
                permission: Some(ORG_KEY),
                // A key made with scopes needs this one (Atlassian's scope for
                // reading directory users); a key without scopes needs none.
                scopes: &["read:directories:admin"],
                refusal_hint: None,
                page_size: Some(100),
            },
            Endpoint::Users => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/users/search",
                step: "list users",
                permission: Some(BROWSE),
                scopes: &[
                    "read:jira-user",
                    "read:user:jira",
                    "read:application-role:jira",
                    "read:avatar:jira",
                    "read:group:jira",
                ],
                refusal_hint: None,
                page_size: Some(1000),
            },
            Endpoint::Groups => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/group/bulk",
                step: "list groups",
                permission: Some(BROWSE),
                scopes: READ_GROUP,
                refusal_hint: None,
                page_size: Some(50),
            },
            Endpoint::SiteAdminGroups => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/group/bulk",
                step: "list site-admin groups",
                permission: Some(BROWSE),
                scopes: READ_GROUP,
                refusal_hint: None,
                page_size: Some(50),
            },
            Endpoint::ProductAdminGroups => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/group/bulk",
                step: "list a product's admin groups",
                permission: Some(BROWSE),
                scopes: READ_GROUP,
                refusal_hint: None,
                page_size: Some(50),
            },
            Endpoint::ProductUserGroups => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/group/bulk",
                step: "list a product's user groups",
                permission: Some(BROWSE),
                scopes: READ_GROUP,
                refusal_hint: None,
                page_size: Some(50),
            },
            Endpoint::GroupMembers => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/group/member",
                step: "list group members",
                permission: Some("Browse users and groups or Administer Jira (global permission)"),
                scopes: &[
                    "manage:jira-configuration",
                    "read:group:jira",
                    "read:user:jira",
                    "read:avatar:jira",
                ],
                refusal_hint: None,
                page_size: Some(50),
            },
            Endpoint::Projects => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/project/search",
                step: "list projects",
                permission: Some(
                    "Browse Projects or Administer Projects (project permission), or Administer \
                     Jira (global permission). Projects without them are not listed",
                ),
                scopes: &[
                    "read:jira-work",
                    "read:project:jira",
                    "read:project-category:jira",
                    "read:user:jira",
                    "read:application-role:jira",
                    "read:avatar:jira",
                    "read:group:jira",
                    "read:issue-type:jira",
                    "read:project.property:jira",
                    "read:issue-type-hierarchy:jira",
                    "read:project-version:jira",
                    "read:project.component:jira",
                ],
                refusal_hint: None,
                page_size: Some(100),
            },
            Endpoint::GlobalRoles => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/role",
                step: "list project roles",
                permission: Some(ADMINISTER_JIRA),
                scopes: &[
                    "manage:jira-configuration",
                    "read:project-role:jira",
                    "read:user:jira",
                    "read:group:jira",
                    "read:project:jira",
                    "read:avatar:jira",
                    "read:project-category:jira",
                ],
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::ProjectRoles => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/project/{id}/roledetails",
                step: "list a project's roles",
                permission: Some(ADMINISTER_PROJECTS),
                scopes: &[
                    "read:jira-work",
                    "read:project-role:jira",
                    "read:project:jira",
                    "read:project-category:jira",
                    "read:avatar:jira",
                ],
                refusal_hint: Some(PROJECT_REFUSAL),
                page_size: None,
            },
            Endpoint::ProjectRoleActors => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/project/{id}/role/{roleId}",
                step: "list a project role's actors",
                permission: Some(ADMINISTER_PROJECTS),
                scopes: &[
                    "read:jira-work",
                    "read:project-role:jira",
                    "read:user:jira",
                    "read:group:jira",
                    "read:project:jira",
                    "read:avatar:jira",
                    "read:project-category:jira",
                ],
                refusal_hint: Some(PROJECT_REFUSAL),
                page_size: None,
            },
            Endpoint::ProjectPermissionScheme => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/project/{id}/permissionscheme",
                step: "read a project's permission scheme",
                permission: Some(ADMINISTER_PROJECTS),
                scopes: READ_PERMISSION_SCHEME,
                refusal_hint: Some(PROJECT_REFUSAL),
                page_size: None,
            },
            Endpoint::ApplicationRoles => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/applicationrole",
                step: "list application roles",
                permission: Some(ADMINISTER_JIRA),
                scopes: &["manage:jira-configuration", "read:application-role:jira"],
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::PermissionSchemes => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/permissionscheme",
                step: "list permission schemes",
                permission: Some(LICENCE),
                scopes: READ_PERMISSION_SCHEME,
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::PermissionScheme => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/permissionscheme/{id}",
                step: "read a permission scheme a project uses",
                permission: Some(LICENCE),
                scopes: READ_PERMISSION_SCHEME,
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::Permissions => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/permissions",
                step: "list permissions",
                permission: None,
                scopes: &["manage:jira-configuration", "read:permission:jira"],
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::AddGroupMember => &EndpointFacts {
                method: Post,
                path: "/rest/api/3/group/user",
                step: "add a user to a group",
                permission: Some(SITE_ADMIN),
                scopes: WRITE_GROUP,
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::RemoveGroupMember => &EndpointFacts {
                method: Delete,
                path: "/rest/api/3/group/user",
                step: "remove a user from a group",
                permission: Some(SITE_ADMIN),
                scopes: &["manage:jira-configuration", "write:group:jira"],
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::CreateGroup => &EndpointFacts {
                method: Post,
                path: "/rest/api/3/group",
                step: "create a group",
                permission: Some(SITE_ADMIN),
                scopes: WRITE_GROUP,
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::DeleteGroup => &EndpointFacts {
                method: Delete,
                path: "/rest/api/3/group",
                step: "delete a group",
                permission: Some(SITE_ADMIN),
                scopes: &["manage:jira-configuration", "delete:group:jira"],
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::FindGroup => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/group/bulk",
                step: "look up a group",
                permission: Some(BROWSE),
                scopes: READ_GROUP,
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::AddRoleActor => &EndpointFacts {
                method: Post,
                path: "/rest/api/3/project/{id}/role/{roleId}",
                step: "add a project role actor",
                permission: Some(ADMINISTER_PROJECTS),
                scopes: &[
                    "manage:jira-configuration",
                    "write:project-role:jira",
                    "read:project-role:jira",
                    "read:user:jira",
                    "read:group:jira",
                    "read:project:jira",
                    "read:avatar:jira",
                    "read:project-category:jira",
                ],
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::RemoveRoleActor => &EndpointFacts {
                method: Delete,
                path: "/rest/api/3/project/{id}/role/{roleId}",
                step: "remove a project role actor",
                permission: Some(ADMINISTER_PROJECTS),
                scopes: &["manage:jira-project", "delete:project-role:jira"],
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::SchemeGrants => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/permissionscheme/{id}/permission",
                step: "list a permission scheme's grants",
                permission: Some(LICENCE),
                scopes: &[
                    "read:jira-work",
                    "read:permission:jira",
                    "read:application-role:jira",
                    "read:field:jira",
                    "read:group:jira",
                    "read:project-role:jira",
                    "read:user:jira",
                ],
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::AddGrant => &EndpointFacts {
                method: Post,
                path: "/rest/api/3/permissionscheme/{id}/permission",
                step: "add a permission grant",
                permission: Some(ADMINISTER_JIRA),
                scopes: &[
                    "manage:jira-configuration",
                    "write:permission:jira",
                    "read:permission:jira",
                    "read:application-role:jira",
                    "read:field:jira",
                    "read:group:jira",
                    "read:project-role:jira",
                    "read:user:jira",
                ],
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::RemoveGrant => &EndpointFacts {
                method: Delete,
                path: "/rest/api/3/permissionscheme/{id}/permission/{grantId}",
                step: "remove a permission grant",
                permission: Some(ADMINISTER_JIRA),
                scopes: &["manage:jira-configuration", "delete:permission:jira"],
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::GetUser => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/user",
                step: "look up a user",
                permission: Some(BROWSE),
                scopes: READ_USER,
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::UserGroups => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/user/groups",
                step: "list a user's groups",
                permission: Some(BROWSE),
                scopes: READ_GROUP,
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::UserPropertyKeys => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/user/properties",
                step: "list a user's property keys",
                permission: Some(ADMINISTER_JIRA),
                scopes: READ_USER_PROPERTY,
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::GetUserProperty => &EndpointFacts {
                method: Get,
                path: "/rest/api/3/user/properties/{key}",
                step: "read a user property",
                permission: Some(ADMINISTER_JIRA),
                scopes: READ_USER_PROPERTY,
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::SetUserProperty => &EndpointFacts {
                method: Put,
                path: "/rest/api/3/user/properties/{key}",
                step: "set a user property",
                permission: Some(ADMINISTER_JIRA),
                scopes: &["write:jira-work", "write:user.property:jira"],
                refusal_hint: None,
                page_size: None,
            },
            Endpoint::DeleteUserProperty => &EndpointFacts {
                method: Delete,
                path: "/rest/api/3/user/properties/{key}",
                step: "delete a user property",
                permission: Some(ADMINISTER_JIRA),
                scopes: &["write:jira-work", "delete:user.property:jira"],
                refusal_hint: None,
                page_size: None,
            },
        }
    }

    pub const fn step(self) -> &'static str {
        self.facts().step
    }

    pub const fn permission(self) -> Option<&'static str> {
        self.facts().permission
    }

    pub const fn scopes(self) -> &'static [&'static str] {
        self.facts().scopes
    }

    pub const fn refusal_hint(self) -> Option<&'static str> {
        self.facts().refusal_hint
    }

    pub const fn page_size(self) -> Option<u64> {
        self.facts().page_size
    }

    /// Whether the endpoint is the organization admin API's, which takes the
    /// organization API key and never the Jira token.
    pub fn is_admin_api(self) -> bool {
        self.facts().path.starts_with("/admin/")
    }

    /// What to add to a failure's message for `status`: which config field
    /// to fix for the admin API's 401 and 404, and the endpoint's refusal
    /// hint for Jira's 401 and 404.
    pub fn status_hint(self, status: u16) -> Option<&'static str> {
        match (status, self.is_admin_api()) {
            (401, true) => Some(ORG_UNAUTHORIZED),
            (404, true) => Some(ORG_NOT_FOUND),
            (401 | 404, false) => self.refusal_hint(),
            _ => None,
        }
    }
}
