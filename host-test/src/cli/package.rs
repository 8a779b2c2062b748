//! `package`, `push` and `pull`: the component as a Wasm OCI artifact, in an
//! image layout directory or in a registry on this machine.

use anyhow::Context as _;

use super::args::{PackageArgs, PullArgs, PushArgs};
use crate::oci::{self, Artifact, Reference};
use crate::runtime::{Runtime, WIT_VERSION, default_component_path};

/// Writes the component as an OCI artifact; returns the manifest digest.
pub fn package(args: &PackageArgs) -> anyhow::Result<String> {
    let path = args
        .component
        .clone()
        .unwrap_or_else(default_component_path);
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let runtime = Runtime::from_bytes(&bytes)?;
    let meta = oci::Metadata {
        version: WIT_VERSION.to_owned(),
        source: "https://github.com/balkanid/extractor-jira".to_owned(),
        world: format!("balkanid:extractor/extractor@{WIT_VERSION}"),
        imports: runtime.imports(),
        exports: runtime.exports(),
    };
    let artifact = Artifact::build(&bytes, &meta);
    let tag = args.tag.clone().unwrap_or_else(|| WIT_VERSION.to_owned());
    artifact.write_layout(&args.out, &tag)?;
    eprintln!(
        "wrote the OCI artifact for {} ({} bytes) to {}, tag {tag}",
        path.display(),
        bytes.len(),
        args.out.display()
    );
    Ok(artifact.manifest_digest())
}

/// Pushes the layout `package` wrote; prints the manifest digest.
pub async fn push(args: &PushArgs) -> anyhow::Result<()> {
    let artifact = Artifact::read_layout(&args.layout)?;
    let digest = oci::push(&Reference::parse(&args.to)?, &artifact).await?;
    eprintln!("pushed {} ({digest})", args.to);
    println!("{digest}");
    Ok(())
}

/// Pulls the artifact and writes its component.
pub async fn pull(args: &PullArgs) -> anyhow::Result<()> {
    let artifact = oci::pull(&Reference::parse(&args.from)?).await?;
    std::fs::write(&args.out, &artifact.layer)
        .with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!(
        "pulled {} ({}) into {}",
        args.from,
        artifact.manifest_digest(),
        args.out.display()
    );
    Ok(())
}
