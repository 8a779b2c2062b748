//! What every Jira Cloud site has before anyone configures it: the global
//! project roles and the permission catalogue.

use super::{PermissionDef, Role};

/// Jira's global project roles, as the spec's examples name them.
pub(super) fn global_roles() -> Vec<Role> {
    [
        (
            10002,
            "Administrators",
            "A project role that represents administrators in a project",
        ),
        (
            10000,
            "Developers",
            "A project role that represents developers in a project",
        ),
        (
            10001,
            "Users",
            "A project role that represents users in a project",
        ),
    ]
    .into_iter()
    .map(|(id, name, description)| Role {
        id,
        name: name.into(),
        description: description.into(),
        project: None,
    })
    .collect()
}

/// Built-in permissions, from the spec's "Built-in permissions" list and
/// Jira's global permissions.
pub(super) fn catalogue() -> Vec<PermissionDef> {
    let global = [
        ("ADMINISTER", "Administer Jira"),
        ("SYSTEM_ADMIN", "Jira System Administrators"),
        ("USER_PICKER", "Browse users and groups"),
        ("CREATE_SHARED_OBJECTS", "Share dashboards and filters"),
        (
            "MANAGE_GROUP_FILTER_SUBSCRIPTIONS",
            "Manage group filter subscriptions",
        ),
        ("BULK_CHANGE", "Make bulk changes"),
    ];
    let project = [
        ("ADMINISTER_PROJECTS", "Administer Projects"),
        ("BROWSE_PROJECTS", "Browse Projects"),
        ("CREATE_ISSUES", "Create Issues"),
        ("EDIT_ISSUES", "Edit Issues"),
        ("ASSIGN_ISSUES", "Assign Issues"),
        ("ASSIGNABLE_USER", "Assignable User"),
        ("CLOSE_ISSUES", "Close Issues"),
        ("DELETE_ISSUES", "Delete Issues"),
        ("LINK_ISSUES", "Link Issues"),
        ("MOVE_ISSUES", "Move Issues"),
        ("MODIFY_REPORTER", "Modify Reporter"),
        ("SERVICEDESK_AGENT", "Service Desk Agent"),
        ("MANAGE_SPRINTS_PERMISSION", "Manage sprints"),
        ("VIEW_DEV_TOOLS", "View Development Tools"),
        ("EDIT_WORKFLOW", "Edit Workflows"),
    ];
    let def = |scope: &str| {
        let scope = scope.to_owned();
        move |(key, name): (&str, &str)| PermissionDef {
            key: key.into(),
            name: name.into(),
            scope: scope.clone(),
            description: format!("{name}."),
        }
    };
    global
        .into_iter()
        .map(def("GLOBAL"))
        .chain(project.into_iter().map(def("PROJECT")))
        .collect()
}
