//! The API token must never show: not in any output, error, log, `Debug`
//! print or recorded request. This runs the real `extractor-jira` binary and the
//! plugin in-process through successful and failing runs, gathers every
//! byte they produced, and searches it for the token in every form it
//! travels in.

use std::path::{Path, PathBuf};
use std::process::Command;

use host_test::fake_jira::{Fault, FaultRule, Tenant, TokenKind};
use host_test::testing::Harness;

fn host_test() -> Command {
    Command::new(env!("CARGO_BIN_EXE_extractor-jira"))
}

fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char
            } else {
                '='
            });
        }
    }
    out
}

/// Everything produced so far, as text to search.
#[derive(Default)]
struct Produced(Vec<(String, String)>);

impl Produced {
    fn add(&mut self, what: impl Into<String>, text: impl Into<String>) {
        self.0.push((what.into(), text.into()));
    }

    fn run(&mut self, what: &str, command: &mut Command) -> bool {
        let output = command.output().expect("extractor-jira runs");
        self.add(
            format!("{what}: stdout"),
            String::from_utf8_lossy(&output.stdout),
        );
        self.add(
            format!("{what}: stderr"),
            String::from_utf8_lossy(&output.stderr),
        );
        output.status.success()
    }

    fn add_files(&mut self, dir: &Path) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                self.add(path.display().to_string(), String::from_utf8_lossy(&bytes));
            }
        }
    }

    fn assert_free_of(&self, secrets: &[String]) {
        let total: usize = self.0.iter().map(|(_, t)| t.len()).sum();
        assert!(
            total > 10_000,
            "the scenarios produced output to search ({total} bytes)"
        );
        for (what, text) in &self.0 {
            for secret in secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "a secret appears in {what}"
                );
            }
        }
        println!(
            "searched {total} bytes from {} sources for {} secret forms",
            self.0.len(),
            secrets.len()
        );
    }
}

/// The forms a credential takes: the token itself, and the Basic header.
fn forms(email: &str, token: &str) -> Vec<String> {
    vec![
        token.to_owned(),
        base64(format!("{email}:{token}").as_bytes()),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn no_output_ever_contains_the_token() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("extractor-jira-secrets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut produced = Produced::default();

    let mut h = Harness::new(Tenant::sample()).await;
    let url = h.fake.url();
    let mut secrets = Vec::new();
    for c in &h.tenant.credentials {
        secrets.extend(forms(&c.email, &c.token));
    }
    // The organization API key, itself and as its Bearer header.
    let org = h
        .tenant
        .org
        .as_ref()
        .expect("the sample has an organization");
    secrets.push(org.api_key.clone());
    secrets.push(format!("Bearer {}", org.api_key));
    let unscoped = dir.join("unscoped.json");
    std::fs::write(&unscoped, h.config(TokenKind::Unscoped)).unwrap();
    let scoped = dir.join("scoped.json");
    std::fs::write(&scoped, h.config(TokenKind::Scoped)).unwrap();
    let wrong_token = "WRONG-BUT-STILL-SECRET-0123456789";
    let wrong = dir.join("wrong.json");
    std::fs::write(
        &wrong,
        serde_json::json!({"appConfig": {"token": format!("svc-governance@acme.example:{wrong_token}"), "siteName": "acme"}})
            .to_string(),
    )
    .unwrap();
    secrets.extend(forms("svc-governance@acme.example", wrong_token));
    let action = dir.join("action.json");
    std::fs::write(
        &action,
        r#"{"action": "create-group", "name": "secret-scan"}"#,
    )
    .unwrap();
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();

    let arg = |p: &Path| p.display().to_string();
    // Successful runs, in every format and both token kinds.
    for (name, config) in [("unscoped", &unscoped), ("scoped", &scoped)] {
        assert!(produced.run(
            name,
            host_test().args(["extract", "--config", &arg(config), "--upstream", &url])
        ));
    }
    assert!(produced.run(
        "balkanid",
        host_test().args([
            "extract",
            "--config",
            &arg(&unscoped),
            "--upstream",
            &url,
            "--format",
            "balkanid",
            "--out",
            &arg(&out)
        ])
    ));
    assert!(produced.run(
        "ndjson",
        host_test().args([
            "extract",
            "--config",
            &arg(&unscoped),
            "--upstream",
            &url,
            "--format",
            "ndjson",
            "--out",
            &arg(&out.join("x.ndjson"))
        ])
    ));
    assert!(produced.run(
        "apply",
        host_test().args([
            "apply",
            "--config",
            &arg(&unscoped),
            "--upstream",
            &url,
            "--action",
            &arg(&action)
        ])
    ));
    // A refused organization key.
    let wrong_key = "WRONG-ORG-KEY-BUT-STILL-SECRET-987";
    let wrong_org = dir.join("wrong-org.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&h.config(TokenKind::Unscoped)).unwrap();
    config["appConfig"]["adminApiKey"] = serde_json::json!(wrong_key);
    std::fs::write(&wrong_org, config.to_string()).unwrap();
    secrets.push(wrong_key.to_owned());
    assert!(!produced.run(
        "wrong organization key",
        host_test().args(["extract", "--config", &arg(&wrong_org), "--upstream", &url])
    ));
    // Failing runs: a refused token, a forbidden endpoint, a revoked token, a broken answer.
    assert!(!produced.run(
        "wrong token",
        host_test().args(["extract", "--config", &arg(&wrong), "--upstream", &url])
    ));
    // Each run resumes from the cursor the one before left, so the faults
    // come in the order the phases read their paths (group members last).
    for (name, rule) in [
        (
            "wrong shape",
            FaultRule::on("/rest/api/3/project/search", &[1], Fault::WrongShape),
        ),
        (
            "403",
            FaultRule::on("/rest/api/3/group/member", &[2], Fault::status(403)),
        ),
        ("401 mid-run", FaultRule::from("*", 5, Fault::status(401))),
    ] {
        h.fake.clear_requests();
        h.fake.clear_faults();
        h.fake.inject(rule);
        assert!(!produced.run(
            name,
            host_test().args([
                "extract",
                "--config",
                &arg(&unscoped),
                "--upstream",
                &url,
                "--format",
                "ndjson",
                "--out",
                &arg(&out.join("y.ndjson")),
                "--resume",
                &arg(&out.join("cursor"))
            ])
        ));
    }
    h.fake.clear_faults();
    // Fault rules count requests per path from the last clear.
    h.fake.clear_requests();
    produced.add_files(&out);

    // In-process: errors, their Debug forms, recorded requests, cursors.
    let err = h
        .plugin
        .configure(&std::fs::read_to_string(&wrong).unwrap())
        .await
        .unwrap_err();
    produced.add("configure error", format!("{err} / {err:?}"));
    h.plugin
        .configure(&h.config(TokenKind::Scoped))
        .await
        .unwrap();
    h.fake.inject(FaultRule::on(
        "/rest/api/3/permissions",
        &[1],
        Fault::WrongShape,
    ));
    let interrupted = h.plugin.extract_resumable(None, |_| {}).await.unwrap_err();
    produced.add(
        "interrupted",
        format!("{interrupted:?} {}", interrupted.error),
    );
    produced.add("plugin requests", format!("{:?}", h.plugin.requests()));
    produced.add(
        "fake requests",
        format!("{:?} {:?}", h.fake.requests(), h.fake.injected()),
    );
    produced.add(
        "harness",
        format!(
            "{:?}",
            h.tenant
                .credentials
                .iter()
                .map(|c| &c.email)
                .collect::<Vec<_>>()
        ),
    );

    let everything: String = produced.0.iter().map(|(_, t)| t.as_str()).collect();
    assert!(
        everything.contains("<redacted>"),
        "the Authorization header was recorded, redacted"
    );
    produced.assert_free_of(&secrets);
    std::fs::remove_dir_all(&dir).unwrap();
}
