//! `configure` through the real component: the vendor's config accepted in
//! every documented form, and every bad config refused before any request.

mod support;

use host_test::CallError;
use host_test::fake_jira::{Tenant, TokenKind};
use host_test::runtime::types::{AuthMode, Error as PluginError};
use host_test::testing::Harness;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn configure_accepts_every_documented_site_form() {
    let tenant = Tenant::sample();
    let token = tenant.credential(TokenKind::Unscoped).config_token();
    let mut h = Harness::new(tenant).await;
    for (key, site) in [
        ("siteName", "acme"),
        ("siteName", "acme.atlassian.net"),
        ("siteName", "https://acme.atlassian.net/"),
        ("siteName", "https://ACME.atlassian.net"),
        ("orgName", "acme"),
    ] {
        let config = json!({"appConfig": {"token": token, key: site}}).to_string();
        let info = h
            .plugin
            .configure(&config)
            .await
            .unwrap_or_else(|e| panic!("{site}: {e}"));
        assert_eq!(info.mode, AuthMode::Unscoped);
        assert_eq!(info.site_url, "https://acme.atlassian.net");
        assert_eq!(info.api_base_url, "https://acme.atlassian.net");
        assert_eq!(
            info.cloud_id.as_deref(),
            Some(h.tenant.cloud_id.as_str()),
            "read in both modes: it is the site's id"
        );
        assert_eq!(info.display_name, "Mia Krystof");
        assert_eq!(info.global_permissions, ["ADMINISTER", "USER_PICKER"]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_fails_before_any_listing_without_administer() {
    let mut tenant = Tenant::sample();
    tenant.lacks.insert("ADMINISTER".into());
    let mut h = Harness::new(tenant).await;
    for kind in [TokenKind::Unscoped, TokenKind::Scoped] {
        h.fake.clear_requests();
        let info = h.plugin.configure(&h.config(kind)).await.unwrap();
        assert_eq!(info.global_permissions, ["USER_PICKER"], "{kind:?}");
        let err = h.plugin.extract_all(|_| {}).await.unwrap_err();
        match &err {
            CallError::Plugin(PluginError::Forbidden(f)) => {
                assert_eq!(f.permission.as_deref(), Some("Administer Jira"), "{f:?}");
                assert!(f.request.endpoint.contains("/rest/api/3/mypermissions"));
                assert!(f.request.message.contains("Administer Jira"), "{f:?}");
            }
            other => panic!("{kind:?}: {other:?}"),
        }
        // Only configure's requests: the probes, the cloud id, the preflight.
        let paths: Vec<String> = h.fake.requests().iter().map(|r| r.path.clone()).collect();
        for path in &paths {
            assert!(
                path.ends_with("/rest/api/3/myself")
                    || path.ends_with("/_edge/tenant_info")
                    || path.ends_with("/rest/api/3/mypermissions"),
                "{kind:?}: a listing was requested: {paths:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_names_every_missing_permission() {
    let mut tenant = Tenant::sample();
    tenant
        .lacks
        .extend(["ADMINISTER".into(), "USER_PICKER".into()]);
    let mut h = Harness::new(tenant).await;
    let info = h
        .plugin
        .configure(&h.config(TokenKind::Unscoped))
        .await
        .unwrap();
    assert!(info.global_permissions.is_empty());
    match h.plugin.extract_all(|_| {}).await.unwrap_err() {
        CallError::Plugin(PluginError::Forbidden(f)) => assert_eq!(
            f.permission.as_deref(),
            Some("Administer Jira, Browse users and groups")
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn configure_rejects_bad_configs_before_any_request() {
    let mut h = Harness::new(Tenant::sample()).await;
    let token = "svc-governance@acme.example:SUPERSECRETTOKEN";
    let site = |s: &str| json!({"appConfig": {"token": token, "siteName": s}}).to_string();
    let cases: Vec<(String, &str)> = vec![
        ("".into(), "config"),
        ("{".into(), "config"),
        ("[]".into(), "config"),
        ("{}".into(), "appConfig"),
        (r#"{"appConfig": "x"}"#.into(), "appConfig"),
        (
            json!({"appConfig": {"siteName": "acme"}}).to_string(),
            "appConfig.token",
        ),
        (
            json!({"appConfig": {"token": 42, "siteName": "acme"}}).to_string(),
            "appConfig.token",
        ),
        (
            json!({"appConfig": {"token": "SUPERSECRETTOKEN", "siteName": "acme"}}).to_string(),
            "appConfig.token",
        ),
        (
            json!({"appConfig": {"token": ":SUPERSECRETTOKEN", "siteName": "acme"}}).to_string(),
            "appConfig.token",
        ),
        (
            json!({"appConfig": {"token": "me@x.com:", "siteName": "acme"}}).to_string(),
            "appConfig.token",
        ),
        (
            json!({"appConfig": {"token": token}}).to_string(),
            "appConfig.siteName",
        ),
        (
            json!({"appConfig": {"token": token, "siteName": ["acme"]}}).to_string(),
            "appConfig.siteName",
        ),
        (
            json!({"appConfig": {"token": token, "siteName": "acme", "orgName": "other"}})
                .to_string(),
            "appConfig.orgName",
        ),
        (
            json!({"appConfig": {"token": token, "siteName": "acme", "extra": 1}}).to_string(),
            "appConfig.extra",
        ),
        (
            json!({"appConfig": {"token": token, "siteName": "acme", "maxConcurrency": 99}})
                .to_string(),
            "appConfig.maxConcurrency",
        ),
        (site("acme.evil.com"), "appConfig.siteName"),
        (site("evil.com/acme.atlassian.net"), "appConfig.siteName"),
        (
            site("https://acme.atlassian.net@evil.com"),
            "appConfig.siteName",
        ),
        (
            site("https://evil.com#acme.atlassian.net"),
            "appConfig.siteName",
        ),
        (site("acme.atlassian.net:8080"), "appConfig.siteName"),
        (site("http://acme.atlassian.net"), "appConfig.siteName"),
        (
            site("https://acme.atlassian.net/jira"),
            "appConfig.siteName",
        ),
        (site("acme.atlassian.net.evil.com"), "appConfig.siteName"),
        (site("acme%2eevil.com"), "appConfig.siteName"),
        (site("acme\r\nX-Evil: 1"), "appConfig.siteName"),
        (site("acme site"), "appConfig.siteName"),
        (site("аcme"), "appConfig.siteName"),
        (site("127.0.0.1"), "appConfig.siteName"),
        (site(""), "appConfig.siteName"),
    ];
    for (config, field) in &cases {
        let err = h.plugin.configure(config).await.unwrap_err();
        match &err {
            CallError::Plugin(PluginError::InvalidConfig(f)) => {
                assert_eq!(f.field, *field, "{config}");
                assert!(!f.reason.is_empty());
            }
            other => panic!("{config}: {other:?}"),
        }
        assert!(
            !format!("{err} {err:?}").contains("SUPERSECRETTOKEN"),
            "{err}"
        );
    }
    assert!(
        h.plugin.requests().is_empty(),
        "no request may leave for a bad config"
    );
    assert!(h.fake.requests().is_empty());
}

#[test]
fn component_imports_only_http_and_what_std_needs() {
    let imports = host_test::testing::runtime().imports();
    assert!(
        imports
            .iter()
            .any(|i| i.starts_with("wasi:http/outgoing-handler@")),
        "{imports:?}"
    );
    for import in &imports {
        assert!(
            [
                "wasi:http/",
                "wasi:io/",
                "wasi:clocks/",
                "wasi:cli/",
                "wasi:random/",
                "balkanid:extractor/"
            ]
            .iter()
            .any(|allowed| import.starts_with(allowed)),
            "unexpected import {import}"
        );
        assert!(
            !import.starts_with("wasi:filesystem") && !import.starts_with("wasi:sockets"),
            "{import}"
        );
    }
}

/// The world `wit/world.wit` documents is exactly the built component's:
/// the same imports and exports, no more, no fewer.
#[test]
fn component_world_is_exactly_the_documented_world() {
    let wit =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/wit/world.wit")).unwrap();
    let version = wit
        .lines()
        .find_map(|l| l.strip_prefix("package balkanid:extractor@"))
        .and_then(|v| v.strip_suffix(';'))
        .unwrap();
    let declared = |keyword: &str| -> Vec<String> {
        let mut names: Vec<String> = wit
            .lines()
            .filter_map(|l| l.trim().strip_prefix(keyword))
            .filter_map(|l| l.strip_suffix(';'))
            .map(|name| {
                if name.contains(':') {
                    name.to_owned()
                } else {
                    format!("balkanid:extractor/{name}@{version}")
                }
            })
            .collect();
        names.sort();
        names
    };
    let runtime = host_test::testing::runtime();
    let mut imports = runtime.imports();
    imports.sort();
    let mut exports = runtime.exports();
    exports.sort();
    assert_eq!(imports, declared("import "));
    assert_eq!(exports, declared("export "));
}
