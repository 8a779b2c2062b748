//! What the `bench` command measures: one full extraction of a fake tenant
//! by a fresh instance, and its figures. The command (`cli::bench`) runs it
//! at several concurrency settings and prints them; they are reported, not
//! asserted.

use std::time::{Duration, Instant};

use crate::fake_jira::{FakeJira, Tenant, TokenKind};
use crate::outbound::Upstream;
use crate::runtime::Runtime;

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
    /// Mean time from sending a request to its answer, as the host saw it.
    pub mean_latency: Duration,
    /// Requests in flight on average over the run: the time spent waiting
    /// for answers, divided by the wall time.
    pub mean_in_flight: f64,
}

/// Configures a fresh instance against `fake` and extracts everything.
pub async fn measure(
    runtime: &Runtime,
    fake: &FakeJira,
    tenant: &Tenant,
    concurrency: u32,
) -> anyhow::Result<Run> {
    fake.clear_requests();
    fake.reset_peak_in_flight();
    let mut config: serde_json::Value =
        serde_json::from_str(&tenant.config_json(TokenKind::Unscoped))?;
    config["appConfig"]["maxConcurrency"] = concurrency.into();
    let mut plugin = runtime
        .instantiate(Some(Upstream::parse(&fake.url())?))
        .await?;
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
    Ok(Run {
        concurrency,
        wall,
        requests: log.len() as u64,
        throttled: log.iter().filter(|r| r.status == 429).count() as u64,
        records,
        peak_in_flight: fake.peak_in_flight(),
        peak_memory: plugin.peak_memory(),
        instantiate: plugin.instantiate_time(),
        mean_latency: waiting / seen.len().max(1) as u32,
        mean_in_flight: waiting.as_secs_f64() / wall.as_secs_f64(),
    })
}
