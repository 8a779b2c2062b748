//! Product access: application roles and the groups that grant them.

use super::{flag, int};
use crate::domain::{
    Class, Classification, Entity, EntityRef, Privilege, Relation, Value, kind, privilege,
    relation, source,
};
use crate::jira::models::ApplicationRole;

/// Product access: the application role, a `grants-access` edge from each
/// group that grants it, marked `default` when new users get it by default,
/// and the `product-of` edge to the site (`site_id`, its cloud id).
pub fn application_role(a: &ApplicationRole, site_id: &str) -> (Entity, Vec<Relation>) {
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
    let mut relations: Vec<Relation> = granting
        .into_iter()
        .map(|group_id| Relation {
            kind: relation::GRANTS_ACCESS,
            from: EntityRef::new(kind::GROUP, group_id),
            to: me.clone(),
            attributes: vec![("default", Value::Bool(defaults.contains(&group_id)))],
            privilege: Some(Privilege::new(
                privilege::PRODUCT_ACCESS,
                source::APPLICATION_ROLE,
            )),
        })
        .collect();
    relations.push(Relation {
        kind: relation::PRODUCT_OF,
        from: me.clone(),
        to: EntityRef::new(kind::SITE, site_id),
        attributes: Vec::new(),
        privilege: Some(Privilege::new(privilege::PRODUCT, source::APPLICATION_ROLE)),
    });
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
    use crate::mapping::test_support::from;

    #[test]
    fn application_role_marks_default_groups() {
        let a: ApplicationRole = from(
            serde_json::json!({"key": "jira-software", "name": "Jira Software",
            "groupDetails": [{"groupId": "g-testers", "name": "jira-testers"}, {"groupId": "g-users", "name": "jira-software-users"}],
            "defaultGroupsDetails": [{"groupId": "g-users", "name": "jira-software-users"}],
            "numberOfSeats": 10, "remainingSeats": 5, "userCount": 5, "hasUnlimitedSeats": false, "platform": false}),
        );
        let (e, rels) = application_role(&a, "cloud-1");
        assert_eq!(
            e.balkanid,
            Some(Classification::new(
                Class::Connection,
                "application-role",
                "Jira Software"
            ))
        );
        let site = rels.last().unwrap();
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
        let rels = &rels[..rels.len() - 1];
        assert!(
            rels.iter()
                .all(|r| r.privilege == Some(Privilege::new("product access", "application-role")))
        );
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
}
