//! `extract --upstream https://127.0.0.1:PORT` through the `extractor-jira`
//! binary, against the fake Jira over HTTPS: the fake's certificate is
//! trusted only when the user adds it (`--ca-file` or `SSL_CERT_FILE`), as a
//! TLS-inspecting proxy's would be.

use std::path::PathBuf;
use std::process::{Command, Output};

use host_test::fake_jira::{FakeJira, Tenant, TokenKind};

struct Setup {
    fake: FakeJira,
    root: PathBuf,
    config: PathBuf,
    ca: PathBuf,
}

async fn setup(name: &str) -> Setup {
    let tenant = Tenant::sample();
    let fake = FakeJira::start_tls(tenant.clone()).await.unwrap();
    let root =
        std::env::temp_dir().join(format!("extractor-jira-ca-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let config = root.join("config.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&tenant.config_json(TokenKind::Unscoped)).unwrap();
    // A refused handshake is retried like a reset: keep the refusal quick.
    json["appConfig"]["retryBudgetSeconds"] = 2.into();
    std::fs::write(&config, json.to_string()).unwrap();
    let ca = root.join("fake-ca.pem");
    std::fs::write(&ca, fake.certificate_pem().unwrap()).unwrap();
    Setup {
        fake,
        root,
        config,
        ca,
    }
}

fn extract(s: &Setup) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_extractor-jira"));
    command
        .args(["extract", "--config"])
        .arg(&s.config)
        .args(["--upstream", &s.fake.url(), "--out"])
        .arg(s.root.join("out.json"))
        .env_remove("SSL_CERT_FILE");
    command
}

/// Runs the binary on another thread, so that the fake keeps serving.
async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().expect("extractor-jira runs"))
        .await
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extract_with_ca_file_trusts_the_upstream() {
    let s = setup("flag").await;
    let mut command = extract(&s);
    command.arg("--ca-file").arg(&s.ca);
    let output = run(command).await;
    assert!(output.status.success(), "{}", text(&output));
    let out = std::fs::read_to_string(s.root.join("out.json")).unwrap();
    assert!(out.contains("\"entities\""));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("TLS handshakes"), "{stderr}");
    assert!(s.fake.unknown_requests().is_empty());
    let _ = std::fs::remove_dir_all(&s.root);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extract_with_ssl_cert_file_trusts_the_upstream() {
    let s = setup("env").await;
    let mut command = extract(&s);
    command.env("SSL_CERT_FILE", &s.ca);
    let output = run(command).await;
    assert!(output.status.success(), "{}", text(&output));
    let _ = std::fs::remove_dir_all(&s.root);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extract_without_the_ca_refuses_the_upstream() {
    let s = setup("none").await;
    let output = run(extract(&s)).await;
    assert!(!output.status.success(), "{}", text(&output));
    assert!(
        s.fake.requests().is_empty(),
        "nothing reached a server nobody trusts"
    );
    assert!(!s.root.join("out.json").exists());
    let _ = std::fs::remove_dir_all(&s.root);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extract_names_a_ca_file_that_is_not_pem() {
    let s = setup("bad").await;
    let bad = s.root.join("not-a-cert.pem");
    std::fs::write(&bad, "hello\n").unwrap();
    let mut command = extract(&s);
    command.arg("--ca-file").arg(&bad);
    let output = run(command).await;
    assert!(!output.status.success());
    assert!(
        text(&output).contains("not-a-cert.pem"),
        "{}",
        text(&output)
    );
    assert!(s.fake.requests().is_empty());
    let _ = std::fs::remove_dir_all(&s.root);
}
