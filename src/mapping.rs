//! Pure mappers from Jira's wire types to the identity domain.

use crate::domain::{Attributes, Entity, EntityRef, Relation, Value, kind, relation};
use crate::jira::models::{
    ApplicationRole, GroupDetails, Permission, PermissionGrant, PermissionScheme, Project,
    ProjectRole, RoleActor, Scope, User,
};

/// Jira's account types; anything else (or nothing) is reported as `unknown`.
const ACCOUNT_TYPES: &[&str] = &["atlassian", "app", "customer", "unknown"];

pub fn user(u: &User) -> Entity {
    let account_type = u
        .account_type
        .as_deref()
        .filter(|t| ACCOUNT_TYPES.contains(t))
        .unwrap_or("unknown");
    Entity {
        kind: kind::USER,
        id: u.account_id.clone(),
        name: u.display_name.clone().unwrap_or_default(),
        attributes: vec![
            ("email", Value::from(u.email_address.clone())),
            // A user Jira does not call active is not one: absent means inactive.
            ("active", Value::Bool(u.active.unwrap_or(false))),
            ("accountType", Value::Text(account_type.to_owned())),
        ],
    }
}

pub fn group(g: &GroupDetails) -> Entity {
    Entity {
        kind: kind::GROUP,
        id: g.group_id.clone(),
        name: g.name.clone(),
        attributes: Vec::new(),
    }
}

pub fn membership(member: &User, group_id: &str) -> Relation {
    Relation {
        kind: relation::MEMBER_OF,
        from: EntityRef::new(kind::USER, member.account_id.clone()),
        to: EntityRef::new(kind::GROUP, group_id),
        attributes: Vec::new(),
    }
}

fn edge(kind: &'static str, from: EntityRef, to: EntityRef) -> Relation {
    Relation {
        kind,
        from,
        to,
        attributes: Vec::new(),
    }
}

fn text(v: &Option<String>) -> Value {
    Value::from(v.clone())
}

fn int(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::Int)
}

fn flag(v: Option<bool>) -> Value {
    v.map_or(Value::Null, Value::Bool)
}

/// Whether a project is company-managed (`classic`) or team-managed
/// (`next-gen`, also reported as `simplified`).
pub fn is_team_managed(p: &Project) -> bool {
    p.style.as_deref() == Some("next-gen") || p.simplified == Some(true)
}

/// Whether a project's roles are exactly the global ones from `/role`, so
/// that its role list need not be read. Atlassian's spec says so of Jira
/// Cloud ("the list of project roles is shared globally with all projects",
/// `GET /rest/api/3/role`), and team-managed projects are the exception (their
/// roles carry a `Scope`). Only a project that says it is company-managed is
/// taken at its word: one whose style Jira does not state has its role list
/// read like a team-managed one's.
pub fn has_global_roles(p: &Project) -> bool {
    match p.style.as_deref() {
        Some("classic") => p.simplified != Some(true),
        Some(_) => false,
        None => p.simplified == Some(false),
    }
}

/// A project, and the `leads` relation from its lead when Jira names one.
pub fn project(p: &Project) -> (Entity, Option<Relation>) {
    let status = if p.deleted == Some(true) {
        "deleted"
    } else if p.archived == Some(true) {
        "archived"
    } else {
        "live"
    };
    let management = if is_team_managed(p) {
        "team-managed"
    } else {
        "company-managed"
    };
    let category = p.project_category.as_ref();
    let entity = Entity {
        kind: kind::PROJECT,
        id: p.id.clone(),
        name: p.name.clone().unwrap_or_default(),
        attributes: vec![
            ("key", Value::Text(p.key.clone())),
            ("status", Value::Text(status.to_owned())),
            ("style", Value::Text(management.to_owned())),
            ("projectTypeKey", text(&p.project_type_key)),
            ("isPrivate", flag(p.is_private)),
            ("categoryId", category.map_or(Value::Null, |c| text(&c.id))),
            (
                "categoryName",
                category.map_or(Value::Null, |c| text(&c.name)),
            ),
        ],
    };
    let leads = p.lead.as_ref().map(|lead| {
        edge(
            relation::LEADS,
            EntityRef::new(kind::USER, lead.account_id.clone()),
            EntityRef::new(kind::PROJECT, p.id.clone()),
        )
    });
    (entity, leads)
}

/// A role definition: global, or owned by one team-managed project.
pub fn role(r: &ProjectRole) -> Entity {
    let [scope, project_id] = scope(r.scope.as_ref());
    Entity {
        kind: kind::ROLE,
        id: r.id.to_string(),
        name: r.name.clone().unwrap_or_default(),
        attributes: vec![("description", text(&r.description)), scope, project_id],
    }
}

/// The `scope` and `projectId` attributes of a role or a permission scheme:
/// `project` and the owner's id for an item that belongs to one team-managed
/// project (Jira's `Scope` of type `PROJECT`), else `global`.
fn scope(s: Option<&Scope>) -> [(&'static str, Value); 2] {
    let owner = s
        .filter(|s| s.kind.as_deref() == Some("PROJECT"))
        .and_then(|s| s.project.as_ref());
    [
        (
            "scope",
            Value::Text(if owner.is_some() { "project" } else { "global" }.to_owned()),
        ),
        (
            "projectId",
            owner.map_or(Value::Null, |p| Value::Text(p.id.clone())),
        ),
    ]
}

pub fn project_role_id(project_id: &str, role_id: u64) -> String {
    format!("{project_id}:{role_id}")
}

/// A role within one project, with its `role-of` and `instance-of` edges and
/// an `assigned` edge from every actor.
pub fn project_role(project_id: &str, r: &ProjectRole) -> Result<(Entity, Vec<Relation>), String> {
    let id = project_role_id(project_id, r.id);
    let me = EntityRef::new(kind::PROJECT_ROLE, id.clone());
    let mut relations = vec![
        edge(
            relation::ROLE_OF,
            me.clone(),
            EntityRef::new(kind::PROJECT, project_id),
        ),
        edge(
            relation::INSTANCE_OF,
            me.clone(),
            EntityRef::new(kind::ROLE, r.id.to_string()),
        ),
    ];
    for actor in &r.actors {
        relations.push(edge(relation::ASSIGNED, actor_ref(actor)?, me.clone()));
    }
    let entity = Entity {
        kind: kind::PROJECT_ROLE,
        id,
        name: r.name.clone().unwrap_or_default(),
        attributes: vec![
            ("projectId", Value::Text(project_id.to_owned())),
            ("roleId", Value::Text(r.id.to_string())),
        ],
    };
    Ok((entity, relations))
}

fn actor_ref(actor: &RoleActor) -> Result<EntityRef, String> {
    match actor.kind.as_str() {
        "atlassian-user-role-actor" => actor
            .actor_user
            .as_ref()
            .map(|u| EntityRef::new(kind::USER, u.account_id.clone()))
            .ok_or_else(|| "A user role actor has no actorUser.accountId".to_owned()),
        "atlassian-group-role-actor" => actor
            .actor_group
            .as_ref()
            .and_then(|g| g.group_id.clone())
            .map(|id| EntityRef::new(kind::GROUP, id))
            .ok_or_else(|| "A group role actor has no actorGroup.groupId".to_owned()),
        other => Err(format!("Unknown role actor type {other:?}")),
    }
}

/// Product access: the application role and a `grants-access` edge from each
/// group that grants it, marked `default` when new users get it by default.
pub fn application_role(a: &ApplicationRole) -> (Entity, Vec<Relation>) {
    let me = EntityRef::new(kind::APPLICATION_ROLE, a.key.clone());
    let defaults: Vec<&str> = a
        .default_groups_details
        .iter()
        .filter_map(|g| g.group_id.as_deref())
        .collect();
    let mut granting: Vec<&str> = a
        .group_details
        .iter()
        .filter_map(|g| g.group_id.as_deref())
        .collect();
    for d in &defaults {
        if !granting.contains(d) {
            granting.push(d);
        }
    }
    let relations = granting
        .into_iter()
        .map(|group_id| Relation {
            kind: relation::GRANTS_ACCESS,
            from: EntityRef::new(kind::GROUP, group_id),
            to: me.clone(),
            attributes: vec![("default", Value::Bool(defaults.contains(&group_id)))],
        })
        .collect();
    let entity = Entity {
        kind: kind::APPLICATION_ROLE,
        id: a.key.clone(),
        name: a.name.clone().unwrap_or_default(),
        attributes: vec![
            ("numberOfSeats", int(a.number_of_seats)),
            ("remainingSeats", int(a.remaining_seats)),
            ("userCount", int(a.user_count)),
            ("hasUnlimitedSeats", flag(a.has_unlimited_seats)),
            ("platform", flag(a.platform)),
        ],
    };
    (entity, relations)
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
    // Jira puts the group id in `value` and the group name in `parameter`;
    // for every other type the two are the same.
    let identifier = h
        .value
        .clone()
        .or_else(|| h.parameter.clone())
        .filter(|v| !v.is_empty());
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

    fn wire(json: &str) -> User {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn user_maps_every_field() {
        let u = wire(
            r#"{"accountId": "5b10a2844c20165700ede21g", "accountType": "atlassian",
            "active": true, "displayName": "Mia Krystof", "emailAddress": "mia@example.com",
            "self": "https://acme.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g"}"#,
        );
        assert_eq!(
            user(&u),
            Entity {
                kind: "user",
                id: "5b10a2844c20165700ede21g".into(),
                name: "Mia Krystof".into(),
                attributes: vec![
                    ("email", Value::Text("mia@example.com".into())),
                    ("active", Value::Bool(true)),
                    ("accountType", Value::Text("atlassian".into())),
                ],
            }
        );
    }

    #[test]
    fn user_with_hidden_email_keeps_null() {
        for json in [
            r#"{"accountId": "a1", "accountType": "app", "active": false, "displayName": "Bot", "emailAddress": null}"#,
            r#"{"accountId": "a1", "accountType": "app", "active": false, "displayName": "Bot"}"#,
        ] {
            let e = user(&wire(json));
            assert_eq!(e.attributes[0], ("email", Value::Null));
            assert_eq!(e.attributes[1], ("active", Value::Bool(false)));
            assert_eq!(e.attributes[2], ("accountType", Value::Text("app".into())));
        }
    }

    #[test]
    fn user_with_unexpected_account_type_is_unknown() {
        let e = user(&wire(r#"{"accountId": "a1", "accountType": "robot"}"#));
        assert_eq!(
            e.attributes[2],
            ("accountType", Value::Text("unknown".into()))
        );
        assert_eq!(e.name, "");
    }

    #[test]
    fn group_and_membership_use_group_id() {
        let g: GroupDetails =
            serde_json::from_str(r#"{"groupId": "g-1", "name": "a&b / c"}"#).unwrap();
        let e = group(&g);
        assert_eq!(
            (e.kind, e.id.as_str(), e.name.as_str()),
            ("group", "g-1", "a&b / c")
        );
        let r = membership(&wire(r#"{"accountId": "u1"}"#), "g-1");
        assert_eq!(r.kind, "member-of");
        assert_eq!(r.from, EntityRef::new("user", "u1"));
        assert_eq!(r.to, EntityRef::new("group", "g-1"));
    }

    fn from<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> T {
        serde_json::from_value(json).unwrap()
    }

    fn rel(r: &Relation) -> (String, String, String) {
        (
            r.kind.to_owned(),
            format!("{}:{}", r.from.kind, r.from.id),
            format!("{}:{}", r.to.kind, r.to.id),
        )
    }

    #[test]
    fn project_maps_status_style_category_and_lead() {
        let p: Project = from(
            serde_json::json!({"id": "10000", "key": "EX", "name": "Example",
            "style": "classic", "projectTypeKey": "software", "isPrivate": false, "archived": true,
            "projectCategory": {"id": "10000", "name": "FIRST"},
            "lead": {"accountId": "5b10a2844c20165700ede21g", "displayName": "Mia"}}),
        );
        let (e, lead) = project(&p);
        assert_eq!(
            (e.kind, e.id.as_str(), e.name.as_str()),
            ("project", "10000", "Example")
        );
        assert_eq!(
            e.attributes,
            vec![
                ("key", Value::Text("EX".into())),
                ("status", Value::Text("archived".into())),
                ("style", Value::Text("company-managed".into())),
                ("projectTypeKey", Value::Text("software".into())),
                ("isPrivate", Value::Bool(false)),
                ("categoryId", Value::Text("10000".into())),
                ("categoryName", Value::Text("FIRST".into())),
            ]
        );
        let lead = lead.unwrap();
        assert_eq!(
            rel(&lead),
            (
                "leads".into(),
                "user:5b10a2844c20165700ede21g".into(),
                "project:10000".into()
            )
        );

        let p: Project = from(serde_json::json!({"id": "10001", "key": "TM", "style": "next-gen"}));
        let (e, lead) = project(&p);
        assert!(lead.is_none());
        assert_eq!(e.attributes[1], ("status", Value::Text("live".into())));
        assert_eq!(
            e.attributes[2],
            ("style", Value::Text("team-managed".into()))
        );
        assert_eq!(e.attributes[4], ("isPrivate", Value::Null));
    }

    #[test]
    fn project_role_maps_user_and_group_actors() {
        let r: ProjectRole = from(serde_json::json!({"id": 10360, "name": "Developers",
            "actors": [
                {"type": "atlassian-group-role-actor", "displayName": "jira-developers",
                 "actorGroup": {"displayName": "jira-developers", "groupId": "952d12c3", "name": "jira-developers"}},
                {"type": "atlassian-user-role-actor", "actorUser": {"accountId": "5b10a2844c20165700ede21g"}}]}));
        let (e, relations) = project_role("10000", &r).unwrap();
        assert_eq!(e.id, "10000:10360");
        let got: Vec<_> = relations.iter().map(rel).collect();
        assert_eq!(
            got,
            vec![
                (
                    "role-of".into(),
                    "project-role:10000:10360".into(),
                    "project:10000".into()
                ),
                (
                    "instance-of".into(),
                    "project-role:10000:10360".into(),
                    "role:10360".into()
                ),
                (
                    "assigned".into(),
                    "group:952d12c3".into(),
                    "project-role:10000:10360".into()
                ),
                (
                    "assigned".into(),
                    "user:5b10a2844c20165700ede21g".into(),
                    "project-role:10000:10360".into()
                ),
            ]
        );
    }

    #[test]
    fn project_role_refuses_an_actor_it_cannot_identify() {
        let r: ProjectRole = from(serde_json::json!({"id": 1, "actors": [
            {"type": "atlassian-group-role-actor", "actorGroup": {"name": "legacy"}}]}));
        assert!(project_role("1", &r).unwrap_err().contains("groupId"));
        let r: ProjectRole = from(serde_json::json!({"id": 1, "actors": [{"type": "robot"}]}));
        assert!(project_role("1", &r).is_err());
    }

    #[test]
    fn role_scope_tells_global_from_team_managed() {
        let global: ProjectRole = from(serde_json::json!({"id": 10002, "name": "Administrators"}));
        assert_eq!(
            role(&global).attributes[1],
            ("scope", Value::Text("global".into()))
        );
        let own: ProjectRole = from(serde_json::json!({"id": 10105, "name": "Member",
            "scope": {"type": "PROJECT", "project": {"id": "10020"}}}));
        let e = role(&own);
        assert_eq!(e.attributes[1], ("scope", Value::Text("project".into())));
        assert_eq!(e.attributes[2], ("projectId", Value::Text("10020".into())));
    }

    #[test]
    fn application_role_marks_default_groups() {
        let a: ApplicationRole = from(
            serde_json::json!({"key": "jira-software", "name": "Jira Software",
            "groupDetails": [{"groupId": "g-testers", "name": "jira-testers"}, {"groupId": "g-users", "name": "jira-software-users"}],
            "defaultGroupsDetails": [{"groupId": "g-users", "name": "jira-software-users"}],
            "numberOfSeats": 10, "remainingSeats": 5, "userCount": 5, "hasUnlimitedSeats": false, "platform": false}),
        );
        let (e, rels) = application_role(&a);
        assert_eq!(
            (e.id.as_str(), e.name.as_str()),
            ("jira-software", "Jira Software")
        );
        assert_eq!(e.attributes[0], ("numberOfSeats", Value::Int(10)));
        let got: Vec<_> = rels
            .iter()
            .map(|r| (r.from.id.as_str(), r.attributes[0].1.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("g-testers", Value::Bool(false)),
                ("g-users", Value::Bool(true))
            ]
        );
    }

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
