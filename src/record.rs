//! The JSON shape of an entity or a relation, written in one place for both
//! sides: the guest writes its domain types with it (the `wasi:cli/run`
//! command), the host its WIT types (the JSON document and the NDJSON
//! stream), each through [`EntityParts`] and [`RelationParts`].
//!
//! An entity is `{"type", "id", "name", "attributes"}`, a relation
//! `{"type", "from", "to"}` plus `"attributes"` when it has any; as a record
//! of a stream each also carries `"record": "entity"` or `"relation"`.

use std::borrow::Cow;

use serde_json::{Map, Value as Json, json};

use crate::domain::{Entity, EntityRef, Relation, Value};

/// What an entity's JSON is written from.
pub trait EntityParts {
    fn kind(&self) -> &str;
    fn id(&self) -> &str;
    fn name(&self) -> &str;
    /// Attribute names and values, in order.
    fn attributes(&self) -> impl Iterator<Item = (&str, Cow<'_, Value>)>;
}

/// What a relation's JSON is written from.
pub trait RelationParts {
    fn kind(&self) -> &str;
    /// The type and id of the entity the relation goes from.
    fn source(&self) -> (&str, &str);
    /// The type and id of the entity the relation goes to.
    fn target(&self) -> (&str, &str);
    /// Attribute names and values, in order.
    fn attributes(&self) -> impl Iterator<Item = (&str, Cow<'_, Value>)>;
}

fn value(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Text(s) => json!(s),
        Value::Texts(list) => json!(list),
    }
}

fn attributes<'a>(attrs: impl Iterator<Item = (&'a str, Cow<'a, Value>)>) -> Map<String, Json> {
    attrs
        .map(|(k, v)| (k.to_owned(), value(&v)))
        .collect::<Map<_, _>>()
}

fn reference((kind, id): (&str, &str)) -> Json {
    json!({"type": kind, "id": id})
}

/// An entity as the JSON document holds it.
pub fn entity_object(e: &impl EntityParts) -> Json {
    json!({"type": e.kind(), "id": e.id(), "name": e.name(), "attributes": attributes(e.attributes())})
}

/// A relation as the JSON document holds it.
pub fn relation_object(r: &impl RelationParts) -> Json {
    let mut m = Map::new();
    m.insert("type".into(), json!(r.kind()));
    m.insert("from".into(), reference(r.source()));
    m.insert("to".into(), reference(r.target()));
    let attrs = attributes(r.attributes());
    if !attrs.is_empty() {
        m.insert("attributes".into(), Json::Object(attrs));
    }
    Json::Object(m)
}

/// Adds `"record": what` after the object's own fields.
fn tagged(mut object: Json, what: &str) -> Json {
    if let Json::Object(m) = &mut object {
        m.insert("record".into(), json!(what));
    }
    object
}

/// An entity as a record of a stream: `{"record": "entity", ...}`.
pub fn entity(e: &impl EntityParts) -> Json {
    tagged(entity_object(e), "entity")
}

/// A relation as a record of a stream: `{"record": "relation", ...}`.
pub fn relation(r: &impl RelationParts) -> Json {
    tagged(relation_object(r), "relation")
}

impl EntityParts for Entity {
    fn kind(&self) -> &str {
        self.kind
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn attributes(&self) -> impl Iterator<Item = (&str, Cow<'_, Value>)> {
        self.attributes.iter().map(|(k, v)| (*k, Cow::Borrowed(v)))
    }
}

fn parts(r: &EntityRef) -> (&str, &str) {
    (r.kind, &r.id)
}

impl RelationParts for Relation {
    fn kind(&self) -> &str {
        self.kind
    }

    fn source(&self) -> (&str, &str) {
        parts(&self.from)
    }

    fn target(&self) -> (&str, &str) {
        parts(&self.to)
    }

    fn attributes(&self) -> impl Iterator<Item = (&str, Cow<'_, Value>)> {
        self.attributes.iter().map(|(k, v)| (*k, Cow::Borrowed(v)))
    }
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
