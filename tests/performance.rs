//! Concurrency and rate limiting through the real component: the in-flight
//! cap holds, throttling is survived without losing anything, and a full
//! extraction makes no more requests than the tenant needs. Timing is the
//! benchmark's business (`extractor-jira bench`); nothing here asserts a duration.

mod support;

use std::time::Duration;

use host_test::fake_jira::{RateLimit, Tenant, TokenKind};
use host_test::testing::Harness;
use support::{assert_same, document_of, expected_document};

fn config_with(tenant: &Tenant, concurrency: u32) -> String {
    let mut config: serde_json::Value =
        serde_json::from_str(&tenant.config_json(TokenKind::Unscoped)).unwrap();
    config["appConfig"]["maxConcurrency"] = concurrency.into();
    config.to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_keeps_exactly_max_concurrency_in_flight() {
    for concurrency in [1, 4, 8] {
        let tenant = Tenant::generate_with_projects(1500, 40, 30);
        let mut h = Harness::new(tenant).await;
        h.fake.set_latency(Duration::from_millis(20));
        let config = config_with(&h.tenant, concurrency);
        h.plugin.configure(&config).await.unwrap();
        let extracted = h.plugin.extract_all(|_| {}).await.unwrap();
        assert_same(&document_of(&extracted), &expected_document(&h.tenant));
        assert_eq!(
            h.fake.peak_in_flight(),
            u64::from(concurrency),
            "the cap is reached and never exceeded"
        );
        if concurrency == 1 {
            // One at a time, nothing is fetched speculatively: exactly the minimum.
            assert_eq!(h.fake.requests().len() as u64, h.tenant.minimum_requests());
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_backs_off_under_rate_limiting_and_loses_nothing() {
    let tenant = Tenant::sample();
    let mut h = Harness::new(tenant).await;
    h.fake.set_latency(Duration::from_millis(20));
    h.fake.set_rate_limit(Some(RateLimit {
        max_in_flight: 3,
        retry_after: 1,
    }));
    let config = config_with(&h.tenant, 16);
    h.plugin.configure(&config).await.unwrap();
    let extracted = h.plugin.extract_all(|_| {}).await.unwrap();
    assert_same(&document_of(&extracted), &expected_document(&h.tenant));

    let log = h.fake.requests();
    let throttled = log.iter().filter(|r| r.status == 429).count();
    assert!(throttled > 0, "the fake did throttle");
    // Each 429 halves the limit and Retry-After pauses new requests, so the
    // connector does not keep hammering: a handful of 429s, not one per request.
    assert!(
        throttled * 4 < log.len(),
        "{throttled} of {} requests throttled",
        log.len()
    );
    let answered = log.iter().filter(|r| r.status == 200).count() as u64;
    assert!(
        answered >= h.tenant.minimum_requests(),
        "every page was still read"
    );
}
