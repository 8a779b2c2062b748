//! The real component over HTTPS: the fake Jira serves TLS with a
//! certificate it makes at start, and the host's connection pool reuses
//! keep-alive connections (HTTP/1.1) or one multiplexed connection (HTTP/2).

mod support;

use host_test::CallError;
use host_test::fake_jira::{Fault, FaultRule, Tenant, TokenKind};
use host_test::outbound::Upstream;
use host_test::runtime::types::Error as PluginError;
use host_test::testing::{Harness, runtime};
use support::{assert_same, configure_and_extract, document_of, expected_document};

/// The connector's default `maxConcurrency`.
const MAX_CONCURRENCY: u64 = 8;

#[tokio::test(flavor = "multi_thread")]
async fn extract_over_tls_with_http2_returns_the_tenant_on_one_connection() {
    let mut h = Harness::new_tls(Tenant::sample(), true).await;
    let config = h.config(TokenKind::Unscoped);
    let extracted = configure_and_extract(&mut h.plugin, &config).await;
    assert_same(&document_of(&extracted), &expected_document(&h.tenant));
    assert!(h.fake.unknown_requests().is_empty());

    let pool = h.plugin.connections();
    assert_eq!(pool.requests, h.fake.requests().len() as u64);
    assert_eq!(pool.connections, h.fake.connections(), "{pool:?}");
    assert_eq!(pool.tls_handshakes, pool.connections, "{pool:?}");
    assert!(pool.http2_connections >= 1, "{pool:?}");
    // The first requests may each open one before HTTP/2 is known; after
    // that every request shares it.
    assert!(pool.connections <= 2, "{pool:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_over_tls_with_http1_opens_at_most_max_concurrency_connections() {
    let mut h = Harness::new_tls(Tenant::sample(), false).await;
    let config = h.config(TokenKind::Unscoped);
    let extracted = configure_and_extract(&mut h.plugin, &config).await;
    assert_same(&document_of(&extracted), &expected_document(&h.tenant));

    let pool = h.plugin.connections();
    assert_eq!(pool.http2_connections, 0, "{pool:?}");
    assert_eq!(pool.connections, h.fake.connections(), "{pool:?}");
    assert_eq!(pool.tls_handshakes, pool.connections, "{pool:?}");
    assert!(
        pool.connections <= MAX_CONCURRENCY,
        "{} requests opened {} connections: {pool:?}",
        pool.requests,
        pool.connections
    );
    assert!(pool.requests_per_connection() > 4.0, "{pool:?}");
    assert_eq!(pool.reused, pool.requests - pool.connections, "{pool:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_over_plain_http_reuses_connections() {
    let mut h = Harness::new(Tenant::sample()).await;
    let config = h.config(TokenKind::Unscoped);
    configure_and_extract(&mut h.plugin, &config).await;
    let pool = h.plugin.connections();
    assert_eq!(pool.tls_handshakes, 0);
    assert_eq!(pool.connections, h.fake.connections(), "{pool:?}");
    assert!(pool.connections <= MAX_CONCURRENCY, "{pool:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_over_tls_never_reuses_a_broken_connection() {
    // A body cut off mid-way and a reset: each leaves its connection unusable.
    // Were either pooled, a later answer would be read from the wrong bytes.
    let mut h = Harness::new_tls(Tenant::sample(), false).await;
    h.fake.inject(FaultRule::on(
        "/rest/api/3/users/search",
        &[1],
        Fault::Truncate,
    ));
    h.fake
        .inject(FaultRule::on("/rest/api/3/group/bulk", &[2], Fault::Reset));
    let config = h.config(TokenKind::Unscoped);
    let extracted = configure_and_extract(&mut h.plugin, &config).await;
    assert_same(&document_of(&extracted), &expected_document(&h.tenant));
    assert_eq!(h.fake.injected().len(), 2);
    let pool = h.plugin.connections();
    assert_eq!(pool.connections, h.fake.connections(), "{pool:?}");
    // The two broken connections are replaced, and no more.
    assert!(pool.connections <= MAX_CONCURRENCY + 2, "{pool:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn configure_refuses_a_certificate_nobody_trusts() {
    let tenant = Tenant::sample();
    let fake = host_test::fake_jira::FakeJira::start_tls(tenant.clone())
        .await
        .unwrap();
    // The web roots only: the fake's own certificate is not among them.
    let mut plugin = runtime()
        .instantiate(Some(Upstream::parse(&fake.url()).unwrap()))
        .await
        .unwrap();
    let mut config: serde_json::Value =
        serde_json::from_str(&tenant.config_json(TokenKind::Unscoped)).unwrap();
    config["appConfig"]["retryBudgetSeconds"] = 2.into();
    let err = plugin.configure(&config.to_string()).await.unwrap_err();
    match &err {
        CallError::Plugin(PluginError::Network(f)) => {
            assert!(!f.message.is_empty(), "{f:?}");
        }
        other => panic!("expected a network error, got {other:?}"),
    }
    // The handshake failed before any request reached the fake.
    assert!(fake.requests().is_empty());
    let pool = plugin.connections();
    assert_eq!(pool.tls_handshakes, 0, "{pool:?}");
}
