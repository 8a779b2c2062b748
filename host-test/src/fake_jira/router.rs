//! Which endpoint answers a request: the checks of [`super::http`] first,
//! then (method, path) matched to a handler of the resource it belongs to.

use serde_json::json;

use super::http::{self, Answer, Handled, Place, Request};
use super::tenant::{Credential, Tenant};
use super::{Fault, Logged, Shared, admin, faults, groups, permissions, projects, users};

/// Answers a request and records it. `fault` is the one injected, if any.
pub fn handle(shared: &Shared, req: &Request, fault: Option<&Fault>) -> (Answer, Option<Logged>) {
    let mut tenant = shared.tenant.lock().expect("tenant poisoned");
    let mut account = None;
    let (answer, known) = respond(&mut tenant, req, fault, &mut account);
    let logged = Logged {
        method: req.method.clone(),
        host: req.host.clone(),
        path: req.path.clone(),
        query: req.query.clone(),
        account,
        credential: req.auth.sent(&tenant),
        body: serde_json::from_slice(&req.body).ok(),
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

/// The answer, and whether the fake knows the endpoint. Sets `account` to
/// the e-mail of the Basic credential the request carries.
fn respond(
    tenant: &mut Tenant,
    req: &Request,
    fault: Option<&Fault>,
    account: &mut Option<String>,
) -> (Answer, bool) {
    let place = match http::place(tenant, req) {
        Ok(place) => place,
        Err(refusal) => return refusal,
    };
    // Anonymous, and only on the site: how a client finds the cloud id.
    if place == Place::Site && req.method == "GET" && req.path == "/_edge/tenant_info" {
        return (Answer::json(200, json!({"cloudId": tenant.cloud_id})), true);
    }
    *account = req.auth.basic().map(|(email, _)| email.to_owned());
    if place == Place::Admin {
        return admin::respond(tenant, req, fault);
    }
    let credential = match http::authenticate(tenant, req, place) {
        Ok(credential) => credential,
        Err(refusal) => return (refusal, true),
    };
    if let Some(answer) = fault.and_then(|f| faults::status_answer(f, place)) {
        return (answer, true);
    }
    let segments = match http::segments(&req.path) {
        Ok(segments) => segments,
        Err(refusal) => return (refusal, true),
    };
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    match segments.strip_prefix(&["rest", "api", "3"][..]) {
        Some(endpoint) => match route(tenant, req, &credential, endpoint) {
            Some(handled) => (handled.unwrap_or_else(|refusal| refusal), true),
            None => (not_implemented(req), false),
        },
        None => (not_implemented(req), false),
    }
}

pub(super) fn not_implemented(req: &Request) -> Answer {
    Answer::text(
        501,
        &format!("fake Jira does not implement {} {}", req.method, req.path),
    )
}

/// The handler for (method, path below `/rest/api/3/`), or `None` for an
/// endpoint the fake does not implement.
fn route(
    tenant: &mut Tenant,
    req: &Request,
    credential: &Credential,
    path: &[&str],
) -> Option<Handled> {
    let site = format!("https://{}", tenant.host());
    let site = site.as_str();
    Some(match (req.method.as_str(), path) {
        ("GET", ["myself"]) => users::myself(tenant, site, &credential.account_id),
        ("GET", ["users", "search"]) => users::search(tenant, site, req),
        ("GET", ["user"]) => users::get(tenant, site, req),
        ("GET", ["user", "groups"]) => users::groups(tenant, site, req),
        ("GET", ["user", "properties"]) => users::property_keys(tenant, site, req),
        ("GET", ["user", "properties", key]) => users::get_property(tenant, key, req),
        ("PUT", ["user", "properties", key]) => users::set_property(tenant, key, req),
        ("DELETE", ["user", "properties", key]) => users::delete_property(tenant, key, req),
        ("GET", ["group", "bulk"]) => groups::bulk(tenant, site, req),
        ("GET", ["group", "member"]) => groups::members(tenant, site, req),
        ("POST", ["group", "user"]) => groups::add_member(tenant, site, req),
        ("DELETE", ["group", "user"]) => groups::remove_member(tenant, req),
        ("POST", ["group"]) => groups::create(tenant, site, req),
        ("DELETE", ["group"]) => groups::delete(tenant, req),
        ("GET", ["project", "search"]) => projects::search(tenant, site, req),
        ("GET", ["role"]) => projects::global_roles(tenant, site),
        ("GET", ["project", project, "roledetails"]) => {
            projects::role_details(tenant, site, project)
        }
        ("GET", ["project", project, "role", role]) => {
            projects::role_actors(tenant, site, project, role, req)
        }
        ("POST", ["project", project, "role", role]) => {
            projects::add_actor(tenant, site, project, role, req)
        }
        ("DELETE", ["project", project, "role", role]) => {
            projects::remove_actor(tenant, project, role, req)
        }
        ("GET", ["project", project, "permissionscheme"]) => {
            projects::permission_scheme(tenant, site, project, req)
        }
        ("GET", ["applicationrole"]) => permissions::application_roles(tenant, site),
        ("GET", ["permissions"]) => permissions::catalogue(tenant),
        ("GET", ["mypermissions"]) => permissions::mine(tenant, req),
        ("GET", ["permissionscheme"]) => permissions::schemes(tenant, site, req),
        ("GET", ["permissionscheme", scheme]) => permissions::scheme(tenant, site, scheme, req),
        ("GET", ["permissionscheme", scheme, "permission"]) => {
            permissions::grants(tenant, site, scheme)
        }
        ("POST", ["permissionscheme", scheme, "permission"]) => {
            permissions::add_grant(tenant, site, scheme, req)
        }
        ("DELETE", ["permissionscheme", scheme, "permission", grant]) => {
            permissions::remove_grant(tenant, scheme, grant)
        }
        _ => return None,
    })
}
