//! The `host-test` command line: run the component against a Jira site or
//! the built-in fake tenant, and write what it found.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand, ValueEnum};

use crate::action::{ActionSpec, outcome_json};
use crate::fake_jira::{FakeJira, Tenant, TokenKind};
use crate::outbound::Upstream;
use crate::runtime::types::{AuthMode, Batch};
use crate::runtime::{Extracted, Plugin, Runtime, default_component_path};
use crate::{csv, document};

#[derive(Parser, Debug)]
#[command(
    name = "host-test",
    version,
    about = "Run the extractor-jira component"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Extract who can do what in a Jira Cloud site.
    Extract(ExtractArgs),
    /// Apply one lifecycle action and print its outcome as JSON.
    Apply(ApplyArgs),
    /// Measure a full extraction of a generated tenant at several concurrency settings.
    Bench(crate::bench::BenchArgs),
    /// Write the component as a Wasm OCI artifact, in an OCI image layout directory.
    Package(PackageArgs),
    /// Push an OCI image layout written by `package` to a registry on this machine.
    Push(PushArgs),
    /// Pull the artifact from a registry on this machine and write the component.
    Pull(PullArgs),
}

#[derive(clap::Args, Debug, Clone)]
pub struct PackageArgs {
    /// The directory to write the OCI image layout to.
    #[arg(long)]
    pub out: PathBuf,
    /// The component to package (default: the one built with this host).
    #[arg(long)]
    pub component: Option<PathBuf>,
    /// The tag recorded in the layout (default: the WIT package version).
    #[arg(long)]
    pub tag: Option<String>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct PushArgs {
    /// The OCI image layout directory `package` wrote.
    #[arg(long)]
    pub layout: PathBuf,
    /// Where to: host:port/repository:tag, on this machine.
    #[arg(long)]
    pub to: String,
}

#[derive(clap::Args, Debug, Clone)]
pub struct PullArgs {
    /// From where: host:port/repository:tag, on this machine.
    #[arg(long)]
    pub from: String,
    /// The file to write the component to.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub target: Target,
    /// The action, as JSON: {"action": "add-group-member", "accountId": "...", "groupId": "..."}.
    /// See the README for every action.
    #[arg(long)]
    pub action: PathBuf,
}

#[derive(clap::Args, Debug, Clone)]
pub struct Target {
    /// The vendor config file: {"appConfig": {"token": "EMAIL:API_TOKEN", "siteName": "acme"}}.
    /// Without it, runs against the built-in fake Jira tenant.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Send every request for *.atlassian.net and api.atlassian.com to this base URL instead.
    #[arg(long)]
    pub upstream: Option<String>,
    /// The component to run (default: the one built with this host).
    #[arg(long)]
    pub component: Option<PathBuf>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ExtractArgs {
    #[command(flatten)]
    pub target: Target,
    /// Where to write: a file for json and ndjson (default: standard output),
    /// a directory for csv (required).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// json: one sorted document; ndjson: one record per line as found;
    /// csv: entities.csv and entity_relations.csv in --out.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// With --format ndjson: a file for the resume cursor. If it exists the run
    /// carries on from it, appending to --out; if the run fails the cursor is
    /// written there, so the same command resumes; on success it is removed.
    #[arg(long)]
    pub resume: Option<PathBuf>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Ndjson,
    Csv,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Extract(args) => extract(args).await.map(drop),
        Command::Bench(args) => crate::bench::run(args).await.map(drop),
        Command::Package(args) => {
            let digest = package(&args)?;
            println!("{digest}");
            Ok(())
        }
        Command::Push(args) => {
            let artifact = crate::oci::Artifact::read_layout(&args.layout)?;
            let digest =
                crate::oci::push(&crate::oci::Reference::parse(&args.to)?, &artifact).await?;
            eprintln!("pushed {} ({digest})", args.to);
            println!("{digest}");
            Ok(())
        }
        Command::Pull(args) => {
            let artifact = crate::oci::pull(&crate::oci::Reference::parse(&args.from)?).await?;
            std::fs::write(&args.out, &artifact.layer)
                .with_context(|| format!("writing {}", args.out.display()))?;
            eprintln!(
                "pulled {} ({}) into {}",
                args.from,
                artifact.manifest_digest(),
                args.out.display()
            );
            Ok(())
        }
        Command::Apply(args) => {
            let outcome = apply(args).await?;
            println!("{}", serde_json::to_string_pretty(&outcome)?);
            Ok(())
        }
    }
}

/// Writes the component as an OCI artifact; returns the manifest digest.
pub fn package(args: &PackageArgs) -> anyhow::Result<String> {
    let path = args
        .component
        .clone()
        .unwrap_or_else(default_component_path);
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let runtime = Runtime::from_bytes(&bytes)?;
    let meta = crate::oci::Metadata {
        version: crate::runtime::WIT_VERSION.to_owned(),
        source: "https://github.com/balkanid/extractor-jira".to_owned(),
        world: format!(
            "balkanid:extractor/extractor@{}",
            crate::runtime::WIT_VERSION
        ),
        imports: runtime.imports(),
        exports: runtime.exports(),
    };
    let artifact = crate::oci::Artifact::build(&bytes, &meta);
    let tag = args
        .tag
        .clone()
        .unwrap_or_else(|| crate::runtime::WIT_VERSION.to_owned());
    artifact.write_layout(&args.out, &tag)?;
    eprintln!(
        "wrote the OCI artifact for {} ({} bytes) to {}, tag {tag}",
        path.display(),
        bytes.len(),
        args.out.display()
    );
    Ok(artifact.manifest_digest())
}

/// Applies the action in `args.action` and returns its outcome as JSON.
pub async fn apply(args: ApplyArgs) -> anyhow::Result<serde_json::Value> {
    let text = std::fs::read_to_string(&args.action)
        .with_context(|| format!("reading the action file {}", args.action.display()))?;
    let action = ActionSpec::parse(&text)?;
    let mut session = connect(&args.target).await?;
    let outcome = session.plugin.apply(&action.to_wit()).await?;
    Ok(outcome_json(&outcome))
}

/// A configured plugin, and the fake Jira it talks to when no config was given.
pub struct Session {
    pub plugin: Plugin,
    /// For the built-in fake tenant: the fewest requests a full extraction needs.
    pub minimum_requests: Option<u64>,
    _fake: Option<FakeJira>,
}

/// Loads the component, starts the fake tenant if no config was given, and
/// configures the plugin.
pub async fn connect(target: &Target) -> anyhow::Result<Session> {
    let component = target
        .component
        .clone()
        .unwrap_or_else(default_component_path);
    let runtime = Runtime::load(&component)?;
    let (fake, config_json, upstream, minimum_requests) = match &target.config {
        Some(path) => {
            let json = std::fs::read_to_string(path)
                .with_context(|| format!("reading the config file {}", path.display()))?;
            (None, json, target.upstream.clone(), None)
        }
        None => {
            let tenant = Tenant::sample();
            let json = tenant.config_json(TokenKind::Unscoped);
            let minimum = tenant.minimum_requests();
            let fake = FakeJira::start(tenant)
                .await
                .context("starting the fake Jira")?;
            eprintln!("fake Jira tenant \"acme\" serving at {}", fake.url());
            let url = fake.url();
            (Some(fake), json, Some(url), Some(minimum))
        }
    };
    let upstream = upstream.as_deref().map(Upstream::parse).transpose()?;
    let mut plugin = runtime.instantiate(upstream).await?;
    let info = plugin.configure(&config_json).await?;
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
    Ok(Session {
        plugin,
        minimum_requests,
        _fake: fake,
    })
}

/// Shows an extraction's progress: a bar per phase on a terminal, plain
/// lines when piped or in CI, where a bar would only litter the log.
pub enum Reporter {
    Plain,
    Bars {
        bar: indicatif::ProgressBar,
        phase: String,
    },
}

impl Reporter {
    pub fn new() -> Self {
        use std::io::IsTerminal as _;
        if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() {
            Reporter::Bars {
                bar: indicatif::ProgressBar::hidden(),
                phase: String::new(),
            }
        } else {
            Reporter::Plain
        }
    }

    pub fn batch(&mut self, batch: &Batch) {
        let p = &batch.progress;
        match self {
            Reporter::Plain => {
                let total = p.total.map(|t| format!("/{t}")).unwrap_or_default();
                eprintln!(
                    "  {:<20} {:>7}{total}  (+{} entities, +{} relations)",
                    p.phase,
                    p.done,
                    batch.entities.len(),
                    batch.relations.len()
                );
            }
            Reporter::Bars { bar, phase } => {
                if *phase != p.phase {
                    bar.finish();
                    *bar = match p.total {
                        Some(total) => indicatif::ProgressBar::new(total).with_style(
                            indicatif::ProgressStyle::with_template(
                                "  {prefix:<20} [{bar:30}] {pos:>7}/{len:7} {elapsed_precise}",
                            )
                            .expect("a valid template")
                            .progress_chars("=> "),
                        ),
                        None => indicatif::ProgressBar::new_spinner().with_style(
                            indicatif::ProgressStyle::with_template(
                                "  {prefix:<20} {spinner} {pos:>7} {elapsed_precise}",
                            )
                            .expect("a valid template"),
                        ),
                    };
                    bar.set_prefix(p.phase.clone());
                    *phase = p.phase.clone();
                }
                if let Some(total) = p.total {
                    bar.set_length(total);
                }
                bar.set_position(p.done);
            }
        }
    }

    pub fn finish(&self) {
        if let Reporter::Bars { bar, .. } = self {
            bar.finish();
        }
    }
}

impl Default for Reporter {
    fn default() -> Self {
        Self::new()
    }
}

/// What an extraction run produced, for the summary and for tests.
#[derive(Debug, Default)]
pub struct Summary {
    pub entity_counts: Vec<(String, usize)>,
    pub relation_counts: Vec<(String, usize)>,
    pub requests: usize,
    /// Requests sent again after a failed attempt.
    pub retries: usize,
    pub batches: usize,
}

pub async fn extract(args: ExtractArgs) -> anyhow::Result<Summary> {
    if args.format == Format::Csv && args.out.is_none() {
        bail!("--format csv writes two files. Give the directory with --out DIR.");
    }
    if args.resume.is_some() && (args.format != Format::Ndjson || args.out.is_none()) {
        bail!("--resume needs --format ndjson and --out FILE. Only a stream can be continued.");
    }
    let started = Instant::now();
    let mut session = connect(&args.target).await?;
    let plugin = &mut session.plugin;

    let mut summary = Summary::default();
    match args.format {
        Format::Ndjson => {
            let (entities, relations, batches) =
                write_ndjson(plugin, args.out.as_deref(), args.resume.as_deref()).await?;
            summary.entity_counts = entities;
            summary.relation_counts = relations;
            summary.batches = batches;
        }
        Format::Json | Format::Csv => {
            let mut reporter = Reporter::new();
            let extracted = plugin.extract_all(|b| reporter.batch(b)).await?;
            reporter.finish();
            summary.batches = extracted.batches;
            summary.entity_counts =
                document::counts(extracted.entities.iter().map(|e| e.kind.as_str()));
            summary.relation_counts =
                document::counts(extracted.relations.iter().map(|r| r.kind.as_str()));
            if args.format == Format::Json {
                write_json(&extracted, args.out.as_deref())?;
            } else {
                write_csv(&extracted, args.out.as_deref().expect("checked above"))?;
            }
        }
    }
    summary.requests = plugin.requests().len();

    let log = plugin.requests();
    let distinct: std::collections::HashSet<(&str, &str)> = log
        .iter()
        .map(|r| (r.method.as_str(), r.url.as_str()))
        .collect();
    summary.retries = log.len() - distinct.len();
    let minimum = session
        .minimum_requests
        .map(|m| format!(" (the tenant's minimum: {m})"))
        .unwrap_or_default();
    eprintln!();
    eprintln!("  {:<10} {:<20} {:>9}", "", "type", "count");
    for (kind, n) in &summary.entity_counts {
        eprintln!("  {:<10} {kind:<20} {n:>9}", "entities");
    }
    for (kind, n) in &summary.relation_counts {
        eprintln!("  {:<10} {kind:<20} {n:>9}", "relations");
    }
    eprintln!(
        "  {:<10} {:<20} {:>9}{minimum}",
        "requests", "", summary.requests
    );
    eprintln!("  {:<10} {:<20} {:>9}", "retries", "", summary.retries);
    eprintln!("  {:<10} {:<20} {:>9}", "batches", "", summary.batches);
    eprintln!(
        "  {:<10} {:<20} {:>9.2} s",
        "time",
        "",
        started.elapsed().as_secs_f64()
    );
    eprintln!(
        "  {:<10} {:<20} {:>9.1} MiB",
        "memory",
        "guest peak",
        session.plugin.peak_memory() as f64 / (1024.0 * 1024.0)
    );
    if let Some(path) = &args.out {
        eprintln!("  written to {}", path.display());
    }
    Ok(summary)
}

fn write_json(extracted: &Extracted, out: Option<&Path>) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(&document::build(extracted))? + "\n";
    match out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
        }
        None => Ok(std::io::stdout().lock().write_all(text.as_bytes())?),
    }
}

fn write_csv(extracted: &Extracted, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let (entities, relations) = document::sorted(extracted);
    for (name, text) in [
        (csv::ENTITIES_FILE, csv::entities(&entities)),
        (csv::RELATIONS_FILE, csv::relations(&relations)),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

type Counts = Vec<(String, usize)>;

/// Streams each batch's records as they arrive: one JSON object per line,
/// `{"record": "entity", ...}` or `{"record": "relation", ...}`.
async fn write_ndjson(
    plugin: &mut Plugin,
    out: Option<&Path>,
    resume: Option<&Path>,
) -> anyhow::Result<(Counts, Counts, usize)> {
    let cursor = match resume {
        Some(path) if path.exists() => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("reading the resume cursor {}", path.display()))?,
        ),
        _ => None,
    };
    let mut sink: Box<dyn std::io::Write> = match out {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .append(cursor.is_some())
                .truncate(cursor.is_none())
                .open(path)
                .with_context(|| format!("opening {}", path.display()))?;
            Box::new(std::io::BufWriter::new(file))
        }
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    if cursor.is_some() {
        eprintln!(
            "resuming from {}",
            resume.map(|p| p.display().to_string()).unwrap_or_default()
        );
    }
    let mut entity_kinds = std::collections::BTreeMap::<String, usize>::new();
    let mut relation_kinds = std::collections::BTreeMap::<String, usize>::new();
    let mut failure: Option<std::io::Error> = None;
    let mut reporter = Reporter::new();
    let result = plugin
        .extract_resumable(cursor.as_deref(), |batch| {
            reporter.batch(&batch);
            for e in &batch.entities {
                *entity_kinds.entry(e.kind.clone()).or_default() += 1;
                let mut v = document::entity(e);
                v.as_object_mut()
                    .expect("an object")
                    .insert("record".into(), "entity".into());
                if failure.is_none() {
                    failure = writeln!(sink, "{v}").err();
                }
            }
            for r in &batch.relations {
                *relation_kinds.entry(r.kind.clone()).or_default() += 1;
                let mut v = document::relation(r);
                v.as_object_mut()
                    .expect("an object")
                    .insert("record".into(), "relation".into());
                if failure.is_none() {
                    failure = writeln!(sink, "{v}").err();
                }
            }
            // Each batch is on disk before the cursor that follows it can be.
            if failure.is_none() {
                failure = sink.flush().err();
            }
        })
        .await;
    reporter.finish();
    if let Some(e) = failure {
        return Err(e).context("writing ndjson");
    }
    sink.flush()?;
    match result {
        Ok(batches) => {
            if let Some(path) = resume.filter(|p| p.exists()) {
                std::fs::remove_file(path)
                    .with_context(|| format!("removing the spent cursor {}", path.display()))?;
            }
            Ok((
                entity_kinds.into_iter().collect(),
                relation_kinds.into_iter().collect(),
                batches,
            ))
        }
        Err(interrupted) => {
            if let (Some(path), Some(cursor)) = (resume, &interrupted.cursor) {
                std::fs::write(path, cursor)
                    .with_context(|| format!("writing the resume cursor {}", path.display()))?;
                eprintln!(
                    "The extraction stopped. Run the same command again to carry on from {}.",
                    path.display()
                );
            }
            Err(interrupted.error.into())
        }
    }
}
