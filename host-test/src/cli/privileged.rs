//! `privileged`: the site's admins, product admins and project admins, read
//! from a document `extract` wrote.

use std::time::Instant;

use anyhow::Context as _;

use super::{PrivilegedArgs, ReportFormat};
use crate::access::{self, Index};

/// Returns the report as text or pretty JSON, ending in a newline.
pub fn privileged(args: &PrivilegedArgs) -> anyhow::Result<String> {
    let start = Instant::now();
    let text = std::fs::read_to_string(&args.document)
        .with_context(|| format!("reading {}", args.document.display()))?;
    let ix = Index::parse(&text)?;
    let indexed = start.elapsed();
    let out = match args.format {
        ReportFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&access::privileged(&ix))?
        ),
        ReportFormat::Text => access::privileged_text(&ix),
    };
    if args.timing {
        eprintln!(
            "privileged: read and indexed in {indexed:?}, answered in {:?}",
            start.elapsed() - indexed
        );
    }
    Ok(out)
}
