//! The component's exports: `balkanid:extractor/connector` (configure,
//! extract, apply-lifecycle-action), in `command`, `wasi:cli/run`, and in
//! `http`, `wasi:http/incoming-handler`.
//!
//! This is the only code that touches the generated bindings, apart from the
//! conversions in `convert`. It keeps the configured connection for the
//! instance; everything else is plain Rust in the modules below the crate root.

mod command;
mod convert;
mod http;

use std::cell::RefCell;

use crate::bindings::balkanid::extractor::lifecycle as wl;
use crate::bindings::balkanid::extractor::types as wit;
use crate::bindings::exports::balkanid::extractor::connector::{
    Extraction as WitExtraction, Guest, GuestExtraction,
};
use crate::config::Config;
use crate::error::Error;
use crate::extract::Extraction;
use crate::jira::connect::{Connection, connect};
use crate::jira::executor::RetryPolicy;
use crate::jira::transport::Timeouts;
use crate::jira::wasi_transport::WasiTransport;
use crate::lifecycle;
use crate::mapping::ActivityWindow;

struct Configured {
    config: Config,
    connection: Connection,
}

thread_local! {
    static CONFIGURED: RefCell<Option<Configured>> = const { RefCell::new(None) };
}

/// Runs `f` with the configuration `configure` stored, or fails with
/// `not-configured`.
fn with_configured<R>(
    f: impl FnOnce(&Configured) -> Result<R, wit::Error>,
) -> Result<R, wit::Error> {
    CONFIGURED.with(|c| {
        let c = c.borrow();
        let configured = c.as_ref().ok_or(Error::NotConfigured)?;
        f(configured)
    })
}

struct Component;

impl Guest for Component {
    type Extraction = ExtractionResource;

    fn configure(config: String) -> Result<wit::ConnectionInfo, wit::Error> {
        let config = Config::parse(&config)?;
        let transport = WasiTransport::new(Timeouts::within(config.request_timeout()));
        let connection = connect(
            transport,
            &config,
            RetryPolicy::with_budget(config.retry_budget()),
        )?;
        let info = wit::ConnectionInfo::from(&connection);
        CONFIGURED.with(|c| *c.borrow_mut() = Some(Configured { config, connection }));
        Ok(info)
    }

    fn extract(resume: Option<String>) -> Result<WitExtraction, wit::Error> {
        with_configured(|configured| {
            // `configure` read the account's global permissions; without one
            // the run would fail on its listings, so it fails here instead.
            configured.connection.preflight()?;
            let config = &configured.config;
            let api = configured.connection.api.clone();
            let site = configured.connection.site();
            let transport = WasiTransport::new(Timeouts::within(config.request_timeout()));
            let policy = RetryPolicy::with_budget(config.retry_budget());
            let activity = ActivityWindow {
                now: unix_now(),
                days: config.dormant_after_days(),
            };
            let extraction = match resume {
                None => Extraction::with_activity(
                    api,
                    site,
                    Some(activity),
                    transport,
                    config.max_concurrency(),
                    policy,
                ),
                Some(cursor) => {
                    Extraction::resume(api, transport, config.max_concurrency(), policy, &cursor)?
                }
            };
            Ok(WitExtraction::new(ExtractionResource(RefCell::new(
                extraction,
            ))))
        })
    }

    fn apply_lifecycle_action(action: wl::Action) -> Result<wl::Outcome, wit::Error> {
        with_configured(|configured| {
            let config = &configured.config;
            let outcome = lifecycle::apply(
                &configured.connection.api,
                WasiTransport::new(Timeouts::within(config.request_timeout())),
                RetryPolicy::with_budget(config.retry_budget()),
                &action.into(),
            )?;
            Ok(outcome.into())
        })
    }
}

struct ExtractionResource(RefCell<Extraction<WasiTransport>>);

impl GuestExtraction for ExtractionResource {
    fn next(&self) -> Result<Option<wit::Batch>, wit::Error> {
        let batch = self.0.borrow_mut().next_batch()?;
        Ok(batch.map(Into::into))
    }

    fn resume_cursor(&self) -> Option<String> {
        self.0.borrow().resume_cursor()
    }
}

crate::bindings::export!(Component with_types_in crate::bindings);

/// A full extraction over `connection`, as `config` asks (concurrency,
/// retries, the dormancy window): what the command and the HTTP service run.
pub(crate) fn start_extraction(
    config: &Config,
    connection: Connection,
) -> Extraction<WasiTransport> {
    let site = connection.site();
    let activity = ActivityWindow {
        now: unix_now(),
        days: config.dormant_after_days(),
    };
    Extraction::with_activity(
        connection.api,
        site,
        Some(activity),
        WasiTransport::new(Timeouts::within(config.request_timeout())),
        config.max_concurrency(),
        RetryPolicy::with_budget(config.retry_budget()),
    )
}

/// Seconds since the epoch, from `wasi:clocks/wall-clock`: when an
/// extraction starts, so that dormancy is judged against one instant.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
