//! `bench`: a full extraction of a generated tenant at several concurrency
//! settings, with latency added by the fake Jira, measured and printed.

use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::args::BenchArgs;
use crate::bench::{Run, measure};
use crate::fake_jira::{FakeJira, RateLimit, Tenant};
use crate::runtime::{Compiled, Runtime, default_component_path};

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Starts the fake as `args` asks: plain HTTP, or HTTPS offering HTTP/2
/// (`--tls`) or HTTP/1.1 only (`--http1`).
async fn start_fake(args: &BenchArgs, tenant: Tenant) -> anyhow::Result<FakeJira> {
    let fake = if args.http1 {
        FakeJira::start_tls_offering(tenant, false).await
    } else if args.tls {
        FakeJira::start_tls(tenant).await
    } else {
        FakeJira::start(tenant).await
    };
    let fake = fake.context("starting the fake Jira")?;
    let rtt = Duration::from_millis(args.rtt_ms);
    fake.set_latency(Duration::from_millis(args.latency_ms) + rtt);
    fake.set_connection_delay(rtt);
    Ok(fake)
}

pub async fn run(args: BenchArgs) -> anyhow::Result<Vec<Run>> {
    let component = args
        .component
        .clone()
        .unwrap_or_else(default_component_path);
    let loading = Instant::now();
    let mut runtime = Runtime::load(&component)?;
    let mut load = loading.elapsed();
    // A component is compiled once, by its first run, and read from the
    // compile cache by every run after: that read, not the one-off compile,
    // is what a run costs. The compile is printed on its own line.
    let compiled_now = match runtime.compiled() {
        Compiled::Now { saved: Some(_) } => Some(runtime.compile_time()),
        _ => None,
    };
    if compiled_now.is_some() {
        let reloading = Instant::now();
        runtime = Runtime::load(&component)?;
        load = reloading.elapsed();
    }
    let mut tenant = Tenant::generate_with_projects(args.users, args.groups, args.projects);
    if args.no_org {
        tenant = tenant.without_org();
    }
    let minimum = tenant.minimum_requests();
    // Every request waits the latency and the round trip.
    let latency = Duration::from_millis(args.latency_ms + args.rtt_ms);

    if let Some(compile) = compiled_now {
        println!(
            "component: compiled once in {:.2} s and saved to the compile cache (not counted below)",
            compile.as_secs_f64()
        );
    }
    println!(
        "component: {} ({:.0} KiB), {} in {:.2} s",
        component.display(),
        runtime.component_bytes() as f64 / 1024.0,
        match runtime.compiled() {
            Compiled::Cache(_) => "machine code read from the compile cache",
            Compiled::Now { .. } => "compiled",
        },
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
        "network: {}{}{}",
        if args.http1 {
            "HTTPS, HTTP/1.1 only"
        } else if args.tls {
            "HTTPS, HTTP/2 and HTTP/1.1 offered by ALPN"
        } else {
            "plain HTTP/1.1"
        },
        if args.no_reuse {
            "; a new connection for every request (--no-reuse)"
        } else {
            ""
        },
        if args.rtt_ms > 0 {
            format!(
                "; a {} ms round trip once per new connection and on every request",
                args.rtt_ms
            )
        } else {
            String::new()
        }
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
    let header = [
        ("concurrency", ""),
        ("wall (s)", ""),
        ("requests", ""),
        ("minimum", ""),
        ("req/min", ""),
        ("429s", ""),
        ("peak in", "flight"),
        ("mean in", "flight"),
        ("mean", "rtt (ms)"),
        ("conns", "opened"),
        ("TLS", "handshakes"),
        ("req/conn", ""),
        ("guest peak", "(MiB)"),
        ("host", "(ms)"),
        ("bound (s)", ""),
        ("wall/bound", ""),
    ];
    let widths: Vec<usize> = header
        .iter()
        .map(|(a, b)| a.len().max(b.len()).max(8))
        .collect();
    for row in [0, 1] {
        let line: Vec<String> = header
            .iter()
            .zip(&widths)
            .map(|((a, b), w)| format!("{:>w$}", if row == 0 { a } else { b }))
            .collect();
        println!("{}", line.join(" "));
    }

    let fake = start_fake(&args, tenant.clone()).await?;
    fake.set_rate_limit(args.rate_limit.map(|max_in_flight| RateLimit {
        max_in_flight,
        retry_after: 1,
    }));
    let mut runs = Vec::new();
    for &concurrency in &args.concurrency {
        let run = measure(&runtime, &fake, &tenant, concurrency, !args.no_reuse).await?;
        // The lower bound: every necessary request, `concurrency` at a time.
        let bound = latency.as_secs_f64() * minimum as f64 / f64::from(concurrency.max(1));
        // The host's own time: loading the component and the instance.
        let host = load + run.instantiate;
        let total = run.wall + host;
        let cells = [
            concurrency.to_string(),
            format!("{:.2}", total.as_secs_f64()),
            run.requests.to_string(),
            minimum.to_string(),
            format!("{:.3}", run.requests as f64 / minimum as f64),
            run.throttled.to_string(),
            run.peak_in_flight.to_string(),
            format!("{:.1}", run.mean_in_flight),
            format!("{:.1}", run.mean_latency.as_secs_f64() * 1000.0),
            run.connections.connections.to_string(),
            run.connections.tls_handshakes.to_string(),
            format!("{:.1}", run.connections.requests_per_connection()),
            format!("{:.1}", mib(run.peak_memory)),
            format!("{:.1}", host.as_secs_f64() * 1000.0),
            format!("{bound:.2}"),
            if bound > 0.0 {
                format!("{:.3}", total.as_secs_f64() / bound)
            } else {
                "-".into()
            },
        ];
        let line: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:>w$}"))
            .collect();
        println!("{}", line.join(" "));
        runs.push(run);
    }
    drop(fake);
    if let Some(last) = runs.last() {
        println!();
        println!("where the round trips went (the last run; the five longest in total):");
        for (endpoint, n, mean) in last.by_endpoint.iter().take(5) {
            // Gateway paths carry the cloud id: the site-relative part reads better.
            let short = endpoint
                .split("/rest/")
                .nth(1)
                .map_or(endpoint.clone(), |p| {
                    format!(
                        "{} /rest/{p}",
                        endpoint.split(' ').next().unwrap_or_default()
                    )
                });
            println!(
                "  {short:<60} {n:>6} requests, mean {:>7.1} ms",
                mean.as_secs_f64() * 1000.0
            );
        }
    }

    // Guest memory against tenant size: the same run on a tenth of the tenant.
    let mut small =
        Tenant::generate_with_projects(args.users / 10, args.groups / 10, args.projects / 10);
    if args.no_org {
        small = small.without_org();
    }
    let small_fake = start_fake(&args, small.clone()).await?;
    let top = args.concurrency.iter().copied().max().unwrap_or(8);
    let small_run = measure(&runtime, &small_fake, &small, top, !args.no_reuse).await?;
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
