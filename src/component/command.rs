//! `wasi:cli/run`: the connector as a command for `wasmtime run -S http`, for
//! trying it without a host of one's own. `check` prints the connection as
//! JSON; `extract` prints one NDJSON record per line and progress on stderr.

use std::io::{Read as _, Write as _};

use crate::bindings::balkanid::extractor::types as wit;
use crate::config::Config;
use crate::error::Error;
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
            return writeln!(out, "{}", connection_json(&info)).map_err(|_| ());
        }
        connection.preflight().map_err(fail)?;
        let mut extraction = super::start_extraction(&config, connection);
        loop {
            match extraction.next_batch() {
                Ok(Some(batch)) => {
                    for line in crate::service::batch_lines(&batch) {
                        out.write_all(line.as_bytes()).map_err(|_| ())?;
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

/// The connection as JSON, as `check` prints it and `POST /check` answers:
/// `{"mode", "siteUrl", "apiBaseUrl", "cloudId", "accountId", "displayName",
/// "globalPermissions", "orgId"}`.
pub(super) fn connection_json(info: &wit::ConnectionInfo) -> serde_json::Value {
    let mode = match info.mode {
        wit::AuthMode::Unscoped => "unscoped",
        wit::AuthMode::Scoped => "scoped",
    };
    serde_json::json!({"mode": mode, "siteUrl": info.site_url,
        "apiBaseUrl": info.api_base_url, "cloudId": info.cloud_id,
        "accountId": info.account_id, "displayName": info.display_name,
        "globalPermissions": info.global_permissions, "orgId": info.org_id})
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
