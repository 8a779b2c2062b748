//! What the tests expect, computed from the fake tenant's own data rather
//! than from the component's mapping, so that a mapping bug cannot hide.

#![allow(dead_code)]

pub mod balkanid;

use host_test::fake_jira::tenant::Actor;
use host_test::fake_jira::{Email, Tenant};
use host_test::output::json as document;
use host_test::{Extracted, Plugin};
use serde_json::{Value, json};

/// The document an extraction of `tenant` must produce.
pub fn expected_document(tenant: &Tenant) -> Value {
    let mut entities: Vec<Value> = Vec::new();
    for u in &tenant.users {
        let email = match &u.email {
            Email::Visible(e) => json!(e),
            Email::Null | Email::Absent => Value::Null,
        };
        entities.push(
            json!({"type": "user", "id": u.account_id, "name": u.display_name,
            "attributes": {"email": email, "active": u.active, "accountType": u.account_type}}),
        );
    }
    for g in &tenant.groups {
        entities.push(json!({"type": "group", "id": g.group_id, "name": g.name, "attributes": {}}));
    }
    let mut relations: Vec<Value> = Vec::new();
    for (group_id, members) in &tenant.members {
        for account_id in members {
            relations.push(json!({"type": "member-of",
                "from": {"type": "user", "id": account_id},
                "to": {"type": "group", "id": group_id}}));
        }
    }
    access_model(tenant, &mut entities, &mut relations);
    let key =
        |v: &Value| serde_json::to_string(&[&v["type"], &v["id"], &v["from"], &v["to"]]).unwrap();
    entities.sort_by_key(key);
    relations.sort_by_key(key);
    json!({"entities": entities, "relations": relations})
}

fn edge(kind: &str, from: (&str, &str), to: (&str, &str)) -> Value {
    json!({"type": kind, "from": {"type": from.0, "id": from.1}, "to": {"type": to.0, "id": to.1}})
}

/// Projects, roles, product access, schemes and the catalogue, as the output
/// contract of the access-model issue defines them.
fn access_model(tenant: &Tenant, entities: &mut Vec<Value>, relations: &mut Vec<Value>) {
    let opt = |v: &Option<String>| v.as_ref().map_or(Value::Null, |s| json!(s));
    for r in &tenant.roles {
        entities.push(
            json!({"type": "role", "id": r.id.to_string(), "name": r.name, "attributes": {
            "description": r.description,
            "scope": if r.project.is_some() { "project" } else { "global" },
            "projectId": opt(&r.project)}}),
        );
    }
    for p in &tenant.projects {
        entities.push(
            json!({"type": "project", "id": p.id, "name": p.name, "attributes": {
            "key": p.key,
            "status": if p.archived { "archived" } else { "live" },
            "style": if p.team_managed() { "team-managed" } else { "company-managed" },
            "projectTypeKey": p.type_key,
            "isPrivate": p.is_private,
            "categoryId": p.category.as_ref().map_or(Value::Null, |c| json!(c.0)),
            "categoryName": p.category.as_ref().map_or(Value::Null, |c| json!(c.1))}}),
        );
        if let Some(lead) = &p.lead {
            relations.push(edge("leads", ("user", lead), ("project", &p.id)));
        }
        if let Some(scheme) = p.scheme_id {
            relations.push(edge(
                "uses-scheme",
                ("project", &p.id),
                ("permission-scheme", &scheme.to_string()),
            ));
        }
        for role in tenant.roles_of(p) {
            let id = format!("{}:{}", p.id, role.id);
            entities.push(
                json!({"type": "project-role", "id": id, "name": role.name, "attributes": {
                "projectId": p.id, "roleId": role.id.to_string()}}),
            );
            relations.push(edge("role-of", ("project-role", &id), ("project", &p.id)));
            relations.push(edge(
                "instance-of",
                ("project-role", &id),
                ("role", &role.id.to_string()),
            ));
            for actor in tenant
                .actors
                .get(&(p.id.clone(), role.id))
                .into_iter()
                .flatten()
            {
                let from = match actor {
                    Actor::User(a) => ("user", a.as_str()),
                    Actor::Group(g) => ("group", g.as_str()),
                };
                relations.push(edge("assigned", from, ("project-role", &id)));
            }
        }
    }
    for a in &tenant.app_roles {
        entities.push(
            json!({"type": "application-role", "id": a.key, "name": a.name, "attributes": {
            "numberOfSeats": a.seats, "remainingSeats": (a.seats - a.user_count).max(0),
            "userCount": a.user_count, "hasUnlimitedSeats": a.unlimited, "platform": a.platform}}),
        );
        let mut granting = a.groups.clone();
        granting.extend(
            a.default_groups
                .iter()
                .filter(|g| !a.groups.contains(g))
                .cloned(),
        );
        for g in granting {
            let mut r = edge("grants-access", ("group", &g), ("application-role", &a.key));
            r["attributes"] = json!({"default": a.default_groups.contains(&g)});
            relations.push(r);
        }
    }
    for d in &tenant.permissions {
        entities.push(
            json!({"type": "permission", "id": d.key, "name": d.name, "attributes": {
            "scope": d.scope, "description": d.description}}),
        );
    }
    // A scheme is extracted when the listing returns it or a project uses it.
    let used: Vec<u64> = tenant.projects.iter().filter_map(|p| p.scheme_id).collect();
    for s in tenant
        .schemes
        .iter()
        .filter(|s| s.listed || used.contains(&s.id))
    {
        let scheme_id = s.id.to_string();
        entities.push(
            json!({"type": "permission-scheme", "id": scheme_id, "name": s.name,
            "attributes": {"description": s.description,
            "scope": if s.project.is_some() { "project" } else { "global" },
            "projectId": opt(&s.project)}}),
        );
        for g in &s.grants {
            let id = g.id.to_string();
            let name = match &g.parameter {
                Some(p) => format!("{} to {} {p}", g.permission, g.holder_type),
                None => format!("{} to {}", g.permission, g.holder_type),
            };
            entities.push(
                json!({"type": "permission-grant", "id": id, "name": name, "attributes": {
                "permission": g.permission, "holderType": g.holder_type,
                "holderParameter": opt(&g.parameter), "holderValue": opt(&g.value),
                "schemeId": scheme_id}}),
            );
            relations.push(edge(
                "in-scheme",
                ("permission-grant", &id),
                ("permission-scheme", &scheme_id),
            ));
            relations.push(edge(
                "grants",
                ("permission-grant", &id),
                ("permission", &g.permission),
            ));
            let holder = g.value.clone().or(g.parameter.clone());
            let holder_kind = match g.holder_type.as_str() {
                "group" => Some("group"),
                "user" => Some("user"),
                "projectRole" => Some("role"),
                "applicationRole" => Some("application-role"),
                _ => None,
            };
            if let (Some(kind), Some(holder)) = (holder_kind, holder) {
                relations.push(edge("holds", (kind, &holder), ("permission-grant", &id)));
            }
        }
    }
}

/// Sorts a produced document the same way as [`expected_document`].
pub fn normalise(doc: Value) -> Value {
    let key =
        |v: &Value| serde_json::to_string(&[&v["type"], &v["id"], &v["from"], &v["to"]]).unwrap();
    let mut entities = doc["entities"].as_array().unwrap().clone();
    let mut relations = doc["relations"].as_array().unwrap().clone();
    entities.sort_by_key(key);
    relations.sort_by_key(key);
    json!({"entities": entities, "relations": relations})
}

/// Configures the plugin and extracts everything, panicking on any error.
pub async fn configure_and_extract(plugin: &mut Plugin, config: &str) -> Extracted {
    plugin.configure(config).await.expect("configure succeeds");
    plugin
        .extract_all(|_| {})
        .await
        .expect("extraction succeeds")
}

pub fn document_of(extracted: &Extracted) -> Value {
    normalise(document::build(extracted))
}

/// Asserts two documents are equal, showing the first difference.
pub fn assert_same(actual: &Value, expected: &Value) {
    for part in ["entities", "relations"] {
        let (a, e) = (
            actual[part].as_array().unwrap(),
            expected[part].as_array().unwrap(),
        );
        for (i, (x, y)) in a.iter().zip(e).enumerate() {
            assert_eq!(x, y, "{part}[{i}] differs");
        }
        assert_eq!(a.len(), e.len(), "number of {part}");
    }
}
