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
        }
    }
}
