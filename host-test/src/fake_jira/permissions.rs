//! Product access and permissions: `GET /applicationrole`, the catalogue
//! `/permissions`, the schemes (`/permissionscheme`, listed or by id) and
//! their grants (`GET`, `POST /permissionscheme/{id}/permission`, `DELETE
//! /permissionscheme/{id}/permission/{grantId}`).

use serde_json::{Value, json};

use super::groups::group_by_name_or_id;
use super::http::{Answer, Handled, Request, json_body, not_there};
use super::shapes;
use super::tenant::{Grant, Group, Tenant};

pub fn application_roles(tenant: &Tenant, site_url: &str) -> Handled {
    let find = |ids: &[String]| -> Vec<&Group> {
        ids.iter()
            .filter_map(|id| tenant.groups.iter().find(|g| g.group_id == *id))
            .collect()
    };
    let roles: Vec<Value> = tenant
        .app_roles
        .iter()
        .map(|a| shapes::application_role(site_url, a, &find(&a.groups), &find(&a.default_groups)))
        .collect();
    Ok(Answer::json(200, Value::Array(roles)))
}

/// `GET /permissions`: every permission there is.
pub fn catalogue(tenant: &Tenant) -> Handled {
    Ok(Answer::json(200, shapes::permissions(&tenant.permissions)))
}

/// `GET /mypermissions?permissions=A,B`: whether the account holds each
/// key, in the global context. A key the catalogue lacks, or no key, is a
/// 400, as the spec says.
pub fn mine(tenant: &Tenant, req: &Request) -> Handled {
    let keys: Vec<&str> = req
        .param("permissions")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .collect();
    if keys.is_empty() {
        return Err(Answer::errors(
            400,
            &["The permissions parameter is required."],
        ));
    }
    let mut entries = Vec::new();
    for key in keys {
        let Some((id, def)) = tenant
            .permissions
            .iter()
            .enumerate()
            .find(|(_, d)| d.key == key)
        else {
            return Err(Answer::errors(
                400,
                &[&format!("Permission key '{key}' is not valid.")],
            ));
        };
        entries.push((id, def, !tenant.lacks.contains(key)));
    }
    Ok(Answer::json(200, shapes::my_permissions(&entries)))
}

/// "Note that permissions are included when you specify any value" of
/// `expand`, on every permission scheme read.
pub fn with_grants(req: &Request) -> bool {
    req.param("expand").is_some_and(|e| !e.is_empty())
}

/// `GET /permissionscheme`: the listed schemes.
pub fn schemes(tenant: &Tenant, site_url: &str, req: &Request) -> Handled {
    let list: Vec<Value> = tenant
        .schemes
        .iter()
        .filter(|s| s.listed)
        .map(|s| shapes::scheme(site_url, s, with_grants(req)))
        .collect();
    Ok(Answer::json(200, json!({"permissionSchemes": list})))
}

/// Where the scheme a path names is in the tenant's list.
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

/// `GET /permissionscheme/{schemeId}`: any scheme, listed or not.
pub fn scheme(tenant: &Tenant, site_url: &str, scheme: &str, req: &Request) -> Handled {
    let found = &tenant.schemes[scheme_index(tenant, scheme)?];
    Ok(Answer::json(
        200,
        shapes::scheme(site_url, found, with_grants(req)),
    ))
}

/// `GET /permissionscheme/{schemeId}/permission`.
pub fn grants(tenant: &Tenant, site_url: &str, scheme: &str) -> Handled {
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
    let (parameter, value) = holder_of(tenant, kind, holder)?;
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

/// A new grant's holder `parameter` and `value`, as Jira stores them: a
/// group by name and id, a user or a project role by id twice. Refuses a
/// group, user or role the tenant does not have.
fn holder_of(
    tenant: &Tenant,
    kind: &str,
    holder: &Value,
) -> Result<(Option<String>, Option<String>), Answer> {
    let parameter = holder["parameter"].as_str().map(str::to_owned);
    let value = holder["value"].as_str().map(str::to_owned);
    Ok(match kind {
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
    })
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
