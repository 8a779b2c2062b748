//! Users: `GET /myself`, `/users/search` (a plain array paged by
//! `startAt`), `/user`, `/user/groups`, and a user's properties (`GET`,
//! `PUT` and `DELETE /user/properties/{key}`, and the list of keys).

use serde_json::{Value, json};

use super::http::{Answer, Handled, Request, encode, json_body, not_there, required};
use super::shapes;
use super::tenant::Tenant;

/// `users/search` returns at most this many per page.
pub const USERS_CAP: u64 = 1000;

/// Refuses an account id the tenant does not have, as Jira does.
pub fn user_exists(tenant: &Tenant, account_id: &str) -> Result<(), Answer> {
    tenant.user(account_id).map(drop).ok_or_else(|| {
        Answer::errors(
            404,
            &[&format!(
                "The user with account ID '{account_id}' does not exist."
            )],
        )
    })
}

pub fn myself(tenant: &Tenant, site_url: &str, account_id: &str) -> Handled {
    let user = tenant
        .user(account_id)
        .ok_or_else(|| Answer::errors(404, &["The user does not exist."]))?;
    Ok(Answer::json(200, shapes::user(site_url, user)))
}

pub fn search(tenant: &Tenant, site_url: &str, req: &Request) -> Handled {
    let (start, max) = req.paging(50, USERS_CAP)?;
    let page: Vec<Value> = tenant
        .users
        .iter()
        .skip(start as usize)
        .take(max as usize)
        .map(|u| shapes::user(site_url, u))
        .collect();
    Ok(Answer::json(200, Value::Array(page)))
}

/// `GET /user?accountId=`.
pub fn get(tenant: &Tenant, site_url: &str, req: &Request) -> Handled {
    let account_id = required(req, "accountId")?;
    let user = tenant.user(account_id).ok_or_else(|| {
        Answer::errors(
            404,
            &["Specified user does not exist or you do not have required permissions"],
        )
    })?;
    Ok(Answer::json(200, shapes::user(site_url, user)))
}

/// `GET /user/groups?accountId=`: every group the user is in, as `GroupName`s.
pub fn groups(tenant: &Tenant, site_url: &str, req: &Request) -> Handled {
    let account_id = required(req, "accountId")?;
    user_exists(tenant, account_id)?;
    let groups: Vec<Value> = tenant
        .groups
        .iter()
        .filter(|g| {
            tenant
                .members
                .get(&g.group_id)
                .is_some_and(|m| m.iter().any(|a| a == account_id))
        })
        .map(|g| {
            json!({"name": g.name, "groupId": g.group_id,
                "self": format!("{site_url}/rest/api/3/group?groupId={}", g.group_id)})
        })
        .collect();
    Ok(Answer::json(200, Value::Array(groups)))
}

fn property_owner<'r>(tenant: &Tenant, req: &'r Request) -> Result<&'r str, Answer> {
    let account_id = required(req, "accountId")?;
    user_exists(tenant, account_id)?;
    Ok(account_id)
}

pub fn get_property(tenant: &Tenant, key: &str, req: &Request) -> Handled {
    let account_id = property_owner(tenant, req)?;
    let value = tenant
        .properties
        .get(&(account_id.to_owned(), key.to_owned()))
        .ok_or_else(|| Answer::errors(404, &[&format!("The property '{key}' does not exist.")]))?;
    Ok(Answer::json(200, json!({"key": key, "value": value})))
}

pub fn set_property(tenant: &mut Tenant, key: &str, req: &Request) -> Handled {
    let account_id = property_owner(tenant, req)?.to_owned();
    if req.body.len() > 32_768 {
        return Err(Answer::errors(
            400,
            &["The property value is longer than 32768 bytes."],
        ));
    }
    let value = json_body(req)?;
    let slot = tenant
        .properties
        .insert((account_id, key.to_owned()), value);
    Ok(Answer::empty(if slot.is_some() { 200 } else { 201 }))
}

pub fn delete_property(tenant: &mut Tenant, key: &str, req: &Request) -> Handled {
    let account_id = property_owner(tenant, req)?.to_owned();
    match tenant.properties.remove(&(account_id, key.to_owned())) {
        Some(_) => Ok(Answer::empty(204)),
        None => Err(not_there(
            tenant,
            404,
            &format!("The property '{key}' does not exist."),
        )),
    }
}

/// `GET /user/properties?accountId=`: the keys of a user's properties.
pub fn property_keys(tenant: &Tenant, site_url: &str, req: &Request) -> Handled {
    let account_id = property_owner(tenant, req)?;
    let keys: Vec<Value> = tenant
        .properties
        .keys()
        .filter(|(owner, _)| owner == account_id)
        .map(|(_, key)| {
            json!({"key": key, "self": format!(
                "{site_url}/rest/api/3/user/properties/{}?accountId={account_id}",
                encode(key)
            )})
        })
        .collect();
    Ok(Answer::json(200, json!({ "keys": keys })))
}
