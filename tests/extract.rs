//! The real component, in wasmtime, over real `wasi:http`, against the fake
//! Jira on 127.0.0.1: users, groups and memberships.

mod support;

use std::time::{Duration, Instant};

use host_test::CallError;
use host_test::fake_jira::tenant::ODD_GROUP_ID;
use host_test::fake_jira::{Fault, FaultRule, Tenant, TokenKind};
use host_test::runtime::types::Error as PluginError;
use host_test::testing::Harness;
use support::{assert_same, configure_and_extract, document_of, expected_document};

#[tokio::test(flavor = "multi_thread")]
async fn extract_sample_tenant_returns_exactly_the_tenant() {
    let mut h = Harness::new(Tenant::sample()).await;
    let config = h.config(TokenKind::Unscoped);
    let extracted = configure_and_extract(&mut h.plugin, &config).await;
    assert_same(&document_of(&extracted), &expected_document(&h.tenant));

    // Every account type, inactive users and hidden e-mails are all there.
    let doc = document_of(&extracted);
    let users: Vec<_> = doc["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "user")
        .collect();
    for kind in ["atlassian", "app", "customer"] {
        assert!(
            users.iter().any(|u| u["attributes"]["accountType"] == kind),
            "{kind}"
        );
    }
    assert!(
        users
            .iter()
            .filter(|u| u["attributes"]["active"] == false)
            .count()
            >= 5
    );
    assert!(
        users
            .iter()
            .filter(|u| u["attributes"]["email"].is_null())
            .count()
            >= 10
    );
    assert!(h.fake.unknown_requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_more_than_1000_users_reads_every_page_once() {
    let tenant = Tenant::generate(2345, 3);
    let mut h = Harness::new(tenant).await;
    let config = h.config(TokenKind::Unscoped);
    let extracted = configure_and_extract(&mut h.plugin, &config).await;
    assert_same(&document_of(&extracted), &expected_document(&h.tenant));
    assert_eq!(
        extracted
            .entities
            .iter()
            .filter(|e| e.kind == "user")
            .count(),
        2346
    );

    let mut offsets: Vec<u64> = h
        .fake
        .requests()
        .iter()
        .filter(|r| r.path == "/rest/api/3/users/search")
        .map(|r| {
            assert_eq!(r.param("maxResults"), Some("1000"));
            r.param("startAt").unwrap().parse().unwrap()
        })
        .collect();
    offsets.sort();
    let distinct = {
        let mut d = offsets.clone();
        d.dedup();
        d
    };
    assert_eq!(offsets, distinct, "no page is fetched twice");
    assert_eq!(
        &offsets[..4],
        &[0, 1000, 2000, 3000],
        "through the first empty page"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_group_over_50_members_pages_and_keeps_inactive_members() {
    let mut h = Harness::new(Tenant::sample()).await;
    let config = h.config(TokenKind::Unscoped);
    let extracted = configure_and_extract(&mut h.plugin, &config).await;

    let group = h
        .tenant
        .groups
        .iter()
        .find(|g| g.name == "jira-software-users")
        .unwrap();
    let expected = &h.tenant.members[&group.group_id];
    assert!(expected.len() > 50);
    let inactive = expected
        .iter()
        .filter(|id| !h.tenant.user(id).unwrap().active)
        .count();
    assert!(inactive > 0, "the fixture has inactive members");

    let mut got: Vec<&str> = extracted
        .relations
        .iter()
        .filter(|r| r.target.id == group.group_id)
        .map(|r| r.source.id.as_str())
        .collect();
    got.sort();
    let mut want: Vec<&str> = expected.iter().map(String::as_str).collect();
    want.sort();
    assert_eq!(got, want);

    let pages: Vec<(Option<String>, Option<String>)> = h
        .fake
        .requests()
        .iter()
        .filter(|r| {
            r.path == "/rest/api/3/group/member" && r.param("groupId") == Some(&group.group_id)
        })
        .map(|r| {
            assert_eq!(r.param("includeInactiveUsers"), Some("true"));
            (
                r.param("startAt").map(str::to_owned),
                r.param("maxResults").map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(pages.len(), 2);
    assert!(pages.contains(&(Some("0".into()), Some("50".into()))));
    assert!(pages.contains(&(Some("50".into()), Some("50".into()))));
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_odd_group_names_and_ids_round_trip() {
    let mut h = Harness::new(Tenant::sample()).await;
    let config = h.config(TokenKind::Unscoped);
    let extracted = configure_and_extract(&mut h.plugin, &config).await;

    // The fake decoded exactly the id it serves: nothing was lost in encoding.
    let asked: Vec<String> = h
        .fake
        .requests()
        .iter()
        .filter(|r| r.path == "/rest/api/3/group/member")
        .filter_map(|r| r.param("groupId").map(str::to_owned))
        .collect();
    assert!(asked.iter().any(|id| id == ODD_GROUP_ID), "{asked:?}");
    for r in h.plugin.requests() {
        assert!(
            !r.url.contains(' ') && !r.url.contains('#'),
            "unencoded URL {}",
            r.url
        );
    }
    let members: Vec<_> = extracted
        .relations
        .iter()
        .filter(|r| r.target.id == ODD_GROUP_ID)
        .collect();
    assert_eq!(members.len(), 2);
    let names: Vec<&str> = extracted
        .entities
        .iter()
        .filter(|e| e.kind == "group")
        .map(|e| e.name.as_str())
        .collect();
    assert!(names.contains(&"100% café + crème = brûlée? ü"));
    assert!(names.contains(&"R&D / Ops #1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_with_scoped_token_goes_through_the_gateway() {
    let tenant = Tenant::sample();
    let mut h = Harness::new(tenant).await;
    let info = h
        .plugin
        .configure(&h.config(TokenKind::Scoped))
        .await
        .expect("scoped token is accepted");
    assert_eq!(info.mode, host_test::runtime::types::AuthMode::Scoped);
    assert_eq!(info.cloud_id.as_deref(), Some(h.tenant.cloud_id.as_str()));
    assert_eq!(
        info.api_base_url,
        format!("https://api.atlassian.com/ex/jira/{}", h.tenant.cloud_id)
    );
    assert_eq!(
        info.account_id,
        host_test::fake_jira::tenant::SERVICE_ACCOUNT_ID
    );

    let extracted = h
        .plugin
        .extract_all(|_| {})
        .await
        .expect("extraction succeeds");
    assert_same(&document_of(&extracted), &expected_document(&h.tenant));

    let requests = h.plugin.requests();
    // The probe, the cloud id and the permissions go together, first on the
    // site (which refuses a scoped token), then through the gateway.
    let detection: Vec<String> = requests[..5].iter().map(|r| r.url.clone()).collect();
    let gateway = format!("https://api.atlassian.com/ex/jira/{}", h.tenant.cloud_id);
    let permissions = "/rest/api/3/mypermissions?permissions=ADMINISTER%2CUSER_PICKER";
    assert_eq!(
        detection,
        vec![
            "https://acme.atlassian.net/rest/api/3/myself".to_owned(),
            "https://acme.atlassian.net/_edge/tenant_info".to_owned(),
            format!("https://acme.atlassian.net{permissions}"),
            format!("{gateway}/rest/api/3/myself"),
            format!("{gateway}{permissions}"),
        ]
    );
    let prefix = format!(
        "https://api.atlassian.com/ex/jira/{}/rest/api/3/",
        h.tenant.cloud_id
    );
    // Everything but the organization's searches goes through the gateway.
    for r in requests[5..]
        .iter()
        .filter(|r| !r.url.starts_with("https://api.atlassian.com/admin/"))
    {
        assert!(r.url.starts_with(&prefix), "{}", r.url);
        assert_eq!(r.status, Some(200), "{}", r.url);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn configure_with_wrong_token_is_unauthorized_in_both_modes() {
    let mut h = Harness::new(Tenant::sample()).await;
    let config = r#"{"appConfig": {"token": "svc-governance@acme.example:WRONG-TOKEN-123", "siteName": "acme"}}"#;
    let err = h.plugin.configure(config).await.unwrap_err();
    match &err {
        CallError::Plugin(PluginError::Unauthorized(f)) => {
            assert_eq!(f.step, "check credentials");
            assert!(f.endpoint.contains("/rest/api/3/myself"));
            assert!(
                f.endpoint.contains("/ex/jira/"),
                "both modes were tried: {f:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(!format!("{err} {err:?}").contains("WRONG-TOKEN-123"));
    // Sent together, so the fake logs them in whichever order they finish.
    let mut paths: Vec<(String, u16)> = h
        .fake
        .requests()
        .iter()
        .map(|r| (format!("{}{}", r.host, r.path), r.status))
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            ("acme.atlassian.net/_edge/tenant_info".to_owned(), 200),
            (
                "acme.atlassian.net/rest/api/3/mypermissions".to_owned(),
                401
            ),
            ("acme.atlassian.net/rest/api/3/myself".to_owned(), 401),
            ("api.atlassian.com/rest/api/3/mypermissions".to_owned(), 401),
            ("api.atlassian.com/rest/api/3/myself".to_owned(), 401),
        ]
    );
    // The anonymous endpoint never saw the credential.
    let tenant_info = h.fake.requests();
    let tenant_info = tenant_info
        .iter()
        .find(|r| r.path == "/_edge/tenant_info")
        .expect("the cloud id was read");
    assert_eq!(tenant_info.account, None);

    // An unscoped token on the gateway is refused too, even when it is valid on the site.
    let classic = h.tenant.credential(TokenKind::Unscoped).clone();
    h.fake
        .with_tenant(|t| t.credentials.retain(|c| c.kind == TokenKind::Scoped));
    let err = h
        .plugin
        .configure(&h.config(TokenKind::Unscoped))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CallError::Plugin(PluginError::Unauthorized(_))),
        "{err:?}"
    );
    assert!(!format!("{err:?}").contains(&classic.token));
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_retries_after_429_and_returns_the_same_result() {
    let mut h = Harness::new(Tenant::sample()).await;
    for (path, nth) in [
        ("/rest/api/3/users/search", vec![1]),
        ("/rest/api/3/group/member", vec![2, 3]),
    ] {
        h.fake.inject(FaultRule::on(
            path,
            &nth,
            Fault::Status {
                status: 429,
                retry_after: Some(1),
            },
        ));
    }
    let config = h.config(TokenKind::Unscoped);
    let started = Instant::now();
    let extracted = configure_and_extract(&mut h.plugin, &config).await;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert_same(&document_of(&extracted), &expected_document(&h.tenant));
    let throttled = h.fake.requests().iter().filter(|r| r.status == 429).count();
    assert_eq!(throttled, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_gives_up_with_rate_limited_when_retry_after_is_too_long() {
    let mut h = Harness::new(Tenant::sample()).await;
    h.fake.inject(FaultRule::on(
        "/rest/api/3/group/bulk",
        &[1],
        Fault::Status {
            status: 429,
            retry_after: Some(3600),
        },
    ));
    h.plugin
        .configure(&h.config(TokenKind::Unscoped))
        .await
        .unwrap();
    let err = h.plugin.extract_all(|_| {}).await.unwrap_err();
    match err {
        CallError::Plugin(PluginError::RateLimited(r)) => {
            assert_eq!(r.retry_after_seconds, Some(3600));
            // Whichever `group/bulk` listing came first: the plain one or
            // an admin tier, all read before the first member page.
            let steps = [
                "list groups",
                "list site-admin groups",
                "list a product's admin groups",
                "list a product's user groups",
            ];
            assert!(steps.contains(&r.request.step.as_str()), "{r:?}");
            assert_eq!(r.attempts, 1);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_forbidden_names_the_permission_and_scopes() {
    let mut h = Harness::new(Tenant::sample()).await;
    h.fake.inject(FaultRule::on(
        "/rest/api/3/group/member",
        &[4],
        Fault::status(403),
    ));
    h.plugin
        .configure(&h.config(TokenKind::Unscoped))
        .await
        .unwrap();
    let mut batches = 0;
    let err = h.plugin.extract_all(|_| batches += 1).await.unwrap_err();
    match &err {
        CallError::Plugin(PluginError::Forbidden(f)) => {
            assert_eq!(f.request.step, "list group members");
            assert!(
                f.request
                    .endpoint
                    .starts_with("GET /rest/api/3/group/member?groupId=")
            );
            assert!(
                f.permission
                    .as_deref()
                    .unwrap()
                    .contains("Browse users and groups")
            );
            assert!(f.scopes.contains(&"read:group:jira".to_owned()));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .contains("Grant the account the Jira permission"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_before_configure_is_not_configured() {
    let mut h = Harness::new(Tenant::sample()).await;
    let err = h
        .plugin
        .extract()
        .await
        .err()
        .expect("extract needs configure");
    assert!(
        matches!(err, CallError::Plugin(PluginError::NotConfigured)),
        "{err:?}"
    );
    assert!(h.fake.requests().is_empty());
}
