//! Users, groups and group membership.

use crate::domain::{Entity, EntityRef, Relation, Value, kind, relation};
use crate::jira::models::{GroupDetails, User};

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
}
