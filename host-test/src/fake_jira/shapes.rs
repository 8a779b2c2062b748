//! Jira's JSON shapes, as Atlassian's OpenAPI spec defines them (`User`,
//! `UserDetails`, `GroupDetails`, `PageBean*`, `ErrorCollection`). Links are
//! always on the site, as Jira writes them even for gateway requests.

use serde_json::{Map, Value, json};

use super::tenant::{AppRole, Email, Grant, Group, PermissionDef, Project, Role, Scheme, User};

fn avatar_urls(account_id: &str) -> Value {
    let base = format!(
        "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/{account_id}"
    );
    json!({
        "16x16": format!("{base}/16"),
        "24x24": format!("{base}/24"),
        "32x32": format!("{base}/32"),
        "48x48": format!("{base}/48"),
    })
}

/// `User` (from `/myself`, `/users/search`) and `UserDetails` (from
/// `/group/member`): the same fields the connector reads.
pub fn user(site_url: &str, u: &User) -> Value {
    let mut m = Map::new();
    m.insert(
        "self".into(),
        json!(format!(
            "{site_url}/rest/api/3/user?accountId={}",
            u.account_id
        )),
    );
    m.insert("accountId".into(), json!(u.account_id));
    m.insert("accountType".into(), json!(u.account_type));
    match &u.email {
        Email::Visible(e) => {
            m.insert("emailAddress".into(), json!(e));
        }
        Email::Null => {
            m.insert("emailAddress".into(), Value::Null);
        }
        Email::Absent => {}
    }
    m.insert("avatarUrls".into(), avatar_urls(&u.account_id));
    m.insert("displayName".into(), json!(u.display_name));
    m.insert("active".into(), json!(u.active));
    m.insert("timeZone".into(), json!("Australia/Sydney"));
    m.insert("locale".into(), json!("en_US"));
    Value::Object(m)
}

pub fn group(g: &Group) -> Value {
    json!({"groupId": g.group_id, "name": g.name})
}

/// A `PageBean*` envelope. `link` builds the URL of the page at an offset.
pub fn page_bean(
    values: Vec<Value>,
    start_at: u64,
    max_results: u64,
    total: u64,
    link: impl Fn(u64) -> String,
) -> Value {
    let is_last = start_at + max_results >= total;
    let mut m = Map::new();
    m.insert("self".into(), json!(link(start_at)));
    if !is_last {
        m.insert("nextPage".into(), json!(link(start_at + max_results)));
    }
    m.insert("maxResults".into(), json!(max_results));
    m.insert("startAt".into(), json!(start_at));
    m.insert("total".into(), json!(total));
    m.insert("isLast".into(), json!(is_last));
    m.insert("values".into(), Value::Array(values));
    Value::Object(m)
}

/// Jira's `ErrorCollection`.
pub fn errors(messages: &[&str]) -> Value {
    json!({"errorMessages": messages, "errors": {}})
}

fn project_avatars(site_url: &str, id: &str) -> Value {
    let base = format!("{site_url}/secure/projectavatar");
    json!({
        "16x16": format!("{base}?size=xsmall&pid={id}"),
        "24x24": format!("{base}?size=small&pid={id}"),
        "32x32": format!("{base}?size=medium&pid={id}"),
        "48x48": format!("{base}?size=large&pid={id}"),
    })
}

/// `Project` as `/project/search` returns it; `lead` only when expanded.
pub fn project(site_url: &str, p: &Project, lead: Option<Value>) -> Value {
    let mut m = Map::new();
    m.insert(
        "expand".into(),
        json!("description,lead,issueTypes,url,projectKeys,permissions,insight"),
    );
    m.insert(
        "self".into(),
        json!(format!("{site_url}/rest/api/3/project/{}", p.id)),
    );
    m.insert("id".into(), json!(p.id));
    m.insert("key".into(), json!(p.key));
    m.insert("name".into(), json!(p.name));
    m.insert("avatarUrls".into(), project_avatars(site_url, &p.id));
    if let Some((id, name)) = &p.category {
        m.insert(
            "projectCategory".into(),
            json!({"self": format!("{site_url}/rest/api/3/projectCategory/{id}"), "id": id,
                   "name": name, "description": format!("{name} category")}),
        );
    }
    m.insert("projectTypeKey".into(), json!(p.type_key));
    m.insert("simplified".into(), json!(p.team_managed()));
    m.insert("style".into(), json!(p.style));
    m.insert("isPrivate".into(), json!(p.is_private));
    m.insert("properties".into(), json!({}));
    if p.team_managed() {
        m.insert(
            "entityId".into(),
            json!(format!(
                "00000000-0000-4000-8000-{:012}",
                p.id.parse::<u64>().unwrap_or(0)
            )),
        );
    }
    if p.archived {
        m.insert("archived".into(), json!(true));
        m.insert("archivedDate".into(), json!("2024-02-01T10:00:00.000+0000"));
    }
    if let Some(lead) = lead {
        m.insert("lead".into(), lead);
    }
    Value::Object(m)
}

/// The `scope` a team-managed project's role carries.
fn role_scope(site_url: &str, p: &Project) -> Value {
    json!({"type": "PROJECT", "project": {"id": p.id, "key": p.key, "name": p.name,
        "self": format!("{site_url}/rest/api/3/project/{}", p.id)}})
}

/// `ProjectRoleDetails`, as `/project/{id}/roledetails` returns it.
pub fn role_details(site_url: &str, project: &Project, r: &Role) -> Value {
    let mut v = json!({"self": format!("{site_url}/rest/api/3/project/{}/role/{}", project.key, r.id),
        "name": r.name, "id": r.id, "description": r.description,
        "admin": r.name.starts_with("Administrator"), "default": r.name == "Developers" || r.name == "Member",
        "roleConfigurable": true, "translatedName": r.name});
    if r.project.is_some() {
        v["scope"] = role_scope(site_url, project);
    }
    v
}

/// `ProjectRole` with `actors`. `project` is `None` for the global `/role` list.
pub fn project_role(
    site_url: &str,
    project: Option<&Project>,
    r: &Role,
    actors: Vec<Value>,
) -> Value {
    let base = project.map_or_else(
        || format!("{site_url}/rest/api/3/role/{}", r.id),
        |p| format!("{site_url}/rest/api/3/project/{}/role/{}", p.key, r.id),
    );
    let mut v = json!({"self": base, "name": r.name, "id": r.id, "description": r.description, "actors": actors});
    if let (Some(p), Some(_)) = (project, &r.project) {
        v["scope"] = role_scope(site_url, p);
    }
    v
}

/// A `RoleActor` for a user.
pub fn user_actor(id: u64, u: &User) -> Value {
    json!({"id": id, "displayName": u.display_name, "type": "atlassian-user-role-actor",
        "actorUser": {"accountId": u.account_id}})
}

/// A `RoleActor` for a group.
pub fn group_actor(id: u64, g: &Group) -> Value {
    json!({"id": id, "displayName": g.name, "type": "atlassian-group-role-actor", "name": g.name,
        "actorGroup": {"name": g.name, "displayName": g.name, "groupId": g.group_id}})
}

fn group_name(site_url: &str, g: &Group) -> Value {
    json!({"groupId": g.group_id, "name": g.name,
        "self": format!("{site_url}/rest/api/3/group?groupId={}", g.group_id)})
}

/// `ApplicationRole`.
pub fn application_role(
    site_url: &str,
    a: &AppRole,
    groups: &[&Group],
    defaults: &[&Group],
) -> Value {
    json!({
        "key": a.key,
        "groups": groups.iter().map(|g| &g.name).collect::<Vec<_>>(),
        "groupDetails": groups.iter().map(|g| group_name(site_url, g)).collect::<Vec<_>>(),
        "name": a.name,
        "defaultGroups": defaults.iter().map(|g| &g.name).collect::<Vec<_>>(),
        "defaultGroupsDetails": defaults.iter().map(|g| group_name(site_url, g)).collect::<Vec<_>>(),
        "selectedByDefault": false,
        "defined": false,
        "numberOfSeats": a.seats,
        "remainingSeats": (a.seats - a.user_count).max(0),
        "userCount": a.user_count,
        "userCountDescription": format!("{} users", a.user_count),
        "hasUnlimitedSeats": a.unlimited,
        "platform": a.platform,
    })
}

/// `PermissionGrant`.
pub fn grant(site_url: &str, g: &Grant) -> Value {
    let mut holder = Map::new();
    holder.insert("type".into(), json!(g.holder_type));
    if let Some(p) = &g.parameter {
        holder.insert("parameter".into(), json!(p));
    }
    if let Some(v) = &g.value {
        holder.insert("value".into(), json!(v));
    }
    if g.holder_type == "group" {
        holder.insert("expand".into(), json!("group"));
    }
    json!({"id": g.id, "self": format!("{site_url}/rest/api/3/permissionscheme/permission/{}", g.id),
        "holder": Value::Object(holder), "permission": g.permission})
}

/// `PermissionScheme`, with its grants when `with_grants`.
pub fn scheme(site_url: &str, s: &Scheme, with_grants: bool) -> Value {
    let mut v = json!({"expand": "permissions,user,group,projectRole,field,all", "id": s.id,
        "self": format!("{site_url}/rest/api/3/permissionscheme/{}", s.id),
        "name": s.name, "description": s.description});
    if let Some(project) = &s.project {
        v["scope"] = json!({"type": "PROJECT", "project": {"id": project}});
    }
    if with_grants {
        v["permissions"] = Value::Array(s.grants.iter().map(|g| grant(site_url, g)).collect());
    }
    v
}

/// `Permissions`: a map keyed by permission key.
pub fn permissions(defs: &[PermissionDef]) -> Value {
    let map: Map<String, Value> = defs
        .iter()
        .map(|d| {
            (d.key.clone(), json!({"key": d.key, "name": d.name, "type": d.scope, "description": d.description}))
        })
        .collect();
    json!({"permissions": map})
}

/// `Permissions` as `/mypermissions` returns it: each asked-for catalogue
/// entry with its `id` and whether the account holds it.
pub fn my_permissions(entries: &[(usize, &PermissionDef, bool)]) -> Value {
    let map: Map<String, Value> = entries
        .iter()
        .map(|(id, d, held)| {
            (
                d.key.clone(),
                json!({"id": id.to_string(), "key": d.key, "name": d.name, "type": d.scope,
                "description": d.description, "havePermission": held}),
            )
        })
        .collect();
    json!({"permissions": map})
}
