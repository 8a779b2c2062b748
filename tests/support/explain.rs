//! Who holds what, resolved straight from the fake tenant's own data (its
//! schemes, role actors, memberships, products and leads), never from the
//! connector's output: the independent answer `explain` and `privileged`
//! are held to. It follows Jira's rules as the issue states them, written
//! here a second time on purpose.

use std::collections::{BTreeMap, BTreeSet};

use host_test::fake_jira::Tenant;
use host_test::fake_jira::tenant::{Actor, Grant, Project};
use serde_json::{Value, json};

/// A path from a grant to a user: `["grant:N", "group:G"]` and the like.
pub type Path = Vec<String>;
pub type Paths = BTreeSet<Path>;

/// (project id, permission key).
pub type Key = (String, String);

/// Every project's resolved grants.
#[derive(Debug, Default)]
pub struct Truth {
    /// (project, permission) -> user -> the paths that reach them.
    pub held: BTreeMap<Key, BTreeMap<String, Paths>>,
    /// (project, permission) -> the `anyone` grants' paths (anonymous access).
    pub anonymous: BTreeMap<Key, Paths>,
    /// Grants that depend on the issue: `{project, permission, holderType,
    /// holderParameter}`, sorted by their JSON text.
    pub conditional: Vec<Value>,
    /// Account id -> active.
    pub active: BTreeMap<String, bool>,
}

/// Holder types that reach users without the issue: everything else is
/// conditional.
const RESOLVED: [&str; 6] = [
    "user",
    "group",
    "projectRole",
    "applicationRole",
    "projectLead",
    "anyone",
];

fn identifier(g: &Grant) -> Option<&str> {
    g.value
        .as_deref()
        .or(g.parameter.as_deref())
        .filter(|v| !v.is_empty())
}

fn members<'a>(t: &'a Tenant, group_id: &str) -> impl Iterator<Item = &'a String> {
    t.members.get(group_id).into_iter().flatten()
}

/// Resolves every grant of every project's scheme.
pub fn resolve(t: &Tenant) -> Truth {
    let mut truth = Truth {
        active: t
            .users
            .iter()
            .map(|u| (u.account_id.clone(), u.active))
            .collect(),
        ..Truth::default()
    };
    for p in &t.projects {
        let Some(scheme) = p
            .scheme_id
            .and_then(|id| t.schemes.iter().find(|s| s.id == id))
        else {
            continue;
        };
        for g in &scheme.grants {
            resolve_grant(t, p, g, &mut truth);
        }
    }
    truth.conditional.sort_by_key(Value::to_string);
    truth.conditional.dedup();
    truth
}

fn resolve_grant(t: &Tenant, p: &Project, g: &Grant, truth: &mut Truth) {
    let key = (p.id.clone(), g.permission.clone());
    let grant = format!("grant:{}", g.id);
    let mut reached: Vec<(String, Path)> = Vec::new();
    let via_group = |prefix: Vec<String>, group_id: &str, out: &mut Vec<(String, Path)>| {
        for m in members(t, group_id) {
            let mut path = prefix.clone();
            path.push(format!("group:{group_id}"));
            out.push((m.clone(), path));
        }
    };
    let role_held = |role: &str| t.roles_of(p).iter().any(|r| r.id.to_string() == role);
    let conditional = json!({
        "project": p.id,
        "permission": g.permission,
        "holderType": g.holder_type,
        "holderParameter": g.parameter.as_deref().or(g.value.as_deref()),
    });
    match (g.holder_type.as_str(), identifier(g)) {
        ("user", Some(account)) if t.user(account).is_some() => {
            reached.push((account.to_owned(), vec![grant]));
        }
        ("group", Some(id_or_name)) => {
            let group = t
                .groups
                .iter()
                .find(|x| x.group_id == id_or_name)
                .or_else(|| t.groups.iter().find(|x| x.name == id_or_name));
            if let Some(group) = group {
                via_group(vec![grant], &group.group_id, &mut reached);
            }
        }
        ("projectRole", Some(role)) if role_held(role) => {
            let role_id: u64 = role.parse().expect("a numeric role id");
            let prefix = vec![grant, format!("project-role:{}:{role}", p.id)];
            for actor in t.actors.get(&(p.id.clone(), role_id)).into_iter().flatten() {
                match actor {
                    Actor::User(u) => reached.push((u.clone(), prefix.clone())),
                    Actor::Group(group) => via_group(prefix.clone(), group, &mut reached),
                }
            }
        }
        ("projectRole", _) => truth.conditional.push(conditional),
        ("applicationRole", key) => {
            for product in t
                .app_roles
                .iter()
                .filter(|a| key.is_none_or(|k| k == a.key))
            {
                let prefix = vec![grant.clone(), format!("application-role:{}", product.key)];
                for group in &product.groups {
                    via_group(prefix.clone(), group, &mut reached);
                }
            }
        }
        ("projectLead", _) => {
            if let Some(lead) = &p.lead {
                reached.push((lead.clone(), vec![grant, "project-lead".into()]));
            }
        }
        ("anyone", _) => {
            let path = vec![grant, "anyone".to_owned()];
            truth
                .anonymous
                .entry(key.clone())
                .or_default()
                .insert(path.clone());
            for u in &t.users {
                reached.push((u.account_id.clone(), path.clone()));
            }
        }
        (holder, _) if !RESOLVED.contains(&holder) => truth.conditional.push(conditional),
        // A user or group holder that names nobody in the tenant reaches nobody.
        _ => {}
    }
    if reached.is_empty() {
        return;
    }
    let held = truth.held.entry(key).or_default();
    for (user, path) in reached {
        held.entry(user).or_default().insert(path);
    }
}

impl Truth {
    /// What `explain --user` must say, as (project, permission) -> paths.
    pub fn of_user(&self, user: &str) -> BTreeMap<Key, Paths> {
        self.held
            .iter()
            .filter_map(|(key, users)| users.get(user).map(|paths| (key.clone(), paths.clone())))
            .collect()
    }

    /// What `explain --project` must say: permission -> user -> paths.
    pub fn of_project(&self, project: &str) -> BTreeMap<String, BTreeMap<String, Paths>> {
        self.held
            .iter()
            .filter(|((p, _), _)| p == project)
            .map(|((_, permission), users)| (permission.clone(), users.clone()))
            .collect()
    }

    /// The `conditional` list `explain --project` must print for a project.
    pub fn conditional_of(&self, project: &str) -> Vec<Value> {
        self.conditional
            .iter()
            .filter(|c| c["project"] == project)
            .cloned()
            .collect()
    }
}

/// `privileged --format json`, from the tenant: the members of the
/// site-admin groups and of each product's admin groups, and each project's
/// `ADMINISTER_PROJECTS` holders.
pub fn privileged(t: &Tenant, truth: &Truth) -> Value {
    let user = |u: &String, paths: &Paths| json!({"user": u, "active": truth.active.get(u).copied().unwrap_or(true), "via": paths});
    let tier = |first: &str, groups: &[String]| -> Value {
        let mut users: BTreeMap<String, Paths> = BTreeMap::new();
        for g in groups {
            for m in members(t, g) {
                users
                    .entry(m.clone())
                    .or_default()
                    .insert(vec![first.to_owned(), format!("group:{g}")]);
            }
        }
        users.iter().map(|(u, p)| user(u, p)).collect()
    };
    let products: serde_json::Map<String, Value> = t
        .app_roles
        .iter()
        .filter(|a| !a.admin_groups.is_empty())
        .map(|a| {
            (
                a.key.clone(),
                tier(&format!("product-admin:{}", a.key), &a.admin_groups),
            )
        })
        .collect();
    let projects: serde_json::Map<String, Value> = t
        .projects
        .iter()
        .map(|p| {
            let key = (p.id.clone(), "ADMINISTER_PROJECTS".to_owned());
            let users: Value = truth
                .held
                .get(&key)
                .into_iter()
                .flatten()
                .map(|(u, paths)| user(u, paths))
                .collect();
            (p.id.clone(), users)
        })
        .collect();
    json!({
        "siteAdmins": tier("site-admin", &t.site_admin_groups),
        "productAdmins": products,
        "projectAdmins": projects,
    })
}
