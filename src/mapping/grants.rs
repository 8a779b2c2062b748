//! Who a permission grant reaches in one project, in BalkanID's terms.
//!
//! A grant sits in a scheme; BalkanID wants one relation from each holder to
//! each project whose scheme holds it, with the permission key as the
//! privilege. Holders that are entities (a user, a group, the project's own
//! role, a product) become relations; the project's lead is resolved to the
//! lead; a grant without a product key reaches every product. What names no
//! entity (anyone, reporter, assignee, custom fields, a role the project
//! lacks, any type Jira adds later) is never dropped: it is listed in the
//! project's `conditionalGrants`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::users::identity_source;
use super::{holder_identifier, project_role_id};
use crate::domain::{EntityRef, Privilege, Relation, Value, kind, relation, source};
use crate::jira::models::{PermissionGrant, PermissionScheme};

/// A grant, as much of it as deciding who it reaches needs. Kept between
/// phases (and in the resume cursor), so it is small and serialisable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantFact {
    pub id: u64,
    pub permission: String,
    pub holder_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl From<&PermissionGrant> for GrantFact {
    fn from(g: &PermissionGrant) -> Self {
        Self {
            id: g.id,
            permission: g.permission.clone(),
            holder_type: g.holder.kind.clone(),
            parameter: g.holder.parameter.clone(),
            value: g.holder.value.clone(),
        }
    }
}

/// A scheme's grants, as facts.
pub fn grant_facts(s: &PermissionScheme) -> Vec<GrantFact> {
    s.permissions.iter().map(GrantFact::from).collect()
}

/// What the tenant holds that a grant is resolved against.
#[derive(Debug, Clone, Copy)]
pub struct Directory<'a> {
    /// Every application role's key.
    pub products: &'a BTreeSet<String>,
    /// Group ids by name, for a grant that names its group only by name.
    pub groups_by_name: &'a BTreeMap<String, String>,
    /// The account type of every account that is not a plain user (apps,
    /// customers), by account id.
    pub account_types: &'a BTreeMap<String, String>,
}

/// One project, as its grants see it.
#[derive(Debug, Clone, Copy)]
pub struct ProjectScope<'a> {
    pub id: &'a str,
    /// The lead's account id, when the project has one.
    pub lead: Option<&'a str>,
    /// The ids of the roles the project has.
    pub roles: &'a BTreeSet<u64>,
}

/// What a scheme's grants come to in one project.
#[derive(Debug, Default, PartialEq)]
pub struct ProjectGrants {
    /// One `permitted-on` relation per grant and holder.
    pub relations: Vec<Relation>,
    /// The grants that reach no entity: `{permission, holderType,
    /// holderParameter}` each, in the scheme's order.
    pub conditional: Vec<serde_json::Value>,
}

impl ProjectGrants {
    /// The `conditionalGrants` attribute of the project.
    pub fn conditional_attribute(&self) -> (&'static str, Value) {
        (
            "conditionalGrants",
            Value::Json(serde_json::Value::Array(self.conditional.clone()).to_string()),
        )
    }
}

/// Resolves every grant of the scheme `scheme_id` in `project`.
pub fn project_grants(
    project: ProjectScope<'_>,
    scheme_id: u64,
    grants: &[GrantFact],
    directory: Directory<'_>,
) -> ProjectGrants {
    let mut out = ProjectGrants::default();
    for grant in grants {
        let holders = holders(grant, project, directory);
        if holders.is_empty() {
            out.conditional.push(json!({
                "permission": grant.permission,
                "holderType": grant.holder_type,
                "holderParameter": grant.parameter.as_deref().or(grant.value.as_deref()),
            }));
        }
        for (holder, connection_type, via) in holders {
            let mut attributes = vec![
                ("schemeId", Value::Int(scheme_id as i64)),
                ("grantId", Value::Int(grant.id as i64)),
            ];
            if let Some(via) = via {
                attributes.push(("via", Value::Text(via.to_owned())));
            }
            out.relations.push(Relation {
                kind: relation::PERMITTED_ON,
                from: holder,
                to: EntityRef::new(kind::PROJECT, project.id),
                attributes,
                privilege: Some(Privilege::new(grant.permission.clone(), connection_type)),
            });
        }
    }
    out
}

type Holder = (EntityRef, &'static str, Option<&'static str>);

/// The entities a grant reaches in a project: none when it names none.
fn holders(grant: &GrantFact, project: ProjectScope<'_>, directory: Directory<'_>) -> Vec<Holder> {
    let identifier = holder_identifier(grant.value.as_deref(), grant.parameter.as_deref());
    match (grant.holder_type.as_str(), identifier) {
        ("group", _) => {
            let by_id = grant.value.as_deref().filter(|v| !v.is_empty());
            let by_name = grant
                .parameter
                .as_deref()
                .and_then(|name| directory.groups_by_name.get(name))
                .map(String::as_str);
            by_id
                .or(by_name)
                .map(|id| (EntityRef::new(kind::GROUP, id), source::GROUP, None))
                .into_iter()
                .collect()
        }
        ("user", Some(account_id)) => {
            let account_type = directory.account_types.get(account_id).map(String::as_str);
            vec![(
                EntityRef::new(kind::USER, account_id),
                identity_source(account_type),
                None,
            )]
        }
        ("projectRole", Some(role)) => role
            .parse::<u64>()
            .ok()
            .filter(|id| project.roles.contains(id))
            .map(|id| {
                (
                    EntityRef::new(kind::PROJECT_ROLE, project_role_id(project.id, id)),
                    source::PROJECT_ROLE,
                    None,
                )
            })
            .into_iter()
            .collect(),
        ("applicationRole", Some(key)) => directory
            .products
            .get(key)
            .map(|key| {
                (
                    EntityRef::new(kind::APPLICATION_ROLE, key.clone()),
                    source::APPLICATION_ROLE,
                    None,
                )
            })
            .into_iter()
            .collect(),
        // No key: any product, so every application role.
        ("applicationRole", None) => directory
            .products
            .iter()
            .map(|key| {
                (
                    EntityRef::new(kind::APPLICATION_ROLE, key.clone()),
                    source::APPLICATION_ROLE,
                    Some("anyApplicationRole"),
                )
            })
            .collect(),
        ("projectLead", _) => project
            .lead
            .map(|lead| {
                (
                    EntityRef::new(kind::USER, lead),
                    source::USER,
                    Some("projectLead"),
                )
            })
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::test_support::{from, rel};

    fn scheme() -> PermissionScheme {
        from(serde_json::json!({"id": 7, "name": "S", "permissions": [
            {"id": 1, "permission": "ADMINISTER_PROJECTS", "holder": {"type": "group", "parameter": "admins", "value": "g-1"}},
            {"id": 2, "permission": "BROWSE_PROJECTS", "holder": {"type": "group", "parameter": "legacy"}},
            {"id": 3, "permission": "BROWSE_PROJECTS", "holder": {"type": "user", "parameter": "bot-1", "value": "bot-1"}},
            {"id": 4, "permission": "EDIT_ISSUES", "holder": {"type": "projectRole", "parameter": "10002", "value": "10002"}},
            {"id": 5, "permission": "EDIT_ISSUES", "holder": {"type": "projectRole", "parameter": "10099", "value": "10099"}},
            {"id": 6, "permission": "BROWSE_PROJECTS", "holder": {"type": "applicationRole", "parameter": "jira-software", "value": "jira-software"}},
            {"id": 8, "permission": "CREATE_ISSUES", "holder": {"type": "applicationRole"}},
            {"id": 9, "permission": "ADMINISTER_PROJECTS", "holder": {"type": "projectLead"}},
            {"id": 10, "permission": "CREATE_ISSUES", "holder": {"type": "anyone"}},
            {"id": 11, "permission": "EDIT_ISSUES", "holder": {"type": "reporter"}},
            {"id": 12, "permission": "ASSIGNABLE_USER", "holder": {"type": "groupCustomField", "parameter": "customfield_10010", "value": "customfield_10010"}},
            {"id": 13, "permission": "BROWSE_PROJECTS", "holder": {"type": "sd.customer.portal.only"}},
            {"id": 14, "permission": "BROWSE_PROJECTS", "holder": {"type": "someFutureType", "parameter": "x"}}]}))
    }

    fn resolve(lead: Option<&str>) -> ProjectGrants {
        let products: BTreeSet<String> = ["jira-software", "jira-servicedesk"]
            .map(String::from)
            .into();
        let groups_by_name = BTreeMap::from([("legacy".to_owned(), "g-legacy".to_owned())]);
        let account_types = BTreeMap::from([("bot-1".to_owned(), "app".to_owned())]);
        let roles = BTreeSet::from([10002]);
        project_grants(
            ProjectScope {
                id: "10000",
                lead,
                roles: &roles,
            },
            7,
            &grant_facts(&scheme()),
            Directory {
                products: &products,
                groups_by_name: &groups_by_name,
                account_types: &account_types,
            },
        )
    }

    #[test]
    fn project_grants_resolve_every_holder_they_can() {
        let got = resolve(Some("lead-1"));
        let edges: Vec<_> = got
            .relations
            .iter()
            .map(|r| {
                let p = r.privilege.clone().unwrap();
                (rel(r).1, p.name, p.connection_type)
            })
            .collect();
        let want = [
            ("group:g-1", "ADMINISTER_PROJECTS", "group"),
            ("group:g-legacy", "BROWSE_PROJECTS", "group"),
            ("user:bot-1", "BROWSE_PROJECTS", "service account"),
            ("project-role:10000:10002", "EDIT_ISSUES", "project-role"),
            (
                "application-role:jira-software",
                "BROWSE_PROJECTS",
                "application-role",
            ),
            (
                "application-role:jira-servicedesk",
                "CREATE_ISSUES",
                "application-role",
            ),
            (
                "application-role:jira-software",
                "CREATE_ISSUES",
                "application-role",
            ),
            ("user:lead-1", "ADMINISTER_PROJECTS", "user"),
        ]
        .map(|(h, p, c)| (h.to_owned(), p.to_owned(), c));
        assert_eq!(edges, want);
        assert!(
            got.relations
                .iter()
                .all(|r| r.to == EntityRef::new("project", "10000") && r.kind == "permitted-on")
        );
        let lead = got.relations.last().unwrap();
        assert_eq!(
            lead.attributes,
            vec![
                ("schemeId", Value::Int(7)),
                ("grantId", Value::Int(9)),
                ("via", Value::Text("projectLead".into()))
            ]
        );
    }

    #[test]
    fn project_grants_list_what_names_no_entity() {
        let got = resolve(None);
        let types: Vec<_> = got
            .conditional
            .iter()
            .map(|c| c["holderType"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            types,
            [
                "projectRole",
                "projectLead",
                "anyone",
                "reporter",
                "groupCustomField",
                "sd.customer.portal.only",
                "someFutureType"
            ]
        );
        assert_eq!(
            got.conditional[0],
            json!({"permission": "EDIT_ISSUES", "holderType": "projectRole", "holderParameter": "10099"})
        );
        assert_eq!(
            got.conditional[2],
            json!({"permission": "CREATE_ISSUES", "holderType": "anyone", "holderParameter": null})
        );
        let (name, Value::Json(list)) = got.conditional_attribute() else {
            panic!("conditionalGrants is JSON");
        };
        assert_eq!(name, "conditionalGrants");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&list).unwrap()[4]["holderParameter"],
            "customfield_10010"
        );
    }

    #[test]
    fn project_grants_keep_a_group_known_by_no_id() {
        let s: PermissionScheme = from(serde_json::json!({"id": 1, "permissions": [
            {"id": 1, "permission": "BROWSE_PROJECTS", "holder": {"type": "group", "parameter": "gone"}}]}));
        let no_roles = BTreeSet::new();
        let no_products = BTreeSet::new();
        let none = BTreeMap::new();
        let got = project_grants(
            ProjectScope {
                id: "1",
                lead: None,
                roles: &no_roles,
            },
            1,
            &grant_facts(&s),
            Directory {
                products: &no_products,
                groups_by_name: &none,
                account_types: &none,
            },
        );
        assert!(got.relations.is_empty());
        assert_eq!(got.conditional.len(), 1);
    }
}
