//! The whole access model through the real component: projects, project
//! roles and actors, application roles, permission schemes and grants, the
//! permission catalogue; the NDJSON output (BalkanID's files: `balkanid.rs`).

mod support;

use std::collections::BTreeMap;

use host_test::CallError;
use host_test::cli::{ExtractArgs, Format, Target};
use host_test::fake_jira::{Logged, Tenant, TokenKind};
use host_test::runtime::types::Error as PluginError;
use host_test::testing::Harness;
use support::{assert_same, configure_and_extract, document_of, expected_document};

#[tokio::test(flavor = "multi_thread")]
async fn extract_sample_tenant_returns_the_whole_access_graph() {
    let mut h = Harness::new(Tenant::sample()).await;
    let config = h.config(TokenKind::Unscoped);
    let extracted = configure_and_extract(&mut h.plugin, &config).await;
    let doc = document_of(&extracted);
    assert_same(&doc, &expected_document(&h.tenant));

    let count = |part: &str, kind: &str| {
        doc[part]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["type"] == kind)
            .count()
    };
    for kind in [
        "project",
        "role",
        "project-role",
        "application-role",
        "permission-scheme",
        "permission",
        "permission-grant",
    ] {
        assert!(count("entities", kind) > 0, "{kind}");
    }
    for kind in [
        "assigned",
        "role-of",
        "instance-of",
        "leads",
        "grants-access",
        "uses-scheme",
        "in-scheme",
        "grants",
        "holds",
    ] {
        assert!(count("relations", kind) > 0, "{kind}");
    }
    // Scheme 0 is a real scheme, used by a project.
    assert!(
        doc["relations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["type"] == "uses-scheme" && r["to"]["id"] == "0")
    );
    // An unknown holder type is kept as it came, with no `holds` edge.
    let future = doc["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["type"] == "permission-grant"
                && e["attributes"]["holderType"] == "atlassianFutureHolder"
        })
        .expect("the unknown holder type is kept");
    assert_eq!(future["attributes"]["holderParameter"], "opaque-42");
    // The archived project is there, with its status.
    assert!(
        doc["entities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "project" && e["attributes"]["status"] == "archived")
    );
    assert!(h.fake.unknown_requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_restricted_project_fails_naming_permission_and_endpoint() {
    let mut h = Harness::new(Tenant::sample_with_restricted_project()).await;
    h.plugin
        .configure(&h.config(TokenKind::Unscoped))
        .await
        .unwrap();
    let err = h.plugin.extract_all(|_| {}).await.unwrap_err();
    match &err {
        CallError::Plugin(PluginError::Forbidden(f)) => {
            assert!(
                f.request.endpoint.contains("/rest/api/3/project/10030/"),
                "{f:?}"
            );
            assert!(
                f.permission
                    .as_deref()
                    .unwrap()
                    .contains("Administer Projects")
            );
            assert!(f.scopes.iter().any(|s| s == "read:jira-work"));
            assert!(
                f.request
                    .message
                    .contains("You cannot edit the configuration")
            );
        }
        other => panic!("{other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("Administer Projects") && message.contains("/project/10030/"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_application_roles_without_admin_names_administer_jira() {
    let mut h = Harness::new(Tenant::sample()).await;
    h.fake.inject(host_test::fake_jira::FaultRule::on(
        "/rest/api/3/applicationrole",
        &[1],
        host_test::fake_jira::Fault::status(403),
    ));
    h.plugin
        .configure(&h.config(TokenKind::Unscoped))
        .await
        .unwrap();
    let err = h.plugin.extract_all(|_| {}).await.unwrap_err();
    match err {
        CallError::Plugin(PluginError::Forbidden(f)) => {
            assert_eq!(f.request.endpoint, "GET /rest/api/3/applicationrole");
            assert_eq!(
                f.permission.as_deref(),
                Some("Administer Jira (global permission)")
            );
            assert!(f.scopes.contains(&"read:application-role:jira".to_owned()));
        }
        other => panic!("{other:?}"),
    }
}

/// Offsets requested per listing, e.g. `group/member groupId=...` -> [0, 50].
fn offsets(log: &[Logged]) -> BTreeMap<String, Vec<u64>> {
    let mut map = BTreeMap::<String, Vec<u64>>::new();
    for r in log {
        let Some(start) = r.param("startAt") else {
            continue;
        };
        let mut key = match r.param("groupId") {
            Some(g) => format!("{} {g}", r.path),
            None => r.path.clone(),
        };
        // The admin tiers are listings of their own.
        for tier in ["accessType", "applicationKey"] {
            if let Some(v) = r.param(tier) {
                key.push_str(&format!(" {tier}={v}"));
            }
        }
        map.entry(key).or_default().push(start.parse().unwrap());
    }
    for v in map.values_mut() {
        v.sort();
    }
    map
}

fn pages(total: usize, cap: usize) -> Vec<u64> {
    let n = total.div_ceil(cap).max(1);
    (0..n).map(|i| (i * cap) as u64).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_reads_every_page_of_every_listing_exactly_once() {
    // Every paged endpoint has more than one page here.
    let tenant = Tenant::generate_with_projects(2345, 60, 230);
    let mut h = Harness::new(tenant).await;
    let config = h.config(TokenKind::Unscoped);
    let extracted = configure_and_extract(&mut h.plugin, &config).await;
    assert_same(&document_of(&extracted), &expected_document(&h.tenant));

    let log = h.fake.requests();
    let got = offsets(&log);
    let t = &h.tenant;

    // users/search: every full page, then pages up to and past the first empty one.
    let users = &got["/rest/api/3/users/search"];
    let needed: Vec<u64> = (0..=t.users.len().div_ceil(1000))
        .map(|i| i as u64 * 1000)
        .collect();
    assert_eq!(&users[..needed.len()], needed.as_slice(), "users pages");
    let speculative = users.len() - needed.len();
    assert!(
        speculative < 8,
        "at most concurrency-1 pages past the end: {speculative}"
    );

    assert_eq!(got["/rest/api/3/group/bulk"], pages(t.groups.len(), 50));
    assert!(got["/rest/api/3/group/bulk"].len() > 1);
    assert_eq!(
        got["/rest/api/3/project/search"],
        pages(t.projects.len(), 100)
    );
    assert!(got["/rest/api/3/project/search"].len() > 1);
    let mut multi_page_groups = 0;
    for g in &t.groups {
        let members = t.members.get(&g.group_id).map_or(0, Vec::len);
        let key = format!("/rest/api/3/group/member {}", g.group_id);
        assert_eq!(got[&key], pages(members, 50), "{key}");
        multi_page_groups += usize::from(members > 50);
    }
    assert!(multi_page_groups > 0);
    let tier = |access: &str, key: Option<&str>| {
        let name = match key {
            Some(k) => format!("/rest/api/3/group/bulk accessType={access} applicationKey={k}"),
            None => format!("/rest/api/3/group/bulk accessType={access}"),
        };
        let groups = t.groups_by_access(access, key).unwrap().len();
        assert_eq!(got[&name], pages(groups, 50), "{name}");
    };
    tier("site-admin", None);
    for a in &t.app_roles {
        tier("admin", Some(&a.key));
        tier("user", Some(&a.key));
    }

    // Everything else exactly once per resource.
    let mut per_path = BTreeMap::<&str, usize>::new();
    for r in &log {
        // The organization's searches share one path, a request per chunk.
        if r.param("startAt").is_none() && !r.is_admin() {
            *per_path.entry(r.path.as_str()).or_default() += 1;
        }
    }
    assert!(per_path.values().all(|n| *n == 1), "{per_path:?}");

    // And the total is the tenant's minimum plus the speculative user pages.
    assert_eq!(log.len() as u64, t.minimum_requests() + speculative as u64);
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_ndjson_streams_one_record_per_line() {
    let path = std::env::temp_dir().join(format!("extractor-jira-{}.ndjson", std::process::id()));
    let args = ExtractArgs {
        target: Target {
            config: None,
            upstream: None,
            component: None,
            ca_file: None,
        },
        out: Some(path.clone()),
        format: Format::Ndjson,
        resume: None,
        upload: Default::default(),
    };
    let summary = host_test::cli::extract(args)
        .await
        .expect("ndjson extraction");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let entities = lines.iter().filter(|l| l["record"] == "entity").count();
    let relations = lines.iter().filter(|l| l["record"] == "relation").count();
    assert_eq!(
        entities,
        summary.entity_counts.iter().map(|(_, n)| n).sum::<usize>()
    );
    assert_eq!(
        relations,
        summary
            .relation_counts
            .iter()
            .map(|(_, n)| n)
            .sum::<usize>()
    );
    let entitlements: Vec<_> = lines
        .iter()
        .filter(|l| l["record"] == "entitlement")
        .collect();
    assert_eq!(
        entitlements.len(),
        summary
            .entitlement_counts
            .iter()
            .map(|(_, n)| n)
            .sum::<usize>()
    );
    assert!(entitlements.iter().all(|e| {
        let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        keys == [
            "identity",
            "privilegeName",
            "privilegeValue",
            "connection",
            "resource",
            "record",
        ]
    }));
    assert_eq!(lines.len(), entities + relations + entitlements.len());
    std::fs::remove_file(&path).unwrap();
}

/// Every project uses a scheme, a team-managed one its own project-scoped
/// scheme, which `GET /permissionscheme` may leave out: it is then read by id,
/// so that each `uses-scheme` points at a scheme whose grants were extracted.
#[tokio::test(flavor = "multi_thread")]
async fn extract_reads_every_projects_scheme_in_both_token_modes() {
    for kind in [TokenKind::Unscoped, TokenKind::Scoped] {
        let mut h = Harness::new(Tenant::sample()).await;
        let config = h.config(kind);
        let doc = document_of(&configure_and_extract(&mut h.plugin, &config).await);
        let of_type = |part: &str, t: &str| -> Vec<serde_json::Value> {
            doc[part]
                .as_array()
                .unwrap()
                .iter()
                .filter(|v| v["type"] == t)
                .cloned()
                .collect()
        };
        let uses: Vec<(String, String)> = of_type("relations", "uses-scheme")
            .iter()
            .map(|r| {
                (
                    r["from"]["id"].as_str().unwrap().to_owned(),
                    r["to"]["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let want = [
            ("10000", "0"),
            ("10001", "10100"),
            ("10002", "10100"),
            ("10003", "10101"),
            ("10020", "10300"),
        ];
        assert_eq!(
            uses,
            want.map(|(p, s)| (p.to_owned(), s.to_owned())),
            "{kind:?}"
        );
        let team = of_type("entities", "permission-scheme")
            .into_iter()
            .find(|s| s["id"] == "10300")
            .expect("the unlisted team-managed scheme is extracted");
        assert_eq!(team["attributes"]["scope"], "project");
        assert_eq!(team["attributes"]["projectId"], "10020");
        let global = of_type("entities", "permission-scheme")
            .into_iter()
            .find(|s| s["id"] == "0")
            .unwrap();
        assert_eq!(global["attributes"]["scope"], "global");
        assert_eq!(global["attributes"]["projectId"], serde_json::Value::Null);
        let team_grants = of_type("relations", "in-scheme")
            .iter()
            .filter(|r| r["to"]["id"] == "10300")
            .count();
        assert_eq!(team_grants, 3, "the unlisted scheme's grants");
        let log = h.fake.requests();
        for path in [
            "/rest/api/3/project/10020/permissionscheme",
            "/rest/api/3/permissionscheme/10300",
        ] {
            assert_eq!(
                log.iter().filter(|r| r.path == path).count(),
                1,
                "{path} once ({kind:?})"
            );
        }
        assert_eq!(log.len() as u64, h.tenant.minimum_requests() + extra(kind));
        assert!(h.fake.unknown_requests().is_empty());
    }
}

/// Requests a token mode costs beyond the tenant's minimum (which holds one
/// probe, the tenant-info lookup and the permissions both modes make): a
/// scoped token is refused on the site, for the probe and the permissions
/// sent with it, before both are sent again through the gateway.
fn extra(kind: TokenKind) -> u64 {
    match kind {
        TokenKind::Unscoped => 0,
        TokenKind::Scoped => 2,
    }
}
