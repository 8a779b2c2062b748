//! Users, groups and group membership.

use crate::domain::{
    Class, Classification, Entitlement, Entity, EntityRef, Labelled, Privilege, Relation, Value,
    kind, privilege, relation, source,
};
use crate::jira::models::{GroupDetails, User};

/// Jira's account types; anything else (or nothing) is reported as `unknown`.
const ACCOUNT_TYPES: &[&str] = &["atlassian", "app", "customer", "unknown"];

/// BalkanID's Source Type for an account type: apps are service accounts,
/// customers (Jira Service Management) customers, everyone else a user.
pub fn identity_source(account_type: Option<&str>) -> &'static str {
    match account_type {
        Some("app") => source::SERVICE_ACCOUNT,
        Some("customer") => source::CUSTOMER,
        _ => source::USER,
    }
}

pub fn user(u: &User) -> Entity {
    let account_type = u
        .account_type
        .as_deref()
        .filter(|t| ACCOUNT_TYPES.contains(t))
        .unwrap_or("unknown");
    let name = u.display_name.clone().unwrap_or_default();
    Entity {
        kind: kind::USER,
        id: u.account_id.clone(),
        balkanid: Some(Classification::new(
            Class::Identity,
            identity_source(u.account_type.as_deref()),
            name.clone(),
        )),
        name,
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
        balkanid: Some(Classification::new(
            Class::Connection,
            source::GROUP,
            g.name.clone(),
        )),
    }
}

/// A user's membership of a group: the `member-of` relation (BalkanID's
/// `member` through a `group`), and the entitlement row it is.
pub fn membership(member: &User, group_id: &str, group_name: &str) -> (Relation, Entitlement) {
    let relation = Relation {
        kind: relation::MEMBER_OF,
        from: EntityRef::new(kind::USER, member.account_id.clone()),
        to: EntityRef::new(kind::GROUP, group_id),
        attributes: Vec::new(),
        privilege: Some(Privilege::new(privilege::MEMBER, source::GROUP)),
    };
    let entitlement = Entitlement {
        value: true,
        identity: member.account_id.clone(),
        privilege_name: privilege::MEMBER.to_owned(),
        connection: Some(Labelled::new(group_name, source::GROUP)),
        resource: None,
    };
    (relation, entitlement)
}

/// The products a member has through a group: one entitlement row per
/// product the group grants (`product access`, held through the group).
pub fn product_entitlements<'a>(
    member: &'a User,
    group_name: &'a str,
    products: &'a [String],
) -> impl Iterator<Item = Entitlement> + 'a {
    products.iter().map(move |key| Entitlement {
        value: true,
        identity: member.account_id.clone(),
        privilege_name: privilege::PRODUCT_ACCESS.to_owned(),
        connection: Some(Labelled::new(group_name, source::GROUP)),
        resource: Some(Labelled::new(key.clone(), source::APPLICATION_ROLE)),
    })
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
                balkanid: Some(Classification::new(Class::Identity, "user", "Mia Krystof")),
            }
        );
    }

    #[test]
    fn user_source_type_follows_account_type() {
        for (account_type, expected) in [
            (r#""atlassian""#, "user"),
            (r#""app""#, "service account"),
            (r#""customer""#, "customer"),
            (r#""unknown""#, "user"),
            (r#""robot""#, "user"),
            ("null", "user"),
        ] {
            let json = format!(r#"{{"accountId": "a1", "accountType": {account_type}}}"#);
            let e = user(&wire(&json));
            let class = e.balkanid.unwrap();
            assert_eq!(
                (class.class, class.source_type),
                (Class::Identity, expected),
                "{json}"
            );
        }
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
        assert_eq!(
            e.balkanid,
            Some(Classification::new(Class::Connection, "group", "a&b / c"))
        );
        let (r, row) = membership(&wire(r#"{"accountId": "u1"}"#), "g-1", "a&b / c");
        assert_eq!(r.kind, "member-of");
        assert_eq!(r.from, EntityRef::new("user", "u1"));
        assert_eq!(r.to, EntityRef::new("group", "g-1"));
        assert_eq!(r.privilege, Some(Privilege::new("member", "group")));
        assert_eq!(
            row,
            Entitlement {
                value: true,
                identity: "u1".into(),
                privilege_name: "member".into(),
                connection: Some(Labelled::new("a&b / c", "group")),
                resource: None,
            }
        );
    }

    #[test]
    fn product_entitlements_name_group_and_product() {
        let u = wire(r#"{"accountId": "u1"}"#);
        let products = ["jira-software".to_owned(), "jira-servicedesk".to_owned()];
        let rows: Vec<Entitlement> = product_entitlements(&u, "devs", &products).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].privilege_name, "product access");
        assert_eq!(rows[1].connection, Some(Labelled::new("devs", "group")));
        assert_eq!(
            rows[1].resource,
            Some(Labelled::new("jira-servicedesk", "application-role"))
        );
    }
}
