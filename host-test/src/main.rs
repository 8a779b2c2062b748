//! `extractor-jira`: run the extractor-jira component against a Jira site, or
//! against the built-in fake tenant.

use std::process::ExitCode;

use clap::Parser;
use host_test::cli::{Cli, run};

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
