//! Hostile configuration through the real component: every value that could
//! send the token somewhere other than the configured Atlassian site is
//! refused, with a typed error naming the field, before any request leaves.

mod support;

use host_test::CallError;
use host_test::fake_jira::Tenant;
use host_test::runtime::types::Error as PluginError;
use host_test::testing::Harness;
use serde_json::json;

/// Site names that must never be accepted.
fn hostile_sites() -> Vec<String> {
    let mut sites: Vec<String> = [
        // Other domains, and look-alikes of ours.
        "evil.com",
        "acme.evil.com",
        "acme.atlassian.net.evil.com",
        "evilatlassian.net",
        "acme.atlassian.com",
        "api.atlassian.com",
        "acme.atlassian.net.",
        "acme..atlassian.net",
        "a.b.atlassian.net",
        "//evil.com",
        "https://evil.com/acme.atlassian.net",
        "javascript:alert(1)",
        // User information.
        "https://acme.atlassian.net@evil.com",
        "acme@evil.com",
        "user:pass@acme.atlassian.net",
        "https://user@acme.atlassian.net/",
        // Ports.
        "acme:443",
        "acme.atlassian.net:8443",
        "https://acme.atlassian.net:443/",
        // IP literals.
        "127.0.0.1",
        "169.254.169.254",
        "[::1]",
        "::1",
        "0:0:0:0:0:0:0:1",
        // Encoded dots and other escapes.
        "acme%2eevil.com",
        "acme%2Eatlassian.net",
        "acme.atlassian.net%00.evil.com",
        "acme\\evil.com",
        // Unicode confusables and invisible characters.
        "аcme",
        "acmе.atlassian.net",
        "ａｃｍｅ",
        "acme\u{200b}",
        "acme\u{2024}atlassian.net",
        // CRLF and other control characters, whitespace.
        "acme\r\nHost: evil.com",
        "acme\n",
        "acme\t",
        "acme\u{0}",
        " acme",
        "acme site",
        // Paths, queries, fragments, other schemes.
        "acme/../evil",
        "acme.atlassian.net/path",
        "https://acme.atlassian.net/jira",
        "acme#@evil.com",
        "acme?x=@evil.com",
        "http://acme.atlassian.net",
        "ftp://acme.atlassian.net",
        // Not a site label at all.
        "",
        "-acme",
        "acme-",
        "acme_corp",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    sites.push("a".repeat(64));
    sites.push("a".repeat(10_000));
    sites
}

fn field_of(err: &CallError) -> Option<&str> {
    match err {
        CallError::Plugin(PluginError::InvalidConfig(f)) => Some(f.field.as_str()),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn configure_refuses_hostile_site_names_before_any_request() {
    let mut h = Harness::new(Tenant::sample()).await;
    let token = "svc@acme.example:TOKEN-THAT-MUST-NOT-LEAK";
    let sites = hostile_sites();
    assert!(sites.len() >= 30, "{} hostile values", sites.len());
    for site in &sites {
        for key in ["siteName", "orgName"] {
            let config = json!({"appConfig": {"token": token, key: site}}).to_string();
            let err = h
                .plugin
                .configure(&config)
                .await
                .expect_err(&format!("{key}={site:?} must be refused"));
            assert_eq!(
                field_of(&err),
                Some(format!("appConfig.{key}").as_str()),
                "{site:?}: {err}"
            );
            assert!(!err.to_string().contains("TOKEN-THAT-MUST-NOT-LEAK"));
        }
    }
    assert!(h.plugin.requests().is_empty(), "{:?}", h.plugin.requests());
    assert!(h.fake.requests().is_empty());
    println!(
        "{} hostile site names refused, as siteName and as orgName",
        sites.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn configure_refuses_malformed_tokens_without_echoing_them() {
    let mut h = Harness::new(Tenant::sample()).await;
    let secret = "S3CR3T-PART";
    let tokens = [
        secret.to_owned(),
        format!(":{secret}"),
        "svc@acme.example:".to_owned(),
        ":".to_owned(),
        String::new(),
        format!("svc@acme.example:{secret} with spaces"),
        format!("svc@acme.example:{secret}\r\nX-Evil: 1"),
        format!("not-an-email:{secret}"),
        format!("svc@acme.example:{secret}{}", "x".repeat(100_000)),
    ];
    for token in &tokens {
        let config = json!({"appConfig": {"token": token, "siteName": "acme"}}).to_string();
        let err = h.plugin.configure(&config).await.expect_err("refused");
        assert_eq!(field_of(&err), Some("appConfig.token"), "{err}");
        let text = format!("{err} {err:?}");
        assert!(!text.contains(secret), "{text}");
    }
    assert!(h.plugin.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn configure_refuses_unknown_app_config_fields() {
    let mut h = Harness::new(Tenant::sample()).await;
    let token = h.tenant.credentials[0].config_token();
    for key in ["sitename", "maxconcurrency", "proxy", "baseUrl"] {
        let config =
            json!({"appConfig": {"token": token, "siteName": "acme", key: "x"}}).to_string();
        let err = h.plugin.configure(&config).await.expect_err("refused");
        assert_eq!(field_of(&err), Some(format!("appConfig.{key}").as_str()));
    }
    assert!(h.plugin.requests().is_empty());
}
