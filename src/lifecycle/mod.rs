//! Lifecycle actions: changes to access, each idempotent.
//!
//! Every action is validated before any request is sent. A success answer to
//! the write means `applied`. A 400 or 404 is ambiguous: Jira gives them both
//! for a change it had nothing to do for (a member already there, a role actor
//! or grant no longer there) and for a request it refused (no such user,
//! group, project, role or scheme), so the state is read back after the write,
//! never guessed from the message: `already-in-state` when the read shows the
//! state the action wants, and otherwise the write's own error. The only read
//! before a write is for user properties, because Jira's answer to a PUT
//! cannot tell a change from a no-op.
//!
//! Writes are retried only when Jira says it did not process them (429, 503).
//! After an ambiguous failure (a timeout, a reset, a 5xx) nothing is retried:
//! the error says so, and since every action is idempotent the caller can
//! apply it again to learn the outcome.
//!
//! This module only dispatches: `action` is the model, `run` sends and
//! records the requests and settles ambiguous answers, and each family owns
//! its actions' checks, writes and read-backs: `groups` (groups and their
//! members), `roles` (project role actors), `grants` (permission grants)
//! and `properties` (user properties).

mod action;
mod grants;
mod groups;
mod properties;
mod roles;
mod run;
#[cfg(test)]
mod testing;
mod validate;

pub use action::{Action, Exchange, Holder, Outcome, RoleActor, Status};

use crate::error::Result;
use crate::jira::client::Api;
use crate::jira::executor::RetryPolicy;
use crate::jira::transport::Transport;

use run::Run;

impl Action {
    /// Checks every id and value; no request is sent for an invalid action.
    pub fn validate(&self) -> Result<()> {
        match self {
            Action::AddGroupMember {
                account_id,
                group_id,
            }
            | Action::RemoveGroupMember {
                account_id,
                group_id,
            } => groups::validate_group_member(account_id, group_id),
            Action::CreateGroup { name } => groups::validate_create_group(name),
            Action::DeleteGroup {
                group_id,
                swap_group_id,
            } => groups::validate_delete_group(group_id, swap_group_id.as_deref()),
            Action::AddProjectRoleActor {
                project_id,
                role_id,
                actor,
            }
            | Action::RemoveProjectRoleActor {
                project_id,
                role_id,
                actor,
            } => roles::validate_role_actor(project_id, role_id, actor),
            Action::AddPermissionGrant {
                permission, holder, ..
            } => grants::validate_add_grant(permission, holder),
            Action::RemovePermissionGrant { .. } => Ok(()),
            Action::SetUserProperty {
                account_id,
                key,
                value_json,
            } => properties::validate_set_user_property(account_id, key, value_json),
            Action::DeleteUserProperty { account_id, key } => {
                properties::validate_delete_user_property(account_id, key)
            }
        }
    }
}

/// Applies one action. `transport` sends one request at a time.
pub fn apply<T: Transport>(
    api: &Api,
    transport: T,
    policy: RetryPolicy,
    action: &Action,
) -> Result<Outcome> {
    action.validate()?;
    let run = Run::new(api, transport, policy);
    match action {
        Action::AddGroupMember {
            account_id,
            group_id,
        } => groups::add_group_member(run, account_id, group_id),
        Action::RemoveGroupMember {
            account_id,
            group_id,
        } => groups::remove_group_member(run, account_id, group_id),
        Action::CreateGroup { name } => groups::create_group(run, name),
        Action::DeleteGroup {
            group_id,
            swap_group_id,
        } => groups::delete_group(run, group_id, swap_group_id.as_deref()),
        Action::AddProjectRoleActor {
            project_id,
            role_id,
            actor,
        } => roles::add_role_actor(run, project_id, role_id, actor),
        Action::RemoveProjectRoleActor {
            project_id,
            role_id,
            actor,
        } => roles::remove_role_actor(run, project_id, role_id, actor),
        Action::AddPermissionGrant {
            scheme_id,
            permission,
            holder,
        } => grants::add_grant(run, *scheme_id, permission, holder),
        Action::RemovePermissionGrant {
            scheme_id,
            grant_id,
        } => grants::remove_grant(run, *scheme_id, *grant_id),
        Action::SetUserProperty {
            account_id,
            key,
            value_json,
        } => properties::set_user_property(run, account_id, key, value_json),
        Action::DeleteUserProperty { account_id, key } => {
            properties::delete_user_property(run, account_id, key)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value as Json, json};

    use super::properties::MAX_PROPERTY_BYTES;
    use super::testing::{errors, run};
    use super::*;
    use crate::error::Error;
    use crate::jira::transport::Method;
    use crate::jira::transport::fake::json;

    /// Every action, and a read-back that shows the state is not as wanted:
    /// the write's 400 or 404 is the error, never `already-in-state`.
    #[test]
    fn an_ambiguous_answer_the_read_back_contradicts_is_the_writes_error() {
        let user = |id: &str| RoleActor::User(id.into());
        let role = json!({"id": 10002, "actors": [
            {"type": "atlassian-user-role-actor", "actorUser": {"accountId": "u-1"}}]});
        let grants = json!({"permissions": [{"id": 7, "permission": "BROWSE_PROJECTS",
            "holder": {"type": "group", "value": "g-2"}}]});
        let cases: Vec<(Action, Json)> = vec![
            (
                Action::AddGroupMember {
                    account_id: "u-1".into(),
                    group_id: "g-1".into(),
                },
                json!([{"groupId": "g-2"}]),
            ),
            (
                Action::RemoveGroupMember {
                    account_id: "u-1".into(),
                    group_id: "g-1".into(),
                },
                json!([{"groupId": "g-1"}]),
            ),
            (
                Action::CreateGroup { name: "x".into() },
                json!({"isLast": true, "values": []}),
            ),
            (
                Action::DeleteGroup {
                    group_id: "g-1".into(),
                    swap_group_id: None,
                },
                json!({"isLast": true, "values": [{"groupId": "g-1", "name": "x"}]}),
            ),
            (
                Action::AddProjectRoleActor {
                    project_id: "10000".into(),
                    role_id: "10002".into(),
                    actor: user("u-2"),
                },
                role.clone(),
            ),
            (
                Action::RemoveProjectRoleActor {
                    project_id: "10000".into(),
                    role_id: "10002".into(),
                    actor: user("u-1"),
                },
                role,
            ),
            (
                Action::AddPermissionGrant {
                    scheme_id: 0,
                    permission: "BROWSE_PROJECTS".into(),
                    holder: Holder::Group("g-1".into()),
                },
                grants.clone(),
            ),
            (
                Action::RemovePermissionGrant {
                    scheme_id: 0,
                    grant_id: 7,
                },
                grants,
            ),
            (
                Action::DeleteUserProperty {
                    account_id: "u-1".into(),
                    key: "k".into(),
                },
                json!({"keys": [{"key": "k"}]}),
            ),
        ];
        for (action, state) in cases {
            for status in [400, 404] {
                let state = state.clone();
                let (outcome, lines) = run(action.clone(), move |req| match req.method {
                    Method::Get => json(200, state.clone()),
                    _ => errors(status, "refused"),
                });
                // Jira's own messages as they came; a request failure's as a sentence.
                let (messages, want) = match (status, outcome) {
                    (400, Err(Error::Upstream { messages, .. })) => (messages, "refused"),
                    (404, Err(Error::NotFound(f))) => (vec![f.message], "Refused."),
                    (_, other) => panic!("{action:?} {status}: {other:?}"),
                };
                assert_eq!(messages, [want], "{action:?} {status}");
                assert!(
                    lines.len() >= 2,
                    "{action:?} {status}: read back: {lines:?}"
                );
            }
        }
    }

    /// A read-back that finds nothing (404: no such user, project or scheme)
    /// keeps the write's error, never `already-in-state`.
    #[test]
    fn a_read_back_that_finds_nothing_keeps_the_writes_error() {
        let cases = [
            Action::RemoveGroupMember {
                account_id: "u-1".into(),
                group_id: "g-1".into(),
            },
            Action::RemoveProjectRoleActor {
                project_id: "10000".into(),
                role_id: "10002".into(),
                actor: RoleActor::Group("g-1".into()),
            },
            Action::RemovePermissionGrant {
                scheme_id: 0,
                grant_id: 7,
            },
            Action::DeleteUserProperty {
                account_id: "u-1".into(),
                key: "k".into(),
            },
        ];
        for action in cases {
            let (outcome, lines) = run(action.clone(), |req| match req.method {
                Method::Get => errors(404, "no such thing"),
                _ => errors(400, "refused"),
            });
            assert!(
                matches!(&outcome, Err(Error::Upstream { status: 400, messages, .. }) if messages == &["refused"]),
                "{action:?}: {outcome:?}"
            );
            assert_eq!(lines.len(), 2, "{action:?}");
        }
    }

    #[test]
    fn validate_refuses_bad_ids_before_any_request() {
        let cases = [
            (
                Action::AddGroupMember {
                    account_id: "".into(),
                    group_id: "g".into(),
                },
                "account-id",
            ),
            (
                Action::AddGroupMember {
                    account_id: "a b".into(),
                    group_id: "g".into(),
                },
                "account-id",
            ),
            (
                Action::RemoveGroupMember {
                    account_id: "a".into(),
                    group_id: " ".into(),
                },
                "group-id",
            ),
            (Action::CreateGroup { name: "".into() }, "name"),
            (
                Action::CreateGroup {
                    name: " padded ".into(),
                },
                "name",
            ),
            (
                Action::CreateGroup {
                    name: "bad\nname".into(),
                },
                "name",
            ),
            (
                Action::DeleteGroup {
                    group_id: "g".into(),
                    swap_group_id: Some("g".into()),
                },
                "swap-group-id",
            ),
            (
                Action::AddProjectRoleActor {
                    project_id: "EX".into(),
                    role_id: "1".into(),
                    actor: RoleActor::User("u".into()),
                },
                "project-id",
            ),
            (
                Action::AddProjectRoleActor {
                    project_id: "1".into(),
                    role_id: "-1".into(),
                    actor: RoleActor::User("u".into()),
                },
                "role-id",
            ),
            (
                Action::RemoveProjectRoleActor {
                    project_id: "1".into(),
                    role_id: "1".into(),
                    actor: RoleActor::User("u/../x".into()),
                },
                "actor",
            ),
            (
                Action::AddPermissionGrant {
                    scheme_id: 0,
                    permission: "".into(),
                    holder: Holder::Anyone,
                },
                "permission",
            ),
            (
                Action::AddPermissionGrant {
                    scheme_id: 0,
                    permission: "P".into(),
                    holder: Holder::ProjectRole("x".into()),
                },
                "holder",
            ),
            (
                Action::SetUserProperty {
                    account_id: "u".into(),
                    key: "k".into(),
                    value_json: "{nope".into(),
                },
                "value-json",
            ),
            (
                Action::SetUserProperty {
                    account_id: "u".into(),
                    key: "k".into(),
                    value_json: format!("\"{}\"", "x".repeat(MAX_PROPERTY_BYTES)),
                },
                "value-json",
            ),
            (
                Action::DeleteUserProperty {
                    account_id: "u".into(),
                    key: "".into(),
                },
                "key",
            ),
        ];
        for (action, field) in cases {
            let (outcome, lines) = run(action.clone(), |_| panic!("no request may be sent"));
            match outcome {
                Err(Error::InvalidAction { field: f, .. }) => assert_eq!(f, field, "{action:?}"),
                other => panic!("{action:?}: {other:?}"),
            }
            assert!(lines.is_empty());
        }
    }
}
