//! `--format ndjson`: each batch's records as they arrive, one JSON object
//! per line, `{"type": ..., "record": "entity"}`, `{..., "record":
//! "relation"}` or `{"identity": ..., "record": "entitlement"}`, so that a
//! run that stops keeps what it wrote.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use extractor_jira::record;

use crate::runtime::types::Batch;

/// Where the lines go: `out`, appended to when a run carries on where an
/// earlier one stopped and replaced otherwise, or standard output.
pub fn open(out: Option<&Path>, append: bool) -> anyhow::Result<Box<dyn Write>> {
    Ok(match out {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .append(append)
                .truncate(!append)
                .open(path)
                .with_context(|| format!("opening {}", path.display()))?;
            Box::new(std::io::BufWriter::new(file))
        }
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    })
}

/// Writes one batch's records and flushes them: each batch is on disk before
/// the resume cursor that follows it can be.
pub fn write_batch(sink: &mut dyn Write, batch: &Batch) -> std::io::Result<()> {
    for e in &batch.entities {
        writeln!(sink, "{}", record::entity(e))?;
    }
    for r in &batch.relations {
        writeln!(sink, "{}", record::relation(r))?;
    }
    for e in &batch.entitlements {
        writeln!(sink, "{}", super::entitlement(e))?;
    }
    sink.flush()
}
