//! Groups and their members: `GET /group/bulk` and `/group/member` (both
//! `PageBean` listings), `POST` and `DELETE /group/user`, and `POST` and
//! `DELETE /group`. Writes answer with the status codes Jira's spec gives
//! (201, 200; 400 for a repeat or a bad body; 404 for something missing).

use serde_json::{Value, json};

use super::http::{Answer, Handled, Request, encode, json_body, not_there, required};
use super::shapes;
use super::tenant::{Group, Tenant, User};
use super::users::user_exists;

/// `group/bulk` and `group/member` return at most this many per page.
pub const GROUPS_CAP: u64 = 50;
pub const MEMBERS_CAP: u64 = 50;

pub fn bulk(tenant: &Tenant, site_url: &str, req: &Request) -> Handled {
    let (start, max) = req.paging(50, GROUPS_CAP)?;
    let ids: Vec<&str> = req.all("groupId");
    let names: Vec<&str> = req.all("groupName");
    let application_key = req.param("applicationKey");
    // `accessType` narrows the listing to one access tier, as Jira's spec
    // describes it; `applicationKey` narrows a product tier to one product.
    let tier = match req.param("accessType") {
        None => None,
        Some(access) => Some(tenant.groups_by_access(access, application_key).ok_or_else(|| {
            Answer::errors(
                400,
                &[&format!(
                    "The access type '{access}' is not valid. Valid values: 'site-admin', 'admin', 'user'."
                )],
            )
        })?),
    };
    let matching: Vec<_> = tenant
        .groups
        .iter()
        .filter(|g| ids.is_empty() || ids.contains(&g.group_id.as_str()))
        .filter(|g| names.is_empty() || names.contains(&g.name.as_str()))
        .filter(|g| {
            tier.as_ref()
                .is_none_or(|t| t.contains(g.group_id.as_str()))
        })
        .collect();
    let filters: String = [
        ("accessType", req.param("accessType")),
        ("applicationKey", application_key),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| format!("&{k}={}", encode(v))))
    .collect();
    let values: Vec<Value> = matching
        .iter()
        .copied()
        .skip(start as usize)
        .take(max as usize)
        .map(shapes::group)
        .collect();
    let total = matching.len() as u64;
    Ok(Answer::json(
        200,
        shapes::page_bean(values, start, max, total, |at| {
            format!("{site_url}/rest/api/3/group/bulk?maxResults={max}&startAt={at}{filters}")
        }),
    ))
}

pub fn members(tenant: &Tenant, site_url: &str, req: &Request) -> Handled {
    let (start, max) = req.paging(50, MEMBERS_CAP)?;
    let group = match (req.param("groupId"), req.param("groupname")) {
        (Some(_), Some(_)) => {
            return Err(Answer::errors(
                400,
                &["You must provide either a group name or a group ID, not both."],
            ));
        }
        (Some(id), None) => tenant.groups.iter().find(|g| g.group_id == id),
        (None, Some(name)) => tenant.groups.iter().find(|g| g.name == name),
        (None, None) => {
            return Err(Answer::errors(
                400,
                &["You must provide a group name or a group ID."],
            ));
        }
    }
    .ok_or_else(|| Answer::errors(404, &["Group does not exist."]))?;
    let include_inactive = req.param("includeInactiveUsers") == Some("true");
    let members: Vec<&User> = tenant
        .members
        .get(&group.group_id)
        .into_iter()
        .flatten()
        .filter_map(|id| tenant.user(id))
        .filter(|u| include_inactive || u.active)
        .collect();
    let values: Vec<Value> = members
        .iter()
        .skip(start as usize)
        .take(max as usize)
        .map(|u| shapes::user(site_url, u))
        .collect();
    let group_id = encode(&group.group_id);
    Ok(Answer::json(
        200,
        shapes::page_bean(values, start, max, members.len() as u64, |at| {
            format!(
                "{site_url}/rest/api/3/group/member?groupId={group_id}&includeInactiveUsers={include_inactive}&maxResults={max}&startAt={at}"
            )
        }),
    ))
}

/// The group a request names by `groupId` or `groupname`.
fn named_group(tenant: &Tenant, req: &Request) -> Result<Group, Answer> {
    let group = match (req.param("groupId"), req.param("groupname")) {
        (Some(id), _) => tenant.groups.iter().find(|g| g.group_id == id),
        (None, Some(name)) => tenant.groups.iter().find(|g| g.name == name),
        (None, None) => {
            return Err(Answer::errors(
                400,
                &["You must specify a group name or a group ID."],
            ));
        }
    };
    group
        .cloned()
        .ok_or_else(|| Answer::errors(404, &["Specified group does not exist."]))
}

/// The id of the group named by `id` or by `name`, for a role actor or a
/// grant's holder.
pub fn group_by_name_or_id(
    tenant: &Tenant,
    id: Option<&str>,
    name: Option<&str>,
) -> Result<String, Answer> {
    tenant
        .groups
        .iter()
        .find(|g| Some(g.group_id.as_str()) == id || Some(g.name.as_str()) == name)
        .map(|g| g.group_id.clone())
        .ok_or_else(|| {
            Answer::errors(
                404,
                &[&format!(
                    "The group '{}' does not exist.",
                    id.or(name).unwrap_or_default()
                )],
            )
        })
}

fn group_json(site_url: &str, tenant: &Tenant, g: &Group) -> Value {
    let size = tenant.members.get(&g.group_id).map_or(0, Vec::len);
    json!({"name": g.name, "groupId": g.group_id,
        "self": format!("{site_url}/rest/api/3/group?groupId={}", g.group_id),
        "users": {"size": size, "items": [], "max-results": 50, "start-index": 0, "end-index": 0},
        "expand": "users"})
}

pub fn add_member(tenant: &mut Tenant, site_url: &str, req: &Request) -> Handled {
    let group = named_group(tenant, req)?;
    let body = json_body(req)?;
    let account_id = body["accountId"]
        .as_str()
        .ok_or_else(|| Answer::errors(400, &["You must specify the accountId of the user."]))?;
    user_exists(tenant, account_id)?;
    let members = tenant.members.entry(group.group_id.clone()).or_default();
    if members.iter().any(|m| m == account_id) {
        return Err(Answer::errors(
            400,
            &[&format!(
                "Cannot add user. User is already a member of '{}'.",
                group.name
            )],
        ));
    }
    members.push(account_id.to_owned());
    Ok(Answer::json(201, group_json(site_url, tenant, &group)))
}

pub fn remove_member(tenant: &mut Tenant, req: &Request) -> Handled {
    let group = named_group(tenant, req)?;
    let account_id = required(req, "accountId")?;
    user_exists(tenant, account_id)?;
    let members = tenant.members.entry(group.group_id.clone()).or_default();
    let before = members.len();
    members.retain(|m| m != account_id);
    if members.len() == before {
        return Err(not_there(
            tenant,
            400,
            &format!(
                "Cannot remove user. User is not a member of '{}'.",
                group.name
            ),
        ));
    }
    Ok(Answer::empty(200))
}

pub fn create(tenant: &mut Tenant, site_url: &str, req: &Request) -> Handled {
    let body = json_body(req)?;
    let name = body["name"]
        .as_str()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| Answer::errors(400, &["You must specify a group name."]))?;
    // Jira compares group names without regard to case.
    if tenant
        .groups
        .iter()
        .any(|g| g.name.eq_ignore_ascii_case(name))
    {
        return Err(Answer::errors(
            400,
            &["A group with that name already exists."],
        ));
    }
    tenant.next_id += 1;
    let group = Group {
        group_id: format!("f0000000-0000-4000-8000-{:012}", tenant.next_id),
        name: name.to_owned(),
    };
    tenant.groups.push(group.clone());
    tenant.members.insert(group.group_id.clone(), Vec::new());
    Ok(Answer::json(201, group_json(site_url, tenant, &group)))
}

pub fn delete(tenant: &mut Tenant, req: &Request) -> Handled {
    let group = named_group(tenant, req).map_err(|answer| match answer.status {
        404 => not_there(tenant, 404, "Specified group does not exist."),
        _ => answer,
    })?;
    if let Some(swap) = req.param("swapGroupId") {
        if swap == group.group_id {
            return Err(Answer::errors(
                400,
                &["You cannot swap a group with itself."],
            ));
        }
        if !tenant.groups.iter().any(|g| g.group_id == swap) {
            return Err(Answer::errors(
                404,
                &["Specified swap group does not exist."],
            ));
        }
    }
    tenant.delete_group(&group.group_id);
    Ok(Answer::empty(200))
}
