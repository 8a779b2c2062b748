//! `--format json`: one document, `{"entities": [...], "relations": [...],
//! "entitlements": [...]}`, in [`super::sorted`] order, so that two runs over
//! the same tenant produce identical bytes.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use extractor_jira::record;
use serde_json::{Value, json};

use crate::runtime::Extracted;

/// The document, in [`super::sorted`] order.
pub fn build(extracted: &Extracted) -> Value {
    let sorted = super::sorted(extracted);
    let entities: Vec<Value> = sorted
        .entities
        .into_iter()
        .map(record::entity_object)
        .collect();
    let relations: Vec<Value> = sorted
        .relations
        .into_iter()
        .map(record::relation_object)
        .collect();
    let entitlements: Vec<Value> = sorted
        .entitlements
        .into_iter()
        .map(super::entitlement_object)
        .collect();
    json!({"entities": entities, "relations": relations, "entitlements": entitlements})
}

/// Writes the document, pretty-printed, to `out` or to standard output.
pub fn write(extracted: &Extracted, out: Option<&Path>) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(&build(extracted))? + "\n";
    match out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
        }
        None => Ok(std::io::stdout().lock().write_all(text.as_bytes())?),
    }
}
