//! What an extraction is written as, one writer per format: a sorted JSON
//! document ([`json`]), one record per line as batches arrive ([`ndjson`]),
//! and the three files of BalkanID's upload ([`balkanid`]).
//!
//! The JSON shape of an entity and a relation is the guest's
//! ([`extractor_jira::record`]); this module lets it read the host's WIT
//! types, so that the guest and the host write one shape. An entitlement's
//! shape is `record::entitlement_object`'s too: [`entitlement_object`] writes
//! the WIT type the same way, and a test holds the two together.

pub mod balkanid;
pub mod json;
pub mod ndjson;

use std::borrow::Cow;
use std::cmp::Ordering;

use extractor_jira::domain::{self, Class};
use extractor_jira::record::{self, EntityParts, RelationParts};
use serde_json::{Value, json};

use crate::runtime::Extracted;
use crate::runtime::types::{
    Attribute, Entitlement, Entity, EntityClass, Labelled, Relation, Value as WitValue,
};

impl From<&WitValue> for domain::Value {
    fn from(v: &WitValue) -> Self {
        match v {
            WitValue::Null => domain::Value::Null,
            WitValue::Boolean(b) => domain::Value::Bool(*b),
            WitValue::Integer(i) => domain::Value::Int(*i),
            WitValue::Text(s) => domain::Value::Text(s.clone()),
            WitValue::Texts(list) => domain::Value::Texts(list.clone()),
            WitValue::Json(doc) => domain::Value::Json(doc.clone()),
            WitValue::Timestamp(at) => domain::Value::Timestamp(*at),
            WitValue::Timestamps(list) => {
                domain::Value::Timestamps(list.iter().map(|s| (s.label.clone(), s.at)).collect())
            }
        }
    }
}

impl From<EntityClass> for Class {
    fn from(c: EntityClass) -> Self {
        match c {
            EntityClass::Identity => Class::Identity,
            EntityClass::Connection => Class::Connection,
            EntityClass::Resource => Class::Resource,
        }
    }
}

fn attributes(attrs: &[Attribute]) -> impl Iterator<Item = (&str, Cow<'_, domain::Value>)> {
    attrs
        .iter()
        .map(|a| (a.name.as_str(), Cow::Owned(domain::Value::from(&a.value))))
}

impl EntityParts for Entity {
    fn kind(&self) -> &str {
        &self.kind
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn attributes(&self) -> impl Iterator<Item = (&str, Cow<'_, domain::Value>)> {
        attributes(&self.attributes)
    }

    fn classification(&self) -> Option<(Class, &str, &str)> {
        self.balkanid
            .as_ref()
            .map(|c| (c.class.into(), c.source_type.as_str(), c.name.as_str()))
    }
}

impl RelationParts for Relation {
    fn kind(&self) -> &str {
        &self.kind
    }

    fn source(&self) -> (&str, &str) {
        (&self.source.kind, &self.source.id)
    }

    fn target(&self) -> (&str, &str) {
        (&self.target.kind, &self.target.id)
    }

    fn attributes(&self) -> impl Iterator<Item = (&str, Cow<'_, domain::Value>)> {
        attributes(&self.attributes)
    }

    fn privilege(&self) -> Option<(&str, &str)> {
        self.privilege
            .as_ref()
            .map(|p| (p.name.as_str(), p.connection_type.as_str()))
    }
}

fn labelled(l: &Option<Labelled>) -> Value {
    l.as_ref()
        .map_or(Value::Null, |l| json!({"name": l.name, "type": l.kind}))
}

/// An entitlement as the JSON document holds it: the shape of
/// `record::entitlement_object`, `{"identity", "privilegeName",
/// "privilegeValue", "connection", "resource"}`, the last two `{"name",
/// "type"}` or null.
pub fn entitlement_object(e: &Entitlement) -> Value {
    json!({"identity": e.identity, "privilegeName": e.privilege_name,
           "privilegeValue": e.privilege_value,
           "connection": labelled(&e.connection), "resource": labelled(&e.resource)})
}

/// An entitlement as a record of a stream: `{..., "record": "entitlement"}`,
/// like `record::entitlement`.
pub fn entitlement(e: &Entitlement) -> Value {
    let mut object = entitlement_object(e);
    if let Value::Object(m) = &mut object {
        m.insert("record".into(), json!("entitlement"));
    }
    object
}

/// An extraction's records in the order every writer uses, each list sorted
/// and with exact repeats removed.
pub struct Sorted<'a> {
    pub entities: Vec<&'a Entity>,
    pub relations: Vec<&'a Relation>,
    pub entitlements: Vec<&'a Entitlement>,
}

/// Entities and relations sorted by type and id, entitlements by identity,
/// privilege, connection and resource, with exact repeats (a record read
/// twice because the tenant changed mid-run) removed: the order of the JSON
/// document and of BalkanID's files, so that two runs over the same tenant
/// write identical bytes.
pub fn sorted(extracted: &Extracted) -> Sorted<'_> {
    Sorted {
        entities: sorted_unique(&extracted.entities, record::entity_object, |a, b| {
            entity_key(a).cmp(&entity_key(b))
        }),
        relations: sorted_unique(&extracted.relations, record::relation_object, |a, b| {
            relation_key(a).cmp(&relation_key(b))
        }),
        entitlements: sorted_unique(&extracted.entitlements, entitlement_object, |a, b| {
            entitlement_key(a).cmp(&entitlement_key(b))
        }),
    }
}

fn entity_key(e: &Entity) -> (&str, &str) {
    (&e.kind, &e.id)
}

fn relation_key(r: &Relation) -> (&str, &str, &str, &str, &str) {
    (
        &r.kind,
        &r.source.kind,
        &r.source.id,
        &r.target.kind,
        &r.target.id,
    )
}

type LabelKey<'a> = Option<(&'a str, &'a str)>;

fn entitlement_key(e: &Entitlement) -> (&str, &str, LabelKey<'_>, LabelKey<'_>) {
    (
        &e.identity,
        &e.privilege_name,
        label_key(&e.connection),
        label_key(&e.resource),
    )
}

fn label_key(l: &Option<Labelled>) -> LabelKey<'_> {
    l.as_ref().map(|l| (l.kind.as_str(), l.name.as_str()))
}

/// `items` in `order`, ties broken by their JSON, with exact repeats removed.
/// Only tied items are written as JSON: with keys that are nearly always
/// unique, sorting costs no more than the keys' comparisons.
fn sorted_unique<T>(
    items: &[T],
    json: impl Fn(&T) -> Value,
    order: impl Fn(&T, &T) -> Ordering,
) -> Vec<&T> {
    let mut list: Vec<&T> = items.iter().collect();
    list.sort_by(|a, b| order(a, b));
    let mut out = Vec::with_capacity(list.len());
    for run in list.chunk_by(|a, b| order(a, b) == Ordering::Equal) {
        if let [only] = run {
            out.push(*only);
            continue;
        }
        let mut tied: Vec<(&T, String)> = run.iter().map(|x| (*x, json(x).to_string())).collect();
        tied.sort_by(|(_, a), (_, b)| a.cmp(b));
        tied.dedup_by(|(_, a), (_, b)| a == b);
        out.extend(tied.into_iter().map(|(x, _)| x));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entitlement_has_the_guests_record_shape() {
        let wit = Entitlement {
            identity: "u1".into(),
            privilege_name: "member".into(),
            privilege_value: true,
            connection: Some(Labelled {
                name: "devs".into(),
                kind: "group".into(),
            }),
            resource: None,
        };
        let domain = domain::Entitlement {
            identity: "u1".into(),
            privilege_name: "member".into(),
            value: true,
            connection: Some(domain::Labelled::new("devs", "group")),
            resource: None,
        };
        assert_eq!(entitlement(&wit), record::entitlement(&domain));
        assert_eq!(
            entitlement(&wit).to_string(),
            record::entitlement(&domain).to_string(),
            "the same keys in the same order"
        );
        let on_resource = Entitlement {
            connection: None,
            resource: Some(Labelled {
                name: "EX".into(),
                kind: "project".into(),
            }),
            ..wit
        };
        let domain_on_resource = domain::Entitlement {
            connection: None,
            resource: Some(domain::Labelled::new("EX", "project")),
            ..domain
        };
        assert_eq!(
            entitlement_object(&on_resource).to_string(),
            record::entitlement_object(&domain_on_resource).to_string()
        );
    }
}
