//! `explain` and `privileged` end to end: `extract` writes a JSON document
//! from the real component and the fake Jira, then the commands read it
//! back, and every answer is held to the resolution computed straight from
//! the fake tenant's data (`support/explain.rs`), never from the document.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser as _;
use host_test::access::{self, Index};
use host_test::cli::{Cli, Command, Summary};
use host_test::fake_jira::{FakeJira, Tenant, TokenKind};
use serde_json::Value;
use support::explain::{Key, Paths, Truth, privileged, resolve};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "extractor-jira-explain-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn parse(args: &[&str]) -> Command {
    Cli::try_parse_from(args)
        .expect("the arguments parse")
        .command
}

/// `extract --out FILE [more]`: the JSON document, as the binary writes it.
async fn extract_json(out: &Path, more: &[&str]) -> Summary {
    let out = out.display().to_string();
    let mut args = vec!["extractor-jira", "extract", "--out", &out];
    args.extend(more);
    let Command::Extract(args) = parse(&args) else {
        unreachable!("an extract command")
    };
    host_test::cli::extract(args)
        .await
        .expect("the extraction succeeds")
}

/// `explain ...` as the binary runs it, parsed from its printed JSON.
fn explain(args: &[&str]) -> Result<Value, String> {
    let mut all = vec!["extractor-jira", "explain"];
    all.extend(args);
    let Command::Explain(args) = parse(&all) else {
        unreachable!("an explain command")
    };
    let text = host_test::cli::explain(&args).map_err(|e| format!("{e:#}"))?;
    Ok(serde_json::from_str(&text).expect("explain prints JSON"))
}

fn privileged_cli(document: &Path, format: &str) -> String {
    let Command::Privileged(args) = parse(&[
        "extractor-jira",
        "privileged",
        "--document",
        &document.display().to_string(),
        "--format",
        format,
    ]) else {
        unreachable!("a privileged command")
    };
    host_test::cli::privileged(&args).expect("privileged succeeds")
}

fn paths(v: &Value) -> Paths {
    v.as_array()
        .expect("via is a list")
        .iter()
        .map(|p| {
            p.as_array()
                .expect("a path is a list")
                .iter()
                .map(|s| s.as_str().expect("a path step is text").to_owned())
                .collect()
        })
        .collect()
}

/// `explain --user`'s grants as (project, permission) -> paths.
fn user_grants(answer: &Value) -> BTreeMap<Key, Paths> {
    let mut out = BTreeMap::new();
    for g in answer["grants"].as_array().expect("grants") {
        let key = (
            g["project"].as_str().unwrap().to_owned(),
            g["permission"].as_str().unwrap().to_owned(),
        );
        assert!(
            out.insert(key.clone(), paths(&g["via"])).is_none(),
            "{key:?} is listed once"
        );
    }
    out
}

/// `explain --project`'s permissions as permission -> user -> paths, with
/// the anonymous entries apart.
fn project_principals(
    answer: &Value,
    truth: &Truth,
) -> (
    BTreeMap<String, BTreeMap<String, Paths>>,
    BTreeMap<String, Paths>,
) {
    let (mut held, mut anonymous) = (BTreeMap::new(), BTreeMap::new());
    for p in answer["permissions"].as_array().expect("permissions") {
        let key = p["permission"].as_str().unwrap().to_owned();
        let users: &mut BTreeMap<String, Paths> = held.entry(key.clone()).or_default();
        for principal in p["principals"].as_array().unwrap() {
            if principal["anonymous"] == Value::Bool(true) {
                anonymous.insert(key.clone(), paths(&principal["via"]));
                continue;
            }
            let user = principal["user"].as_str().unwrap().to_owned();
            assert_eq!(
                principal["active"],
                Value::Bool(truth.active[&user]),
                "{user}'s active flag"
            );
            users.insert(user, paths(&principal["via"]));
        }
    }
    (held, anonymous)
}

/// Checks every user's and every project's answer against the tenant's own
/// resolution, through the index (as the command does) and, for a few, the
/// command itself.
fn check_against_truth(tenant: &Tenant, document: &Path) -> Truth {
    let truth = resolve(tenant);
    let ix = Index::parse(&std::fs::read_to_string(document).unwrap()).unwrap();
    let doc = document.display().to_string();
    for (i, u) in tenant.users.iter().enumerate() {
        let answer = if i < 3 {
            explain(&["--document", &doc, "--user", &u.account_id]).unwrap()
        } else {
            access::explain_user(&ix, &u.account_id).unwrap()
        };
        assert_eq!(answer["user"], u.account_id.as_str());
        assert_eq!(answer["active"], u.active, "{}'s active flag", u.account_id);
        assert_eq!(
            user_grants(&answer),
            truth.of_user(&u.account_id),
            "what {} holds",
            u.account_id
        );
        assert_eq!(
            answer["conditional"].as_array().unwrap(),
            &truth.conditional,
            "the conditional grants"
        );
    }
    for p in &tenant.projects {
        let answer = access::explain_project(&ix, &p.key, None).unwrap();
        assert_eq!(answer["project"], p.id.as_str(), "a key names its project");
        let (held, anonymous) = project_principals(&answer, &truth);
        assert_eq!(held, truth.of_project(&p.id), "who holds what on {}", p.key);
        let want_anonymous: BTreeMap<String, Paths> = truth
            .anonymous
            .iter()
            .filter(|((project, _), _)| project == &p.id)
            .map(|((_, permission), paths)| (permission.clone(), paths.clone()))
            .collect();
        assert_eq!(anonymous, want_anonymous, "anonymous access to {}", p.key);
        assert_eq!(
            answer["conditional"].as_array().unwrap(),
            &truth.conditional_of(&p.id),
            "the conditional grants of {}",
            p.key
        );
    }
    truth
}

/// Distinct users per tier, from the tenant: what the summary must count.
fn expected_counts(tenant: &Tenant, truth: &Truth) -> access::Counts {
    let members = |groups: &mut dyn Iterator<Item = &String>| -> BTreeSet<&String> {
        groups
            .flat_map(|g| tenant.members.get(g).into_iter().flatten())
            .collect()
    };
    let project_admins: BTreeSet<&String> = truth
        .held
        .iter()
        .filter(|((_, permission), _)| permission == "ADMINISTER_PROJECTS")
        .flat_map(|(_, users)| users.keys())
        .collect();
    access::Counts {
        site_admins: members(&mut tenant.site_admin_groups.iter()).len(),
        product_admins: members(&mut tenant.app_roles.iter().flat_map(|a| &a.admin_groups)).len(),
        project_admins: project_admins.len(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn explain_agrees_with_an_independent_resolution_for_every_demo_user() {
    let dir = scratch("demo");
    let document = dir.join("acme.json");
    let summary = extract_json(&document, &[]).await;
    let tenant = Tenant::sample();
    let truth = check_against_truth(&tenant, &document);

    // The demo tenant exercises every rule: say so, so a fixture change
    // that drops one cannot pass unnoticed.
    let every_path: BTreeSet<String> = truth
        .held
        .values()
        .flat_map(BTreeMap::values)
        .flatten()
        .flat_map(|p| {
            p.iter()
                .skip(1)
                .map(|s| s.split(':').next().unwrap().to_owned())
        })
        .collect();
    for step in [
        "group",
        "project-role",
        "application-role",
        "project-lead",
        "anyone",
    ] {
        assert!(
            every_path.contains(step),
            "the demo reaches users through {step}"
        );
    }
    assert!(
        truth
            .held
            .values()
            .flat_map(BTreeMap::values)
            .any(|p| p.iter().any(|p| p.len() == 1)),
        "the demo has a grant to a user"
    );
    assert!(
        truth.active.values().any(|a| !a),
        "the demo has an inactive user"
    );
    let inactive_holder = truth
        .held
        .values()
        .flat_map(BTreeMap::keys)
        .any(|u| !truth.active[u]);
    assert!(inactive_holder, "an inactive user holds a permission");
    for holder in [
        "reporter",
        "assignee",
        "userCustomField",
        "sd.customer.portal.only",
    ] {
        assert!(
            truth.conditional.iter().any(|c| c["holderType"] == holder),
            "{holder} is conditional"
        );
    }
    assert!(
        tenant.projects.iter().any(|p| p.archived),
        "the demo has an archived project"
    );
    assert_eq!(summary.privileged, Some(expected_counts(&tenant, &truth)));
    eprintln!("demo summary: {:?}", summary.privileged);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn explain_project_with_a_permission_lists_only_that_permission() {
    let dir = scratch("permission");
    let document = dir.join("acme.json");
    extract_json(&document, &[]).await;
    let doc = document.display().to_string();
    let truth = resolve(&Tenant::sample());
    let answer = explain(&[
        "--document",
        &doc,
        "--project",
        "EX",
        "--permission",
        "ADMINISTER_PROJECTS",
    ])
    .unwrap();
    let (held, anonymous) = project_principals(&answer, &truth);
    let want: BTreeMap<_, _> = truth
        .of_project("10000")
        .into_iter()
        .filter(|(k, _)| k == "ADMINISTER_PROJECTS")
        .collect();
    assert!(!want.is_empty());
    assert_eq!(held, want);
    assert!(anonymous.is_empty());
    assert!(
        answer["conditional"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["permission"] == "ADMINISTER_PROJECTS")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn explain_and_privileged_print_the_same_bytes_twice() {
    let dir = scratch("bytes");
    let document = dir.join("acme.json");
    extract_json(&document, &[]).await;
    let doc = document.display().to_string();
    let run = |args: &[&str]| {
        let mut all = vec!["extractor-jira", "explain", "--document", &doc];
        all.extend(args);
        let Command::Explain(args) = parse(&all) else {
            unreachable!()
        };
        host_test::cli::explain(&args).unwrap()
    };
    for args in [
        &["--user", "5b10ac8d82e05b22cc7d4ef5"][..],
        &["--project", "10000"],
    ] {
        assert_eq!(run(args), run(args), "{args:?}");
    }
    assert_eq!(
        privileged_cli(&document, "json"),
        privileged_cli(&document, "json")
    );
    assert_eq!(
        privileged_cli(&document, "text"),
        privileged_cli(&document, "text")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn privileged_agrees_with_the_fake_on_the_demo_tenant() {
    let dir = scratch("privileged");
    let document = dir.join("acme.json");
    extract_json(&document, &[]).await;
    let tenant = Tenant::sample();
    let truth = resolve(&tenant);
    let got: Value = serde_json::from_str(&privileged_cli(&document, "json")).unwrap();
    assert_eq!(got, privileged(&tenant, &truth));
    assert!(!got["siteAdmins"].as_array().unwrap().is_empty());
    assert!(!got["productAdmins"].as_object().unwrap().is_empty());
    let text = privileged_cli(&document, "text");
    assert!(text.starts_with("Site admins: "), "{text}");
    assert!(text.contains("Project admins of 10000 (EX)"), "{text}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn explain_unknown_user_or_project_names_it() {
    let dir = scratch("unknown");
    let document = dir.join("acme.json");
    extract_json(&document, &[]).await;
    let doc = document.display().to_string();
    let err = explain(&["--document", &doc, "--user", "nobody-here"]).unwrap_err();
    assert!(err.contains("nobody-here"), "{err}");
    let err = explain(&["--document", &doc, "--project", "NOPE"]).unwrap_err();
    assert!(err.contains("NOPE"), "{err}");
    let not_a_document = dir.join("other.json");
    std::fs::write(&not_a_document, "{\"records\": []}").unwrap();
    let err = explain(&[
        "--document",
        &not_a_document.display().to_string(),
        "--user",
        "x",
    ])
    .unwrap_err();
    assert!(err.contains("extract --format json"), "{err}");
    assert!(
        Cli::try_parse_from(["extractor-jira", "explain", "--document", &doc]).is_err(),
        "explain needs --user or --project"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// The generated tenant `bench` measures by default.
const USERS: usize = 20_000;
const GROUPS: usize = 1_000;
const PROJECTS: usize = 500;

#[tokio::test(flavor = "multi_thread")]
async fn explain_and_privileged_on_a_generated_tenant_of_20000_users() {
    let tenant = Tenant::generate_with_projects(USERS, GROUPS, PROJECTS);
    let fake = FakeJira::start(tenant.clone())
        .await
        .expect("fake Jira starts");
    let dir = scratch("generated");
    let config = dir.join("jira.json");
    std::fs::write(&config, tenant.config_json(TokenKind::Unscoped)).unwrap();
    let document = dir.join("generated.json");
    let summary = extract_json(
        &document,
        &[
            "--config",
            &config.display().to_string(),
            "--upstream",
            &fake.url(),
        ],
    )
    .await;
    drop(fake);
    let truth = resolve(&tenant);
    assert_eq!(summary.privileged, Some(expected_counts(&tenant, &truth)));

    // Figures, not assertions: what a reviewer waits for.
    let doc = document.display().to_string();
    let size = std::fs::metadata(&document).unwrap().len();
    let started = Instant::now();
    let report = privileged_cli(&document, "json");
    let privileged_time = started.elapsed();
    let got: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(
        got,
        privileged(&tenant, &truth),
        "privileged at {USERS} users"
    );
    let user = &tenant.users[USERS / 2].account_id;
    let started = Instant::now();
    let answer = explain(&["--document", &doc, "--user", user]).unwrap();
    let user_time = started.elapsed();
    assert_eq!(user_grants(&answer), truth.of_user(user));
    let project = &tenant.projects[PROJECTS / 2];
    let started = Instant::now();
    let answer = explain(&["--document", &doc, "--project", &project.id]).unwrap();
    let project_time = started.elapsed();
    assert_eq!(
        project_principals(&answer, &truth).0,
        truth.of_project(&project.id)
    );
    eprintln!(
        "generated tenant ({USERS} users, {GROUPS} groups, {PROJECTS} projects), document {:.1} MiB: \
         privileged {privileged_time:.2?}, explain --user {user_time:.2?}, explain --project {project_time:.2?}; \
         counts {:?}",
        size as f64 / (1024.0 * 1024.0),
        summary.privileged
    );
    std::fs::remove_dir_all(dir).unwrap();
}
