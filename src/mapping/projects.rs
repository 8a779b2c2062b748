//! Projects, their leads, roles, and each project's role actors.

use super::{edge, flag, privileged, scope, text};
use crate::domain::{
    Class, Classification, Entitlement, Entity, EntityRef, Labelled, Privilege, Relation, Value,
    kind, privilege, relation, source,
};
use crate::jira::models::{Project, ProjectRole, RoleActor};

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

/// A project, live or archived.
pub struct MappedProject {
    pub entity: Entity,
    /// The `leads` relation from its lead, when Jira names one.
    pub leads: Option<Relation>,
    /// The lead's `project lead` entitlement row.
    pub lead_entitlement: Option<Entitlement>,
}

/// A project, and its lead's relation and entitlement when Jira names one.
pub fn project(p: &Project) -> MappedProject {
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
    let name = p.name.clone().unwrap_or_default();
    let entity = Entity {
        kind: kind::PROJECT,
        id: p.id.clone(),
        balkanid: Some(Classification::new(
            Class::Resource,
            source::PROJECT,
            name.clone(),
        )),
        name,
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
        privileged(
            relation::LEADS,
            EntityRef::new(kind::USER, lead.account_id.clone()),
            EntityRef::new(kind::PROJECT, p.id.clone()),
            Privilege::new(privilege::PROJECT_LEAD, source::PROJECT),
        )
    });
    let lead_entitlement = p.lead.as_ref().map(|lead| Entitlement {
        value: true,
        identity: lead.account_id.clone(),
        privilege_name: privilege::PROJECT_LEAD.to_owned(),
        connection: None,
        resource: Some(Labelled::new(p.key.clone(), source::PROJECT)),
    });
    MappedProject {
        entity,
        leads,
        lead_entitlement,
    }
}

/// A role definition: global, or owned by one team-managed project.
pub fn role(r: &ProjectRole) -> Entity {
    let [scope, project_id] = scope(r.scope.as_ref());
    Entity {
        kind: kind::ROLE,
        id: r.id.to_string(),
        name: r.name.clone().unwrap_or_default(),
        attributes: vec![("description", text(&r.description)), scope, project_id],
        balkanid: None,
    }
}

pub fn project_role_id(project_id: &str, role_id: u64) -> String {
    format!("{project_id}:{role_id}")
}

/// A role within one project, mapped.
#[derive(Debug)]
pub struct MappedProjectRole {
    pub entity: Entity,
    /// `role-of` (BalkanID's privilege: the role's name on the project),
    /// `instance-of`, and an `assigned` edge (BalkanID's `actor`) from every
    /// actor.
    pub relations: Vec<Relation>,
    /// A row for each user who holds the role directly.
    pub entitlements: Vec<Entitlement>,
}

/// A role within one project (`project_key` names it for BalkanID), with its
/// edges and its users' entitlement rows.
pub fn project_role(
    project_id: &str,
    project_key: &str,
    r: &ProjectRole,
) -> Result<MappedProjectRole, String> {
    let id = project_role_id(project_id, r.id);
    let me = EntityRef::new(kind::PROJECT_ROLE, id.clone());
    let role_name = r.name.clone().unwrap_or_default();
    let mut relations = vec![
        privileged(
            relation::ROLE_OF,
            me.clone(),
            EntityRef::new(kind::PROJECT, project_id),
            Privilege::new(role_name.clone(), source::PROJECT_ROLE),
        ),
        edge(
            relation::INSTANCE_OF,
            me.clone(),
            EntityRef::new(kind::ROLE, r.id.to_string()),
        ),
    ];
    let mut entitlements = Vec::new();
    for actor in &r.actors {
        let holder = actor_ref(actor)?;
        if holder.kind == kind::USER {
            entitlements.push(Entitlement {
                value: true,
                identity: holder.id.clone(),
                privilege_name: role_name.clone(),
                connection: None,
                resource: Some(Labelled::new(project_key, source::PROJECT)),
            });
        }
        relations.push(privileged(
            relation::ASSIGNED,
            holder,
            me.clone(),
            Privilege::new(privilege::ACTOR, source::PROJECT_ROLE),
        ));
    }
    let entity = Entity {
        kind: kind::PROJECT_ROLE,
        id,
        balkanid: Some(Classification::new(
            Class::Connection,
            source::PROJECT_ROLE,
            format!("{project_key} {role_name}"),
        )),
        name: role_name,
        attributes: vec![
            ("projectId", Value::Text(project_id.to_owned())),
            ("roleId", Value::Text(r.id.to_string())),
        ],
    };
    Ok(MappedProjectRole {
        entity,
        relations,
        entitlements,
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::test_support::{from, rel};

    #[test]
    fn project_maps_status_style_category_and_lead() {
        let p: Project = from(
            serde_json::json!({"id": "10000", "key": "EX", "name": "Example",
            "style": "classic", "projectTypeKey": "software", "isPrivate": false, "archived": true,
            "projectCategory": {"id": "10000", "name": "FIRST"},
            "lead": {"accountId": "5b10a2844c20165700ede21g", "displayName": "Mia"}}),
        );
        let MappedProject {
            entity: e,
            leads: lead,
            lead_entitlement,
        } = project(&p);
        assert_eq!(
            (e.kind, e.id.as_str(), e.name.as_str()),
            ("project", "10000", "Example")
        );
        assert_eq!(
            e.balkanid,
            Some(Classification::new(Class::Resource, "project", "Example"))
        );
        assert_eq!(
            lead_entitlement,
            Some(Entitlement {
                value: true,
                identity: "5b10a2844c20165700ede21g".into(),
                privilege_name: "project lead".into(),
                connection: None,
                resource: Some(Labelled::new("EX", "project")),
            })
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
            lead.privilege,
            Some(Privilege::new("project lead", "project"))
        );
        assert_eq!(
            rel(&lead),
            (
                "leads".into(),
                "user:5b10a2844c20165700ede21g".into(),
                "project:10000".into()
            )
        );

        let p: Project = from(serde_json::json!({"id": "10001", "key": "TM", "style": "next-gen"}));
        let mapped = project(&p);
        let e = mapped.entity;
        assert!(mapped.leads.is_none() && mapped.lead_entitlement.is_none());
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
        let MappedProjectRole {
            entity: e,
            relations,
            entitlements,
        } = project_role("10000", "EX", &r).unwrap();
        assert_eq!(e.id, "10000:10360");
        assert_eq!(
            e.balkanid,
            Some(Classification::new(
                Class::Connection,
                "project-role",
                "EX Developers"
            ))
        );
        let privileges: Vec<_> = relations.iter().map(|r| r.privilege.clone()).collect();
        assert_eq!(
            privileges,
            vec![
                Some(Privilege::new("Developers", "project-role")),
                None,
                Some(Privilege::new("actor", "project-role")),
                Some(Privilege::new("actor", "project-role")),
            ]
        );
        // Only the user holds the role directly; the group's members hold it
        // through the group.
        assert_eq!(
            entitlements,
            vec![Entitlement {
                value: true,
                identity: "5b10a2844c20165700ede21g".into(),
                privilege_name: "Developers".into(),
                connection: None,
                resource: Some(Labelled::new("EX", "project")),
            }]
        );
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
        assert!(project_role("1", "K", &r).unwrap_err().contains("groupId"));
        let r: ProjectRole = from(serde_json::json!({"id": 1, "actors": [{"type": "robot"}]}));
        assert!(project_role("1", "K", &r).is_err());
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
}
