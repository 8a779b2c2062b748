//! What an extraction is written as, one writer per format: a sorted JSON
//! document ([`json`]), one record per line as batches arrive ([`ndjson`]),
//! and the two files of BalkanID's manual upload ([`csv`]).
//!
//! The JSON shape of an entity and a relation is the guest's
//! ([`extractor_jira::record`]); this module lets it read the host's WIT
//! types, so that the guest and the host write one shape.

pub mod csv;
pub mod json;
pub mod ndjson;

use std::borrow::Cow;
use std::cmp::Ordering;

use extractor_jira::domain;
use extractor_jira::record::{self, EntityParts, RelationParts};
use serde_json::Value;

use crate::runtime::Extracted;
use crate::runtime::types::{Attribute, Entity, Relation, Value as WitValue};

impl From<&WitValue> for domain::Value {
    fn from(v: &WitValue) -> Self {
        match v {
            WitValue::Null => domain::Value::Null,
            WitValue::Boolean(b) => domain::Value::Bool(*b),
            WitValue::Integer(i) => domain::Value::Int(*i),
            WitValue::Text(s) => domain::Value::Text(s.clone()),
            WitValue::Texts(list) => domain::Value::Texts(list.clone()),
            WitValue::Json(doc) => domain::Value::Json(doc.clone()),
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

    fn classification(&self) -> Option<(domain::Class, &str, &str)> {
        use crate::runtime::types::EntityClass;
        self.balkanid.as_ref().map(|c| {
            let class = match c.class {
                EntityClass::Identity => domain::Class::Identity,
                EntityClass::Connection => domain::Class::Connection,
                EntityClass::Resource => domain::Class::Resource,
            };
            (class, c.source_type.as_str(), c.name.as_str())
        })
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

/// Entities and relations sorted by type and id, with exact repeats (a
/// record read twice because the tenant changed mid-run) removed: the order
/// of the JSON document and of the CSV files, so that two runs over the same
/// tenant write identical bytes.
pub fn sorted(extracted: &Extracted) -> (Vec<&Entity>, Vec<&Relation>) {
    let entities = sorted_unique(&extracted.entities, record::entity_object, |a, b| {
        entity_key(a).cmp(&entity_key(b))
    });
    let relations = sorted_unique(&extracted.relations, record::relation_object, |a, b| {
        relation_key(a).cmp(&relation_key(b))
    });
    (entities, relations)
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

/// `items` in `order`, ties broken by their JSON, with exact repeats removed.
fn sorted_unique<T>(
    items: &[T],
    json: impl Fn(&T) -> Value,
    order: impl Fn(&T, &T) -> Ordering,
) -> Vec<&T> {
    let mut list: Vec<(&T, Value)> = items.iter().map(|x| (x, json(x))).collect();
    list.sort_by(|(a, ja), (b, jb)| order(a, b).then_with(|| ja.to_string().cmp(&jb.to_string())));
    list.dedup_by(|(_, a), (_, b)| a == b);
    list.into_iter().map(|(x, _)| x).collect()
}
