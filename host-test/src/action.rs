//! The JSON form of a lifecycle action and of its outcome, for the command
//! line: `extractor-jira apply --action ACTION.json` reads one and prints the other.
//!
//! ```json
//! {"action": "add-group-member", "accountId": "5b10ac8d82e05b22cc7d4ef5", "groupId": "276f955c-..."}
//! ```

use extractor_jira::service::{ActionSpec as Spec, ActorSpec, HolderSpec};
use serde_json::{Value, json};

use crate::runtime::lifecycle as wl;

/// An action as JSON, read by the connector's own definition
/// ([`extractor_jira::service::ActionSpec`]), so that `apply --action` and
/// `POST /apply` accept exactly the same documents.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionSpec(pub Spec);

fn actor_to_wit(actor: &ActorSpec) -> wl::RoleActor {
    match actor {
        ActorSpec::User(a) => wl::RoleActor::User(a.clone()),
        ActorSpec::Group(g) => wl::RoleActor::Group(g.clone()),
    }
}

fn holder_to_wit(holder: &HolderSpec) -> wl::GrantHolder {
    match holder {
        HolderSpec::Group { id } => wl::GrantHolder::Group(id.clone()),
        HolderSpec::User { id } => wl::GrantHolder::User(id.clone()),
        HolderSpec::ProjectRole { id } => wl::GrantHolder::ProjectRole(id.clone()),
        HolderSpec::ApplicationRole { key } => wl::GrantHolder::ApplicationRole(key.clone()),
        HolderSpec::Anyone => wl::GrantHolder::Anyone,
        HolderSpec::ProjectLead => wl::GrantHolder::ProjectLead,
        HolderSpec::Reporter => wl::GrantHolder::Reporter,
        HolderSpec::Assignee => wl::GrantHolder::Assignee,
    }
}

impl ActionSpec {
    pub fn parse(json: &str) -> anyhow::Result<Self> {
        serde_json::from_str(json)
            .map(Self)
            .map_err(|e| anyhow::anyhow!("the action JSON is not valid: {e}"))
    }

    pub fn to_wit(&self) -> wl::Action {
        let membership = |account_id: &String, group_id: &String| wl::GroupMembership {
            account_id: account_id.clone(),
            group_id: group_id.clone(),
        };
        let assignment =
            |project_id: &String, role_id: &String, actor: &ActorSpec| wl::RoleAssignment {
                project_id: project_id.clone(),
                role_id: role_id.clone(),
                actor: actor_to_wit(actor),
            };
        match &self.0 {
            Spec::AddGroupMember {
                account_id,
                group_id,
            } => wl::Action::AddGroupMember(membership(account_id, group_id)),
            Spec::RemoveGroupMember {
                account_id,
                group_id,
            } => wl::Action::RemoveGroupMember(membership(account_id, group_id)),
            Spec::CreateGroup { name } => wl::Action::CreateGroup(name.clone()),
            Spec::DeleteGroup {
                group_id,
                swap_group_id,
            } => wl::Action::DeleteGroup(wl::GroupDeletion {
                group_id: group_id.clone(),
                swap_group_id: swap_group_id.clone(),
            }),
            Spec::AddProjectRoleActor {
                project_id,
                role_id,
                actor,
            } => wl::Action::AddProjectRoleActor(assignment(project_id, role_id, actor)),
            Spec::RemoveProjectRoleActor {
                project_id,
                role_id,
                actor,
            } => wl::Action::RemoveProjectRoleActor(assignment(project_id, role_id, actor)),
            Spec::AddPermissionGrant {
                scheme_id,
                permission,
                holder,
            } => wl::Action::AddPermissionGrant(wl::GrantRequest {
                scheme_id: *scheme_id,
                permission: permission.clone(),
                holder: holder_to_wit(holder),
            }),
            Spec::RemovePermissionGrant {
                scheme_id,
                grant_id,
            } => wl::Action::RemovePermissionGrant(wl::GrantRef {
                scheme_id: *scheme_id,
                grant_id: *grant_id,
            }),
            Spec::SetUserProperty {
                account_id,
                key,
                value,
            } => wl::Action::SetUserProperty(wl::UserProperty {
                account_id: account_id.clone(),
                key: key.clone(),
                value_json: value.to_string(),
            }),
            Spec::DeleteUserProperty { account_id, key } => {
                wl::Action::DeleteUserProperty(wl::UserPropertyRef {
                    account_id: account_id.clone(),
                    key: key.clone(),
                })
            }
        }
    }
}

/// `{"status": "applied", "createdId": null, "exchanges": [{"method": "POST", "path": "...", "status": 201}]}`
pub fn outcome_json(outcome: &wl::Outcome) -> Value {
    json!({
        "status": match outcome.status {
            wl::OutcomeStatus::Applied => "applied",
            wl::OutcomeStatus::AlreadyInState => "already-in-state",
        },
        "createdId": outcome.created_id,
        "exchanges": outcome.exchanges.iter().map(|e| json!({
            "method": e.method, "path": e.path, "status": e.status
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_every_action() {
        let cases = [
            r#"{"action": "add-group-member", "accountId": "a", "groupId": "g"}"#,
            r#"{"action": "remove-group-member", "accountId": "a", "groupId": "g"}"#,
            r#"{"action": "create-group", "name": "n"}"#,
            r#"{"action": "delete-group", "groupId": "g", "swapGroupId": "s"}"#,
            r#"{"action": "delete-group", "groupId": "g"}"#,
            r#"{"action": "add-project-role-actor", "projectId": "1", "roleId": "2", "actor": {"user": "a"}}"#,
            r#"{"action": "remove-project-role-actor", "projectId": "1", "roleId": "2", "actor": {"group": "g"}}"#,
            r#"{"action": "add-permission-grant", "schemeId": 0, "permission": "P", "holder": {"type": "group", "id": "g"}}"#,
            r#"{"action": "add-permission-grant", "schemeId": 0, "permission": "P", "holder": {"type": "applicationRole"}}"#,
            r#"{"action": "add-permission-grant", "schemeId": 0, "permission": "P", "holder": {"type": "projectLead"}}"#,
            r#"{"action": "remove-permission-grant", "schemeId": 0, "grantId": 7}"#,
            r#"{"action": "set-user-property", "accountId": "a", "key": "k", "value": {"x": [1, 2]}}"#,
            r#"{"action": "delete-user-property", "accountId": "a", "key": "k"}"#,
        ];
        for json in cases {
            let spec = ActionSpec::parse(json).unwrap_or_else(|e| panic!("{json}: {e}"));
            let _ = spec.to_wit();
        }
        let spec = ActionSpec::parse(cases[11]).unwrap();
        match spec.to_wit() {
            wl::Action::SetUserProperty(p) => assert_eq!(p.value_json, r#"{"x":[1,2]}"#),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parse_refuses_unknown_actions_and_fields() {
        for json in [
            r#"{"action": "grant-everything"}"#,
            r#"{"action": "create-group", "name": "n", "extra": 1}"#,
            r#"{"action": "add-project-role-actor", "projectId": "1", "roleId": "2", "actor": {"robot": "a"}}"#,
            r#"{"action": "add-permission-grant", "schemeId": -1, "permission": "P", "holder": {"type": "anyone"}}"#,
        ] {
            assert!(ActionSpec::parse(json).is_err(), "{json}");
        }
    }
}
