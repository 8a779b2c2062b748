//! `bench`: a full extraction of a generated tenant at several concurrency
//! settings, with latency added by the fake Jira, measured and printed.

use std::time::Duration;

use anyhow::Context as _;

use super::args::BenchArgs;
use crate::bench::{Run, measure};
use crate::fake_jira::{FakeJira, RateLimit, Tenant};
use crate::runtime::{Runtime, default_component_path};

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

pub async fn run(args: BenchArgs) -> anyhow::Result<Vec<Run>> {
    let component = args
        .component
        .clone()
        .unwrap_or_else(default_component_path);
    let runtime = Runtime::load(&component)?;
    let mut tenant = Tenant::generate_with_projects(args.users, args.groups, args.projects);
    if args.no_org {
        tenant = tenant.without_org();
    }
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
    println!(
        "organization: {}",
        if tenant.org.is_some() {
            "configured (adminApiKey, orgId): users enriched with last activity"
        } else {
            "left out (--no-org)"
        }
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
