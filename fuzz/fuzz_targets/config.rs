//! Config parsing: any input is accepted or refused with a typed error that
//! names a field and never repeats the token; a site that is accepted is
//! always a plain atlassian.net label.
#![no_main]

use extractor_jira::config::Config;
use extractor_jira::error::Error;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check(&text);
    // Also as the value of each field, where most of the validation lives.
    for key in ["token", "siteName", "orgName", "maxConcurrency"] {
        let json = serde_json::json!({"appConfig": {"token": "fuzz@example.com:T0KEN", "siteName": "acme", key: text}});
        check(&json.to_string());
    }
});

fn check(json: &str) {
    match Config::parse(json) {
        Ok(config) => {
            let label = config.site().label();
            assert!(!label.is_empty() && label.len() <= 63);
            assert!(
                label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            );
            assert!(config.site().host().ends_with(".atlassian.net"));
        }
        Err(Error::InvalidConfig { field, reason }) => {
            assert!(!field.is_empty());
            assert!(!reason.contains("T0KEN"), "the token was echoed");
        }
        Err(other) => panic!("config parsing gave an untyped error: {other:?}"),
    }
}
