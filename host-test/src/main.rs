//! `host-test`: run the extractor-jira component against a Jira site, or
//! against the built-in fake tenant.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use host_test::document;
use host_test::fake_jira::{FakeJira, Tenant, TokenKind};
use host_test::outbound::Upstream;
use host_test::runtime::types::AuthMode;
use host_test::{CallError, Runtime, default_component_path};

#[derive(Parser)]
#[command(
    name = "host-test",
    version,
    about = "Run the extractor-jira component"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Extract a tenant's users, groups and memberships as one JSON document.
    Extract {
        /// The vendor config file: {"appConfig": {"token": "EMAIL:API_TOKEN", "siteName": "acme"}}.
        /// Without it, runs against the built-in fake Jira tenant.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Send every request for *.atlassian.net and api.atlassian.com to this base URL instead.
        #[arg(long)]
        upstream: Option<String>,
        /// The component to run (default: the one built with this host).
        #[arg(long)]
        component: Option<PathBuf>,
        /// Write the document here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Extract {
            config,
            upstream,
            component,
            out,
        } => extract(config, upstream, component, out).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn extract(
    config: Option<PathBuf>,
    upstream: Option<String>,
    component: Option<PathBuf>,
    out: Option<PathBuf>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let component = component.unwrap_or_else(default_component_path);
    let runtime = Runtime::load(&component)?;

    // Without a config, serve the sample tenant and point the plugin at it.
    let (fake, config_json, upstream) = match config {
        Some(path) => {
            let json = std::fs::read_to_string(&path)
                .with_context(|| format!("reading the config file {}", path.display()))?;
            (None, json, upstream)
        }
        None => {
            let tenant = Tenant::sample();
            let json = tenant.config_json(TokenKind::Unscoped);
            let fake = FakeJira::start(tenant)
                .await
                .context("starting the fake Jira")?;
            eprintln!("fake Jira tenant \"acme\" serving at {}", fake.url());
            let url = fake.url();
            (Some(fake), json, Some(url))
        }
    };
    let upstream = upstream.as_deref().map(Upstream::parse).transpose()?;

    let mut plugin = runtime.instantiate(upstream).await?;
    let info = plugin.configure(&config_json).await.map_err(plugin_error)?;
    eprintln!(
        "connected to {} as {} ({}), {} token via {}",
        info.site_url,
        info.display_name,
        info.account_id,
        match info.mode {
            AuthMode::Unscoped => "unscoped",
            AuthMode::Scoped => "scoped",
        },
        info.api_base_url
    );

    let extracted = plugin
        .extract_all(|batch| {
            let p = &batch.progress;
            let total = p.total.map(|t| format!("/{t}")).unwrap_or_default();
            eprintln!(
                "  {:<8} {:>7}{total}  (+{} entities, +{} relations)",
                p.phase,
                p.done,
                batch.entities.len(),
                batch.relations.len()
            );
        })
        .await
        .map_err(plugin_error)?;

    let doc = document::build(&extracted);
    let text = serde_json::to_string_pretty(&doc)?;
    match &out {
        Some(path) => std::fs::write(path, text + "\n")
            .with_context(|| format!("writing {}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{text}")?;
        }
    }

    let requests = plugin.requests();
    eprintln!("summary:");
    for (kind, n) in document::counts(extracted.entities.iter().map(|e| e.kind.as_str())) {
        eprintln!("  entities  {kind:<20} {n:>7}");
    }
    for (kind, n) in document::counts(extracted.relations.iter().map(|r| r.kind.as_str())) {
        eprintln!("  relations {kind:<20} {n:>7}");
    }
    eprintln!(
        "  {} requests, {} batches, {:.2} s, peak guest memory {:.1} MiB",
        requests.len(),
        extracted.batches,
        started.elapsed().as_secs_f64(),
        plugin.peak_memory() as f64 / (1024.0 * 1024.0)
    );
    if let Some(path) = out {
        eprintln!("  document written to {}", path.display());
    }
    drop(fake);
    Ok(())
}

fn plugin_error(e: CallError) -> anyhow::Error {
    anyhow::anyhow!(e)
}
