//! The action model: what a caller may ask to change, and what came of it.
//! Plain data; validation lives with each family, the requests in the runner.

/// Who holds a project role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleActor {
    User(String),
    Group(String),
}

/// Who a permission grant is given to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    Group(String),
    User(String),
    ProjectRole(String),
    /// An application key, or empty for any product.
    ApplicationRole(String),
    Anyone,
    ProjectLead,
    Reporter,
    Assignee,
}

/// One change to access. Each is idempotent: applying it again when the
/// change is already made is `already-in-state`, not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    AddGroupMember {
        account_id: String,
        group_id: String,
    },
    RemoveGroupMember {
        account_id: String,
        group_id: String,
    },
    CreateGroup {
        name: String,
    },
    DeleteGroup {
        group_id: String,
        swap_group_id: Option<String>,
    },
    AddProjectRoleActor {
        project_id: String,
        role_id: String,
        actor: RoleActor,
    },
    RemoveProjectRoleActor {
        project_id: String,
        role_id: String,
        actor: RoleActor,
    },
    AddPermissionGrant {
        scheme_id: u64,
        permission: String,
        holder: Holder,
    },
    RemovePermissionGrant {
        scheme_id: u64,
        grant_id: u64,
    },
    SetUserProperty {
        account_id: String,
        key: String,
        value_json: String,
    },
    DeleteUserProperty {
        account_id: String,
        key: String,
    },
}

/// Whether the action changed anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Applied,
    AlreadyInState,
}

/// One HTTP exchange, for audit. Never a header, so never a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub method: &'static str,
    pub path: String,
    pub status: u16,
}

/// What came of an action: its status, the id of anything it created (or
/// found already there), and every request it made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub created_id: Option<String>,
    pub exchanges: Vec<Exchange>,
}
