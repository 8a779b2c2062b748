//! `explain`: what a user holds, or who holds what on a project, read from
//! a document `extract` wrote; nothing is fetched.

use std::time::Instant;

use anyhow::Context as _;

use super::ExplainArgs;
use crate::access::{Index, explain_project, explain_user};

/// Returns the pretty JSON answer (sorted, so two runs print the same bytes).
pub fn explain(args: &ExplainArgs) -> anyhow::Result<String> {
    let start = Instant::now();
    let text = std::fs::read_to_string(&args.document)
        .with_context(|| format!("reading {}", args.document.display()))?;
    let ix = Index::parse(&text)?;
    let indexed = start.elapsed();
    let answer = match (&args.user, &args.project) {
        (Some(user), _) => explain_user(&ix, user)?,
        (None, Some(project)) => explain_project(&ix, project, args.permission.as_deref())?,
        (None, None) => anyhow::bail!("explain needs --user or --project"),
    };
    if args.timing {
        eprintln!(
            "explain: read and indexed in {indexed:?}, answered in {:?}",
            start.elapsed() - indexed
        );
    }
    Ok(serde_json::to_string_pretty(&answer)?)
}
