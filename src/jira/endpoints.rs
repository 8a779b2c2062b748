//! Every Jira endpoint the connector calls, with what the connector is doing
//! when it calls it and what the credential needs to be allowed to. Errors
//! name these, so that a 403 tells the admin exactly what to grant.
//!
//! Permissions and scopes are taken from Atlassian's OpenAPI spec
//! (`x-atlassian-oauth2-scopes` and each operation's "Permissions required").

/// A Jira REST operation the connector uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `GET /rest/api/3/myself`
    Myself,
    /// `GET /_edge/tenant_info` (anonymous)
    TenantInfo,
    /// `GET /rest/api/3/users/search`
    Users,
    /// `GET /rest/api/3/group/bulk`
    Groups,
    /// `GET /rest/api/3/group/member`
    GroupMembers,
    /// `GET /rest/api/3/project/search`
    Projects,
    /// `GET /rest/api/3/role`
    GlobalRoles,
    /// `GET /rest/api/3/project/{id}/roledetails`
    ProjectRoles,
    /// `GET /rest/api/3/project/{id}/role/{roleId}`
    ProjectRoleActors,
    /// `GET /rest/api/3/project/{id}/permissionscheme`
    ProjectPermissionScheme,
    /// `GET /rest/api/3/applicationrole`
    ApplicationRoles,
    /// `GET /rest/api/3/permissionscheme`
    PermissionSchemes,
    /// `GET /rest/api/3/permissionscheme/{id}`, for a scheme a project names
    /// that the listing did not return
    PermissionScheme,
    /// `GET /rest/api/3/permissions`
    Permissions,
    /// `POST /rest/api/3/group/user`
    AddGroupMember,
    /// `DELETE /rest/api/3/group/user`
    RemoveGroupMember,
    /// `POST /rest/api/3/group`
    CreateGroup,
    /// `DELETE /rest/api/3/group`
    DeleteGroup,
    /// `GET /rest/api/3/group/bulk?groupId=|groupName=`, to look one group up
    FindGroup,
    /// `POST /rest/api/3/project/{id}/role/{roleId}`
    AddRoleActor,
    /// `DELETE /rest/api/3/project/{id}/role/{roleId}`
    RemoveRoleActor,
    /// `GET /rest/api/3/permissionscheme/{id}/permission`
    SchemeGrants,
    /// `POST /rest/api/3/permissionscheme/{id}/permission`
    AddGrant,
    /// `DELETE /rest/api/3/permissionscheme/{id}/permission/{grantId}`
    RemoveGrant,
    /// `GET /rest/api/3/user`
    GetUser,
    /// `GET /rest/api/3/user/groups`
    UserGroups,
    /// `GET /rest/api/3/user/properties`
    UserPropertyKeys,
    /// `GET /rest/api/3/user/properties/{key}`
    GetUserProperty,
    /// `PUT /rest/api/3/user/properties/{key}`
    SetUserProperty,
    /// `DELETE /rest/api/3/user/properties/{key}`
    DeleteUserProperty,
}

impl Endpoint {
    /// What the connector is doing when it calls this endpoint.
    pub fn step(self) -> &'static str {
        match self {
            Endpoint::Myself => "check credentials",
            Endpoint::TenantInfo => "look up the site's cloud id",
            Endpoint::Users => "list users",
            Endpoint::Groups => "list groups",
            Endpoint::GroupMembers => "list group members",
            Endpoint::Projects => "list projects",
            Endpoint::GlobalRoles => "list project roles",
            Endpoint::ProjectRoles => "list a project's roles",
            Endpoint::ProjectRoleActors => "list a project role's actors",
            Endpoint::ProjectPermissionScheme => "read a project's permission scheme",
            Endpoint::ApplicationRoles => "list application roles",
            Endpoint::PermissionSchemes => "list permission schemes",
            Endpoint::PermissionScheme => "read a permission scheme a project uses",
            Endpoint::Permissions => "list permissions",
            Endpoint::AddGroupMember => "add a user to a group",
            Endpoint::RemoveGroupMember => "remove a user from a group",
            Endpoint::CreateGroup => "create a group",
            Endpoint::DeleteGroup => "delete a group",
            Endpoint::FindGroup => "look up a group",
            Endpoint::AddRoleActor => "add a project role actor",
            Endpoint::RemoveRoleActor => "remove a project role actor",
            Endpoint::SchemeGrants => "list a permission scheme's grants",
            Endpoint::AddGrant => "add a permission grant",
            Endpoint::RemoveGrant => "remove a permission grant",
            Endpoint::GetUser => "look up a user",
            Endpoint::UserGroups => "list a user's groups",
            Endpoint::UserPropertyKeys => "list a user's property keys",
            Endpoint::GetUserProperty => "read a user property",
            Endpoint::SetUserProperty => "set a user property",
            Endpoint::DeleteUserProperty => "delete a user property",
        }
    }

    /// The Jira permission the account needs, as Jira's admin UI names it.
    pub fn permission(self) -> Option<&'static str> {
        const BROWSE: &str = "Browse users and groups (global permission)";
        match self {
            Endpoint::Myself => Some("access to Jira (a product licence on the site)"),
            Endpoint::TenantInfo => None,
            Endpoint::Users | Endpoint::Groups => Some(BROWSE),
            Endpoint::GroupMembers => {
                Some("Browse users and groups or Administer Jira (global permission)")
            }
            Endpoint::Projects => Some(
                "Browse Projects or Administer Projects (project permission), or Administer Jira \
                 (global permission). Projects without them are not listed",
            ),
            Endpoint::GlobalRoles | Endpoint::ApplicationRoles => {
                Some("Administer Jira (global permission)")
            }
            Endpoint::ProjectRoles
            | Endpoint::ProjectRoleActors
            | Endpoint::ProjectPermissionScheme => Some(
                "Administer Projects (project permission) for the project, or Administer Jira \
                 (global permission)",
            ),
            Endpoint::PermissionSchemes | Endpoint::PermissionScheme | Endpoint::SchemeGrants => {
                Some("access to Jira (a product licence on the site)")
            }
            Endpoint::Permissions => None,
            Endpoint::AddGroupMember
            | Endpoint::RemoveGroupMember
            | Endpoint::CreateGroup
            | Endpoint::DeleteGroup => {
                Some("site administration (membership of the site-admin group)")
            }
            Endpoint::FindGroup | Endpoint::GetUser | Endpoint::UserGroups => {
                Some("Browse users and groups (global permission)")
            }
            Endpoint::AddRoleActor | Endpoint::RemoveRoleActor => Some(
                "Administer Projects (project permission) for the project, or Administer Jira \
                 (global permission)",
            ),
            Endpoint::AddGrant
            | Endpoint::RemoveGrant
            | Endpoint::GetUserProperty
            | Endpoint::UserPropertyKeys
            | Endpoint::SetUserProperty
            | Endpoint::DeleteUserProperty => Some("Administer Jira (global permission)"),
        }
    }

    /// Scopes a scoped token needs: the classic scope, then the granular ones.
    pub fn scopes(self) -> &'static [&'static str] {
        match self {
            Endpoint::Myself => &["read:jira-user", "read:user:jira"],
            Endpoint::TenantInfo => &[],
            Endpoint::Users => &[
                "read:jira-user",
                "read:user:jira",
                "read:application-role:jira",
                "read:avatar:jira",
                "read:group:jira",
            ],
            Endpoint::Groups => &["read:jira-user", "read:group:jira"],
            Endpoint::GroupMembers => &[
                "manage:jira-configuration",
                "read:group:jira",
                "read:user:jira",
                "read:avatar:jira",
            ],
            Endpoint::Projects => &[
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
            Endpoint::GlobalRoles => &[
                "manage:jira-configuration",
                "read:project-role:jira",
                "read:user:jira",
                "read:group:jira",
                "read:project:jira",
                "read:avatar:jira",
                "read:project-category:jira",
            ],
            Endpoint::ProjectRoles => &[
                "read:jira-work",
                "read:project-role:jira",
                "read:project:jira",
                "read:project-category:jira",
                "read:avatar:jira",
            ],
            Endpoint::ProjectRoleActors => &[
                "read:jira-work",
                "read:project-role:jira",
                "read:user:jira",
                "read:group:jira",
                "read:project:jira",
                "read:avatar:jira",
                "read:project-category:jira",
            ],
            Endpoint::ProjectPermissionScheme
            | Endpoint::PermissionSchemes
            | Endpoint::PermissionScheme => &[
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
            ],
            Endpoint::ApplicationRoles => {
                &["manage:jira-configuration", "read:application-role:jira"]
            }
            Endpoint::Permissions => &["manage:jira-configuration", "read:permission:jira"],
            Endpoint::AddGroupMember | Endpoint::CreateGroup => &[
                "manage:jira-configuration",
                "write:group:jira",
                "read:group:jira",
                "read:user:jira",
                "read:avatar:jira",
            ],
            Endpoint::RemoveGroupMember => &["manage:jira-configuration", "write:group:jira"],
            Endpoint::DeleteGroup => &["manage:jira-configuration", "delete:group:jira"],
            Endpoint::FindGroup => &["read:jira-user", "read:group:jira"],
            Endpoint::AddRoleActor => &[
                "manage:jira-configuration",
                "write:project-role:jira",
                "read:project-role:jira",
                "read:user:jira",
                "read:group:jira",
                "read:project:jira",
                "read:avatar:jira",
                "read:project-category:jira",
            ],
            Endpoint::RemoveRoleActor => &["manage:jira-project", "delete:project-role:jira"],
            Endpoint::SchemeGrants => &[
                "read:jira-work",
                "read:permission:jira",
                "read:application-role:jira",
                "read:field:jira",
                "read:group:jira",
                "read:project-role:jira",
                "read:user:jira",
            ],
            Endpoint::AddGrant => &[
                "manage:jira-configuration",
                "write:permission:jira",
                "read:permission:jira",
                "read:application-role:jira",
                "read:field:jira",
                "read:group:jira",
                "read:project-role:jira",
                "read:user:jira",
            ],
            Endpoint::RemoveGrant => &["manage:jira-configuration", "delete:permission:jira"],
            Endpoint::GetUser => &["read:jira-user", "read:user:jira"],
            Endpoint::UserGroups => &["read:jira-user", "read:group:jira"],
            Endpoint::UserPropertyKeys => &["read:jira-user", "read:user.property:jira"],
            Endpoint::GetUserProperty => &["read:jira-user", "read:user.property:jira"],
            Endpoint::SetUserProperty => &["write:jira-work", "write:user.property:jira"],
            Endpoint::DeleteUserProperty => &["write:jira-work", "delete:user.property:jira"],
        }
    }

    /// Jira answers some refusals with 401 or 404 rather than 403 (its spec
    /// says so for the project-role endpoints). Such answers get this hint.
    pub fn refusal_hint(self) -> Option<&'static str> {
        match self {
            Endpoint::ProjectRoles
            | Endpoint::ProjectRoleActors
            | Endpoint::ProjectPermissionScheme => Some(
                "Jira gives this answer when the account lacks Administer Projects for the project \
                 (or Administer Jira)",
            ),
            _ => None,
        }
    }
}
