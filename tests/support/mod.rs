//! What the tests expect, computed from the fake tenant's own data rather
//! than from the component's mapping, so that a mapping bug cannot hide.

#![allow(dead_code)]

pub mod balkanid;
pub mod explain;
pub mod org;

use host_test::fake_jira::tenant::{Actor, Project};
use host_test::fake_jira::{Email, Tenant};
use host_test::output::json as document;
use host_test::{Extracted, Plugin};
use serde_json::{Value, json};

/// The document an extraction of `tenant` must produce now, with the
/// default dormancy window.
pub fn expected_document(tenant: &Tenant) -> Value {
    expected_document_at(tenant, org::now_unix(), org::DEFAULT_DORMANT_AFTER_DAYS)
}

/// The document an extraction of `tenant` must produce at `now_unix` with
/// `dormantAfterDays` set to `dormant_after_days`: a user's attributes gain
/// what the organization says of it ([`org::expected_user_attributes`]).
pub fn expected_document_at(tenant: &Tenant, now_unix: i64, dormant_after_days: i64) -> Value {
    let mut entities: Vec<Value> = Vec::new();
    for u in &tenant.users {
        let email = match &u.email {
            Email::Visible(e) => json!(e),
            Email::Null | Email::Absent => Value::Null,
        };
        let mut attributes =
            json!({"email": email, "active": u.active, "accountType": u.account_type});
        for (key, value) in
            org::expected_user_attributes(tenant, &u.account_id, now_unix, dormant_after_days)
        {
            attributes[key] = value;
        }
        entities.push(
            json!({"type": "user", "id": u.account_id, "name": u.display_name,
            "attributes": attributes,
            "balkanid": classified("identity", identity_source(&u.account_type), &u.display_name)}),
        );
    }
    for g in &tenant.groups {
        entities.push(
            json!({"type": "group", "id": g.group_id, "name": g.name, "attributes": {},
            "balkanid": classified("connection", "group", &g.name)}),
        );
    }
    let host = format!("{}.atlassian.net", tenant.site);
    entities.push(json!({"type": "site", "id": tenant.cloud_id, "name": host,
        "attributes": {"url": format!("https://{host}")},
        "balkanid": classified("resource", "site", &host)}));
    let mut relations: Vec<Value> = Vec::new();
    for (group_id, members) in &tenant.members {
        for account_id in members {
            relations.push(privileged(
                edge("member-of", ("user", account_id), ("group", group_id)),
                "member",
                "group",
            ));
        }
    }
    access_model(tenant, &mut entities, &mut relations);
    entities.sort_by_key(sort_key);
    relations.sort_by_key(sort_key);
    json!({"entities": entities, "relations": relations})
}

/// Orders records by what identifies them; two grants to one holder on one
/// project differ by their privilege and grant id.
fn sort_key(v: &Value) -> String {
    serde_json::to_string(&[
        &v["type"],
        &v["id"],
        &v["from"],
        &v["to"],
        &v["privilege"]["name"],
        &v["attributes"]["grantId"],
    ])
    .unwrap()
}

fn edge(kind: &str, from: (&str, &str), to: (&str, &str)) -> Value {
    json!({"type": kind, "from": {"type": from.0, "id": from.1}, "to": {"type": to.0, "id": to.1}})
}

/// BalkanID's Entity Type, Source Type and Name of an entity.
fn classified(entity_type: &str, source_type: &str, name: &str) -> Value {
    json!({"entityType": entity_type, "sourceType": source_type, "name": name})
}

/// A relation that names a privilege in BalkanID's terms.
fn privileged(mut relation: Value, name: &str, connection_type: &str) -> Value {
    relation["privilege"] = json!({"name": name, "connectionType": connection_type});
    relation
}

/// BalkanID's Source Type of an account, from the table.
pub fn identity_source(account_type: &str) -> &'static str {
    match account_type {
        "app" => "service account",
        "customer" => "customer",
        _ => "user",
    }
}

/// What one project's scheme grants come to, by the rules: the
/// `permitted-on` relations and the project's `conditionalGrants`.
pub fn project_grants(tenant: &Tenant, p: &Project) -> (Vec<Value>, Vec<Value>) {
    let (mut relations, mut conditional) = (Vec::new(), Vec::new());
    let Some(scheme) = p
        .scheme_id
        .and_then(|id| tenant.schemes.iter().find(|s| s.id == id))
    else {
        return (relations, conditional);
    };
    let role_ids: Vec<String> = tenant
        .roles_of(p)
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    for g in &scheme.grants {
        let named = g
            .value
            .clone()
            .or(g.parameter.clone())
            .filter(|v| !v.is_empty());
        let mut holders: Vec<(String, String, &str, Option<&str>)> = Vec::new();
        match (g.holder_type.as_str(), named) {
            ("group", _) => {
                let id = g.value.clone().filter(|v| !v.is_empty()).or_else(|| {
                    let name = g.parameter.as_deref()?;
                    let group = tenant.groups.iter().find(|x| x.name == name)?;
                    Some(group.group_id.clone())
                });
                if let Some(id) = id {
                    holders.push(("group".into(), id, "group", None));
                }
            }
            ("user", Some(account)) => {
                let kind = tenant
                    .users
                    .iter()
                    .find(|u| u.account_id == account)
                    .map_or("user", |u| identity_source(&u.account_type));
                holders.push(("user".into(), account, kind, None));
            }
            ("projectRole", Some(role)) if role_ids.contains(&role) => {
                holders.push((
                    "project-role".into(),
                    format!("{}:{role}", p.id),
                    "project-role",
                    None,
                ));
            }
            ("applicationRole", Some(key)) if tenant.app_roles.iter().any(|a| a.key == key) => {
                holders.push(("application-role".into(), key, "application-role", None));
            }
            // A product the site does not have reaches no one.
            ("applicationRole", Some(_)) => {}
            ("applicationRole", None) => {
                for a in &tenant.app_roles {
                    holders.push((
                        "application-role".into(),
                        a.key.clone(),
                        "application-role",
                        Some("anyApplicationRole"),
                    ));
                }
            }
            ("projectLead", _) => {
                if let Some(lead) = &p.lead {
                    holders.push(("user".into(), lead.clone(), "user", Some("projectLead")));
                }
            }
            _ => {}
        }
        if holders.is_empty() {
            conditional.push(
                json!({"permission": g.permission, "holderType": g.holder_type,
                "holderParameter": g.parameter.clone().or(g.value.clone())}),
            );
        }
        for (kind, id, connection_type, via) in holders {
            let mut r = privileged(
                edge("permitted-on", (&kind, &id), ("project", &p.id)),
                &g.permission,
                connection_type,
            );
            r["attributes"] = json!({"schemeId": scheme.id, "grantId": g.id});
            if let Some(via) = via {
                r["attributes"]["via"] = json!(via);
            }
            relations.push(r);
        }
    }
    (relations, conditional)
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
        let (grants, conditional) = project_grants(tenant, p);
        relations.extend(grants);
        entities.push(
            json!({"type": "project", "id": p.id, "name": p.name, "attributes": {
            "key": p.key,
            "status": if p.archived { "archived" } else { "live" },
            "style": if p.team_managed() { "team-managed" } else { "company-managed" },
            "projectTypeKey": p.type_key,
            "isPrivate": p.is_private,
            "categoryId": p.category.as_ref().map_or(Value::Null, |c| json!(c.0)),
            "categoryName": p.category.as_ref().map_or(Value::Null, |c| json!(c.1)),
            "conditionalGrants": conditional},
            "balkanid": classified("resource", "project", &p.name)}),
        );
        if let Some(lead) = &p.lead {
            relations.push(privileged(
                edge("leads", ("user", lead), ("project", &p.id)),
                "project lead",
                "project",
            ));
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
                "projectId": p.id, "roleId": role.id.to_string()},
                "balkanid": classified("connection", "project-role", &format!("{} {}", p.key, role.name))}),
            );
            relations.push(privileged(
                edge("role-of", ("project-role", &id), ("project", &p.id)),
                &role.name,
                "project-role",
            ));
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
                relations.push(privileged(
                    edge("assigned", from, ("project-role", &id)),
                    "actor",
                    "project-role",
                ));
            }
        }
    }
    for a in &tenant.app_roles {
        entities.push(
            json!({"type": "application-role", "id": a.key, "name": a.name, "attributes": {
            "numberOfSeats": a.seats, "remainingSeats": (a.seats - a.user_count).max(0),
            "userCount": a.user_count, "hasUnlimitedSeats": a.unlimited, "platform": a.platform},
            "balkanid": classified("connection", "application-role", &a.name)}),
        );
        relations.push(privileged(
            edge(
                "product-of",
                ("application-role", &a.key),
                ("site", &tenant.cloud_id),
            ),
            "product",
            "application-role",
        ));
        // grants-access from the two sources the issue names: the groups
        // /applicationrole lists (groupDetails, then the default groups it
        // left out) and the groups the accessType=user tier lists.
        let mut listed = a.groups.clone();
        listed.extend(
            a.default_groups
                .iter()
                .filter(|g| !a.groups.contains(g))
                .cloned(),
        );
        let tier: Vec<&String> = a
            .groups
            .iter()
            .chain(&a.default_groups)
            .chain(&a.tier_only_groups)
            .collect();
        let mut granting: Vec<(String, &str)> = listed
            .iter()
            .map(|g| {
                let source = if tier.contains(&g) {
                    "both"
                } else {
                    "applicationrole"
                };
                (g.clone(), source)
            })
            .collect();
        for g in tier {
            if !granting.iter().any(|(x, _)| x == g) {
                granting.push((g.clone(), "accessType"));
            }
        }
        for (g, source) in granting {
            let mut r = privileged(
                edge("grants-access", ("group", &g), ("application-role", &a.key)),
                "product access",
                "application-role",
            );
            r["attributes"] = json!({"default": a.default_groups.contains(&g), "source": source});
            relations.push(r);
        }
        for g in &a.admin_groups {
            relations.push(privileged(
                edge("grants-admin", ("group", g), ("application-role", &a.key)),
                "product admin",
                "application-role",
            ));
        }
    }
    for g in &tenant.site_admin_groups {
        relations.push(privileged(
            edge(
                "grants-site-admin",
                ("group", g),
                ("site", &tenant.cloud_id),
            ),
            "site-admin",
            "group",
        ));
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
    let mut entities = doc["entities"].as_array().unwrap().clone();
    let mut relations = doc["relations"].as_array().unwrap().clone();
    entities.sort_by_key(sort_key);
    relations.sort_by_key(sort_key);
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
