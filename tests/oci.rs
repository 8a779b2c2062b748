//! The component as a Wasm OCI artifact, through a real OCI registry on
//! 127.0.0.1 (Debian's `docker-registry`): package, push, pull, compare the
//! bytes, and run what came back.
//!
//! It needs `docker-registry` on `PATH`, so it is ignored by default: run it
//! with `cargo test --release --workspace -- --ignored` (see the README).

mod support;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use host_test::cli::{PackageArgs, package};
use host_test::fake_jira::{Tenant, TokenKind};
use host_test::oci::{self, Artifact, Reference};
use host_test::runtime::Runtime;
use support::{assert_same, configure_and_extract, document_of, expected_document};

fn registry_binary() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("docker-registry"))
            .find(|p| p.is_file())
    })
}

/// A registry serving from a temporary directory; stopped when dropped.
struct Registry {
    child: Child,
    addr: String,
    dir: PathBuf,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn start_registry(binary: PathBuf) -> Registry {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let dir = std::env::temp_dir().join(format!("extractor-jira-registry-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.yml");
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n",
            dir.join("data").display()
        ),
    )
    .unwrap();
    let child = Command::new(binary)
        .arg("serve")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("docker-registry starts");
    let registry = Registry { child, addr, dir };
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(&registry.addr)
        .await
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "the registry did not start listening"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    registry
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs docker-registry (apt-get install docker-registry)"]
async fn package_push_pull_is_byte_identical_and_runs() {
    // A test that asked for the registry fails without it, rather than
    // passing without having run.
    let binary = registry_binary().expect(
        "docker-registry is not on PATH: install it with `apt-get install docker-registry` \
         (see the README)",
    );
    let registry = start_registry(binary).await;
    let layout = registry.dir.join("layout");
    let digest = package(&PackageArgs {
        out: layout.clone(),
        component: None,
        tag: None,
    })
    .expect("packaging");

    let local = Artifact::read_layout(&layout).unwrap();
    let manifest = local.manifest_json().unwrap();
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.wasm.config.v0+json"
    );
    assert_eq!(manifest["layers"][0]["mediaType"], "application/wasm");
    let annotations = &manifest["annotations"];
    assert_eq!(
        annotations["org.opencontainers.image.version"],
        host_test::runtime::WIT_VERSION
    );
    assert!(
        annotations["org.opencontainers.image.source"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert_eq!(
        annotations[oci::WORLD_ANNOTATION],
        format!(
            "balkanid:extractor/extractor@{}",
            host_test::runtime::WIT_VERSION
        )
    );
    let config: serde_json::Value = serde_json::from_slice(&local.config).unwrap();
    assert!(
        config["component"]["imports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i
                .as_str()
                .unwrap()
                .starts_with("wasi:http/outgoing-handler"))
    );

    let reference =
        Reference::parse(&format!("{}/balkanid/extractor-jira:test", registry.addr)).unwrap();
    assert_eq!(oci::push(&reference, &local).await.expect("push"), digest);
    let pulled = oci::pull(&reference).await.expect("pull");
    assert_eq!(
        pulled, local,
        "manifest, config and component come back byte for byte"
    );
    let built = std::fs::read(host_test::default_component_path()).unwrap();
    assert_eq!(pulled.layer, built);

    // What came back loads and extracts.
    let runtime = Runtime::from_bytes(&pulled.layer).unwrap();
    let fake = host_test::fake_jira::FakeJira::start(Tenant::sample())
        .await
        .unwrap();
    let mut plugin = runtime
        .instantiate(Some(
            host_test::outbound::Upstream::parse(&fake.url()).unwrap(),
        ))
        .await
        .unwrap();
    let tenant = Tenant::sample();
    let extracted =
        configure_and_extract(&mut plugin, &tenant.config_json(TokenKind::Unscoped)).await;
    assert_same(&document_of(&extracted), &expected_document(&tenant));
}
