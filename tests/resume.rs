//! Resuming a failed extraction from its cursor, through the real component
//! and through the command line.

mod support;

use host_test::CallError;
use host_test::Extracted;
use host_test::cli::{ExtractArgs, Format, Target};
use host_test::fake_jira::{Fault, FaultRule, Tenant, TokenKind};
use host_test::output::json as document;
use host_test::runtime::types::Error as PluginError;
use host_test::testing::Harness;
use support::{assert_same, expected_document, normalise};

fn forbidden() -> Fault {
    Fault::status(403)
}

#[tokio::test(flavor = "multi_thread")]
async fn resume_after_a_failure_completes_without_repeats() {
    let mut h = Harness::new(Tenant::sample()).await;
    h.fake.inject(FaultRule::on(
        "/rest/api/3/project/10003/role/10001",
        &[1],
        forbidden(),
    ));
    h.plugin
        .configure(&h.config(TokenKind::Unscoped))
        .await
        .unwrap();

    let mut delivered = Extracted::default();
    let interrupted = h
        .plugin
        .extract_resumable(None, |b| {
            delivered.entities.extend(b.entities);
            delivered.relations.extend(b.relations);
        })
        .await
        .expect_err("the 403 stops the run");
    assert!(matches!(
        interrupted.error,
        CallError::Plugin(PluginError::Forbidden(_))
    ));
    let cursor = interrupted.cursor.expect("a cursor to carry on from");
    assert!(
        !delivered.entities.is_empty(),
        "earlier phases were delivered"
    );

    // A fresh instance, as a platform would use after a restart.
    h.fake.clear_faults();
    h.fake.clear_requests();
    let mut resumed = host_test::testing::runtime()
        .instantiate(Some(
            host_test::outbound::Upstream::parse(&h.fake.url()).unwrap(),
        ))
        .await
        .unwrap();
    resumed
        .configure(&h.config(TokenKind::Unscoped))
        .await
        .unwrap();
    let mut rest = Extracted::default();
    resumed
        .extract_resumable(Some(&cursor), |b| {
            rest.entities.extend(b.entities);
            rest.relations.extend(b.relations);
        })
        .await
        .expect("the resumed run completes");

    let mut all = delivered;
    all.entities.extend(rest.entities);
    all.relations.extend(rest.relations);
    let expected = expected_document(&h.tenant);
    // Nothing was delivered twice: the raw counts match a clean run's.
    assert_eq!(
        all.entities.len(),
        expected["entities"].as_array().unwrap().len()
    );
    assert_eq!(
        all.relations.len(),
        expected["relations"].as_array().unwrap().len()
    );
    assert_same(&normalise(document::build(&all)), &expected);

    // Nothing already delivered was fetched again. (Group members are read
    // last, after the failing project, so the resumed run reads them.)
    for r in h.fake.requests() {
        assert!(
            ![
                "/rest/api/3/users/search",
                "/rest/api/3/group/bulk",
                "/rest/api/3/role"
            ]
            .contains(&r.path.as_str()),
            "{} was fetched again",
            r.path
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn resume_refuses_a_cursor_it_did_not_make() {
    let mut h = Harness::new(Tenant::sample()).await;
    h.plugin
        .configure(&h.config(TokenKind::Unscoped))
        .await
        .unwrap();
    h.fake.clear_requests();
    let err = h
        .plugin
        .extract_from(Some(
            "{\"version\": 1, \"base\": \"https://evil.atlassian.net\"}",
        ))
        .await
        .err()
        .expect("refused");
    assert!(
        matches!(err, CallError::Plugin(PluginError::InvalidCursor(_))),
        "{err:?}"
    );
    assert!(h.fake.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn cli_resume_carries_an_ndjson_run_to_the_end() {
    let h = Harness::new(Tenant::sample()).await;
    // Group members are read last, after every other phase delivered its
    // batches: the run fails with a cursor to carry on from. (A run that
    // fails before its first batch has no cursor, and starts over.)
    h.fake
        .inject(FaultRule::on("/rest/api/3/group/member", &[1], forbidden()));
    let dir = std::env::temp_dir().join(format!("extractor-jira-resume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.json");
    std::fs::write(&config, h.config(TokenKind::Unscoped)).unwrap();
    let args = ExtractArgs {
        target: Target {
            config: Some(config),
            upstream: Some(h.fake.url()),
            component: None,
            ca_file: None,
        },
        out: Some(dir.join("out.ndjson")),
        format: Format::Ndjson,
        resume: Some(dir.join("cursor")),
        upload: Default::default(),
    };
    let failed = host_test::cli::extract(args.clone()).await;
    assert!(failed.is_err());
    assert!(
        dir.join("cursor").exists(),
        "the cursor is kept for the next run"
    );

    host_test::cli::extract(args)
        .await
        .expect("the same command carries on");
    assert!(!dir.join("cursor").exists(), "a spent cursor is removed");
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(dir.join("out.ndjson"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let expected = expected_document(&h.tenant);
    let count = |record: &str| lines.iter().filter(|l| l["record"] == record).count();
    assert_eq!(
        count("entity"),
        expected["entities"].as_array().unwrap().len()
    );
    assert_eq!(
        count("relation"),
        expected["relations"].as_array().unwrap().len()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
