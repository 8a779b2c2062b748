//! Resume cursors come from outside: any string is accepted or refused with
//! a typed error, and never panics.
#![no_main]

use std::time::Duration;

use extractor_jira::config::Config;
use extractor_jira::error::Error;
use extractor_jira::extract::Extraction;
use extractor_jira::jira::client::Api;
use extractor_jira::jira::executor::RetryPolicy;
use extractor_jira::jira::transport::{
    HttpRequest, HttpResponse, Ticket, Transport, TransportError,
};
use libfuzzer_sys::fuzz_target;

/// Sends nothing: the target only exercises parsing and restoring.
struct Nowhere;

impl Transport for Nowhere {
    fn start(&mut self, _: &HttpRequest) -> Ticket {
        0
    }
    fn wait(&mut self, _: Option<Duration>) -> Vec<(Ticket, Result<HttpResponse, TransportError>)> {
        Vec::new()
    }
    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

fuzz_target!(|data: &[u8]| {
    let config =
        Config::parse(r#"{"appConfig": {"token": "fuzz@example.com:T", "siteName": "acme"}}"#)
            .unwrap();
    let api = Api::site(config.site(), config.credentials());
    let text = String::from_utf8_lossy(data);
    match Extraction::resume(api, Nowhere, 4, RetryPolicy::default(), &text) {
        Ok(extraction) => {
            let _ = extraction.resume_cursor();
        }
        Err(Error::InvalidCursor(_)) => {}
        Err(other) => panic!("an untyped error for a cursor: {other:?}"),
    }
});
