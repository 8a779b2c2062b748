//! `--format csv`, for BalkanID's manual upload: `entities.csv` and
//! `entity_relations.csv`, UTF-8, a header row, RFC 4180 quoting, and every
//! attribute flattened into a column of its own.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context as _;

use crate::runtime::Extracted;
use crate::runtime::types::{Attribute, Entity, Relation, Value};

pub const ENTITIES_FILE: &str = "entities.csv";
pub const RELATIONS_FILE: &str = "entity_relations.csv";

const ENTITY_COLUMNS: [&str; 3] = ["type", "id", "name"];
const RELATION_COLUMNS: [&str; 5] = ["type", "from_type", "from_id", "to_type", "to_id"];

/// Quotes a field when RFC 4180 requires it: a comma, a quote, CR or LF.
pub fn field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

fn line(fields: impl IntoIterator<Item = String>) -> String {
    let mut s = fields
        .into_iter()
        .map(|f| field(&f))
        .collect::<Vec<_>>()
        .join(",");
    s.push_str("\r\n");
    s
}

/// An attribute value as one cell: empty for null, lists as a JSON array.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Boolean(b) => b.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Text(s) => s.clone(),
        Value::Texts(list) => serde_json::to_string(list).unwrap_or_default(),
        Value::Json(doc) => doc.clone(),
    }
}

/// Attribute columns: every attribute name in use, sorted. A name that
/// collides with a fixed column is prefixed with `attr_`.
fn attribute_columns<'a>(
    all: impl Iterator<Item = &'a [Attribute]>,
    fixed: &[&str],
) -> Vec<(String, String)> {
    let names: BTreeSet<&str> = all
        .flat_map(|a| a.iter().map(|x| x.name.as_str()))
        .collect();
    names
        .into_iter()
        .map(|n| {
            let header = if fixed.contains(&n) {
                format!("attr_{n}")
            } else {
                n.to_owned()
            };
            (n.to_owned(), header)
        })
        .collect()
}

fn attribute_cells(attributes: &[Attribute], columns: &[(String, String)]) -> Vec<String> {
    columns
        .iter()
        .map(|(name, _)| {
            attributes
                .iter()
                .find(|a| a.name == *name)
                .map(|a| cell(&a.value))
                .unwrap_or_default()
        })
        .collect()
}

/// A file of `rows`: a header, then a line per row, its fixed `fields` in
/// the `fixed` columns and its attributes in a column each.
fn table<T>(
    rows: &[&T],
    fixed: &[&str],
    fields: impl Fn(&T) -> Vec<String>,
    attributes: impl Fn(&T) -> &[Attribute],
) -> String {
    let columns = attribute_columns(rows.iter().map(|r| attributes(r)), fixed);
    let mut out = line(
        fixed
            .iter()
            .map(|c| (*c).to_owned())
            .chain(columns.iter().map(|(_, h)| h.clone())),
    );
    for r in rows {
        out.push_str(&line(
            fields(r)
                .into_iter()
                .chain(attribute_cells(attributes(r), &columns)),
        ));
    }
    out
}

/// `entities.csv` for entities already in the order to write.
pub fn entities(list: &[&Entity]) -> String {
    table(
        list,
        &ENTITY_COLUMNS,
        |e| vec![e.kind.clone(), e.id.clone(), e.name.clone()],
        |e| e.attributes.as_slice(),
    )
}

/// `entity_relations.csv` for relations already in the order to write.
pub fn relations(list: &[&Relation]) -> String {
    table(
        list,
        &RELATION_COLUMNS,
        |r| {
            vec![
                r.kind.clone(),
                r.source.kind.clone(),
                r.source.id.clone(),
                r.target.kind.clone(),
                r.target.id.clone(),
            ]
        },
        |r| r.attributes.as_slice(),
    )
}

/// Writes both files into `dir`, in [`super::sorted`] order.
pub fn write(extracted: &Extracted, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let (entities, relations) = super::sorted(extracted);
    for (name, text) in [
        (ENTITIES_FILE, self::entities(&entities)),
        (RELATIONS_FILE, self::relations(&relations)),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
