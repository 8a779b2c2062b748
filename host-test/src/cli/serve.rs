//! `serve`: the component's HTTP entry point on an address of this machine,
//! behind this host's guard (see [`crate::serve`]). It serves until stopped.

use super::args::ServeArgs;
use crate::outbound::Upstream;
use crate::runtime::{Runtime, default_component_path};
use crate::serve::{ServeOptions, start};
use crate::trust::Trust;

/// Loads the component and serves it on `--listen` until the process stops.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let component = args.component.unwrap_or_else(default_component_path);
    // A bad CA file or upstream is named before anything is compiled.
    let trust = Trust::from_env_and(args.ca_file.as_deref())?;
    let upstream = args.upstream.as_deref().map(Upstream::parse).transpose()?;
    let runtime = Runtime::load(&component)?.with_trust(&trust)?;
    let server = start(
        args.listen,
        ServeOptions::new(std::sync::Arc::new(runtime), upstream),
    )
    .await?;
    eprintln!(
        "serving {} at {}: POST /check, /extract, /apply",
        component.display(),
        server.url()
    );
    server.wait().await
}
