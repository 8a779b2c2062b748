//! The write endpoints lifecycle actions use, with the status codes Jira's
//! spec gives (201, 200, 204; 400 for a repeat or a bad body; 404 for
//! something missing) and `ErrorCollection` bodies, and the reads that settle
//! an ambiguous answer. Every change is made to the tenant, so a later
//! extraction sees it.
//!
//! A remove of something that is not there answers as Jira does (400 for a
//! group member, a role actor or a grant; 404 for a group or a user
//! property), or with `Tenant::not_there` when a test sets it.

use serde_json::{Value, json};

use super::json as shapes;
use super::router::{Answer, Request, administered, role_id};
use super::tenant::{Actor, Grant, Group, Tenant};

type Handled = Result<Answer, Answer>;

fn json_body(req: &Request) -> Result<Value, Answer> {
    if req.body.is_empty() {
        return Err(Answer::errors(400, &["The request body is empty."]));
    }
    serde_json::from_slice(&req.body).map_err(|e| {
        Answer::errors(
            400,
            &[&format!("Unexpected character in the request body: {e}")],
        )
    })
}

fn required<'r>(req: &'r Request, name: &str) -> Result<&'r str, Answer> {
    req.param(name)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Answer::errors(400, &[&format!("The parameter '{name}' is required.")]))
}

fn user_exists(tenant: &Tenant, account_id: &str) -> Result<(), Answer> {
    tenant.user(account_id).map(drop).ok_or_else(|| {
        Answer::errors(
            404,
            &[&format!(
                "The user with account ID '{account_id}' does not exist."
            )],
        )
    })
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

/// The answer to a remove whose target is not there.
fn not_there(tenant: &Tenant, jira_status: u16, message: &str) -> Answer {
    Answer::errors(tenant.not_there.unwrap_or(jira_status), &[message])
}

fn group_json(site_url: &str, tenant: &Tenant, g: &Group) -> Value {
    let size = tenant.members.get(&g.group_id).map_or(0, Vec::len);
    json!({"name": g.name, "groupId": g.group_id,
        "self": format!("{site_url}/rest/api/3/group?groupId={}", g.group_id),
        "users": {"size": size, "items": [], "max-results": 50, "start-index": 0, "end-index": 0},
        "expand": "users"})
}

pub fn get_user(tenant: &Tenant, site_url: &str, req: &Request) -> Handled {
    let account_id = required(req, "accountId")?;
    let user = tenant.user(account_id).ok_or_else(|| {
        Answer::errors(
            404,
            &["Specified user does not exist or you do not have required permissions"],
        )
    })?;
    Ok(Answer::json(200, shapes::user(site_url, user)))
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

/// `GET /user/groups?accountId=`: every group the user is in, as `GroupName`s.
pub fn user_groups(tenant: &Tenant, site_url: &str, req: &Request) -> Handled {
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

pub fn create_group(tenant: &mut Tenant, site_url: &str, req: &Request) -> Handled {
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

pub fn delete_group(tenant: &mut Tenant, req: &Request) -> Handled {
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

fn role_of(tenant: &Tenant, project: &str, role: &str) -> Result<(String, u64), Answer> {
    let project = administered(tenant, project)?;
    let role_id = role_id(role)?;
    if !tenant.roles_of(project).iter().any(|r| r.id == role_id) {
        return Err(Answer::errors(
            404,
            &[&format!("Project role with id {role_id} does not exist.")],
        ));
    }
    Ok((project.id.clone(), role_id))
}

fn group_by_name_or_id(
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

pub fn add_actor(
    tenant: &mut Tenant,
    project: &str,
    role: &str,
    req: &Request,
) -> Result<(), Answer> {
    let (project_id, role_id) = role_of(tenant, project, role)?;
    let body = json_body(req)?;
    let list = |key: &str| -> Vec<String> {
        body[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    let mut wanted = Vec::new();
    for account_id in list("user") {
        let user = tenant.user(&account_id).ok_or_else(|| {
            Answer::errors(
                404,
                &[&format!(
                    "The user with account ID '{account_id}' does not exist."
                )],
            )
        })?;
        if !user.active {
            return Err(Answer::errors(
                404,
                &[&format!("The user '{account_id}' is not active.")],
            ));
        }
        wanted.push(Actor::User(account_id));
    }
    for id in list("groupId") {
        wanted.push(Actor::Group(group_by_name_or_id(tenant, Some(&id), None)?));
    }
    for name in list("group") {
        wanted.push(Actor::Group(group_by_name_or_id(
            tenant,
            None,
            Some(&name),
        )?));
    }
    if wanted.is_empty() {
        return Err(Answer::errors(
            400,
            &["You must specify the users or groups to add."],
        ));
    }
    let actors = tenant.actors.entry((project_id, role_id)).or_default();
    if let Some(existing) = wanted.iter().find(|a| actors.contains(a)) {
        let who = match existing {
            Actor::User(a) => format!("User '{a}'"),
            Actor::Group(g) => format!("Group '{g}'"),
        };
        return Err(Answer::errors(
            400,
            &[&format!("{who} is already a member of the project role.")],
        ));
    }
    actors.extend(wanted);
    Ok(())
}

/// The actor a remove names, and how Jira names it in its answer: a user by
/// account id, a group by name.
fn actor_to_remove(tenant: &Tenant, req: &Request) -> Result<(Actor, String), Answer> {
    let group = |id: Option<&str>, name: Option<&str>| -> Result<(Actor, String), Answer> {
        let group_id = group_by_name_or_id(tenant, id, name)?;
        let name = tenant
            .groups
            .iter()
            .find(|g| g.group_id == group_id)
            .map(|g| g.name.clone())
            .unwrap_or_default();
        Ok((Actor::Group(group_id), name))
    };
    match (req.param("user"), req.param("groupId"), req.param("group")) {
        (Some(user), None, None) => Ok((Actor::User(user.to_owned()), user.to_owned())),
        (None, Some(id), None) => group(Some(id), None),
        (None, None, Some(name)) => group(None, Some(name)),
        _ => Err(Answer::errors(
            400,
            &["Specify exactly one of user, groupId or group."],
        )),
    }
}

pub fn remove_actor(tenant: &mut Tenant, project: &str, role: &str, req: &Request) -> Handled {
    let (project_id, role_id) = role_of(tenant, project, role)?;
    let (actor, label) = actor_to_remove(tenant, req)?;
    let actors = tenant.actors.entry((project_id, role_id)).or_default();
    let before = actors.len();
    actors.retain(|a| *a != actor);
    if actors.len() == before {
        return Err(not_there(
            tenant,
            400,
            &format!("'{label}' is not a member of the project role."),
        ));
    }
    Ok(Answer::empty(204))
}

fn scheme_index(tenant: &Tenant, scheme: &str) -> Result<usize, Answer> {
    scheme
        .parse::<u64>()
        .ok()
        .and_then(|id| tenant.schemes.iter().position(|s| s.id == id))
        .ok_or_else(|| {
            Answer::errors(
                404,
                &[&format!(
                    "The permission scheme with id '{scheme}' does not exist."
                )],
            )
        })
}

pub fn scheme_grants(tenant: &Tenant, site_url: &str, scheme: &str) -> Handled {
    let scheme = &tenant.schemes[scheme_index(tenant, scheme)?];
    let grants: Vec<Value> = scheme
        .grants
        .iter()
        .map(|g| shapes::grant(site_url, g))
        .collect();
    Ok(Answer::json(
        200,
        json!({"permissions": grants, "expand": "user,group,projectRole,field,all"}),
    ))
}

const HOLDER_TYPES: &[&str] = &[
    "anyone",
    "applicationRole",
    "assignee",
    "group",
    "groupCustomField",
    "projectLead",
    "projectRole",
    "reporter",
    "sd.customer.portal.only",
    "user",
    "userCustomField",
];

pub fn add_grant(tenant: &mut Tenant, site_url: &str, scheme: &str, req: &Request) -> Handled {
    let index = scheme_index(tenant, scheme)?;
    let body = json_body(req)?;
    let permission = body["permission"]
        .as_str()
        .ok_or_else(|| Answer::errors(400, &["The permission must be specified."]))?;
    if !tenant.permissions.iter().any(|p| p.key == permission) {
        return Err(Answer::errors(
            400,
            &[&format!(
                "Permission with key '{permission}' does not exist."
            )],
        ));
    }
    let holder = &body["holder"];
    let kind = holder["type"]
        .as_str()
        .filter(|t| HOLDER_TYPES.contains(t))
        .ok_or_else(|| Answer::errors(400, &["The holder type is not valid."]))?;
    let parameter = holder["parameter"].as_str().map(str::to_owned);
    let value = holder["value"].as_str().map(str::to_owned);
    let (parameter, value) = match kind {
        "group" => {
            let id = group_by_name_or_id(tenant, value.as_deref(), parameter.as_deref()).map_err(
                |_| Answer::errors(400, &["The group specified in the holder does not exist."]),
            )?;
            let name = tenant
                .groups
                .iter()
                .find(|g| g.group_id == id)
                .map(|g| g.name.clone());
            (name, Some(id))
        }
        "user" => {
            let id = value.clone().or(parameter.clone()).unwrap_or_default();
            if tenant.user(&id).is_none() {
                return Err(Answer::errors(
                    400,
                    &["The user specified in the holder does not exist."],
                ));
            }
            (Some(id.clone()), Some(id))
        }
        "projectRole" => {
            let id = value.clone().or(parameter.clone()).unwrap_or_default();
            if !tenant.roles.iter().any(|r| r.id.to_string() == id) {
                return Err(Answer::errors(
                    400,
                    &["The project role specified in the holder does not exist."],
                ));
            }
            (Some(id.clone()), Some(id))
        }
        _ => {
            let id = value.or(parameter).filter(|v| !v.is_empty());
            (id.clone(), id)
        }
    };
    let grants = &mut tenant.schemes[index].grants;
    if grants
        .iter()
        .any(|g| g.permission == permission && g.holder_type == kind && g.value == value)
    {
        return Err(Answer::errors(
            400,
            &["The same permission grant is already present."],
        ));
    }
    tenant.next_id += 1;
    let grant = Grant {
        id: tenant.next_id,
        permission: permission.to_owned(),
        holder_type: kind.to_owned(),
        parameter,
        value,
    };
    let answer = Answer::json(201, shapes::grant(site_url, &grant));
    tenant.schemes[index].grants.push(grant);
    Ok(answer)
}

pub fn remove_grant(tenant: &mut Tenant, scheme: &str, grant: &str) -> Handled {
    let index = scheme_index(tenant, scheme)?;
    let grants = &mut tenant.schemes[index].grants;
    let before = grants.len();
    grants.retain(|g| g.id.to_string() != grant);
    if grants.len() == before {
        return Err(not_there(
            tenant,
            400,
            "Permission grant with the provided ID is not found.",
        ));
    }
    Ok(Answer::empty(204))
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
                super::router::encode(key)
            )})
        })
        .collect();
    Ok(Answer::json(200, json!({ "keys": keys })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake_jira::tenant::SERVICE_ACCOUNT_ID;

    fn delete(uri: &str) -> Request {
        let (parts, ()) = http::Request::builder()
            .method("DELETE")
            .uri(uri)
            .header("host", "acme.atlassian.net")
            .body(())
            .expect("a valid request")
            .into_parts();
        match Request::new(&parts, bytes::Bytes::new()) {
            Ok(request) => request,
            Err(answer) => panic!("the fake refused {uri}: HTTP {}", answer.status),
        }
    }

    fn refused(handled: Handled) -> Answer {
        match handled {
            Err(answer) => answer,
            Ok(answer) => panic!("expected a refusal, got HTTP {}", answer.status),
        }
    }

    fn body(answer: &Answer) -> Value {
        serde_json::from_slice(&answer.body).expect("a JSON body")
    }

    #[test]
    fn removing_a_role_actor_that_is_not_there_answers_as_jira_does() {
        let mut t = Tenant::sample();
        let admins = t.group_named("jira-administrators").group_id.clone();
        let path = "/rest/api/3/project/10001/role/10001";
        let user = delete(&format!("{path}?user={SERVICE_ACCOUNT_ID}"));
        let group = delete(&format!("{path}?groupId={admins}"));

        let answer = refused(remove_actor(&mut t, "10001", "10001", &user));
        assert_eq!(answer.status, 400);
        assert_eq!(
            body(&answer),
            json!({"errorMessages": [format!("'{SERVICE_ACCOUNT_ID}' is not a member of the project role.")], "errors": {}})
        );
        let answer = refused(remove_actor(&mut t, "10001", "10001", &group));
        assert_eq!(answer.status, 400);
        assert_eq!(
            body(&answer)["errorMessages"],
            json!(["'jira-administrators' is not a member of the project role."])
        );

        // The spec's other answer for the same thing.
        t.not_there = Some(404);
        let answer = refused(remove_actor(&mut t, "10001", "10001", &user));
        assert_eq!(answer.status, 404);

        // A group that does not exist at all is not found, whatever the switch.
        let missing = delete(&format!("{path}?groupId=no-such-group"));
        t.not_there = Some(400);
        let answer = refused(remove_actor(&mut t, "10001", "10001", &missing));
        assert_eq!(answer.status, 404);
    }
}
