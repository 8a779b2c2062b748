//! What the tests expect, computed from the fake tenant's own data rather
//! than from the component's mapping, so that a mapping bug cannot hide.

#![allow(dead_code)]

use host_test::document;
use host_test::fake_jira::{Email, Tenant};
use host_test::{Extracted, Plugin};
use serde_json::{Value, json};

/// The document an extraction of `tenant` must produce.
pub fn expected_document(tenant: &Tenant) -> Value {
    let mut entities: Vec<Value> = Vec::new();
    for u in &tenant.users {
        let email = match &u.email {
            Email::Visible(e) => json!(e),
            Email::Null | Email::Absent => Value::Null,
        };
        entities.push(
            json!({"type": "user", "id": u.account_id, "name": u.display_name,
            "attributes": {"email": email, "active": u.active, "accountType": u.account_type}}),
        );
    }
    for g in &tenant.groups {
        entities.push(json!({"type": "group", "id": g.group_id, "name": g.name, "attributes": {}}));
    }
    let mut relations: Vec<Value> = Vec::new();
    for (group_id, members) in &tenant.members {
        for account_id in members {
            relations.push(json!({"type": "member-of",
                "from": {"type": "user", "id": account_id},
                "to": {"type": "group", "id": group_id}}));
        }
    }
    let key =
        |v: &Value| serde_json::to_string(&[&v["type"], &v["id"], &v["from"], &v["to"]]).unwrap();
    entities.sort_by_key(key);
    relations.sort_by_key(key);
    json!({"entities": entities, "relations": relations})
}

/// Sorts a produced document the same way as [`expected_document`].
pub fn normalise(doc: Value) -> Value {
    let key =
        |v: &Value| serde_json::to_string(&[&v["type"], &v["id"], &v["from"], &v["to"]]).unwrap();
    let mut entities = doc["entities"].as_array().unwrap().clone();
    let mut relations = doc["relations"].as_array().unwrap().clone();
    entities.sort_by_key(key);
    relations.sort_by_key(key);
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
