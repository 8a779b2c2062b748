//! Project role actors: giving and taking a role in a project, the checks on
//! their fields, and the read-backs that settle Jira's ambiguous answers (the
//! role's actors, whether the actor exists).

use serde_json::Value as Json;

use crate::error::Result;
use crate::jira::api::projects::Actor as WireActor;
use crate::jira::api::{groups, projects, users};
use crate::jira::call::Call;
use crate::jira::models::ProjectRole;
use crate::jira::transport::Transport;

use super::action::{Outcome, RoleActor, Status};
use super::groups::find_group;
use super::run::{Run, ambiguous};
use super::validate::{account_id, free_text, numeric_id};

pub(super) fn validate_role_actor(
    project_id: &str,
    role_id: &str,
    actor: &RoleActor,
) -> Result<()> {
    numeric_id("project-id", project_id)?;
    numeric_id("role-id", role_id)?;
    match actor {
        RoleActor::User(a) => account_id("actor", a),
        RoleActor::Group(g) => free_text("actor", g, "a group id"),
    }
}

pub(super) fn add_role_actor<T: Transport>(
    mut run: Run<T>,
    project_id: &str,
    role_id: &str,
    actor: &RoleActor,
) -> Result<Outcome> {
    let role = numeric_id("role-id", role_id)?;
    let reply = run.send(projects::add_role_actor(
        run.api(),
        project_id,
        role,
        wire(actor),
    ))?;
    match reply.status() {
        200 | 201 => run.done(Status::Applied, None),
        status if ambiguous(status) => {
            let holds = role_actors(&mut run, project_id, role)?
                .is_some_and(|r| r.actors.iter().any(|a| same_actor(a, actor)));
            if holds {
                run.done(Status::AlreadyInState, None)
            } else if status == 404 && (reply.mentions("not active") || reply.mentions("inactive"))
            {
                // An inactive user or group, which no retry can fix: the
                // caller must reactivate it first.
                Err(reply.rejected())
            } else {
                Err(reply.error())
            }
        }
        _ => Err(reply.error()),
    }
}

pub(super) fn remove_role_actor<T: Transport>(
    mut run: Run<T>,
    project_id: &str,
    role_id: &str,
    actor: &RoleActor,
) -> Result<Outcome> {
    let role = numeric_id("role-id", role_id)?;
    let reply = run.send(projects::remove_role_actor(
        run.api(),
        project_id,
        role,
        wire(actor),
    ))?;
    match reply.status() {
        200 | 204 => run.done(Status::Applied, None),
        // Not an actor only counts when the project, the role and the actor
        // all exist.
        status if ambiguous(status) => {
            let gone = match role_actors(&mut run, project_id, role)? {
                Some(r) if !r.actors.iter().any(|a| same_actor(a, actor)) => {
                    actor_exists(&mut run, actor)?
                }
                _ => false,
            };
            run.settle(reply, gone, None)
        }
        _ => Err(reply.error()),
    }
}

fn wire(actor: &RoleActor) -> WireActor<'_> {
    match actor {
        RoleActor::User(a) => WireActor::User(a),
        RoleActor::Group(g) => WireActor::Group(g),
    }
}

fn same_actor(a: &crate::jira::models::RoleActor, actor: &RoleActor) -> bool {
    match actor {
        RoleActor::User(id) => a.actor_user.as_ref().is_some_and(|u| u.account_id == *id),
        RoleActor::Group(id) => a
            .actor_group
            .as_ref()
            .is_some_and(|g| g.group_id.as_deref() == Some(id.as_str())),
    }
}

/// A role's actors in a project; `None` for no such project or role.
fn role_actors<T: Transport>(
    run: &mut Run<T>,
    project_id: &str,
    role_id: u64,
) -> Result<Option<ProjectRole>> {
    run.read_found(projects::project_role_actors(
        run.api(),
        project_id,
        role_id,
    ))
}

/// Whether the user or group a role action names exists.
fn actor_exists<T: Transport>(run: &mut Run<T>, actor: &RoleActor) -> Result<bool> {
    match actor {
        RoleActor::User(account_id) => {
            // Any JSON answer will do, as it always has: only whether the
            // user exists matters, not the fields `User` requires.
            let (endpoint, request) = users::get_user(run.api(), account_id).into_parts();
            let user: Option<Json> = run.read_found(Call::new(endpoint, request))?;
            Ok(user.is_some())
        }
        RoleActor::Group(group_id) => {
            Ok(find_group(run, groups::GroupKey::Id(group_id))?.is_some())
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::error::Error;
    use crate::jira::transport::Method;
    use crate::jira::transport::fake::json;
    use crate::lifecycle::testing::{empty, errors, run};
    use crate::lifecycle::{Action, RoleActor, Status};

    #[test]
    fn remove_role_actor_uses_group_id_for_groups() {
        let action = Action::RemoveProjectRoleActor {
            project_id: "10000".into(),
            role_id: "10002".into(),
            actor: RoleActor::Group("g-1".into()),
        };
        let (outcome, lines) = run(action, |_| empty(204));
        assert_eq!(outcome.unwrap().status, Status::Applied);
        assert_eq!(
            lines,
            vec!["DELETE /rest/api/3/project/10000/role/10002?groupId=g-1"]
        );
    }

    #[test]
    fn remove_role_actor_reads_the_role_and_the_actor_after_a_400_or_404() {
        let action = Action::RemoveProjectRoleActor {
            project_id: "10000".into(),
            role_id: "10002".into(),
            actor: RoleActor::User("u-1".into()),
        };
        for status in [400, 404] {
            let (outcome, lines) = run(action.clone(), move |req| {
                match (req.method, req.path_and_query.as_str()) {
                    (Method::Delete, _) => {
                        errors(status, "'u-1' is not a member of the project role.")
                    }
                    (_, "/rest/api/3/user?accountId=u-1") => json(200, json!({"accountId": "u-1"})),
                    _ => json(
                        200,
                        json!({"id": 10002, "actors": [
                        {"type": "atlassian-user-role-actor", "actorUser": {"accountId": "u-2"}}]}),
                    ),
                }
            });
            let outcome = outcome.unwrap();
            assert_eq!(outcome.status, Status::AlreadyInState, "{status}");
            assert_eq!(
                lines,
                vec![
                    "DELETE /rest/api/3/project/10000/role/10002?user=u-1",
                    "GET /rest/api/3/project/10000/role/10002",
                    "GET /rest/api/3/user?accountId=u-1",
                ]
            );
            assert_eq!(outcome.exchanges[0].status, status);
        }

        // The project itself is missing: that is an error, not a no-op.
        let (outcome, _) = run(action, |_| {
            errors(404, "No project could be found with id '10000'.")
        });
        assert!(matches!(outcome, Err(Error::NotFound(_))), "{outcome:?}");
    }

    #[test]
    fn add_role_actor_rejects_an_inactive_user() {
        let action = Action::AddProjectRoleActor {
            project_id: "10000".into(),
            role_id: "10002".into(),
            actor: RoleActor::User("u-1".into()),
        };
        let (outcome, lines) = run(action, |_| errors(404, "The user 'u-1' is not active."));
        assert!(
            matches!(outcome, Err(Error::Rejected { status: 404, .. })),
            "{outcome:?}"
        );
        assert_eq!(
            lines,
            vec![
                r#"POST /rest/api/3/project/10000/role/10002 {"user":["u-1"]}"#,
                "GET /rest/api/3/project/10000/role/10002"
            ]
        );
    }

    /// The user and the role exist, the actor does not: only then is a
    /// missing group actor `already-in-state`.
    #[test]
    fn remove_role_actor_of_an_unknown_group_is_the_writes_error() {
        let action = Action::RemoveProjectRoleActor {
            project_id: "10000".into(),
            role_id: "10002".into(),
            actor: RoleActor::Group("g-1".into()),
        };
        let (outcome, lines) = run(action, |req| {
            match (req.method, req.path_and_query.as_str()) {
                (Method::Delete, _) => errors(404, "The group 'g-1' does not exist."),
                (_, "/rest/api/3/project/10000/role/10002") => {
                    json(200, json!({"id": 10002, "actors": []}))
                }
                _ => json(200, json!({"isLast": true, "values": []})),
            }
        });
        assert!(matches!(outcome, Err(Error::NotFound(_))), "{outcome:?}");
        assert_eq!(lines[2], "GET /rest/api/3/group/bulk?groupId=g-1");
    }
}
