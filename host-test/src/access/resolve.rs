//! The resolution rules: from a project's `permitted-on` relations and its
//! conditional grants to the users they reach, each with the path from the
//! grant to the user.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::{AccessError, Conditional, Index, Permit, ProjectInfo};

/// A path from a grant to a user: `["grant:N", "group:G"]` and the like.
pub type Path = Vec<String>;

/// Holder types that `anyone` means: every user, and anonymous visitors too.
const ANYONE: &str = "anyone";

/// Users reached by one permit on `project`, restricted to `only` when set
/// (so `--user` never expands a large group it is not in).
fn expand(
    ix: &Index,
    project: &str,
    p: &Permit,
    only: Option<&str>,
    emit: &mut impl FnMut(&str, Path),
) {
    let grant = format!("grant:{}", p.grant);
    let wanted = |u: &str| only.is_none_or(|o| o == u);
    let group = |g: &str, prefix: &[String], emit: &mut dyn FnMut(&str, Path)| {
        let mut path = prefix.to_vec();
        path.push(format!("group:{g}"));
        match only {
            // One user: membership is a set look-up, not a walk of the group.
            Some(u) => {
                if ix.groups_of.get(u).is_some_and(|gs| gs.contains(g)) {
                    emit(u, path);
                }
            }
            None => {
                for m in ix.members.get(g).into_iter().flatten() {
                    emit(m, path.clone());
                }
            }
        }
    };
    match p.kind.as_str() {
        "user" if wanted(&p.id) => {
            let mut path = vec![grant];
            if p.via.as_deref() == Some("projectLead") {
                path.push("project-lead".into());
            }
            emit(&p.id, path);
        }
        "group" => group(&p.id, &[grant], emit),
        "project-role" => {
            let prefix = [grant, format!("project-role:{}", p.id)];
            // Only this project's role instance counts; the id is "project:role".
            if !p.id.starts_with(&format!("{project}:")) {
                return;
            }
            for (kind, id) in ix.actors.get(&p.id).into_iter().flatten() {
                match kind.as_str() {
                    "user" if wanted(id) => emit(id, prefix.to_vec()),
                    "group" => group(id, &prefix, emit),
                    _ => {}
                }
            }
        }
        "application-role" => {
            let prefix = [grant, format!("application-role:{}", p.id)];
            for g in ix.product_groups.get(&p.id).into_iter().flatten() {
                group(g, &prefix, emit);
            }
        }
        _ => {}
    }
}

/// The grant ids of a conditional grant, from the `permission-grant`
/// entities of the project's scheme (the conditional list carries none).
fn conditional_ids(ix: &Index, info: &ProjectInfo, c: &Conditional) -> Vec<String> {
    let Some(scheme) = &info.scheme else {
        return Vec::new();
    };
    ix.grant_ids
        .get(&(scheme.clone(), c.permission.clone(), c.holder_type.clone()))
        .map(|ids| ids.iter().cloned().collect())
        .unwrap_or_default()
}

fn grant_path(id: &str) -> Path {
    vec![format!("grant:{id}"), ANYONE.to_owned()]
}

fn conditional_entry(project: &str, c: &Conditional) -> Value {
    json!({"project": project, "permission": c.permission,
        "holderType": c.holder_type, "holderParameter": c.holder_parameter})
}

/// What one project grants: permission -> user -> paths, permission ->
/// anonymous paths, and the conditional entries.
#[derive(Default)]
pub(crate) struct Resolved {
    pub held: BTreeMap<String, BTreeMap<String, BTreeSet<Path>>>,
    pub anonymous: BTreeMap<String, BTreeSet<Path>>,
    pub conditional: Vec<Value>,
}

pub(crate) fn resolve_project(
    ix: &Index,
    project: &str,
    permission: Option<&str>,
    only: Option<&str>,
) -> Resolved {
    let mut out = Resolved::default();
    let Some(info) = ix.projects.get(project) else {
        return out;
    };
    let keep = |k: &str| permission.is_none_or(|p| p == k);
    for p in info.permits.iter().filter(|p| keep(&p.permission)) {
        let held = out.held.entry(p.permission.clone()).or_default();
        expand(ix, project, p, only, &mut |u, path| {
            held.entry(u.to_owned()).or_default().insert(path);
        });
    }
    for c in info.conditional.iter().filter(|c| keep(&c.permission)) {
        if c.holder_type != ANYONE {
            out.conditional.push(conditional_entry(project, c));
            continue;
        }
        // `anyone` is held by every user, and by visitors who are not logged in.
        let mut ids = conditional_ids(ix, info, c);
        if ids.is_empty() {
            ids.push("?".into());
        }
        let held = out.held.entry(c.permission.clone()).or_default();
        for id in &ids {
            out.anonymous
                .entry(c.permission.clone())
                .or_default()
                .insert(grant_path(id));
            let users: Vec<&String> = match only {
                Some(u) => ix
                    .users
                    .get_key_value(u)
                    .map(|(k, _)| k)
                    .into_iter()
                    .collect(),
                None => ix.users.keys().collect(),
            };
            for u in users {
                held.entry(u.clone()).or_default().insert(grant_path(id));
            }
        }
    }
    out.held.retain(|_, users| !users.is_empty());
    out.conditional.sort_by_key(|v| v.to_string());
    out.conditional.dedup();
    out
}

/// `explain --user`: every (project, permission) the user holds, with paths.
pub fn explain_user(ix: &Index, user: &str) -> Result<Value, AccessError> {
    let active = *ix
        .users
        .get(user)
        .ok_or_else(|| AccessError::UnknownUser(user.to_owned()))?;
    let (mut grants, mut conditional) = (Vec::new(), Vec::new());
    for project in ix.projects.keys() {
        let r = resolve_project(ix, project, None, Some(user));
        for (permission, users) in &r.held {
            if let Some(paths) = users.get(user) {
                let mut g = json!({"project": project, "permission": permission, "via": paths});
                if r.anonymous.contains_key(permission) {
                    g["anonymous"] = json!(true);
                }
                grants.push(g);
            }
        }
        conditional.extend(r.conditional);
    }
    conditional.sort_by_key(|v: &Value| v.to_string());
    Ok(json!({"user": user, "active": active, "grants": grants, "conditional": conditional}))
}

/// `explain --project [--permission]`: every principal holding each permission.
pub fn explain_project(
    ix: &Index,
    project: &str,
    permission: Option<&str>,
) -> Result<Value, AccessError> {
    let id = ix.project_id(project)?;
    let r = resolve_project(ix, &id, permission, None);
    let permissions: Vec<Value> = r
        .held
        .iter()
        .map(|(key, users)| {
            let mut principals: Vec<Value> = Vec::new();
            // The anonymous entry comes first: it is the widest grant.
            if let Some(paths) = r.anonymous.get(key) {
                principals.push(json!({"anonymous": true, "via": paths}));
            }
            principals.extend(
                users
                    .iter()
                    .map(|(u, paths)| json!({"user": u, "active": ix.active(u), "via": paths})),
            );
            json!({"permission": key, "principals": principals})
        })
        .collect();
    Ok(json!({"project": id, "permissions": permissions, "conditional": r.conditional}))
}
