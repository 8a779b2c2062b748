//! Every fault the fake Jira can inject, on every endpoint an extraction
//! calls: the run either ends with exactly the fault-free output, after
//! bounded retries, or with a typed error that names the step and the
//! endpoint. It never hangs and never reports a partial result as complete.
//! A 200 whose body is not JSON at all is retried like a reset connection;
//! one that never turns into JSON ends in `invalid-response`.

mod support;

use std::sync::Arc;
use std::time::Duration;

use host_test::CallError;
use host_test::action::ActionSpec;
use host_test::fake_jira::{Fault, FaultRule, Tenant, TokenKind};
use host_test::runtime::types::Error as PluginError;
use host_test::testing::Harness;
use support::{document_of, expected_document};
use tokio::sync::Semaphore;

const ENDPOINTS: &[&str] = &[
    "/rest/api/3/users/search",
    "/rest/api/3/group/bulk",
    "/rest/api/3/group/member",
    "/rest/api/3/role",
    "/rest/api/3/project/search",
    "/rest/api/3/project/10020/roledetails",
    "/rest/api/3/project/10000/role/10002",
    "/rest/api/3/project/10000/permissionscheme",
    "/rest/api/3/applicationrole",
    "/rest/api/3/permissions",
    "/rest/api/3/permissionscheme",
    // Team Rocket's project-scoped scheme, which the listing leaves out.
    "/rest/api/3/permissionscheme/10300",
];

fn faults() -> Vec<(&'static str, Fault)> {
    let status = |status, retry_after| Fault::Status {
        status,
        retry_after,
    };
    vec![
        ("429 + Retry-After", status(429, Some(1))),
        ("429", status(429, None)),
        ("500", status(500, None)),
        ("502", status(502, None)),
        ("503", status(503, None)),
        ("504", status(504, None)),
        ("reset", Fault::Reset),
        ("cut-off body", Fault::Truncate),
        ("invalid JSON", Fault::InvalidJson),
        ("wrong shape", Fault::WrongShape),
        ("empty 200", Fault::EmptyOk),
        ("cut-off JSON, whole length", Fault::TruncatedJson),
        ("HTML 200", Fault::HtmlOk),
        ("slow", Fault::Slow(Duration::from_secs(3))),
        ("401", status(401, None)),
        ("403", status(403, None)),
        ("self-looping page", Fault::SelfLoopingPage),
    ]
}

/// What a fault must lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Exact,
    InvalidResponse,
    Unauthorized,
    Forbidden,
}

fn expectation(fault: &Fault) -> Expect {
    match fault {
        // A 200 that is not JSON at all is a broken delivery, retried like a
        // reset; JSON of the wrong shape is Jira's answer, and an error at once.
        Fault::WrongShape => Expect::InvalidResponse,
        Fault::Status { status: 401, .. } => Expect::Unauthorized,
        Fault::Status { status: 403, .. } => Expect::Forbidden,
        _ => Expect::Exact,
    }
}

fn config(tenant: &Tenant) -> String {
    let mut config: serde_json::Value =
        serde_json::from_str(&tenant.config_json(TokenKind::Unscoped)).unwrap();
    config["appConfig"]["maxConcurrency"] = 4.into();
    // Short deadlines keep the slow-answer cases quick.
    config["appConfig"]["requestTimeoutSeconds"] = 1.into();
    config["appConfig"]["retryBudgetSeconds"] = 30.into();
    config.to_string()
}

/// Runs one extraction with `fault` on the first request for `path`, and
/// says what happened.
async fn run_case(path: &'static str, fault: Fault) -> Result<Expect, String> {
    let tenant = Tenant::sample();
    let expected = expected_document(&tenant);
    let mut h = Harness::new(tenant).await;
    h.plugin
        .configure(&config(&h.tenant))
        .await
        .map_err(|e| format!("configure: {e}"))?;
    h.fake.inject(FaultRule::on(path, &[1], fault));
    let result = tokio::time::timeout(Duration::from_secs(60), h.plugin.extract_all(|_| {}))
        .await
        .map_err(|_| "the extraction hung".to_owned())?;
    let hit = h.fake.injected().iter().any(|(p, _)| p == path);
    if !hit {
        return Err(format!("the fault was never injected on {path}"));
    }
    match result {
        Ok(extracted) => {
            if document_of(&extracted) == expected {
                Ok(Expect::Exact)
            } else {
                Err("completed with output that differs from the fault-free run".into())
            }
        }
        Err(CallError::Trap(e)) => Err(format!("trap: {e:#}")),
        Err(CallError::Plugin(e)) => {
            let (kind, request) = match &e {
                PluginError::InvalidResponse(f) => (Expect::InvalidResponse, f),
                PluginError::Unauthorized(f) => (Expect::Unauthorized, f),
                PluginError::Forbidden(f) => (Expect::Forbidden, &f.request),
                other => return Err(format!("untyped or unexpected error: {other:?}")),
            };
            if request.step.is_empty() || !request.endpoint.contains(path) {
                return Err(format!(
                    "the error does not name the step and {path}: {request:?}"
                ));
            }
            Ok(kind)
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_under_every_fault_on_every_endpoint_is_exact_or_a_typed_error() {
    let gate = Arc::new(Semaphore::new(8));
    let mut tasks = Vec::new();
    for path in ENDPOINTS {
        for (name, fault) in faults() {
            let gate = gate.clone();
            let want = expectation(&fault);
            tasks.push((
                *path,
                name,
                want,
                tokio::spawn(async move {
                    let _permit = gate.acquire().await.unwrap();
                    run_case(path, fault).await
                }),
            ));
        }
    }
    let mut failures = Vec::new();
    let mut table = String::from(
        "fault matrix (rows: endpoint; E = retried and exact, I = invalid-response, U = unauthorized, F = forbidden)\n",
    );
    let names: Vec<&str> = faults().iter().map(|(n, _)| *n).collect();
    let mut row = String::new();
    let mut current = "";
    for (path, name, want, task) in tasks {
        if path != current {
            if !row.is_empty() {
                table.push_str(&format!("{current:<45} {row}\n"));
            }
            current = path;
            row.clear();
        }
        let got = task.await.expect("the case ran");
        let cell = match &got {
            Ok(Expect::Exact) => "E",
            Ok(Expect::InvalidResponse) => "I",
            Ok(Expect::Unauthorized) => "U",
            Ok(Expect::Forbidden) => "F",
            Err(_) => "!",
        };
        row.push_str(cell);
        row.push(' ');
        match got {
            Ok(kind) if kind == want => {}
            other => failures.push(format!("{path} x {name}: wanted {want:?}, got {other:?}")),
        }
    }
    table.push_str(&format!("{current:<45} {row}\n"));
    println!("{table}columns: {}", names.join(" | "));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_stops_typed_when_the_token_is_revoked_mid_run() {
    // Without the organization, so that the twelfth request is Jira's.
    let mut h = Harness::new(Tenant::sample().without_org()).await;
    h.plugin
        .configure(&h.config(TokenKind::Unscoped))
        .await
        .unwrap();
    h.fake.inject(FaultRule::from("*", 12, Fault::status(401)));
    let mut batches = 0;
    let err = h.plugin.extract_all(|_| batches += 1).await.unwrap_err();
    match err {
        CallError::Plugin(PluginError::Unauthorized(f)) => {
            assert!(f.endpoint.starts_with("GET /rest/api/3/"), "{f:?}");
            assert!(!f.step.is_empty());
        }
        other => panic!("{other:?}"),
    }
    assert!(
        batches > 0,
        "batches before the revocation were delivered, and the run still failed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_gives_up_within_the_retry_budget() {
    let mut h = Harness::new(Tenant::sample()).await;
    let mut config: serde_json::Value =
        serde_json::from_str(&h.config(TokenKind::Unscoped)).unwrap();
    config["appConfig"]["retryBudgetSeconds"] = 2.into();
    h.plugin.configure(&config.to_string()).await.unwrap();
    h.fake.inject(FaultRule::from(
        "/rest/api/3/group/bulk",
        1,
        Fault::status(503),
    ));
    let started = std::time::Instant::now();
    let err = h.plugin.extract_all(|_| {}).await.unwrap_err();
    assert!(
        matches!(&err, CallError::Plugin(PluginError::Upstream(u)) if u.status == 503),
        "{err:?}"
    );
    // `group/bulk` is read as several listings at once (the admin tiers
    // and the plain listing), so count each request's attempts.
    let mut attempts = std::collections::BTreeMap::<Vec<Option<String>>, usize>::new();
    for r in h.fake.requests() {
        if r.path == "/rest/api/3/group/bulk" {
            let key = ["accessType", "applicationKey", "startAt"]
                .map(|k| r.param(k).map(str::to_owned))
                .to_vec();
            *attempts.entry(key).or_default() += 1;
        }
    }
    let most = attempts.values().copied().max().unwrap_or(0);
    assert!((2..=6).contains(&most), "{attempts:?} attempts");
    // The budget bounds the waiting; the check is loose on purpose (not a timing test).
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_gives_up_on_a_200_that_is_never_json_as_invalid_response() {
    // Each on an endpoint read once, so the fake's count is one request's attempts.
    let cases = [
        ("/rest/api/3/users/search", Fault::EmptyOk, "list users"),
        ("/rest/api/3/role", Fault::InvalidJson, "list project roles"),
        (
            "/rest/api/3/project/search",
            Fault::TruncatedJson,
            "list projects",
        ),
        ("/rest/api/3/permissions", Fault::HtmlOk, "list permissions"),
    ];
    for (path, fault, step) in cases {
        let mut h = Harness::new(Tenant::sample()).await;
        let mut config: serde_json::Value =
            serde_json::from_str(&h.config(TokenKind::Unscoped)).unwrap();
        config["appConfig"]["retryBudgetSeconds"] = 2.into();
        h.plugin.configure(&config.to_string()).await.unwrap();
        h.fake.inject(FaultRule::from(path, 1, fault.clone()));
        let started = std::time::Instant::now();
        let err = tokio::time::timeout(Duration::from_secs(60), h.plugin.extract_all(|_| {}))
            .await
            .expect("the extraction ended")
            .unwrap_err();
        let attempts = h.fake.requests().iter().filter(|r| r.path == path).count();
        match &err {
            CallError::Plugin(PluginError::InvalidResponse(f)) => {
                assert_eq!(f.step, step, "{fault:?}");
                assert!(f.endpoint.starts_with(&format!("GET {path}")), "{f:?}");
                assert!(
                    f.message
                        .ends_with(&format!("Gave up after {attempts} attempts.")),
                    "{fault:?}: the message counts the fake's {attempts} requests: {f:?}"
                );
                assert!(!f.message.contains("Bad Gateway"), "no body content: {f:?}");
            }
            other => panic!("{fault:?}: {other:?}"),
        }
        assert!(
            (2..=6).contains(&attempts),
            "{fault:?}: {attempts} attempts"
        );
        assert!(started.elapsed() < Duration::from_secs(30));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_never_retries_a_write_whose_200_is_not_json() {
    let mut h = Harness::new(Tenant::sample()).await;
    h.plugin
        .configure(&h.config(TokenKind::Unscoped))
        .await
        .unwrap();
    h.fake.clear_requests();
    h.fake
        .inject(FaultRule::from("/rest/api/3/group", 1, Fault::HtmlOk));
    let spec = ActionSpec::parse(r#"{"action": "create-group", "name": "made once"}"#).unwrap();
    let err = h.plugin.apply(&spec.to_wit()).await.unwrap_err();
    match &err {
        CallError::Plugin(PluginError::InvalidResponse(f)) => {
            assert_eq!(f.step, "create a group");
            assert!(f.endpoint.starts_with("POST /rest/api/3/group"), "{f:?}");
            assert!(!f.message.contains("attempts"), "{f:?}");
        }
        other => panic!("{other:?}"),
    }
    let posts: Vec<_> = h
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.path == "/rest/api/3/group")
        .map(|r| (r.method, r.status))
        .collect();
    assert_eq!(posts, vec![("POST".to_owned(), 201)], "sent once");
    let made = h
        .fake
        .with_tenant(|t| t.groups.iter().filter(|g| g.name == "made once").count());
    assert_eq!(made, 1);
}
