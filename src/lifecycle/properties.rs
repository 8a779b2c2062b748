//! User properties: setting and deleting a property of a user, the checks on
//! their fields, and the reads they need (the property before a set, the
//! user's property keys after an ambiguous delete).

use serde_json::Value as Json;

use crate::error::{Error, Result};
use crate::jira::api::users;
use crate::jira::models::PropertyKey;
use crate::jira::transport::Transport;

use super::action::{Outcome, Status};
use super::run::{Run, ambiguous};
use super::validate::{account_id, check, free_text};

/// Jira's limit on a user property value.
pub(super) const MAX_PROPERTY_BYTES: usize = 32_768;

pub(super) fn validate_set_user_property(account: &str, key: &str, value_json: &str) -> Result<()> {
    account_id("account-id", account)?;
    free_text("key", key, "a property key")?;
    check(
        value_json.len() <= MAX_PROPERTY_BYTES,
        "value-json",
        "must be at most 32768 bytes, Jira's limit",
    )?;
    check(
        serde_json::from_str::<Json>(value_json).is_ok(),
        "value-json",
        "must be a valid JSON document",
    )
}

pub(super) fn validate_delete_user_property(account: &str, key: &str) -> Result<()> {
    account_id("account-id", account)?;
    free_text("key", key, "a property key")
}

/// The only action that reads first: Jira's answer to a `PUT` cannot tell a
/// change from a no-op.
pub(super) fn set_user_property<T: Transport>(
    mut run: Run<T>,
    account_id: &str,
    key: &str,
    value_json: &str,
) -> Result<Outcome> {
    let wanted: Json = serde_json::from_str(value_json)
        .map_err(|_| Error::invalid_action("value-json", "must be a valid JSON document"))?;
    let current = run.send(users::get_user_property(run.api(), account_id, key))?;
    match current.status() {
        200 => {
            let property = current.decode()?;
            if property.value == wanted {
                return run.done(Status::AlreadyInState, None);
            }
        }
        // No such property yet (or no such user: the PUT will say).
        404 => {}
        _ => return Err(current.error()),
    }
    let reply = run.send(users::set_user_property(
        run.api(),
        account_id,
        key,
        value_json,
    ))?;
    match reply.status() {
        200 | 201 => run.done(Status::Applied, None),
        _ => Err(reply.error()),
    }
}

pub(super) fn delete_user_property<T: Transport>(
    mut run: Run<T>,
    account_id: &str,
    key: &str,
) -> Result<Outcome> {
    let reply = run.send(users::delete_user_property(run.api(), account_id, key))?;
    match reply.status() {
        200 | 204 => run.done(Status::Applied, None),
        // 404 is "no such property" or "no such user": the user's property
        // keys tell which.
        status if ambiguous(status) => {
            let gone = property_keys(&mut run, account_id)?
                .is_some_and(|keys| !keys.iter().any(|k| k.key == key));
            run.settle(reply, gone, None)
        }
        _ => Err(reply.error()),
    }
}

/// The keys of a user's properties; `None` for no such user.
fn property_keys<T: Transport>(
    run: &mut Run<T>,
    account_id: &str,
) -> Result<Option<Vec<PropertyKey>>> {
    let keys = run.read_found(users::user_property_keys(run.api(), account_id))?;
    Ok(keys.map(|k| k.keys))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::jira::transport::Method;
    use crate::jira::transport::fake::json;
    use crate::lifecycle::testing::{empty, errors, run};
    use crate::lifecycle::{Action, Status};

    #[test]
    fn set_user_property_skips_the_write_when_equal() {
        let action = Action::SetUserProperty {
            account_id: "u-1".into(),
            key: "governance.review".into(),
            value_json: r#"{"state": "ok"}"#.into(),
        };
        let (outcome, lines) = run(action.clone(), |_| {
            json(
                200,
                json!({"key": "governance.review", "value": {"state": "ok"}}),
            )
        });
        assert_eq!(outcome.unwrap().status, Status::AlreadyInState);
        assert_eq!(lines.len(), 1);

        let (outcome, lines) = run(action, |req| match req.method {
            Method::Get => errors(404, "property not found"),
            _ => empty(201),
        });
        assert_eq!(outcome.unwrap().status, Status::Applied);
        assert_eq!(
            lines[1],
            r#"PUT /rest/api/3/user/properties/governance.review?accountId=u-1 {"state": "ok"}"#
        );
    }
}
