//! Groups and their members: adding and removing a member, creating and
//! deleting a group, the checks on their fields, and the read-backs that
//! settle Jira's ambiguous answers (a user's groups, a group by id or name).

use crate::error::{Error, Result};
use crate::jira::api::{groups, users};
use crate::jira::models::GroupDetails;
use crate::jira::transport::Transport;

use super::action::{Outcome, Status};
use super::run::{Run, ambiguous};
use super::validate::{account_id, check, free_text};

pub(super) fn validate_group_member(account: &str, group_id: &str) -> Result<()> {
    account_id("account-id", account)?;
    free_text("group-id", group_id, "a group id")
}

pub(super) fn validate_create_group(name: &str) -> Result<()> {
    free_text("name", name, "a group name")?;
    check(
        name.trim() == name,
        "name",
        "may not start or end with whitespace",
    )
}

pub(super) fn validate_delete_group(group_id: &str, swap_group_id: Option<&str>) -> Result<()> {
    free_text("group-id", group_id, "a group id")?;
    if let Some(swap) = swap_group_id {
        free_text("swap-group-id", swap, "a group id")?;
        check(
            swap != group_id,
            "swap-group-id",
            "must differ from group-id",
        )?;
    }
    Ok(())
}

pub(super) fn add_group_member<T: Transport>(
    mut run: Run<T>,
    account_id: &str,
    group_id: &str,
) -> Result<Outcome> {
    let reply = run.send(groups::add_group_member(run.api(), group_id, account_id))?;
    match reply.status() {
        201 => run.done(Status::Applied, None),
        status if ambiguous(status) => {
            let member = groups_of(&mut run, account_id)?
                .is_some_and(|groups| groups.iter().any(|g| g == group_id));
            run.settle(reply, member, None)
        }
        _ => Err(reply.error()),
    }
}

pub(super) fn remove_group_member<T: Transport>(
    mut run: Run<T>,
    account_id: &str,
    group_id: &str,
) -> Result<Outcome> {
    let reply = run.send(groups::remove_group_member(run.api(), group_id, account_id))?;
    match reply.status() {
        200 | 204 => run.done(Status::Applied, None),
        // Not a member only counts when both the user and the group exist.
        status if ambiguous(status) => {
            let gone = match groups_of(&mut run, account_id)? {
                Some(groups) if !groups.iter().any(|g| g == group_id) => {
                    find_group(&mut run, groups::GroupKey::Id(group_id))?.is_some()
                }
                _ => false,
            };
            run.settle(reply, gone, None)
        }
        _ => Err(reply.error()),
    }
}

pub(super) fn create_group<T: Transport>(mut run: Run<T>, name: &str) -> Result<Outcome> {
    let reply = run.send(groups::create_group(run.api(), name))?;
    match reply.status() {
        201 => {
            let group = reply.decode()?;
            run.done(Status::Applied, Some(group.group_id))
        }
        // Jira answers 400 both for a name in use and for a bad name: only
        // the group's existence tells them apart.
        status if ambiguous(status) => match find_group(&mut run, groups::GroupKey::Name(name))? {
            Some(existing) => run.done(Status::AlreadyInState, Some(existing.group_id)),
            None => Err(reply.error()),
        },
        _ => Err(reply.error()),
    }
}

pub(super) fn delete_group<T: Transport>(
    mut run: Run<T>,
    group_id: &str,
    swap_group_id: Option<&str>,
) -> Result<Outcome> {
    let reply = run.send(groups::delete_group(run.api(), group_id, swap_group_id))?;
    match reply.status() {
        200 | 204 => run.done(Status::Applied, None),
        status if ambiguous(status) => {
            if find_group(&mut run, groups::GroupKey::Id(group_id))?.is_none() {
                return run.done(Status::AlreadyInState, None);
            }
            // The group is there, so a 404 names the swap group.
            match swap_group_id {
                Some(swap) if status == 404 => Err(Error::NotFound(
                    reply.failure(format!("The swap group {swap} does not exist")),
                )),
                _ => Err(reply.error()),
            }
        }
        _ => Err(reply.error()),
    }
}

/// The ids of the groups a user is in; `None` for no such user.
fn groups_of<T: Transport>(run: &mut Run<T>, account_id: &str) -> Result<Option<Vec<String>>> {
    let groups = run.read_found(users::user_groups(run.api(), account_id))?;
    Ok(groups.map(|gs| gs.into_iter().filter_map(|g| g.group_id).collect()))
}

/// The group with this id or name, if there is one.
pub(super) fn find_group<T: Transport>(
    run: &mut Run<T>,
    key: groups::GroupKey<'_>,
) -> Result<Option<GroupDetails>> {
    let page = run.read(groups::find_group(run.api(), key))?;
    Ok(page.values.into_iter().find(|g| match key {
        groups::GroupKey::Id(id) => g.group_id == id,
        groups::GroupKey::Name(name) => g.name == name,
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::error::Error;
    use crate::jira::transport::Method;
    use crate::jira::transport::fake::json;
    use crate::lifecycle::testing::{errors, run};
    use crate::lifecycle::{Action, Status};

    #[test]
    fn add_group_member_sends_the_account_in_the_body() {
        let action = Action::AddGroupMember {
            account_id: "5b10ac8d82e05b22cc7d4ef5".into(),
            group_id: "g 1&x".into(),
        };
        let (outcome, lines) = run(action.clone(), |_| {
            json(201, json!({"groupId": "g 1&x", "name": "x"}))
        });
        let outcome = outcome.unwrap();
        assert_eq!(outcome.status, Status::Applied);
        assert_eq!(
            lines,
            vec![
                r#"POST /rest/api/3/group/user?groupId=g%201%26x {"accountId":"5b10ac8d82e05b22cc7d4ef5"}"#
            ]
        );
        assert_eq!(outcome.exchanges[0].status, 201);

        // A 400 is read back: the user's groups hold the group.
        let (outcome, lines) = run(action.clone(), |req| match req.method {
            Method::Post => errors(400, "Cannot add user. User is already a member of 'x'."),
            _ => json(200, json!([{"groupId": "g 1&x", "name": "x"}])),
        });
        assert_eq!(outcome.unwrap().status, Status::AlreadyInState);
        assert_eq!(
            lines[1],
            "GET /rest/api/3/user/groups?accountId=5b10ac8d82e05b22cc7d4ef5"
        );

        // The same message, but the read shows no membership: the 400 stands.
        let (outcome, _) = run(action, |req| match req.method {
            Method::Post => errors(400, "Cannot add user. User is already a member of 'x'."),
            _ => json(200, json!([])),
        });
        assert!(
            matches!(outcome, Err(Error::Upstream { status: 400, .. })),
            "{outcome:?}"
        );
    }
}
