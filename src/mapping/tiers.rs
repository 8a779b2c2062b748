//! Admin tiers: who administers the site and each product, and who is given
//! each product, as `group/bulk?accessType=…` lists them; and the entitlement
//! rows a group's members hold through those tiers and through
//! `ADMINISTER_PROJECTS` grants.

use std::collections::{BTreeMap, BTreeSet};

use super::privileged;
use crate::domain::{
    Entitlement, EntityRef, Labelled, Privilege, Relation, Value, kind, privilege, relation, source,
};

/// The permission key whose holders administer a project.
pub const ADMINISTER_PROJECTS: &str = "ADMINISTER_PROJECTS";

/// Where a `grants-access` relation was read: its `source` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessSource {
    /// Only `/applicationrole` lists the group.
    ApplicationRole,
    /// Only `group/bulk?accessType=user` lists it.
    AccessType,
    /// Both agree.
    Both,
}

impl AccessSource {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessSource::ApplicationRole => "applicationrole",
            AccessSource::AccessType => "accessType",
            AccessSource::Both => "both",
        }
    }
}

/// A site-admin group: `grants-site-admin` to the site (`site_id`, its
/// cloud id).
pub fn site_admin_grant(group_id: &str, site_id: &str) -> Relation {
    privileged(
        relation::GRANTS_SITE_ADMIN,
        EntityRef::new(kind::GROUP, group_id),
        EntityRef::new(kind::SITE, site_id),
        Privilege::new(privilege::SITE_ADMIN, source::GROUP),
    )
}

/// A product's admin group: `grants-admin` to the product's application role.
pub fn product_admin_grant(group_id: &str, application_key: &str) -> Relation {
    privileged(
        relation::GRANTS_ADMIN,
        EntityRef::new(kind::GROUP, group_id),
        EntityRef::new(kind::APPLICATION_ROLE, application_key),
        Privilege::new(privilege::PRODUCT_ADMIN, source::APPLICATION_ROLE),
    )
}

/// The `grants-access` relations of one product, from its two sources:
/// `listed` (`/applicationrole`'s groups, with whether each is a default
/// group, in its order) and `user_tier` (the `accessType=user` listing).
/// A group either lists is reported once, with the `source` that names it;
/// a group only the user tier lists is not a default group.
pub fn grants_access(
    application_key: &str,
    listed: &[(String, bool)],
    user_tier: &BTreeSet<String>,
) -> Vec<Relation> {
    let role = EntityRef::new(kind::APPLICATION_ROLE, application_key);
    let grant = |group_id: &str, default: bool, from: AccessSource| Relation {
        kind: relation::GRANTS_ACCESS,
        from: EntityRef::new(kind::GROUP, group_id),
        to: role.clone(),
        attributes: vec![
            ("default", Value::Bool(default)),
            ("source", Value::Text(from.as_str().to_owned())),
        ],
        privilege: Some(Privilege::new(
            privilege::PRODUCT_ACCESS,
            source::APPLICATION_ROLE,
        )),
    };
    let mut relations: Vec<Relation> = listed
        .iter()
        .map(|(group_id, default)| {
            let from = if user_tier.contains(group_id) {
                AccessSource::Both
            } else {
                AccessSource::ApplicationRole
            };
            grant(group_id, *default, from)
        })
        .collect();
    relations.extend(
        user_tier
            .iter()
            .filter(|id| !listed.iter().any(|(listed, _)| listed == *id))
            .map(|id| grant(id, false, AccessSource::AccessType)),
    );
    relations
}

/// The groups that hold `ADMINISTER_PROJECTS` on one project, from its
/// resolved grants (`permitted-on` relations): a group that holds it
/// directly, and each group actor of a project role that holds it.
/// `role_groups` gives each project role's group actors, by the project
/// role's entity id.
pub fn project_admin_groups(
    grants: &[Relation],
    role_groups: &BTreeMap<String, Vec<String>>,
) -> BTreeSet<String> {
    let mut groups = BTreeSet::new();
    let administering = grants
        .iter()
        .filter(|r| r.privilege.as_ref().map(|p| p.name.as_str()) == Some(ADMINISTER_PROJECTS));
    for grant in administering {
        match grant.from.kind {
            kind::GROUP => {
                groups.insert(grant.from.id.clone());
            }
            kind::PROJECT_ROLE => {
                let actors = role_groups.get(&grant.from.id).into_iter().flatten();
                groups.extend(actors.cloned());
            }
            _ => {}
        }
    }
    groups
}

/// What membership of one group gives in the admin tiers, besides the
/// membership itself and product access.
#[derive(Debug, Clone, Copy, Default)]
pub struct GroupTiers<'a> {
    /// The site's host, when the group is a site-admin group.
    pub site_admin_of: Option<&'a str>,
    /// The products the group administers.
    pub admin_of: &'a [String],
    /// The keys of the projects on which the group holds `ADMINISTER_PROJECTS`.
    pub administers: &'a [String],
}

/// A member's entitlement rows through a group's tiers: `site-admin` on the
/// site, `product admin` on each product, `ADMINISTER_PROJECTS` on each
/// project; each held through the group (`group_name`).
pub fn tier_entitlements(
    account_id: &str,
    group_name: &str,
    tiers: GroupTiers<'_>,
) -> Vec<Entitlement> {
    let row = |privilege: &str, resource: Labelled| Entitlement {
        value: true,
        identity: account_id.to_owned(),
        privilege_name: privilege.to_owned(),
        connection: Some(Labelled::new(group_name, source::GROUP)),
        resource: Some(resource),
    };
    let site = tiers
        .site_admin_of
        .map(|host| row(privilege::SITE_ADMIN, Labelled::new(host, source::SITE)));
    let products = tiers.admin_of.iter().map(|key| {
        row(
            privilege::PRODUCT_ADMIN,
            Labelled::new(key.clone(), source::APPLICATION_ROLE),
        )
    });
    let projects = tiers.administers.iter().map(|key| {
        row(
            ADMINISTER_PROJECTS,
            Labelled::new(key.clone(), source::PROJECT),
        )
    });
    site.into_iter().chain(products).chain(projects).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::test_support::rel;

    fn ids(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn site_admin_grant_points_a_group_at_the_site() {
        let r = site_admin_grant("g-1", "cloud-1");
        assert_eq!(
            rel(&r),
            (
                "grants-site-admin".into(),
                "group:g-1".into(),
                "site:cloud-1".into()
            )
        );
        assert_eq!(r.privilege, Some(Privilege::new("site-admin", "group")));
    }

    #[test]
    fn product_admin_grant_points_a_group_at_the_product() {
        let r = product_admin_grant("g-1", "jira-software");
        assert_eq!(
            rel(&r),
            (
                "grants-admin".into(),
                "group:g-1".into(),
                "application-role:jira-software".into()
            )
        );
        assert_eq!(
            r.privilege,
            Some(Privilege::new("product admin", "application-role"))
        );
    }

    #[test]
    fn grants_access_names_the_source_of_each_group() {
        let listed = vec![("g-both".to_owned(), true), ("g-role".to_owned(), false)];
        let rels = grants_access("jira-software", &listed, &ids(&["g-both", "g-tier"]));
        let got: Vec<(&str, &[(&str, Value)])> = rels
            .iter()
            .map(|r| (r.from.id.as_str(), r.attributes.as_slice()))
            .collect();
        let text = |s: &str| Value::Text(s.to_owned());
        assert_eq!(
            got,
            vec![
                (
                    "g-both",
                    &[("default", Value::Bool(true)), ("source", text("both"))][..]
                ),
                (
                    "g-role",
                    &[
                        ("default", Value::Bool(false)),
                        ("source", text("applicationrole"))
                    ][..]
                ),
                (
                    "g-tier",
                    &[
                        ("default", Value::Bool(false)),
                        ("source", text("accessType"))
                    ][..]
                ),
            ]
        );
        assert!(rels.iter().all(|r| r.kind == "grants-access"
            && r.to == EntityRef::new("application-role", "jira-software")
            && r.privilege == Some(Privilege::new("product access", "application-role"))));
    }

    #[test]
    fn grants_access_without_groups_is_empty() {
        assert!(grants_access("jira-core", &[], &BTreeSet::new()).is_empty());
    }

    #[test]
    fn project_admin_groups_follow_groups_and_role_actors() {
        let grant = |from: EntityRef, permission: &str| Relation {
            kind: relation::PERMITTED_ON,
            from,
            to: EntityRef::new(kind::PROJECT, "10000"),
            attributes: Vec::new(),
            privilege: Some(Privilege::new(permission, source::GROUP)),
        };
        let grants = [
            grant(
                EntityRef::new(kind::GROUP, "g-admins"),
                "ADMINISTER_PROJECTS",
            ),
            grant(EntityRef::new(kind::GROUP, "g-browse"), "BROWSE_PROJECTS"),
            grant(
                EntityRef::new(kind::PROJECT_ROLE, "10000:10002"),
                "ADMINISTER_PROJECTS",
            ),
            grant(
                EntityRef::new(kind::PROJECT_ROLE, "10000:10001"),
                "BROWSE_PROJECTS",
            ),
            grant(EntityRef::new(kind::USER, "u1"), "ADMINISTER_PROJECTS"),
            // A role with no group actors gives no group.
            grant(
                EntityRef::new(kind::PROJECT_ROLE, "10000:10003"),
                "ADMINISTER_PROJECTS",
            ),
        ];
        let roles = BTreeMap::from([
            ("10000:10002".to_owned(), vec!["g-role".to_owned()]),
            ("10000:10001".to_owned(), vec!["g-viewers".to_owned()]),
        ]);
        assert_eq!(
            project_admin_groups(&grants, &roles),
            ids(&["g-admins", "g-role"])
        );
    }

    #[test]
    fn tier_entitlements_name_group_and_resource() {
        let products = ["jira-software".to_owned()];
        let projects = ["EX".to_owned(), "ABC".to_owned()];
        let tiers = GroupTiers {
            site_admin_of: Some("acme.atlassian.net"),
            admin_of: &products,
            administers: &projects,
        };
        let rows = tier_entitlements("u1", "admins", tiers);
        let got: Vec<(&str, Option<&Labelled>)> = rows
            .iter()
            .map(|r| (r.privilege_name.as_str(), r.resource.as_ref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "site-admin",
                    Some(&Labelled::new("acme.atlassian.net", "site"))
                ),
                (
                    "product admin",
                    Some(&Labelled::new("jira-software", "application-role"))
                ),
                ("ADMINISTER_PROJECTS", Some(&Labelled::new("EX", "project"))),
                (
                    "ADMINISTER_PROJECTS",
                    Some(&Labelled::new("ABC", "project"))
                ),
            ]
        );
        assert!(
            rows.iter()
                .all(|r| r.identity == "u1"
                    && r.connection == Some(Labelled::new("admins", "group")))
        );
    }

    #[test]
    fn tier_entitlements_of_a_plain_group_are_none() {
        assert!(tier_entitlements("u1", "devs", GroupTiers::default()).is_empty());
    }
}
