//! Request parsing, authentication and the endpoints the fake implements.

use bytes::Bytes;
use extractor_jira::site::GATEWAY_HOST;
use http::request::Parts;
use serde_json::{Value, json};

use super::json as shapes;
use super::tenant::{Tenant, TokenKind};
use super::writes;
use super::{Fault, Logged, Shared};

/// `users/search` returns at most this many per page.
pub const USERS_CAP: u64 = 1000;
/// `group/bulk` and `group/member` return at most this many per page.
pub const GROUPS_CAP: u64 = 50;
pub const MEMBERS_CAP: u64 = 50;

/// An answer before it becomes an HTTP response.
pub struct Answer {
    pub(super) status: u16,
    pub(super) headers: Vec<(&'static str, String)>,
    pub(super) body: Vec<u8>,
}

impl Answer {
    pub(super) fn json(status: u16, value: Value) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json;charset=UTF-8".into())],
            body: value.to_string().into_bytes(),
        }
    }

    pub(super) fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    fn text(status: u16, text: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type", "text/plain;charset=UTF-8".into())],
            body: text.as_bytes().to_vec(),
        }
    }

    pub(super) fn errors(status: u16, messages: &[&str]) -> Self {
        Self::json(status, shapes::errors(messages))
    }

    pub fn into_response(self) -> hyper::Response<super::Body> {
        let mut builder = hyper::Response::builder().status(self.status);
        for (k, v) in self.headers {
            builder = builder.header(k, v);
        }
        builder
            .body(super::full(Bytes::from(self.body)))
            .expect("a response from valid parts")
    }
}

/// A parsed request.
pub struct Request {
    pub method: String,
    pub host: String,
    /// Path with any gateway prefix removed.
    pub path: String,
    /// `Some(cloudId)` for a gateway request.
    pub cloud_id: Option<String>,
    pub query: Vec<(String, String)>,
    pub auth: Option<(String, String)>,
    pub body: Bytes,
}

impl Request {
    pub fn new(parts: &Parts, body: Bytes) -> Result<Self, Answer> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let host = header("x-forwarded-host")
            .or_else(|| header("host"))
            .unwrap_or_default()
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let raw_path = parts.uri.path();
        let (path, cloud_id) = if host == GATEWAY_HOST {
            let rest = raw_path
                .strip_prefix("/ex/jira/")
                .ok_or_else(|| Answer::json(404, json!({"code": 404, "message": "Not Found"})))?;
            let (cloud, path) = rest.split_once('/').unwrap_or((rest, ""));
            (format!("/{path}"), Some(cloud.to_owned()))
        } else {
            (raw_path.to_owned(), None)
        };
        let query = parts
            .uri
            .query()
            .map(parse_query)
            .transpose()
            .map_err(|e| Answer::errors(400, &[&e]))?
            .unwrap_or_default();
        Ok(Self {
            method: parts.method.to_string(),
            host,
            path,
            cloud_id,
            query,
            auth: header("authorization").and_then(|v| basic_credentials(&v)),
            body,
        })
    }

    pub(super) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated parameter.
    pub(super) fn all(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A non-negative integer parameter, as Jira validates it.
    fn number(&self, name: &str, default: u64) -> Result<u64, Answer> {
        match self.param(name) {
            None => Ok(default),
            Some(v) => v.parse::<u64>().map_err(|_| {
                Answer::errors(
                    400,
                    &[&format!(
                        "The value '{v}' is invalid for parameter '{name}'."
                    )],
                )
            }),
        }
    }

    /// `startAt` and `maxResults`, with `maxResults` silently lowered to the cap.
    fn paging(&self, default: u64, cap: u64) -> Result<(u64, u64), Answer> {
        let start = self.number("startAt", 0)?;
        let max = self.number("maxResults", default)?.min(cap);
        Ok((start, max))
    }
}

fn parse_query(query: &str) -> Result<Vec<(String, String)>, String> {
    query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            Ok((percent_decode(k)?, percent_decode(v)?))
        })
        .collect()
}

/// Decodes `%XX` and, as Jira's servlet container does, `+` as a space.
fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("bad percent-encoding in {s:?}"))?;
                out.push(hex);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| format!("query is not UTF-8: {s:?}"))
}

fn basic_credentials(header: &str) -> Option<(String, String)> {
    let encoded = header.strip_prefix("Basic ")?;
    let decoded = base64_decode(encoded.trim())?;
    let text = String::from_utf8(decoded).ok()?;
    let (email, token) = text.split_once(':')?;
    Some((email.to_owned(), token.to_owned()))
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let s = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    Some(out)
}

/// Authenticates, applies any injected fault, and routes.
pub fn handle(shared: &Shared, req: &Request, fault: Option<Fault>) -> (Answer, Option<Logged>) {
    let mut tenant = shared.tenant.lock().expect("tenant poisoned");
    let mut account = None;
    let (answer, known) = respond(&mut tenant, req, fault, &mut account);
    let logged = Logged {
        method: req.method.clone(),
        host: req.host.clone(),
        path: req.path.clone(),
        query: req.query.clone(),
        account,
        status: answer.status,
        fault: None,
        known,
    };
    if !known {
        eprintln!(
            "fake Jira: no such endpoint: {} {} (host {})",
            req.method, req.path, req.host
        );
    }
    (answer, Some(logged))
}

fn respond(
    tenant: &mut Tenant,
    req: &Request,
    fault: Option<Fault>,
    account: &mut Option<String>,
) -> (Answer, bool) {
    let on_site = req.host == tenant.host();
    let on_gateway = req.host == GATEWAY_HOST;
    if !on_site && !on_gateway {
        return (Answer::text(404, "Site not found"), false);
    }
    if let Some(cloud) = &req.cloud_id
        && *cloud != tenant.cloud_id
    {
        return (
            Answer::json(404, json!({"code": 404, "message": "Cloud id not found"})),
            true,
        );
    }
    if on_site && req.method == "GET" && req.path == "/_edge/tenant_info" {
        return (Answer::json(200, json!({"cloudId": tenant.cloud_id})), true);
    }

    let credential = req.auth.as_ref().and_then(|(email, token)| {
        tenant
            .credentials
            .iter()
            .find(|c| c.email == *email && c.token == *token)
            .cloned()
    });
    *account = req.auth.as_ref().map(|(email, _)| email.clone());
    let accepted = match &credential {
        Some(c) if on_site => c.kind == TokenKind::Unscoped,
        Some(c) => c.kind == TokenKind::Scoped,
        None => false,
    };
    if !accepted {
        let answer = if on_gateway {
            Answer::json(
                401,
                json!({"code": 401, "message": "Unauthorized; scope does not match"}),
            )
        } else {
            Answer::text(401, "Client must be authenticated to access this resource.")
        };
        return (answer, true);
    }
    let credential = credential.expect("accepted implies a credential");

    if let Some(Fault::Status {
        status,
        retry_after,
    }) = fault
    {
        let mut answer = if status == 429 {
            Answer::errors(429, &["Rate limit exceeded."])
        } else {
            Answer::errors(status, &["Injected failure."])
        };
        if let Some(seconds) = retry_after {
            answer.headers.push(("retry-after", seconds.to_string()));
        }
        return (answer, true);
    }

    let site_url = format!("https://{}", tenant.host());
    let segments: Vec<String> = match req
        .path
        .split('/')
        .skip(1)
        .map(percent_decode)
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(segments) => segments,
        Err(e) => return (Answer::errors(400, &[&e]), true),
    };
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let result = match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["rest", "api", "3", "myself"]) => {
            myself(tenant, &site_url, &credential.account_id)
        }
        ("GET", ["rest", "api", "3", "users", "search"]) => users_search(tenant, &site_url, req),
        ("GET", ["rest", "api", "3", "group", "bulk"]) => groups_bulk(tenant, &site_url, req),
        ("GET", ["rest", "api", "3", "group", "member"]) => group_members(tenant, &site_url, req),
        ("GET", ["rest", "api", "3", "project", "search"]) => {
            project_search(tenant, &site_url, req)
        }
        ("GET", ["rest", "api", "3", "role"]) => all_roles(tenant, &site_url),
        ("GET", ["rest", "api", "3", "project", project, "roledetails"]) => {
            role_details(tenant, &site_url, project)
        }
        ("GET", ["rest", "api", "3", "project", project, "role", role]) => {
            role_actors(tenant, &site_url, project, role, req)
        }
        ("GET", ["rest", "api", "3", "project", project, "permissionscheme"]) => {
            project_scheme(tenant, &site_url, project, req)
        }
        ("GET", ["rest", "api", "3", "applicationrole"]) => application_roles(tenant, &site_url),
        ("GET", ["rest", "api", "3", "permissionscheme"]) => schemes(tenant, &site_url, req),
        ("GET", ["rest", "api", "3", "permissionscheme", scheme]) => {
            scheme_by_id(tenant, &site_url, scheme, req)
        }
        ("GET", ["rest", "api", "3", "permissions"]) => {
            Ok(Answer::json(200, shapes::permissions(&tenant.permissions)))
        }
        ("GET", ["rest", "api", "3", "user"]) => writes::get_user(tenant, &site_url, req),
        ("GET", ["rest", "api", "3", "user", "groups"]) => {
            writes::user_groups(tenant, &site_url, req)
        }
        ("GET", ["rest", "api", "3", "user", "properties"]) => {
            writes::property_keys(tenant, &site_url, req)
        }
        ("POST", ["rest", "api", "3", "group", "user"]) => {
            writes::add_member(tenant, &site_url, req)
        }
        ("DELETE", ["rest", "api", "3", "group", "user"]) => writes::remove_member(tenant, req),
        ("POST", ["rest", "api", "3", "group"]) => writes::create_group(tenant, &site_url, req),
        ("DELETE", ["rest", "api", "3", "group"]) => writes::delete_group(tenant, req),
        ("POST", ["rest", "api", "3", "project", project, "role", role]) => {
            writes::add_actor(tenant, project, role, req)
                .and_then(|()| role_actors(tenant, &site_url, project, role, req))
        }
        ("DELETE", ["rest", "api", "3", "project", project, "role", role]) => {
            writes::remove_actor(tenant, project, role, req)
        }
        ("GET", ["rest", "api", "3", "permissionscheme", scheme, "permission"]) => {
            writes::scheme_grants(tenant, &site_url, scheme)
        }
        ("POST", ["rest", "api", "3", "permissionscheme", scheme, "permission"]) => {
            writes::add_grant(tenant, &site_url, scheme, req)
        }
        (
            "DELETE",
            [
                "rest",
                "api",
                "3",
                "permissionscheme",
                scheme,
                "permission",
                grant,
            ],
        ) => writes::remove_grant(tenant, scheme, grant),
        ("GET", ["rest", "api", "3", "user", "properties", key]) => {
            writes::get_property(tenant, key, req)
        }
        ("PUT", ["rest", "api", "3", "user", "properties", key]) => {
            writes::set_property(tenant, key, req)
        }
        ("DELETE", ["rest", "api", "3", "user", "properties", key]) => {
            writes::delete_property(tenant, key, req)
        }
        _ => {
            return (
                Answer::text(
                    501,
                    &format!("fake Jira does not implement {} {}", req.method, req.path),
                ),
                false,
            );
        }
    };
    (result.unwrap_or_else(|e| e), true)
}

type Handled = Result<Answer, Answer>;

fn myself(tenant: &Tenant, site_url: &str, account_id: &str) -> Handled {
    let user = tenant
        .user(account_id)
        .ok_or_else(|| Answer::errors(404, &["The user does not exist."]))?;
    Ok(Answer::json(200, shapes::user(site_url, user)))
}

fn users_search(tenant: &Tenant, site_url: &str, req: &Request) -> Handled {
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

fn groups_bulk(tenant: &Tenant, site_url: &str, req: &Request) -> Handled {
    let (start, max) = req.paging(50, GROUPS_CAP)?;
    let ids: Vec<&str> = req.all("groupId");
    let names: Vec<&str> = req.all("groupName");
    let matching: Vec<_> = tenant
        .groups
        .iter()
        .filter(|g| ids.is_empty() || ids.contains(&g.group_id.as_str()))
        .filter(|g| names.is_empty() || names.contains(&g.name.as_str()))
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
            format!("{site_url}/rest/api/3/group/bulk?maxResults={max}&startAt={at}")
        }),
    ))
}

fn group_members(tenant: &Tenant, site_url: &str, req: &Request) -> Handled {
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
    let members: Vec<&super::tenant::User> = tenant
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
    let group_id = crate::fake_jira::router::encode(&group.group_id);
    Ok(Answer::json(
        200,
        shapes::page_bean(values, start, max, members.len() as u64, |at| {
            format!(
                "{site_url}/rest/api/3/group/member?groupId={group_id}&includeInactiveUsers={include_inactive}&maxResults={max}&startAt={at}"
            )
        }),
    ))
}

/// `PROJECT_CAP`: `project/search` returns at most this many per page.
pub const PROJECTS_CAP: u64 = 100;

fn project_search(tenant: &Tenant, site_url: &str, req: &Request) -> Handled {
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

fn all_roles(tenant: &Tenant, site_url: &str) -> Handled {
    let roles: Vec<Value> = tenant
        .global_roles()
        .map(|r| shapes::project_role(site_url, None, r, Vec::new()))
        .collect();
    Ok(Answer::json(200, Value::Array(roles)))
}

/// The project a role or scheme request names, if the account may administer it.
pub(super) fn administered<'t>(
    tenant: &'t Tenant,
    id_or_key: &str,
) -> Result<&'t super::tenant::Project, Answer> {
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
pub(super) fn role_id(role: &str) -> Result<u64, Answer> {
    role.parse().map_err(|_| {
        Answer::errors(
            400,
            &[&format!(
                "The value '{role}' is invalid for parameter 'id'."
            )],
        )
    })
}

fn role_details(tenant: &Tenant, site_url: &str, id_or_key: &str) -> Handled {
    let project = administered(tenant, id_or_key)?;
    let roles: Vec<Value> = tenant
        .roles_of(project)
        .into_iter()
        .map(|r| shapes::role_details(site_url, project, r))
        .collect();
    Ok(Answer::json(200, Value::Array(roles)))
}

fn role_actors(
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
            super::tenant::Actor::User(id) => {
                if let Some(u) = tenant.user(id).filter(|u| u.active || !exclude_inactive) {
                    actors.push((u.display_name.clone(), shapes::user_actor(actor_id, u)));
                }
            }
            super::tenant::Actor::Group(id) => {
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

fn project_scheme(tenant: &Tenant, site_url: &str, id_or_key: &str, req: &Request) -> Handled {
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

/// "Note that permissions are included when you specify any value" of
/// `expand`, on every permission scheme read.
fn with_grants(req: &Request) -> bool {
    req.param("expand").is_some_and(|e| !e.is_empty())
}

/// `GET /permissionscheme/{schemeId}`: any scheme, listed or not.
fn scheme_by_id(tenant: &Tenant, site_url: &str, scheme: &str, req: &Request) -> Handled {
    let found = scheme
        .parse::<u64>()
        .ok()
        .and_then(|id| tenant.schemes.iter().find(|s| s.id == id))
        .ok_or_else(|| {
            Answer::errors(
                404,
                &[&format!(
                    "The permission scheme with id '{scheme}' does not exist."
                )],
            )
        })?;
    Ok(Answer::json(
        200,
        shapes::scheme(site_url, found, with_grants(req)),
    ))
}

fn application_roles(tenant: &Tenant, site_url: &str) -> Handled {
    let find = |ids: &[String]| -> Vec<&super::tenant::Group> {
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

fn schemes(tenant: &Tenant, site_url: &str, req: &Request) -> Handled {
    let list: Vec<Value> = tenant
        .schemes
        .iter()
        .filter(|s| s.listed)
        .map(|s| shapes::scheme(site_url, s, with_grants(req)))
        .collect();
    Ok(Answer::json(200, json!({"permissionSchemes": list})))
}

/// Percent-encodes a query value for the links the fake writes.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decode_handles_plus_and_utf8() {
        assert_eq!(percent_decode("a%20b+c%2B%C3%BC").unwrap(), "a b c+ü");
        assert!(percent_decode("%zz").is_err());
        assert!(percent_decode("%C3").is_err());
    }

    #[test]
    fn basic_credentials_decodes() {
        assert_eq!(
            basic_credentials("Basic dXNlckBleGFtcGxlLmNvbTpwYXNz"),
            Some(("user@example.com".into(), "pass".into()))
        );
        assert_eq!(basic_credentials("Bearer x"), None);
    }
}
