//! `--format json`: one document, `{"entities": [...], "relations": [...]}`,
//! in [`super::sorted`] order, so that two runs over the same tenant produce
//! identical bytes.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use extractor_jira::record;
use serde_json::{Value, json};

use crate::runtime::Extracted;

/// The document, in [`super::sorted`] order.
pub fn build(extracted: &Extracted) -> Value {
    let (entities, relations) = super::sorted(extracted);
    let entities: Vec<Value> = entities.into_iter().map(record::entity_object).collect();
    let relations: Vec<Value> = relations.into_iter().map(record::relation_object).collect();
    json!({"entities": entities, "relations": relations})
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
