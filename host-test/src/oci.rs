//! The component as an OCI artifact, in the CNCF "Wasm OCI Artifact" layout:
//! a manifest whose config has the media type
//! `application/vnd.wasm.config.v0+json` and whose one layer is the
//! component (`application/wasm`).
//!
//! It is written as an OCI image layout directory, and pushed to or pulled
//! from a registry with the distribution API. The registry client speaks
//! plain HTTP and only to this machine, which is what a local registry needs;
//! for a remote registry use `oras` or `wkg oci` (see the README).
//!
//! Nothing time-dependent goes into the artifact, so packaging the same
//! component twice gives the same digests.

use std::path::Path;

use anyhow::{Context as _, bail, ensure};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
pub const LAYER_MEDIA_TYPE: &str = "application/wasm";
/// The annotation naming the WIT world the component implements.
pub const WORLD_ANNOTATION: &str = "org.balkanid.wit.world";

/// `sha256:<hex>` of some bytes.
pub fn digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// What the artifact says about the component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub version: String,
    pub source: String,
    /// The WIT world, e.g. `balkanid:extractor/extractor@0.5.0`.
    pub world: String,
    pub imports: Vec<String>,
    pub exports: Vec<String>,
}

/// The three blobs of the artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub manifest: Vec<u8>,
    pub config: Vec<u8>,
    pub layer: Vec<u8>,
}

impl Artifact {
    pub fn build(component: &[u8], meta: &Metadata) -> Self {
        let layer_digest = digest(component);
        let config = json!({
            "architecture": "wasm",
            "os": "wasip2",
            "layerDigests": [layer_digest],
            "component": {
                "target": meta.world,
                "imports": meta.imports,
                "exports": meta.exports,
            },
        });
        let config = serde_json::to_vec(&config).expect("JSON always serialises");
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST_MEDIA_TYPE,
            "artifactType": CONFIG_MEDIA_TYPE,
            "config": {
                "mediaType": CONFIG_MEDIA_TYPE,
                "digest": digest(&config),
                "size": config.len(),
            },
            "layers": [{
                "mediaType": LAYER_MEDIA_TYPE,
                "digest": layer_digest,
                "size": component.len(),
                "annotations": {"org.opencontainers.image.title": "extractor_jira.wasm"},
            }],
            "annotations": {
                "org.opencontainers.image.title": "extractor-jira",
                "org.opencontainers.image.description": "Jira Cloud identity connector for the BalkanID platform",
                "org.opencontainers.image.version": meta.version,
                "org.opencontainers.image.source": meta.source,
                WORLD_ANNOTATION: meta.world,
            },
        });
        Self {
            manifest: serde_json::to_vec(&manifest).expect("JSON always serialises"),
            config,
            layer: component.to_vec(),
        }
    }

    pub fn manifest_digest(&self) -> String {
        digest(&self.manifest)
    }

    pub fn manifest_json(&self) -> anyhow::Result<Value> {
        serde_json::from_slice(&self.manifest).context("the manifest is not JSON")
    }

    /// Checks that the manifest names this config and layer, by digest.
    pub fn verify(&self) -> anyhow::Result<()> {
        let manifest = self.manifest_json()?;
        ensure!(
            manifest["config"]["mediaType"] == CONFIG_MEDIA_TYPE,
            "the config media type is not {CONFIG_MEDIA_TYPE}"
        );
        ensure!(
            manifest["config"]["digest"] == digest(&self.config),
            "the config does not match its digest"
        );
        let layers = manifest["layers"]
            .as_array()
            .context("the manifest has no layers")?;
        ensure!(
            layers.len() == 1,
            "the artifact must have exactly one layer"
        );
        ensure!(
            layers[0]["mediaType"] == LAYER_MEDIA_TYPE,
            "the layer media type is not {LAYER_MEDIA_TYPE}"
        );
        ensure!(
            layers[0]["digest"] == digest(&self.layer),
            "the component does not match its digest"
        );
        Ok(())
    }

    /// Writes an OCI image layout: `oci-layout`, `index.json` (the manifest
    /// tagged `tag`) and `blobs/sha256/`.
    pub fn write_layout(&self, dir: &Path, tag: &str) -> anyhow::Result<()> {
        let blobs = dir.join("blobs").join("sha256");
        std::fs::create_dir_all(&blobs).with_context(|| format!("creating {}", blobs.display()))?;
        for blob in [&self.manifest, &self.config, &self.layer] {
            let name = digest(blob).trim_start_matches("sha256:").to_owned();
            std::fs::write(blobs.join(name), blob)?;
        }
        std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#)?;
        let index = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{
                "mediaType": MANIFEST_MEDIA_TYPE,
                "artifactType": CONFIG_MEDIA_TYPE,
                "digest": self.manifest_digest(),
                "size": self.manifest.len(),
                "annotations": {"org.opencontainers.image.ref.name": tag},
            }],
        });
        std::fs::write(dir.join("index.json"), serde_json::to_vec_pretty(&index)?)?;
        Ok(())
    }

    /// Reads the first manifest of an OCI image layout, and its blobs.
    pub fn read_layout(dir: &Path) -> anyhow::Result<Self> {
        let index: Value = serde_json::from_slice(
            &std::fs::read(dir.join("index.json"))
                .with_context(|| format!("reading {}/index.json", dir.display()))?,
        )?;
        let manifest_digest = index["manifests"][0]["digest"]
            .as_str()
            .context("index.json names no manifest")?;
        let blob = |digest: &str| -> anyhow::Result<Vec<u8>> {
            let hex = digest
                .strip_prefix("sha256:")
                .context("only sha256 digests are supported")?;
            ensure!(
                hex.bytes().all(|b| b.is_ascii_hexdigit()),
                "a malformed digest"
            );
            Ok(std::fs::read(dir.join("blobs").join("sha256").join(hex))?)
        };
        let manifest = blob(manifest_digest)?;
        ensure!(
            digest(&manifest) == manifest_digest,
            "the manifest does not match its digest"
        );
        let parsed: Value = serde_json::from_slice(&manifest)?;
        let artifact = Self {
            config: blob(
                parsed["config"]["digest"]
                    .as_str()
                    .context("no config digest")?,
            )?,
            layer: blob(
                parsed["layers"][0]["digest"]
                    .as_str()
                    .context("no layer digest")?,
            )?,
            manifest,
        };
        artifact.verify()?;
        Ok(artifact)
    }
}

/// `host:port/repository:tag`, e.g. `127.0.0.1:5000/balkanid/extractor-jira:0.2.0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub registry: String,
    pub repository: String,
    pub tag: String,
}

impl Reference {
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let (registry, rest) = text
            .split_once('/')
            .context("a reference is host:port/repository:tag")?;
        let (repository, tag) = rest.rsplit_once(':').context("a reference needs a :tag")?;
        let host = registry.rsplit_once(':').map_or(registry, |(h, _)| h);
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            bail!(
                "this client only talks to a registry on this machine; for {registry} use `oras push` or `wkg oci push` (see the README)"
            );
        }
        ensure!(
            !repository.is_empty()
                && repository
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-/".contains(&b)),
            "the repository must be lower-case letters, digits, '.', '_', '-' and '/'"
        );
        ensure!(
            !tag.is_empty()
                && tag
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)),
            "the tag must be letters, digits, '.', '_' and '-'"
        );
        Ok(Self {
            registry: registry.to_owned(),
            repository: repository.to_owned(),
            tag: tag.to_owned(),
        })
    }
}

struct Reply {
    status: u16,
    headers: http::HeaderMap,
    body: Bytes,
}

/// One HTTP/1.1 request to the registry.
async fn send(
    registry: &str,
    method: http::Method,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> anyhow::Result<Reply> {
    let stream = tokio::net::TcpStream::connect(registry)
        .await
        .with_context(|| format!("connecting to the registry at {registry}"))?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let mut request = http::Request::builder()
        .method(method)
        .uri(path_and_query)
        .header(http::header::HOST, registry)
        .header(http::header::CONTENT_LENGTH, body.len());
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = sender
        .send_request(request.body(Full::new(Bytes::from(body)))?)
        .await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await?.to_bytes();
    Ok(Reply {
        status,
        headers,
        body,
    })
}

fn expect(reply: &Reply, ok: &[u16], what: &str) -> anyhow::Result<()> {
    if ok.contains(&reply.status) {
        Ok(())
    } else {
        bail!(
            "{what}: the registry answered HTTP {}: {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        )
    }
}

/// Pushes the artifact's blobs, then its manifest under the reference's tag.
/// Returns the manifest digest.
pub async fn push(reference: &Reference, artifact: &Artifact) -> anyhow::Result<String> {
    artifact.verify()?;
    let r = reference;
    for blob in [&artifact.config, &artifact.layer] {
        let digest = digest(blob);
        let head = send(
            &r.registry,
            http::Method::HEAD,
            &format!("/v2/{}/blobs/{digest}", r.repository),
            &[],
            Vec::new(),
        )
        .await?;
        if head.status == 200 {
            continue;
        }
        let start = send(
            &r.registry,
            http::Method::POST,
            &format!("/v2/{}/blobs/uploads/", r.repository),
            &[],
            Vec::new(),
        )
        .await?;
        expect(&start, &[202], "starting a blob upload")?;
        let location = start
            .headers
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .context("the registry gave no upload location")?;
        // The location may be absolute; only its path and query matter here.
        let location = match location.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]).to_owned(),
            None => location.to_owned(),
        };
        let separator = if location.contains('?') { '&' } else { '?' };
        let put = send(
            &r.registry,
            http::Method::PUT,
            &format!("{location}{separator}digest={digest}"),
            &[("content-type", "application/octet-stream")],
            blob.clone(),
        )
        .await?;
        expect(&put, &[201], "uploading a blob")?;
    }
    let put = send(
        &r.registry,
        http::Method::PUT,
        &format!("/v2/{}/manifests/{}", r.repository, r.tag),
        &[("content-type", MANIFEST_MEDIA_TYPE)],
        artifact.manifest.clone(),
    )
    .await?;
    expect(&put, &[201], "uploading the manifest")?;
    Ok(artifact.manifest_digest())
}

/// Pulls the manifest tagged by the reference and its blobs, checking every
/// digest.
pub async fn pull(reference: &Reference) -> anyhow::Result<Artifact> {
    let r = reference;
    let manifest = send(
        &r.registry,
        http::Method::GET,
        &format!("/v2/{}/manifests/{}", r.repository, r.tag),
        &[("accept", MANIFEST_MEDIA_TYPE)],
        Vec::new(),
    )
    .await?;
    expect(&manifest, &[200], "fetching the manifest")?;
    let parsed: Value =
        serde_json::from_slice(&manifest.body).context("the manifest is not JSON")?;
    let blob = |digest: String| async move {
        let reply = send(
            &r.registry,
            http::Method::GET,
            &format!("/v2/{}/blobs/{digest}", r.repository),
            &[],
            Vec::new(),
        )
        .await?;
        expect(&reply, &[200], "fetching a blob")?;
        Ok::<_, anyhow::Error>(reply.body.to_vec())
    };
    let config_digest = parsed["config"]["digest"]
        .as_str()
        .context("no config digest")?
        .to_owned();
    let layer_digest = parsed["layers"][0]["digest"]
        .as_str()
        .context("no layer digest")?
        .to_owned();
    let artifact = Artifact {
        manifest: manifest.body.to_vec(),
        config: blob(config_digest).await?,
        layer: blob(layer_digest).await?,
    };
    artifact.verify()?;
    Ok(artifact)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Metadata {
        Metadata {
            version: "0.2.0".into(),
            source: "https://example.com/extractor-jira".into(),
            world: "balkanid:extractor/extractor@0.5.0".into(),
            imports: vec!["wasi:http/outgoing-handler@0.2.12".into()],
            exports: vec!["balkanid:extractor/connector@0.5.0".into()],
        }
    }

    #[test]
    fn build_follows_the_wasm_artifact_layout() {
        let a = Artifact::build(b"\0asm component", &meta());
        a.verify().unwrap();
        let m = a.manifest_json().unwrap();
        assert_eq!(m["mediaType"], MANIFEST_MEDIA_TYPE);
        assert_eq!(m["config"]["mediaType"], CONFIG_MEDIA_TYPE);
        assert_eq!(m["layers"][0]["mediaType"], LAYER_MEDIA_TYPE);
        assert_eq!(
            m["annotations"]["org.opencontainers.image.version"],
            "0.2.0"
        );
        assert_eq!(
            m["annotations"][WORLD_ANNOTATION],
            "balkanid:extractor/extractor@0.5.0"
        );
        let config: Value = serde_json::from_slice(&a.config).unwrap();
        assert_eq!(config["architecture"], "wasm");
        assert_eq!(config["layerDigests"][0], digest(b"\0asm component"));
        // Reproducible: the same input gives the same digest.
        assert_eq!(
            a.manifest_digest(),
            Artifact::build(b"\0asm component", &meta()).manifest_digest()
        );
    }

    #[test]
    fn layout_round_trips_and_detects_tampering() {
        let dir = std::env::temp_dir().join(format!("oci-layout-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let a = Artifact::build(b"\0asm component", &meta());
        a.write_layout(&dir, "0.2.0").unwrap();
        assert_eq!(Artifact::read_layout(&dir).unwrap(), a);
        let layer = dir
            .join("blobs/sha256")
            .join(digest(&a.layer).trim_start_matches("sha256:"));
        std::fs::write(&layer, b"tampered").unwrap();
        assert!(Artifact::read_layout(&dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reference_parses_local_registries_only() {
        let r = Reference::parse("127.0.0.1:5000/balkanid/extractor-jira:0.2.0").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_str()),
            ("127.0.0.1:5000", "balkanid/extractor-jira", "0.2.0")
        );
        assert!(Reference::parse("ghcr.io/balkanid/extractor-jira:0.2.0").is_err());
        assert!(Reference::parse("127.0.0.1:5000/Upper:tag").is_err());
        assert!(Reference::parse("127.0.0.1:5000/name").is_err());
    }

    #[test]
    fn digest_is_sha256() {
        assert_eq!(
            digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
