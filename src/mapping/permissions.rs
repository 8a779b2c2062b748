//! The permission catalogue, permission schemes and their grants, and the
//! scheme each project uses.

use super::{edge, holder_identifier, scope, text};
use crate::domain::{
    Attributes, Entity, EntityRef, GlobalPermissions, Relation, Value, kind, relation,
};
use crate::jira::models::{Permission, PermissionGrant, PermissionScheme, Permissions};

/// Which of `wanted` (each a key and the name to show when Jira's answer
/// gives none) `/mypermissions` says the account holds. A permission the
/// answer leaves out, or does not say is held, is missing: only a plain
/// `havePermission: true` counts.
pub fn global_permissions(answer: &Permissions, wanted: &[(&str, &str)]) -> GlobalPermissions {
    let mut out = GlobalPermissions::default();
    for (key, fallback) in wanted {
        let entry = answer.permissions.get(*key);
        if entry.and_then(|p| p.have_permission) == Some(true) {
            out.held.push((*key).to_owned());
        } else {
            let name = entry.and_then(|p| p.name.clone());
            out.missing
                .push(name.unwrap_or_else(|| (*fallback).to_owned()));
        }
    }
    out
}

/// An entry of the permission catalogue.
pub fn permission(key: &str, p: &Permission) -> Entity {
    Entity {
        kind: kind::PERMISSION,
        id: p.key.clone().unwrap_or_else(|| key.to_owned()),
        name: p.name.clone().unwrap_or_default(),
        attributes: vec![
            ("scope", text(&p.kind)),
            ("description", text(&p.description)),
        ],
        balkanid: None,
    }
}

/// A permission scheme, each of its grants, and their edges.
pub fn permission_scheme(s: &PermissionScheme) -> (Vec<Entity>, Vec<Relation>) {
    let scheme = EntityRef::new(kind::PERMISSION_SCHEME, s.id.to_string());
    let mut entities = vec![Entity {
        kind: kind::PERMISSION_SCHEME,
        id: s.id.to_string(),
        name: s.name.clone().unwrap_or_default(),
        attributes: [("description", text(&s.description))]
            .into_iter()
            .chain(scope(s.scope.as_ref()))
            .collect(),
        balkanid: None,
    }];
    let mut relations = Vec::new();
    for grant in &s.permissions {
        let (entity, edges) = permission_grant(grant, &scheme);
        entities.push(entity);
        relations.extend(edges);
    }
    (entities, relations)
}

fn permission_grant(g: &PermissionGrant, scheme: &EntityRef) -> (Entity, Vec<Relation>) {
    let me = EntityRef::new(kind::PERMISSION_GRANT, g.id.to_string());
    let h = &g.holder;
    let identifier = holder_identifier(h.value.as_deref(), h.parameter.as_deref());
    let holder = match (h.kind.as_str(), identifier) {
        ("group", Some(id)) => Some(EntityRef::new(kind::GROUP, id)),
        ("user", Some(id)) => Some(EntityRef::new(kind::USER, id)),
        ("projectRole", Some(id)) => Some(EntityRef::new(kind::ROLE, id)),
        ("applicationRole", Some(key)) => Some(EntityRef::new(kind::APPLICATION_ROLE, key)),
        // anyone, projectLead, reporter, assignee, custom fields, and types
        // not known yet: their holderType says who they are.
        _ => None,
    };
    let mut relations = vec![
        edge(relation::IN_SCHEME, me.clone(), scheme.clone()),
        edge(
            relation::GRANTS,
            me.clone(),
            EntityRef::new(kind::PERMISSION, g.permission.clone()),
        ),
    ];
    if let Some(holder) = holder {
        relations.push(edge(relation::HOLDS, holder, me.clone()));
    }
    let attributes: Attributes = vec![
        ("permission", Value::Text(g.permission.clone())),
        ("holderType", Value::Text(h.kind.clone())),
        ("holderParameter", text(&h.parameter)),
        ("holderValue", text(&h.value)),
        ("schemeId", Value::Text(scheme.id.clone())),
    ];
    let name = match &h.parameter {
        Some(p) if !p.is_empty() => format!("{} to {} {p}", g.permission, h.kind),
        _ => format!("{} to {}", g.permission, h.kind),
    };
    (
        Entity {
            kind: kind::PERMISSION_GRANT,
            id: g.id.to_string(),
            name,
            attributes,
            balkanid: None,
        },
        relations,
    )
}

/// A company-managed project's permission scheme.
pub fn uses_scheme(project_id: &str, scheme_id: u64) -> Relation {
    edge(
        relation::USES_SCHEME,
        EntityRef::new(kind::PROJECT, project_id),
        EntityRef::new(kind::PERMISSION_SCHEME, scheme_id.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const WANTED: &[(&str, &str)] = &[
        ("ADMINISTER", "Administer Jira"),
        ("USER_PICKER", "Browse users and groups"),
    ];

    #[test]
    fn global_permissions_splits_held_and_missing() {
        let answer: Permissions = serde_json::from_value(serde_json::json!({"permissions": {
            "ADMINISTER": {"id": "0", "key": "ADMINISTER", "name": "Administer Jira", "type": "GLOBAL", "havePermission": true},
            "USER_PICKER": {"id": "27", "key": "USER_PICKER", "name": "Browse users and groups", "type": "GLOBAL", "havePermission": false}}}))
        .unwrap();
        let got = global_permissions(&answer, WANTED);
        assert_eq!(got.held, ["ADMINISTER"]);
        assert_eq!(got.missing, ["Browse users and groups"]);
    }

    #[test]
    fn global_permissions_counts_a_left_out_permission_as_missing() {
        let answer: Permissions = serde_json::from_value(serde_json::json!({"permissions": {
            "ADMINISTER": {"key": "ADMINISTER"}}}))
        .unwrap();
        let got = global_permissions(&answer, WANTED);
        assert!(got.held.is_empty());
        assert_eq!(got.missing, ["Administer Jira", "Browse users and groups"]);
    }
    use crate::mapping::test_support::{from, rel};

    #[test]
    fn permission_scheme_maps_every_holder_type() {
        let s: PermissionScheme = from(
            serde_json::json!({"id": 0, "name": "Default Permission Scheme",
            "permissions": [
                {"id": 1, "permission": "ADMINISTER_PROJECTS", "holder": {"type": "group", "parameter": "jira-admins", "value": "g-1", "expand": "group"}},
                {"id": 2, "permission": "BROWSE_PROJECTS", "holder": {"type": "user", "parameter": "u-1", "value": "u-1"}},
                {"id": 3, "permission": "EDIT_ISSUES", "holder": {"type": "projectRole", "parameter": "10002", "value": "10002"}},
                {"id": 4, "permission": "BROWSE_PROJECTS", "holder": {"type": "applicationRole", "parameter": "jira-software", "value": "jira-software"}},
                {"id": 5, "permission": "BROWSE_PROJECTS", "holder": {"type": "applicationRole"}},
                {"id": 6, "permission": "CREATE_ISSUES", "holder": {"type": "anyone"}},
                {"id": 7, "permission": "EDIT_ISSUES", "holder": {"type": "reporter"}},
                {"id": 8, "permission": "ASSIGNABLE_USER", "holder": {"type": "groupCustomField", "parameter": "customfield_10010", "value": "customfield_10010"}},
                {"id": 9, "permission": "BROWSE_PROJECTS", "holder": {"type": "someFutureType", "parameter": "x"}}]}),
        );
        let (entities, relations) = permission_scheme(&s);
        assert_eq!(entities[0].id, "0", "scheme id 0 is a real id");
        assert_eq!(entities.len(), 10);
        let holds: Vec<_> = relations
            .iter()
            .filter(|r| r.kind == "holds")
            .map(rel)
            .collect();
        assert_eq!(
            holds,
            vec![
                (
                    "holds".into(),
                    "group:g-1".into(),
                    "permission-grant:1".into()
                ),
                (
                    "holds".into(),
                    "user:u-1".into(),
                    "permission-grant:2".into()
                ),
                (
                    "holds".into(),
                    "role:10002".into(),
                    "permission-grant:3".into()
                ),
                (
                    "holds".into(),
                    "application-role:jira-software".into(),
                    "permission-grant:4".into()
                ),
            ]
        );
        assert_eq!(
            relations.iter().filter(|r| r.kind == "in-scheme").count(),
            9
        );
        assert_eq!(relations.iter().filter(|r| r.kind == "grants").count(), 9);
        let future = entities.iter().find(|e| e.id == "9").unwrap();
        assert_eq!(
            future.attributes[1],
            ("holderType", Value::Text("someFutureType".into()))
        );
        assert_eq!(
            future.attributes[2],
            ("holderParameter", Value::Text("x".into()))
        );
        let group = entities.iter().find(|e| e.id == "1").unwrap();
        assert_eq!(
            group.attributes[2],
            ("holderParameter", Value::Text("jira-admins".into()))
        );
    }

    #[test]
    fn permission_and_uses_scheme() {
        let p: Permission = from(
            serde_json::json!({"key": "BULK_CHANGE", "name": "Bulk Change", "type": "GLOBAL", "description": "d"}),
        );
        let e = permission("BULK_CHANGE", &p);
        assert_eq!(
            (e.id.as_str(), e.attributes[0].clone()),
            ("BULK_CHANGE", ("scope", Value::Text("GLOBAL".into())))
        );
        assert_eq!(
            rel(&uses_scheme("10000", 0)),
            (
                "uses-scheme".into(),
                "project:10000".into(),
                "permission-scheme:0".into()
            )
        );
    }
}
