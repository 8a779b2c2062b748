//! `extract --format balkanid --out DIR` end to end: the command line, the
//! real component and the fake Jira, then BalkanID's three files read back
//! and held to the ground truth computed from the fake tenant's data
//! (`support/balkanid.rs`).

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Parser as _;
use host_test::balkanid::fake::FakeBalkanId;
use host_test::balkanid::{ApiKey, UploadOptions, upload};
use host_test::cli::{Cli, Command, Summary};
use host_test::fake_jira::{FakeJira, Tenant, TokenKind};
use support::balkanid::{Counts, Files, assert_counts, ground_truth, python_counts};

/// Uploads `dir`'s three files to a fake BalkanID API, as `extract --upload
/// --entitlements` does, and checks that it received exactly the files'
/// bytes, one upload each, in BalkanID's order.
async fn upload_delivers_the_files(dir: &Path) {
    let fake = FakeBalkanId::start("bid-key", "bid-secret")
        .await
        .expect("fake BalkanID starts");
    let options = UploadOptions::new(fake.url(), ApiKey::new("bid-key", "bid-secret"), true);
    let summary = upload(dir, &options).await.expect("the upload succeeds");
    eprintln!("{summary}");
    let uploads = fake.uploads();
    let kinds: Vec<&str> = uploads.iter().map(|u| u.kind.as_str()).collect();
    assert_eq!(kinds, ["entities", "entity-relations", "entitlements"]);
    for (upload, file) in
        uploads
            .iter()
            .zip(["entities.csv", "entity_relations.csv", "entitlements.csv"])
    {
        let written = std::fs::read(dir.join(file)).unwrap();
        assert!(upload.bytes[..] == written[..], "{file}: the bytes sent");
    }
    assert!(fake.unknown_calls().is_empty());
}

/// The generated tenant `bench` measures by default.
const USERS: usize = 20_000;
const GROUPS: usize = 1_000;
const PROJECTS: usize = 500;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "extractor-jira-balkanid-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Runs `extractor-jira extract --format balkanid --out DIR [more]` as the
/// binary would, from its arguments.
async fn extract(out: &Path, more: &[&str]) -> Summary {
    let mut args = vec!["extractor-jira", "extract", "--format", "balkanid", "--out"];
    let out = out.display().to_string();
    args.push(&out);
    args.extend(more);
    let Command::Extract(args) = Cli::try_parse_from(args)
        .expect("the arguments parse")
        .command
    else {
        unreachable!("an extract command")
    };
    host_test::cli::extract(args)
        .await
        .expect("the export succeeds")
}

/// The demo tenant, exported with no config (the built-in fake).
async fn export_demo(name: &str) -> (PathBuf, Tenant, Summary) {
    let dir = scratch(name).join("out");
    let summary = extract(&dir, &[]).await;
    (dir, Tenant::sample(), summary)
}

/// The generated tenant of `bench`, served by a fake started here, exported
/// with its config and `--upstream`.
async fn export_generated(name: &str) -> (PathBuf, Tenant, Summary) {
    let tenant = Tenant::generate_with_projects(USERS, GROUPS, PROJECTS);
    let fake = FakeJira::start(tenant.clone())
        .await
        .expect("fake Jira starts");
    let root = scratch(name);
    std::fs::create_dir_all(&root).unwrap();
    let config = root.join("jira.json");
    std::fs::write(&config, tenant.config_json(TokenKind::Unscoped)).unwrap();
    let dir = root.join("out");
    let summary = extract(
        &dir,
        &[
            "--config",
            &config.display().to_string(),
            "--upstream",
            &fake.url(),
        ],
    )
    .await;
    drop(fake);
    (dir, tenant, summary)
}

fn site_url(tenant: &Tenant) -> String {
    format!("https://{}", tenant.host())
}

/// Reads the files, checks them against the tenant's ground truth, and
/// prints the figures.
fn check(what: &str, dir: &Path, tenant: &Tenant, write_time: Option<Duration>) -> Counts {
    let files = Files::read(dir);
    let got = files.check_and_count(&site_url(tenant));
    let want = ground_truth(tenant);
    eprintln!(
        "{what}: {} entity rows, {} relation rows, {} entitlement rows, {} conditional grants",
        got.entity_rows(),
        got.relation_rows(),
        got.entitlement_rows(),
        got.conditional_grants
    );
    for (name, size) in &files.sizes {
        eprintln!("  {name:<22} {size:>11} bytes");
    }
    if let Some(t) = write_time {
        eprintln!(
            "  export (render, check, write, sync, rename): {:.3} s",
            t.as_secs_f64()
        );
    }
    eprintln!("  entities by Source Type: {:?}", got.entities);
    eprintln!(
        "  relations by privilege and connection type: {:?}",
        got.relations
    );
    eprintln!("  entitlements by privilege: {:?}", got.entitlements);
    assert_counts(what, &got, &want);
    got
}

#[tokio::test(flavor = "multi_thread")]
async fn export_demo_tenant_matches_ground_truth() {
    let (dir, tenant, summary) = export_demo("demo").await;
    let counts = check("demo tenant", &dir, &tenant, summary.write_time);
    let files = Files::read(&dir);

    // The site, and a group name that needs quoting, come through whole.
    let site = files.entities.iter().find(|r| r[5] == "site").unwrap();
    assert_eq!(
        (&*site[1], &*site[4]),
        ("acme.atlassian.net", tenant.cloud_id.as_str())
    );
    assert!(
        files
            .entities
            .iter()
            .any(|r| r[1] == "Support, \"Tier 2\"\nnight shift" && r[5] == "group")
    );
    // The entitlements the summary counted are the rows written.
    let summed: usize = summary.entitlement_counts.iter().map(|(_, n)| n).sum();
    assert_eq!(summed, counts.entitlement_rows());
    upload_delivers_the_files(&dir).await;
    std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn export_generated_tenant_of_20000_users_matches_ground_truth() {
    let (dir, tenant, summary) = export_generated("generated").await;
    assert_eq!(tenant.users.len(), USERS + 1, "with the service account");
    check(
        &format!("generated tenant ({USERS} users, {GROUPS} groups, {PROJECTS} projects)"),
        &dir,
        &tenant,
        summary.write_time,
    );
    upload_delivers_the_files(&dir).await;
    std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn export_without_out_is_refused_before_connecting() {
    let Command::Extract(args) =
        Cli::try_parse_from(["extractor-jira", "extract", "--format", "balkanid"])
            .unwrap()
            .command
    else {
        unreachable!()
    };
    let err = host_test::cli::extract(args).await.unwrap_err();
    assert!(err.to_string().contains("--out DIR"), "{err}");
    assert!(
        Cli::try_parse_from(["extractor-jira", "extract", "--format", "csv"]).is_err(),
        "--format csv is gone"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs python3 on PATH"]
async fn export_demo_and_generated_tenants_parses_with_python_csv() {
    for (what, (dir, tenant, _)) in [
        ("demo tenant", export_demo("python-demo").await),
        (
            "generated tenant",
            export_generated("python-generated").await,
        ),
    ] {
        let counts = python_counts(&dir, &site_url(&tenant));
        assert_counts(
            &format!("{what}, read by python's csv module"),
            &counts,
            &ground_truth(&tenant),
        );
        std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
    }
}
