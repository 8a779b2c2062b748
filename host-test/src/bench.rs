//! `host-test bench`: a full extraction of a generated tenant at several
//! concurrency settings, with latency added by the fake Jira, measured and
//! printed. A command, not a test: its figures are reported, not asserted.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::fake_jira::{FakeJira, RateLimit, Tenant, TokenKind};
use crate::outbound::Upstream;
use crate::runtime::{Runtime, default_component_path};

#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    #[arg(long, default_value_t = 20_000)]
    pub users: usize,
    #[arg(long, default_value_t = 1_000)]
    pub groups: usize,
    #[arg(long, default_value_t = 500)]
    pub projects: usize,
    /// Added by the fake Jira before every answer.
    #[arg(long, default_value_t = 100)]
    pub latency_ms: u64,
    /// The maxConcurrency settings to run, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = vec![1, 8, 16])]
    pub concurrency: Vec<u32>,
    /// Make the fake answer 429 past this many requests in flight.
    #[arg(long)]
    pub rate_limit: Option<u64>,
    /// The component to run (default: the one built with this host).
    #[arg(long)]
    pub component: Option<PathBuf>,
}

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

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

pub async fn run(args: BenchArgs) -> anyhow::Result<Vec<Run>> {
    let component = args
        .component
        .clone()
        .unwrap_or_else(default_component_path);
    let runtime = Runtime::load(&component)?;
    let tenant = Tenant::generate_with_projects(args.users, args.groups, args.projects);
    let minimum = tenant.minimum_requests();
    let latency = Duration::from_millis(args.latency_ms);

    println!(
        "component: {} ({:.0} KiB), compiled in {:.2} s",
        component.display(),
        runtime.component_bytes() as f64 / 1024.0,
        runtime.compile_time().as_secs_f64()
    );
    println!(
        "tenant: {} users, {} groups, {} projects; {} ms added to every request; minimum requests {minimum}",
        tenant.users.len(),
        tenant.groups.len(),
        tenant.projects.len(),
        args.latency_ms
    );
    if let Some(limit) = args.rate_limit {
        println!("the fake answers 429 (Retry-After: 1) past {limit} requests in flight");
    }
    println!();
    println!(
        "{:>11} {:>9} {:>9} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>11} {:>11} {:>10} {:>10}",
        "concurrency",
        "wall (s)",
        "requests",
        "minimum",
        "req/min",
        "429s",
        "peak in",
        "mean in",
        "mean",
        "guest peak",
        "instantiate",
        "bound (s)",
        "wall/bound"
    );
    println!(
        "{:>11} {:>9} {:>9} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>11} {:>11} {:>10} {:>10}",
        "", "", "", "", "", "", "flight", "flight", "rtt (ms)", "(MiB)", "(ms)", "", ""
    );

    let fake = FakeJira::start(tenant.clone())
        .await
        .context("starting the fake Jira")?;
    fake.set_latency(latency);
    fake.set_rate_limit(args.rate_limit.map(|max_in_flight| RateLimit {
        max_in_flight,
        retry_after: 1,
    }));
    let mut runs = Vec::new();
    for &concurrency in &args.concurrency {
        let run = measure(&runtime, &fake, &tenant, concurrency).await?;
        // The lower bound: every necessary request, `concurrency` at a time.
        let bound = latency.as_secs_f64() * minimum as f64 / f64::from(concurrency.max(1));
        println!(
            "{:>11} {:>9.2} {:>9} {:>8} {:>8.3} {:>9} {:>9} {:>9.1} {:>9.1} {:>11.1} {:>11.1} {:>10.2} {:>10}",
            concurrency,
            run.wall.as_secs_f64(),
            run.requests,
            minimum,
            run.requests as f64 / minimum as f64,
            run.throttled,
            run.peak_in_flight,
            run.mean_in_flight,
            run.mean_latency.as_secs_f64() * 1000.0,
            mib(run.peak_memory),
            run.instantiate.as_secs_f64() * 1000.0,
            bound,
            if bound > 0.0 {
                format!("{:.3}", run.wall.as_secs_f64() / bound)
            } else {
                "-".into()
            }
        );
        runs.push(run);
    }
    drop(fake);

    // Guest memory against tenant size: the same run on a tenth of the tenant.
    let small =
        Tenant::generate_with_projects(args.users / 10, args.groups / 10, args.projects / 10);
    let small_fake = FakeJira::start(small.clone()).await?;
    let top = args.concurrency.iter().copied().max().unwrap_or(8);
    let small_run = measure(&runtime, &small_fake, &small, top).await?;
    let big_memory = runs.iter().map(|r| r.peak_memory).max().unwrap_or(0);
    println!();
    println!(
        "guest peak memory at concurrency {top}: {:.1} MiB for {} users and {} records; {:.1} MiB for {} users and {} records",
        mib(small_run.peak_memory),
        small.users.len(),
        small_run.records,
        mib(big_memory),
        tenant.users.len(),
        runs.first().map_or(0, |r| r.records),
    );
    Ok(runs)
}
