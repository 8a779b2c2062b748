//! What the `bench` command measures: one full extraction of a fake tenant
//! by a fresh instance, and its figures. The command (`cli::bench`) runs it
//! at several concurrency settings and prints them; they are reported, not
//! asserted.

use std::time::{Duration, Instant};

use std::sync::Arc;

use tokio_rustls::rustls::ClientConfig;

use crate::fake_jira::{FakeJira, Tenant, TokenKind};
use crate::outbound::Upstream;
use crate::pool::{Pool, PoolStats};
use crate::runtime::Runtime;
use crate::trust::Trust;

/// One extraction's figures.
#[derive(Debug, Clone)]
pub struct Run {
    pub concurrency: u32,
    pub wall: Duration,
    pub requests: u64,
    pub throttled: u64,
    pub records: u64,
    pub peak_in_flight: u64,
    pub peak_memory: usize,
    pub instantiate: Duration,
    /// What the instance's connection pool did.
    pub connections: PoolStats,
    /// Per endpoint (method and path, without the query): requests and
    /// their mean round trip as the host saw it, longest total first.
    pub by_endpoint: Vec<(String, u64, Duration)>,
    /// Mean time from sending a request to its answer, as the host saw it.
    pub mean_latency: Duration,
    /// Requests in flight on average over the run: the time spent waiting
    /// for answers, divided by the wall time.
    pub mean_in_flight: f64,
}

/// What an instance must trust to talk to `fake`: over HTTPS, its
/// certificate besides the web roots; `None` over plain HTTP.
pub fn trust_for(fake: &FakeJira) -> anyhow::Result<Option<Arc<ClientConfig>>> {
    let Some(pem) = fake.certificate_pem() else {
        return Ok(None);
    };
    let mut trust = Trust::web();
    trust.add_pem(
        pem.as_bytes(),
        std::path::Path::new("the fake Jira's certificate"),
    )?;
    Ok(Some(trust.client_config()?))
}

/// Configures a fresh instance against `fake` and extracts everything.
pub async fn measure(
    runtime: &Runtime,
    fake: &FakeJira,
    tenant: &Tenant,
    concurrency: u32,
    reuse: bool,
) -> anyhow::Result<Run> {
    fake.clear_requests();
    fake.reset_peak_in_flight();
    let mut config: serde_json::Value =
        serde_json::from_str(&tenant.config_json(TokenKind::Unscoped))?;
    config["appConfig"]["maxConcurrency"] = concurrency.into();
    let upstream = Some(Upstream::parse(&fake.url())?);
    let tls = trust_for(fake)?.unwrap_or_else(|| runtime.tls());
    let pool = if reuse {
        Pool::new(tls)
    } else {
        Pool::without_reuse(tls)
    };
    let mut plugin = runtime.instantiate_with_pool(upstream, pool).await?;
    let started = Instant::now();
    plugin.configure(&config.to_string()).await?;
    let mut records = 0u64;
    plugin
        .extract_each(|batch| records += (batch.entities.len() + batch.relations.len()) as u64)
        .await?;
    let wall = started.elapsed();
    let log = fake.requests();
    let seen = plugin.requests();
    let waiting: Duration = seen.iter().map(|r| r.elapsed).sum();
    let mut endpoints: std::collections::BTreeMap<String, (u64, Duration)> = Default::default();
    for r in &seen {
        let path = r.path_and_query().split('?').next().unwrap_or_default();
        let entry = endpoints.entry(format!("{} {path}", r.method)).or_default();
        entry.0 += 1;
        entry.1 += r.elapsed;
    }
    let mut by_endpoint: Vec<(String, u64, Duration)> = endpoints
        .into_iter()
        .map(|(k, (n, total))| (k, n, total))
        .collect();
    by_endpoint.sort_by_key(|e| std::cmp::Reverse(e.2));
    let by_endpoint = by_endpoint
        .into_iter()
        .map(|(k, n, total)| (k, n, total / n.max(1) as u32))
        .collect();
    Ok(Run {
        concurrency,
        wall,
        requests: log.len() as u64,
        throttled: log.iter().filter(|r| r.status == 429).count() as u64,
        records,
        peak_in_flight: fake.peak_in_flight(),
        peak_memory: plugin.peak_memory(),
        instantiate: plugin.instantiate_time(),
        connections: plugin.connections(),
        by_endpoint,
        mean_latency: waiting / seen.len().max(1) as u32,
        mean_in_flight: waiting.as_secs_f64() / wall.as_secs_f64(),
    })
}
