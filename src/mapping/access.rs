//! Product access: application roles and the groups that grant them.

use super::{flag, int};
use crate::domain::{
    Class, Classification, Entity, EntityRef, Privilege, Relation, kind, privilege, relation,
    source,
};
use crate::jira::models::ApplicationRole;

/// The groups `/applicationrole` says give a product, in its order: each
/// group of `groupDetails`, then each default group it left out, with
/// whether new users are put in it (`default`).
pub fn role_groups(a: &ApplicationRole) -> Vec<(String, bool)> {
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
    granting
        .into_iter()
        .map(|id| (id.to_owned(), defaults.contains(&id)))
        .collect()
}

/// Product access: the application role and its `product-of` edge to the
/// site (`site_id`, its cloud id). The `grants-access` edges are written
/// once the product's user tier is read too (`mapping::grants_access`).
pub fn application_role(a: &ApplicationRole, site_id: &str) -> (Entity, Vec<Relation>) {
    let me = EntityRef::new(kind::APPLICATION_ROLE, a.key.clone());
    let relations = vec![Relation {
        kind: relation::PRODUCT_OF,
        from: me,
        to: EntityRef::new(kind::SITE, site_id),
        attributes: Vec::new(),
        privilege: Some(Privilege::new(privilege::PRODUCT, source::APPLICATION_ROLE)),
    }];
    let name = a.name.clone().unwrap_or_default();
    let entity = Entity {
        kind: kind::APPLICATION_ROLE,
        id: a.key.clone(),
        balkanid: Some(Classification::new(
            Class::Connection,
            source::APPLICATION_ROLE,
            name.clone(),
        )),
        name,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Value;
    use crate::mapping::test_support::from;

    #[test]
    fn application_role_lists_default_groups_and_links_the_site() {
        let a: ApplicationRole = from(
            serde_json::json!({"key": "jira-software", "name": "Jira Software",
            "groupDetails": [{"groupId": "g-testers", "name": "jira-testers"}, {"groupId": "g-users", "name": "jira-software-users"}],
            "defaultGroupsDetails": [{"groupId": "g-users", "name": "jira-software-users"}],
            "numberOfSeats": 10, "remainingSeats": 5, "userCount": 5, "hasUnlimitedSeats": false, "platform": false}),
        );
        let (e, rels) = application_role(&a, "cloud-1");
        assert_eq!(
            role_groups(&a),
            vec![
                ("g-testers".to_owned(), false),
                ("g-users".to_owned(), true)
            ]
        );
        assert_eq!(
            e.balkanid,
            Some(Classification::new(
                Class::Connection,
                "application-role",
                "Jira Software"
            ))
        );
        assert_eq!(rels.len(), 1, "only product-of");
        let site = &rels[0];
        assert_eq!(
            (site.kind, &site.from, &site.to),
            (
                "product-of",
                &EntityRef::new("application-role", "jira-software"),
                &EntityRef::new("site", "cloud-1")
            )
        );
        assert_eq!(
            site.privilege,
            Some(Privilege::new("product", "application-role"))
        );
        assert_eq!(
            (e.id.as_str(), e.name.as_str()),
            ("jira-software", "Jira Software")
        );
        assert_eq!(e.attributes[0], ("numberOfSeats", Value::Int(10)));
    }
}
