//! The output document: every entity and relation of an extraction, sorted so
//! that two runs over the same tenant produce identical bytes.

use serde_json::{Map, Value, json};

use crate::runtime::Extracted;
use crate::runtime::types::{Attribute, Entity, EntityRef, Relation, Value as WitValue};

pub fn value(v: &WitValue) -> Value {
    match v {
        WitValue::Null => Value::Null,
        WitValue::Boolean(b) => json!(b),
        WitValue::Integer(i) => json!(i),
        WitValue::Text(s) => json!(s),
        WitValue::Texts(list) => json!(list),
    }
}

fn attributes(attrs: &[Attribute]) -> Value {
    Value::Object(
        attrs
            .iter()
            .map(|a| (a.name.clone(), value(&a.value)))
            .collect::<Map<_, _>>(),
    )
}

fn reference(r: &EntityRef) -> Value {
    json!({"type": r.kind, "id": r.id})
}

pub fn entity(e: &Entity) -> Value {
    json!({"type": e.kind, "id": e.id, "name": e.name, "attributes": attributes(&e.attributes)})
}

pub fn relation(r: &Relation) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!(r.kind));
    m.insert("from".into(), reference(&r.source));
    m.insert("to".into(), reference(&r.target));
    if !r.attributes.is_empty() {
        m.insert("attributes".into(), attributes(&r.attributes));
    }
    Value::Object(m)
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

/// Entities and relations sorted by type and id, with exact repeats (a
/// record read twice because the tenant changed mid-run) removed.
pub fn sorted(extracted: &Extracted) -> (Vec<&Entity>, Vec<&Relation>) {
    let mut entities: Vec<(&Entity, Value)> =
        extracted.entities.iter().map(|e| (e, entity(e))).collect();
    entities.sort_by(|(a, ja), (b, jb)| {
        entity_key(a)
            .cmp(&entity_key(b))
            .then_with(|| ja.to_string().cmp(&jb.to_string()))
    });
    entities.dedup_by(|(_, a), (_, b)| a == b);
    let mut relations: Vec<(&Relation, Value)> = extracted
        .relations
        .iter()
        .map(|r| (r, relation(r)))
        .collect();
    relations.sort_by(|(a, ja), (b, jb)| {
        relation_key(a)
            .cmp(&relation_key(b))
            .then_with(|| ja.to_string().cmp(&jb.to_string()))
    });
    relations.dedup_by(|(_, a), (_, b)| a == b);
    (
        entities.into_iter().map(|(e, _)| e).collect(),
        relations.into_iter().map(|(r, _)| r).collect(),
    )
}

/// The document `{"entities": [...], "relations": [...]}`, in [`sorted`] order.
pub fn build(extracted: &Extracted) -> Value {
    let (entities, relations) = sorted(extracted);
    let entities: Vec<Value> = entities.into_iter().map(entity).collect();
    let relations: Vec<Value> = relations.into_iter().map(relation).collect();
    json!({"entities": entities, "relations": relations})
}

/// Counts per entity or relation type, in type order.
pub fn counts<'a>(kinds: impl Iterator<Item = &'a str>) -> Vec<(String, usize)> {
    let mut map = std::collections::BTreeMap::<String, usize>::new();
    for k in kinds {
        *map.entry(k.to_owned()).or_default() += 1;
    }
    map.into_iter().collect()
}
