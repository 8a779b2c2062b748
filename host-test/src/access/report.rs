//! `privileged`: site admins, product admins and each project's
//! administrators, every user once with all the paths that make them one.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::Index;
use super::resolve::{Path, resolve_project};

/// The permission that makes a project administrator.
const ADMINISTER: &str = "ADMINISTER_PROJECTS";

type Users = BTreeMap<String, BTreeSet<Path>>;

fn by_groups<'a>(ix: &Index, first: &str, groups: impl Iterator<Item = &'a String>) -> Users {
    let mut users = Users::new();
    for g in groups {
        for m in ix.members.get(g).into_iter().flatten() {
            users
                .entry(m.clone())
                .or_default()
                .insert(vec![first.to_owned(), format!("group:{g}")]);
        }
    }
    users
}

fn list(ix: &Index, users: &Users) -> Value {
    users
        .iter()
        .map(|(u, paths)| json!({"user": u, "active": ix.active(u), "via": paths}))
        .collect()
}

/// The three tiers as JSON: `{"siteAdmins", "productAdmins", "projectAdmins"}`.
pub fn privileged(ix: &Index) -> Value {
    let site = by_groups(ix, "site-admin", ix.site_admin_groups.iter());
    let products: serde_json::Map<String, Value> = ix
        .product_admin_groups
        .iter()
        .map(|(key, groups)| {
            let users = by_groups(ix, &format!("product-admin:{key}"), groups.iter());
            (key.clone(), list(ix, &users))
        })
        .collect();
    let projects: serde_json::Map<String, Value> = ix
        .projects
        .keys()
        .map(|p| {
            let r = resolve_project(ix, p, Some(ADMINISTER), None);
            let users = r.held.get(ADMINISTER).cloned().unwrap_or_default();
            (p.clone(), list(ix, &users))
        })
        .collect();
    json!({"siteAdmins": list(ix, &site), "productAdmins": products, "projectAdmins": projects})
}

fn section(out: &mut String, title: &str, users: &Value) {
    let users = users.as_array().map(Vec::as_slice).unwrap_or_default();
    let inactive = users.iter().filter(|u| u["active"] == json!(false)).count();
    let _ = writeln!(out, "{title}: {} users ({inactive} inactive)", users.len());
    for u in users {
        let flag = if u["active"] == json!(false) {
            " [inactive]"
        } else {
            ""
        };
        let paths: Vec<String> = u["via"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                p.as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" > ")
            })
            .collect();
        let _ = writeln!(
            out,
            "  {}{flag}  via {}",
            u["user"].as_str().unwrap_or(""),
            paths.join("; ")
        );
    }
}

/// The same report, readable: one section per tier, with counts.
pub fn privileged_text(ix: &Index) -> String {
    let v = privileged(ix);
    let mut out = String::new();
    section(&mut out, "Site admins", &v["siteAdmins"]);
    for (key, users) in v["productAdmins"].as_object().into_iter().flatten() {
        section(&mut out, &format!("Product admins of {key}"), users);
    }
    for (project, users) in v["projectAdmins"].as_object().into_iter().flatten() {
        let key = ix
            .projects
            .get(project)
            .and_then(|p| p.key.clone())
            .unwrap_or_default();
        section(
            &mut out,
            &format!("Project admins of {project} ({key})"),
            users,
        );
    }
    out
}

/// How many distinct users each tier reaches: the three counts that end
/// the extract summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub site_admins: usize,
    /// Users who administer at least one product.
    pub product_admins: usize,
    /// Users who hold `ADMINISTER_PROJECTS` on at least one project.
    pub project_admins: usize,
}

/// The three counts, without building the report.
pub fn counts(ix: &Index) -> Counts {
    let members = |groups: &mut dyn Iterator<Item = &String>| -> BTreeSet<String> {
        groups
            .flat_map(|g| ix.members.get(g).into_iter().flatten())
            .cloned()
            .collect()
    };
    let mut project_admins = BTreeSet::new();
    for p in ix.projects.keys() {
        let r = resolve_project(ix, p, Some(ADMINISTER), None);
        project_admins.extend(
            r.held
                .get(ADMINISTER)
                .into_iter()
                .flatten()
                .map(|(u, _)| u.clone()),
        );
    }
    Counts {
        site_admins: members(&mut ix.site_admin_groups.iter()).len(),
        product_admins: members(&mut ix.product_admin_groups.values().flatten()).len(),
        project_admins: project_admins.len(),
    }
}
