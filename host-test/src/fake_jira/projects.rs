//! Projects and their roles: `GET /project/search` (a `PageBean`), the
//! global `/role`, `/project/{id}/roledetails`, the actors of a role in a
//! project (`GET`, `POST` and `DELETE /project/{id}/role/{roleId}`), and
//! `/project/{id}/permissionscheme`.

use serde_json::Value;

use super::groups::group_by_name_or_id;
use super::http::{Answer, Handled, Request, json_body, not_there};
use super::permissions::with_grants;
use super::shapes;
use super::tenant::{Actor, Project, Tenant};

/// `project/search` returns at most this many per page.
pub const PROJECTS_CAP: u64 = 100;

pub fn search(tenant: &Tenant, site_url: &str, req: &Request) -> Handled {
    let (start, max) = req.paging(50, PROJECTS_CAP)?;
    // Jira's default is live projects only; `status` may be repeated.
    let statuses: Vec<&str> = req
        .query
        .iter()
        .filter(|(k, _)| k == "status")
        .flat_map(|(_, v)| v.split(','))
        .collect();
    for s in &statuses {
        if !["live", "archived", "deleted"].contains(s) {
            return Err(Answer::errors(400, &[&format!("Invalid status: {s}")]));
        }
    }
    let wanted = |archived: bool| {
        let status = if archived { "archived" } else { "live" };
        if statuses.is_empty() {
            status == "live"
        } else {
            statuses.contains(&status)
        }
    };
    let expand_lead = req
        .param("expand")
        .is_some_and(|e| e.split(',').any(|x| x.trim() == "lead"));
    let matching: Vec<_> = tenant
        .projects
        .iter()
        .filter(|p| wanted(p.archived))
        .collect();
    let values: Vec<Value> = matching
        .iter()
        .skip(start as usize)
        .take(max as usize)
        .map(|p| {
            let lead = p
                .lead
                .as_deref()
                .filter(|_| expand_lead)
                .and_then(|id| tenant.user(id))
                .map(|u| shapes::user(site_url, u));
            shapes::project(site_url, p, lead)
        })
        .collect();
    Ok(Answer::json(
        200,
        shapes::page_bean(values, start, max, matching.len() as u64, |at| {
            format!("{site_url}/rest/api/3/project/search?maxResults={max}&startAt={at}")
        }),
    ))
}

/// `GET /role`: the global project roles, without actors.
pub fn global_roles(tenant: &Tenant, site_url: &str) -> Handled {
    let roles: Vec<Value> = tenant
        .global_roles()
        .map(|r| shapes::project_role(site_url, None, r, Vec::new()))
        .collect();
    Ok(Answer::json(200, Value::Array(roles)))
}

/// The project a role or scheme request names, if the account may administer it.
fn administered<'t>(tenant: &'t Tenant, id_or_key: &str) -> Result<&'t Project, Answer> {
    let project = tenant.project(id_or_key).ok_or_else(|| {
        Answer::errors(
            404,
            &[&format!(
                "No project could be found with key '{id_or_key}'."
            )],
        )
    })?;
    if project.restricted {
        return Err(Answer::errors(
            403,
            &["You cannot edit the configuration of this project."],
        ));
    }
    Ok(project)
}

/// A role id from a path, refused as Jira refuses a non-numeric one.
fn role_id(role: &str) -> Result<u64, Answer> {
    role.parse().map_err(|_| {
        Answer::errors(
            400,
            &[&format!(
                "The value '{role}' is invalid for parameter 'id'."
            )],
        )
    })
}

pub fn role_details(tenant: &Tenant, site_url: &str, id_or_key: &str) -> Handled {
    let project = administered(tenant, id_or_key)?;
    let roles: Vec<Value> = tenant
        .roles_of(project)
        .into_iter()
        .map(|r| shapes::role_details(site_url, project, r))
        .collect();
    Ok(Answer::json(200, Value::Array(roles)))
}

pub fn role_actors(
    tenant: &Tenant,
    site_url: &str,
    id_or_key: &str,
    role: &str,
    req: &Request,
) -> Handled {
    let project = administered(tenant, id_or_key)?;
    let role_id = role_id(role)?;
    let role = tenant
        .roles_of(project)
        .into_iter()
        .find(|r| r.id == role_id)
        .ok_or_else(|| {
            Answer::errors(
                404,
                &["Can not retrieve a role actor for a null project role."],
            )
        })?;
    let exclude_inactive = req.param("excludeInactiveUsers") == Some("true");
    let mut actors: Vec<(String, Value)> = Vec::new();
    for (i, actor) in tenant
        .actors
        .get(&(project.id.clone(), role_id))
        .into_iter()
        .flatten()
        .enumerate()
    {
        let actor_id = 10_240 + i as u64;
        match actor {
            Actor::User(id) => {
                if let Some(u) = tenant.user(id).filter(|u| u.active || !exclude_inactive) {
                    actors.push((u.display_name.clone(), shapes::user_actor(actor_id, u)));
                }
            }
            Actor::Group(id) => {
                if let Some(g) = tenant.groups.iter().find(|g| g.group_id == *id) {
                    actors.push((g.name.clone(), shapes::group_actor(actor_id, g)));
                }
            }
        }
    }
    // "The list of actors is sorted by display name."
    actors.sort_by(|a, b| a.0.cmp(&b.0));
    let actors = actors.into_iter().map(|(_, v)| v).collect();
    Ok(Answer::json(
        200,
        shapes::project_role(site_url, Some(project), role, actors),
    ))
}

/// The project's id and the role's, if the project has that role.
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

/// `POST /project/{id}/role/{roleId}`: adds the users and groups in the
/// body, and answers with the role and all its actors.
pub fn add_actor(
    tenant: &mut Tenant,
    site_url: &str,
    project: &str,
    role: &str,
    req: &Request,
) -> Handled {
    let (project_id, role_id) = role_of(tenant, project, role)?;
    let wanted = actors_to_add(tenant, req)?;
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
    role_actors(tenant, site_url, project, role, req)
}

/// The actors an add names in its body: active users by account id, groups
/// by id or by name.
fn actors_to_add(tenant: &Tenant, req: &Request) -> Result<Vec<Actor>, Answer> {
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
    Ok(wanted)
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

/// `GET /project/{id}/permissionscheme`: the scheme the project uses.
pub fn permission_scheme(
    tenant: &Tenant,
    site_url: &str,
    id_or_key: &str,
    req: &Request,
) -> Handled {
    let project = administered(tenant, id_or_key)?;
    let scheme = project
        .scheme_id
        .and_then(|id| tenant.schemes.iter().find(|s| s.id == id))
        .ok_or_else(|| Answer::errors(404, &["This project does not use a permission scheme."]))?;
    Ok(Answer::json(
        200,
        shapes::scheme(site_url, scheme, with_grants(req)),
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

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
