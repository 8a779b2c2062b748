//! Pure mappers from Jira's wire types to the identity domain, one module per
//! resource. They never fail on a field Jira may leave out, never invent a
//! value, and are unit-tested on JSON shaped like Atlassian's spec.

mod access;
mod grants;
mod org;
mod permissions;
mod projects;
mod site;
mod tiers;
mod users;

pub use access::{application_role, role_groups};
pub use grants::{Directory, GrantFact, ProjectGrants, ProjectScope, grant_facts, project_grants};
pub use org::{ActivityWindow, OrgRecord, enrich};
pub use permissions::{global_permissions, permission, permission_scheme, uses_scheme};
pub use projects::{
    MappedProject, MappedProjectRole, has_global_roles, is_team_managed, project, project_role,
    project_role_id, role,
};
pub use site::site;
pub use tiers::{
    AccessSource, GroupTiers, grants_access, product_admin_grant, project_admin_groups,
    site_admin_grant, tier_entitlements,
};
pub use users::{group, identity_source, membership, product_entitlements, user};

use crate::domain::{EntityRef, Privilege, Relation, Value};
use crate::jira::models::Scope;

pub(crate) fn edge(kind: &'static str, from: EntityRef, to: EntityRef) -> Relation {
    Relation {
        kind,
        from,
        to,
        attributes: Vec::new(),
        privilege: None,
    }
}

/// An edge that gives a privilege in BalkanID's model.
pub(crate) fn privileged(
    kind: &'static str,
    from: EntityRef,
    to: EntityRef,
    privilege: Privilege,
) -> Relation {
    Relation {
        privilege: Some(privilege),
        ..edge(kind, from, to)
    }
}

/// Who a permission grant's holder names. Jira puts the group id in `value`
/// and the group name in `parameter`; for every other type the two are the
/// same, so `value` comes first and an empty one names no one.
pub(crate) fn holder_identifier<'a>(
    value: Option<&'a str>,
    parameter: Option<&'a str>,
) -> Option<&'a str> {
    value.or(parameter).filter(|v| !v.is_empty())
}

pub(crate) fn text(v: &Option<String>) -> Value {
    Value::from(v.clone())
}

pub(crate) fn int(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::Int)
}

pub(crate) fn flag(v: Option<bool>) -> Value {
    v.map_or(Value::Null, Value::Bool)
}

/// The `scope` and `projectId` attributes of a role or a permission scheme:
/// `project` and the owner's id for an item that belongs to one team-managed
/// project (Jira's `Scope` of type `PROJECT`), else `global`.
pub(crate) fn scope(s: Option<&Scope>) -> [(&'static str, Value); 2] {
    let owner = s
        .filter(|s| s.kind.as_deref() == Some("PROJECT"))
        .and_then(|s| s.project.as_ref());
    [
        (
            "scope",
            Value::Text(if owner.is_some() { "project" } else { "global" }.to_owned()),
        ),
        (
            "projectId",
            owner.map_or(Value::Null, |p| Value::Text(p.id.clone())),
        ),
    ]
}

/// Test helpers shared by the mappers' tests.
#[cfg(test)]
mod test_support {
    use crate::domain::Relation;

    pub fn from<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> T {
        serde_json::from_value(json).unwrap()
    }

    pub fn rel(r: &Relation) -> (String, String, String) {
        (
            r.kind.to_owned(),
            format!("{}:{}", r.from.kind, r.from.id),
            format!("{}:{}", r.to.kind, r.to.id),
        )
    }
}
