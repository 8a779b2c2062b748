//! One JSON object per entity or relation, as the command line writes them
//! (`{"record": "entity", "type": ..., "id": ...}`): the same shape as the
//! host's NDJSON output, so both can be read the same way.

use serde_json::{Map, Value as Json, json};

use crate::domain::{Attributes, Entity, EntityRef, Relation, Value};

fn value(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Text(s) => json!(s),
        Value::Texts(list) => json!(list),
    }
}

fn attributes(attrs: &Attributes) -> Json {
    Json::Object(
        attrs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), value(v)))
            .collect::<Map<_, _>>(),
    )
}

fn reference(r: &EntityRef) -> Json {
    json!({"type": r.kind, "id": r.id})
}

pub fn entity(e: &Entity) -> Json {
    json!({"record": "entity", "type": e.kind, "id": e.id, "name": e.name, "attributes": attributes(&e.attributes)})
}

pub fn relation(r: &Relation) -> Json {
    let mut m = Map::new();
    m.insert("record".into(), json!("relation"));
    m.insert("type".into(), json!(r.kind));
    m.insert("from".into(), reference(&r.from));
    m.insert("to".into(), reference(&r.to));
    if !r.attributes.is_empty() {
        m.insert("attributes".into(), attributes(&r.attributes));
    }
    Json::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_and_relation_match_the_host_ndjson_shape() {
        let e = Entity {
            kind: "user",
            id: "u1".into(),
            name: "Mia".into(),
            attributes: vec![("email", Value::Null), ("active", Value::Bool(true))],
        };
        assert_eq!(
            entity(&e),
            json!({"record": "entity", "type": "user", "id": "u1", "name": "Mia",
                   "attributes": {"email": null, "active": true}})
        );
        let r = Relation {
            kind: "grants-access",
            from: EntityRef::new("group", "g"),
            to: EntityRef::new("application-role", "jira-software"),
            attributes: vec![("default", Value::Bool(false))],
        };
        assert_eq!(
            relation(&r),
            json!({"record": "relation", "type": "grants-access",
                   "from": {"type": "group", "id": "g"},
                   "to": {"type": "application-role", "id": "jira-software"},
                   "attributes": {"default": false}})
        );
        let plain = Relation {
            attributes: vec![],
            ..r
        };
        assert!(relation(&plain).get("attributes").is_none());
    }
}
