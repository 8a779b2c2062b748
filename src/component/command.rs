//! `wasi:cli/run`: the connector as a command for `wasmtime run -S http`, for
//! trying it without a host of one's own. `check` prints the connection as
//! JSON; `extract` prints one NDJSON record per line and progress on stderr.

use std::io::{Read as _, Write as _};

use crate::bindings::balkanid::extractor::types as wit;
use crate::config::Config;
use crate::error::Error;
use crate::extract::Extraction;
use crate::jira::connect::connect;
use crate::jira::executor::RetryPolicy;
use crate::jira::transport::Timeouts;
use crate::jira::wasi_transport::WasiTransport;

impl crate::bindings::exports::wasi::cli::run::Guest for super::Component {
    fn run() -> Result<(), ()> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let command = args.first().map_or("extract", String::as_str);
        if !matches!(command, "extract" | "check") {
            eprintln!(
                "usage: extractor_jira.wasm [extract|check], with the vendor config in JIRA_CONFIG or on standard input"
            );
            return Err(());
        }
        let config = read_config()?;
        let config = Config::parse(&config).map_err(fail)?;
        let connection = connect(
            WasiTransport::new(Timeouts::within(config.request_timeout())),
            &config,
            RetryPolicy::with_budget(config.retry_budget()),
        )
        .map_err(fail)?;
        let mut out = std::io::stdout().lock();
        if command == "check" {
            let info = wit::ConnectionInfo::from(&connection);
            let mode = match info.mode {
                wit::AuthMode::Unscoped => "unscoped",
                wit::AuthMode::Scoped => "scoped",
            };
            let json = serde_json::json!({"mode": mode, "siteUrl": info.site_url,
                "apiBaseUrl": info.api_base_url, "cloudId": info.cloud_id,
                "accountId": info.account_id, "displayName": info.display_name,
                "globalPermissions": info.global_permissions, "orgId": info.org_id});
            return writeln!(out, "{json}").map_err(|_| ());
        }
        connection.preflight().map_err(fail)?;
        let site = connection.site();
        let activity = crate::mapping::ActivityWindow {
            now: super::unix_now(),
            days: config.dormant_after_days(),
        };
        let mut extraction = Extraction::with_activity(
            connection.api,
            site,
            Some(activity),
            WasiTransport::new(Timeouts::within(config.request_timeout())),
            config.max_concurrency(),
            RetryPolicy::with_budget(config.retry_budget()),
        );
        loop {
            match extraction.next_batch() {
                Ok(Some(batch)) => {
                    let lines = batch
                        .entities
                        .iter()
                        .map(crate::record::entity)
                        .chain(batch.relations.iter().map(crate::record::relation))
                        .chain(batch.entitlements.iter().map(crate::record::entitlement));
                    for line in lines {
                        writeln!(out, "{line}").map_err(|_| ())?;
                    }
                    let p = &batch.progress;
                    let total = p.total.map(|t| format!("/{t}")).unwrap_or_default();
                    eprintln!("{} {}{total}", p.phase, p.done);
                }
                Ok(None) => return out.flush().map_err(|_| ()),
                Err(e) => {
                    let _ = out.flush();
                    fail(e);
                    return Err(());
                }
            }
        }
    }
}

/// The config from `JIRA_CONFIG`, else from standard input.
fn read_config() -> Result<String, ()> {
    if let Ok(config) = std::env::var("JIRA_CONFIG") {
        return Ok(config);
    }
    let mut config = String::new();
    std::io::stdin().read_to_string(&mut config).map_err(|_| {
        eprintln!("error: could not read the config from standard input");
    })?;
    Ok(config)
}

fn fail(e: Error) {
    eprintln!("error: {e}");
}
