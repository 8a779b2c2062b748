//! The JSON shape of an entity or a relation, written in one place for both
//! sides: the guest writes its domain types with it (the `wasi:cli/run`
//! command), the host its WIT types (the JSON document and the NDJSON
//! stream), each through [`EntityParts`] and [`RelationParts`].
//!
//! An entity is `{"type", "id", "name", "attributes"}` plus `"balkanid":
//! {"entityType", "sourceType", "name"}` when BalkanID takes it; a relation
//! `{"type", "from", "to"}` plus `"attributes"` when it has any and
//! `"privilege": {"name", "connectionType"}` when it gives one; as a record
//! of a stream each also carries `"record": "entity"` or `"relation"`. An
//! entitlement is `{"identity", "privilegeName", "privilegeValue", "connection",
//! "resource"}`,
//! the last two `{"name", "type"}` or null.

use std::borrow::Cow;

use serde_json::{Map, Value as Json, json};

use crate::domain::{Class, Entitlement, Entity, EntityRef, Labelled, Relation, Value};
use crate::time;

/// What an entity's JSON is written from.
pub trait EntityParts {
    fn kind(&self) -> &str;
    fn id(&self) -> &str;
    fn name(&self) -> &str;
    /// Attribute names and values, in order.
    fn attributes(&self) -> impl Iterator<Item = (&str, Cow<'_, Value>)>;
    /// BalkanID's Entity Type, Source Type and Name, when BalkanID takes it.
    fn classification(&self) -> Option<(Class, &str, &str)>;
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
    /// BalkanID's privilege name and connection type, when it gives one.
    fn privilege(&self) -> Option<(&str, &str)>;
}

impl Class {
    /// BalkanID's spelling: `identity`, `connection` or `resource`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Identity => "identity",
            Class::Connection => "connection",
            Class::Resource => "resource",
        }
    }
}

/// An attribute's JSON. A `Json` value is embedded as the document it holds;
/// one that does not parse (never written by this guest) is kept as text
/// rather than lost.
pub fn value(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Text(s) => json!(s),
        Value::Texts(list) => json!(list),
        Value::Json(doc) => serde_json::from_str(doc).unwrap_or_else(|_| json!(doc)),
        Value::Timestamp(at) => json!(time::iso8601(*at)),
        Value::Timestamps(list) => list
            .iter()
            .map(|(label, at)| json!(format!("{label}={}", time::iso8601(*at))))
            .collect(),
    }
}

/// Attributes as one JSON object: an entity's or a relation's metadata.
pub fn attributes<'a>(attrs: impl Iterator<Item = (&'a str, Cow<'a, Value>)>) -> Map<String, Json> {
    attrs
        .map(|(k, v)| (k.to_owned(), value(&v)))
        .collect::<Map<_, _>>()
}

fn reference((kind, id): (&str, &str)) -> Json {
    json!({"type": kind, "id": id})
}

/// An entity as the JSON document holds it.
pub fn entity_object(e: &impl EntityParts) -> Json {
    let mut object = json!({"type": e.kind(), "id": e.id(), "name": e.name(), "attributes": attributes(e.attributes())});
    if let (Some((class, source_type, name)), Json::Object(m)) = (e.classification(), &mut object) {
        m.insert(
            "balkanid".into(),
            json!({"entityType": class.as_str(), "sourceType": source_type, "name": name}),
        );
    }
    object
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
    if let Some((name, connection_type)) = r.privilege() {
        m.insert(
            "privilege".into(),
            json!({"name": name, "connectionType": connection_type}),
        );
    }
    Json::Object(m)
}

fn labelled(l: &Option<Labelled>) -> Json {
    l.as_ref()
        .map_or(Json::Null, |l| json!({"name": l.name, "type": l.kind}))
}

/// An entitlement as the JSON document holds it.
pub fn entitlement_object(e: &Entitlement) -> Json {
    json!({"identity": e.identity, "privilegeName": e.privilege_name,
           "privilegeValue": e.value,
           "connection": labelled(&e.connection), "resource": labelled(&e.resource)})
}

/// An entitlement as a record of a stream: `{"record": "entitlement", ...}`.
pub fn entitlement(e: &Entitlement) -> Json {
    tagged(entitlement_object(e), "entitlement")
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

    fn classification(&self) -> Option<(Class, &str, &str)> {
        self.balkanid
            .as_ref()
            .map(|c| (c.class, c.source_type, c.name.as_str()))
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

    fn privilege(&self) -> Option<(&str, &str)> {
        self.privilege
            .as_ref()
            .map(|p| (p.name.as_str(), p.connection_type))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Classification, Privilege};

    #[test]
    fn entity_and_relation_match_the_host_ndjson_shape() {
        let e = Entity {
            kind: "user",
            id: "u1".into(),
            name: "Mia".into(),
            attributes: vec![("email", Value::Null), ("active", Value::Bool(true))],
            balkanid: None,
        };
        assert_eq!(
            entity(&e),
            json!({"record": "entity", "type": "user", "id": "u1", "name": "Mia",
                   "attributes": {"email": null, "active": true}})
        );
        let classified = Entity {
            balkanid: Some(Classification::new(Class::Identity, "user", "Mia")),
            attributes: vec![("grants", Value::Json(r#"[{"a": 1}]"#.into()))],
            ..e
        };
        assert_eq!(
            entity(&classified),
            json!({"record": "entity", "type": "user", "id": "u1", "name": "Mia",
                   "attributes": {"grants": [{"a": 1}]},
                   "balkanid": {"entityType": "identity", "sourceType": "user", "name": "Mia"}})
        );
        let r = Relation {
            kind: "grants-access",
            from: EntityRef::new("group", "g"),
            to: EntityRef::new("application-role", "jira-software"),
            attributes: vec![("default", Value::Bool(false))],
            privilege: None,
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
        let privileged = Relation {
            privilege: Some(Privilege::new("product access", "application-role")),
            ..plain
        };
        assert_eq!(
            relation(&privileged)["privilege"],
            json!({"name": "product access", "connectionType": "application-role"})
        );
        let row = Entitlement {
            identity: "u1".into(),
            privilege_name: "member".into(),
            value: true,
            connection: Some(Labelled::new("devs", "group")),
            resource: None,
        };
        assert_eq!(
            entitlement(&row),
            json!({"record": "entitlement", "identity": "u1", "privilegeName": "member",
                   "privilegeValue": true,
                   "connection": {"name": "devs", "type": "group"}, "resource": null})
        );
    }
}
