//! Permission grants: adding and removing a grant in a permission scheme,
//! the checks on their fields, the `holder` as Jira takes it, and the
//! read-back that settles Jira's ambiguous answers (the scheme's grants).

use serde_json::Value as Json;

use crate::error::Result;
use crate::jira::api::permissions;
use crate::jira::models::PermissionGrant;
use crate::jira::transport::Transport;

use super::action::{Holder, Outcome, Status};
use super::run::{Run, ambiguous};
use super::validate::{account_id, check, free_text, numeric_id};

pub(super) fn validate_add_grant(permission: &str, holder: &Holder) -> Result<()> {
    check(
        !permission.is_empty()
            && permission.len() <= 255
            && permission
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.:-".contains(&b)),
        "permission",
        "must be a permission key such as BROWSE_PROJECTS",
    )?;
    match holder {
        Holder::Group(g) => free_text("holder", g, "a group id"),
        Holder::User(a) => account_id("holder", a),
        Holder::ProjectRole(r) => numeric_id("holder", r).map(drop),
        Holder::ApplicationRole(key) => check(
            key.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
            "holder",
            "must be an application key such as jira-software, or empty for any",
        ),
        Holder::Anyone | Holder::ProjectLead | Holder::Reporter | Holder::Assignee => Ok(()),
    }
}

pub(super) fn add_grant<T: Transport>(
    mut run: Run<T>,
    scheme_id: u64,
    permission: &str,
    holder: &Holder,
) -> Result<Outcome> {
    let body = serde_json::json!({ "holder": holder_json(holder), "permission": permission });
    let reply = run.send(permissions::add_grant(run.api(), scheme_id, &body))?;
    match reply.status() {
        200 | 201 => {
            let grant = reply.decode()?;
            run.done(Status::Applied, Some(grant.id.to_string()))
        }
        // 400 is "the same grant is present" or a bad request: look.
        status if ambiguous(status) => match find_grant(&mut run, scheme_id, permission, holder)? {
            Some(id) => run.done(Status::AlreadyInState, Some(id.to_string())),
            None => Err(reply.error()),
        },
        _ => Err(reply.error()),
    }
}

pub(super) fn remove_grant<T: Transport>(
    mut run: Run<T>,
    scheme_id: u64,
    grant_id: u64,
) -> Result<Outcome> {
    let reply = run.send(permissions::remove_grant(run.api(), scheme_id, grant_id))?;
    match reply.status() {
        200 | 204 => run.done(Status::Applied, None),
        // A missing scheme must not pass for a missing grant.
        status if ambiguous(status) => {
            let gone = scheme_grants(&mut run, scheme_id)?
                .is_some_and(|grants| !grants.iter().any(|g| g.id == grant_id));
            run.settle(reply, gone, None)
        }
        _ => Err(reply.error()),
    }
}

/// The `holder` of a grant, as Jira takes it: a group by id in `value`, the
/// others with `parameter` and `value` alike.
fn holder_json(holder: &Holder) -> Json {
    let (kind, id) = holder_parts(holder);
    match (holder, id) {
        (Holder::Group(g), _) => serde_json::json!({ "type": kind, "value": g }),
        (_, Some(id)) if !id.is_empty() => {
            serde_json::json!({ "type": kind, "parameter": id, "value": id })
        }
        _ => serde_json::json!({ "type": kind }),
    }
}

fn holder_parts(holder: &Holder) -> (&'static str, Option<&str>) {
    match holder {
        Holder::Group(g) => ("group", Some(g)),
        Holder::User(a) => ("user", Some(a)),
        Holder::ProjectRole(r) => ("projectRole", Some(r)),
        Holder::ApplicationRole(k) => ("applicationRole", Some(k)),
        Holder::Anyone => ("anyone", None),
        Holder::ProjectLead => ("projectLead", None),
        Holder::Reporter => ("reporter", None),
        Holder::Assignee => ("assignee", None),
    }
}

fn same_holder(grant: &PermissionGrant, holder: &Holder) -> bool {
    let (kind, id) = holder_parts(holder);
    if grant.holder.kind != kind {
        return false;
    }
    let theirs = grant
        .holder
        .value
        .as_deref()
        .or(grant.holder.parameter.as_deref())
        .unwrap_or("");
    theirs == id.unwrap_or("")
}

/// A scheme's grants; `None` for no such scheme.
fn scheme_grants<T: Transport>(
    run: &mut Run<T>,
    scheme_id: u64,
) -> Result<Option<Vec<PermissionGrant>>> {
    let grants = run.read_found(permissions::scheme_grants(run.api(), scheme_id))?;
    Ok(grants.map(|g| g.permissions))
}

/// The id of the scheme's grant of `permission` to `holder`, if it has one.
fn find_grant<T: Transport>(
    run: &mut Run<T>,
    scheme_id: u64,
    permission: &str,
    holder: &Holder,
) -> Result<Option<u64>> {
    Ok(scheme_grants(run, scheme_id)?
        .unwrap_or_default()
        .iter()
        .find(|g| g.permission == permission && same_holder(g, holder))
        .map(|g| g.id))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::jira::transport::Method;
    use crate::jira::transport::fake::json;
    use crate::lifecycle::testing::{errors, run};
    use crate::lifecycle::{Action, Holder, Status};

    #[test]
    fn add_grant_finds_the_existing_grant_on_400() {
        let action = Action::AddPermissionGrant {
            scheme_id: 0,
            permission: "BROWSE_PROJECTS".into(),
            holder: Holder::Group("g-1".into()),
        };
        let (outcome, lines) = run(action, |req| match req.method {
            Method::Post => errors(400, "The same permission grant is already present."),
            _ => json(
                200,
                json!({"permissions": [
                {"id": 7, "permission": "BROWSE_PROJECTS", "holder": {"type": "group", "parameter": "devs", "value": "g-1"}}]}),
            ),
        });
        let outcome = outcome.unwrap();
        assert_eq!(
            (outcome.status, outcome.created_id.as_deref()),
            (Status::AlreadyInState, Some("7"))
        );
        assert_eq!(
            lines[0],
            r#"POST /rest/api/3/permissionscheme/0/permission {"holder":{"type":"group","value":"g-1"},"permission":"BROWSE_PROJECTS"}"#
        );
    }
}
