//! The command line's arguments: the commands and their options, as clap
//! parses them.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "extractor-jira",
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
    Bench(BenchArgs),
    /// Write the component as a Wasm OCI artifact, in an OCI image layout directory.
    Package(PackageArgs),
    /// Push an OCI image layout written by `package` to a registry on this machine.
    Push(PushArgs),
    /// Pull the artifact from a registry on this machine and write the component.
    Pull(PullArgs),
    /// Upload entities.csv and entity_relations.csv (and entitlements.csv) to
    /// BalkanID's Bulk upload API. The API key comes from the environment:
    /// BALKANID_API_KEY_ID and BALKANID_API_KEY_SECRET.
    Upload(UploadArgs),
    /// Explain, from a document `extract` wrote, what a user holds or who holds
    /// what on a project, with the path from each grant to each user.
    Explain(ExplainArgs),
    /// List site admins, product admins and every project's administrators
    /// from a document `extract` wrote.
    Privileged(PrivilegedArgs),
    /// Serve the component's HTTP entry point (POST /check, /extract,
    /// /apply, each with the vendor config in the body), a fresh instance
    /// per request.
    Serve(ServeArgs),
}

/// Options of `serve`. There is no config: each request carries its own.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// The address to listen on, e.g. 127.0.0.1:8080 (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Send every request for *.atlassian.net and api.atlassian.com to this base URL instead.
    #[arg(long)]
    pub upstream: Option<String>,
    /// PEM certificates to trust besides the web roots. SSL_CERT_FILE, when set, is added too.
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// The component to serve (default: the one built with this host).
    #[arg(long)]
    pub component: Option<PathBuf>,
}

#[derive(clap::Args, Debug, Clone)]
#[command(group(clap::ArgGroup::new("subject").required(true).args(["user", "project"])))]
pub struct ExplainArgs {
    /// The JSON document `extract --format json` wrote.
    #[arg(long)]
    pub document: PathBuf,
    /// Every (project, permission) this account holds.
    #[arg(long)]
    pub user: Option<String>,
    /// Every principal holding a permission on this project (id or key).
    #[arg(long)]
    pub project: Option<String>,
    /// With --project: only this permission key.
    #[arg(long, requires = "project")]
    pub permission: Option<String>,
    /// Print the time taken to read, index and resolve on standard error.
    #[arg(long)]
    pub timing: bool,
}

#[derive(clap::Args, Debug, Clone)]
pub struct PrivilegedArgs {
    /// The JSON document `extract --format json` wrote.
    #[arg(long)]
    pub document: PathBuf,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Print the time taken to read, index and resolve on standard error.
    #[arg(long)]
    pub timing: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Text,
    Json,
}

/// Options of `upload`. The API key is deliberately not among them: a flag
/// would leave it in shell history and process listings.
#[derive(clap::Args, Debug, Clone)]
pub struct UploadArgs {
    /// The directory holding entities.csv and entity_relations.csv (and
    /// entitlements.csv with --entitlements), as `extract --format balkanid` writes them.
    #[arg(long)]
    pub dir: PathBuf,
    /// BalkanID's base URL: https, or http to a loopback address only.
    #[arg(long, default_value = crate::balkanid::DEFAULT_API_URL)]
    pub api_url: String,
    /// Also upload entitlements.csv, after the other two.
    #[arg(long)]
    pub entitlements: bool,
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
    /// PEM certificates to trust besides the web roots (a TLS-inspecting
    /// proxy, a private --upstream). SSL_CERT_FILE, when set, is added too.
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ExtractArgs {
    #[command(flatten)]
    pub target: Target,
    /// Where to write: a file for json and ndjson (default: standard output),
    /// a directory for balkanid (required; created if missing).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// json: one sorted document; ndjson: one record per line as found;
    /// balkanid: entities.csv, entity_relations.csv and entitlements.csv in --out.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// With --format ndjson: a file for the resume cursor. If it exists the run
    /// carries on from it, appending to --out; if the run fails the cursor is
    /// written there, so the same command resumes; on success it is removed.
    #[arg(long)]
    pub resume: Option<PathBuf>,
    #[command(flatten)]
    pub upload: UploadAfter,
}

/// With `--format balkanid`: upload the files once they are written, as
/// `upload` would. The API key comes from the environment, as for `upload`.
#[derive(clap::Args, Debug, Clone)]
pub struct UploadAfter {
    /// Upload the three files' first two (and entitlements.csv with
    /// --entitlements) to BalkanID's Bulk upload API once they are written.
    #[arg(long = "upload")]
    pub enabled: bool,
    /// BalkanID's base URL: https, or http to a loopback address only.
    #[arg(long, default_value = crate::balkanid::DEFAULT_API_URL, requires = "enabled")]
    pub api_url: String,
    /// Also upload entitlements.csv, after the other two.
    #[arg(long, requires = "enabled")]
    pub entitlements: bool,
}

impl Default for UploadAfter {
    fn default() -> Self {
        Self {
            enabled: false,
            api_url: crate::balkanid::DEFAULT_API_URL.to_owned(),
            entitlements: false,
        }
    }
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Ndjson,
    /// BalkanID's three upload files.
    Balkanid,
}

/// Options of `bench`: the generated tenant, the latency the fake adds, and
/// the settings to measure.
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
    /// Serve the fake over HTTPS (HTTP/2 and HTTP/1.1 by ALPN, as Atlassian
    /// does) with a certificate it makes at start.
    #[arg(long)]
    pub tls: bool,
    /// Serve it over HTTPS offering HTTP/1.1 only (implies --tls).
    #[arg(long)]
    pub http1: bool,
    /// A network's round trip: added once per new connection (the
    /// handshake) and to every request, on top of --latency-ms.
    #[arg(long, default_value_t = 0)]
    pub rtt_ms: u64,
    /// Open a new connection for every request, as wasmtime-wasi-http's
    /// default sender does: the baseline that shows what reuse saves.
    #[arg(long)]
    pub no_reuse: bool,
    /// Leave the organization out (no `adminApiKey`): the run without the
    /// dormant-account enrichment, to measure what it adds.
    #[arg(long)]
    pub no_org: bool,
    /// The component to run (default: the one built with this host).
    #[arg(long)]
    pub component: Option<PathBuf>,
}
