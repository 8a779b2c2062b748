//! `apply`: one lifecycle action, read from a JSON file.

use anyhow::Context as _;

use super::args::ApplyArgs;
use super::session::connect;
use crate::action::{ActionSpec, outcome_json};

/// Applies the action in `args.action` and returns its outcome as JSON.
pub async fn apply(args: ApplyArgs) -> anyhow::Result<serde_json::Value> {
    let text = std::fs::read_to_string(&args.action)
        .with_context(|| format!("reading the action file {}", args.action.display()))?;
    let action = ActionSpec::parse(&text)?;
    let mut session = connect(&args.target).await?;
    let outcome = session.plugin.apply(&action.to_wit()).await?;
    Ok(outcome_json(&outcome))
}
