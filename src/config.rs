//! The vendor's configuration, parsed once into a validated, immutable value.
//!
//! The site name decides where the API token is sent; its rules are in
//! [`crate::site`].

use std::fmt;

use serde_json::{Map, Value};

use crate::error::{Error, Result, printable};
// The site's rules live in `site`, where the host can use them too.
pub use crate::site::{GATEWAY_HOST, SiteName};

pub const DEFAULT_MAX_CONCURRENCY: u32 = 8;
pub const MAX_CONCURRENCY_RANGE: std::ops::RangeInclusive<u32> = 1..=32;
pub const DEFAULT_REQUEST_TIMEOUT_SECONDS: u32 = 60;
pub const REQUEST_TIMEOUT_RANGE: std::ops::RangeInclusive<u32> = 1..=600;
pub const DEFAULT_RETRY_BUDGET_SECONDS: u32 = 120;
pub const RETRY_BUDGET_RANGE: std::ops::RangeInclusive<u32> = 0..=3600;

/// Longest token string accepted. Atlassian's API tokens are a few hundred
/// characters; anything far larger is a paste error or an attack on memory.
const MAX_TOKEN_LEN: usize = 4096;

const FIELD_APP_CONFIG: &str = "appConfig";
const FIELD_TOKEN: &str = "appConfig.token";
const FIELD_SITE: &str = "appConfig.siteName";
const FIELD_ORG: &str = "appConfig.orgName";
const FIELD_CONCURRENCY: &str = "appConfig.maxConcurrency";
const FIELD_TIMEOUT: &str = "appConfig.requestTimeoutSeconds";
const FIELD_RETRY: &str = "appConfig.retryBudgetSeconds";
pub const FIELD_ADMIN_KEY: &str = "appConfig.adminApiKey";
pub const FIELD_ORG_ID: &str = "appConfig.orgId";
const FIELD_DORMANT: &str = "appConfig.dormantAfterDays";
pub const DEFAULT_DORMANT_AFTER_DAYS: u32 = 90;
pub const DORMANT_AFTER_DAYS_RANGE: std::ops::RangeInclusive<u32> = 1..=3650;
/// Longest organization id accepted: Atlassian's are UUIDs (36 characters).
const MAX_ORG_ID_LEN: usize = 128;

/// Keys accepted inside `appConfig`. Anything else is refused: a misspelt
/// optional key would otherwise be ignored silently and its default used.
const KNOWN_KEYS: &[&str] = &[
    "token",
    "siteName",
    "orgName",
    "maxConcurrency",
    "requestTimeoutSeconds",
    "retryBudgetSeconds",
    "adminApiKey",
    "orgId",
    "dormantAfterDays",
];

/// A validated connector configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    site: SiteName,
    credentials: Credentials,
    max_concurrency: u32,
    request_timeout_seconds: u32,
    retry_budget_seconds: u32,
    /// The organization admin API, when both of its fields are given.
    org: Option<OrgAccess>,
    dormant_after_days: u32,
}

impl Config {
    /// Parses the vendor's JSON, e.g.
    /// `{"appConfig": {"token": "EMAIL:API_TOKEN", "siteName": "acme"}}`.
    pub fn parse(json: &str) -> Result<Self> {
        let root: Value = serde_json::from_str(json).map_err(|e| {
            // serde_json's message names a position, never the input text.
            Error::invalid_config("config", format!("is not valid JSON ({e})"))
        })?;
        let root = root
            .as_object()
            .ok_or_else(|| Error::invalid_config("config", "must be a JSON object"))?;
        let app = root
            .get(FIELD_APP_CONFIG)
            .ok_or_else(|| Error::invalid_config(FIELD_APP_CONFIG, "is missing"))?
            .as_object()
            .ok_or_else(|| Error::invalid_config(FIELD_APP_CONFIG, "must be a JSON object"))?;

        if let Some(unknown) = app.keys().find(|k| !KNOWN_KEYS.contains(&k.as_str())) {
            return Err(Error::invalid_config(
                &format!("{FIELD_APP_CONFIG}.{}", printable(unknown)),
                format!(
                    "is not a known field. The known fields are {}",
                    KNOWN_KEYS.join(", ")
                ),
            ));
        }

        let credentials = Credentials::parse(app)?;
        let site = site_from(app)?;
        let max_concurrency = bounded(
            app,
            "maxConcurrency",
            FIELD_CONCURRENCY,
            MAX_CONCURRENCY_RANGE,
            DEFAULT_MAX_CONCURRENCY,
        )?;
        let request_timeout_seconds = bounded(
            app,
            "requestTimeoutSeconds",
            FIELD_TIMEOUT,
            REQUEST_TIMEOUT_RANGE,
            DEFAULT_REQUEST_TIMEOUT_SECONDS,
        )?;
        let retry_budget_seconds = bounded(
            app,
            "retryBudgetSeconds",
            FIELD_RETRY,
            RETRY_BUDGET_RANGE,
            DEFAULT_RETRY_BUDGET_SECONDS,
        )?;

        let org = OrgAccess::parse(app)?;
        let dormant_after_days = bounded(
            app,
            "dormantAfterDays",
            FIELD_DORMANT,
            DORMANT_AFTER_DAYS_RANGE,
            DEFAULT_DORMANT_AFTER_DAYS,
        )?;

        Ok(Self {
            site,
            credentials,
            max_concurrency,
            request_timeout_seconds,
            retry_budget_seconds,
            org,
            dormant_after_days,
        })
    }

    /// The organization whose admin API gives last activity and account
    /// status; `None` when `adminApiKey` and `orgId` are not configured.
    pub fn org(&self) -> Option<&OrgAccess> {
        self.org.as_ref()
    }

    /// A user with no product activity in this many days is dormant.
    pub fn dormant_after_days(&self) -> u32 {
        self.dormant_after_days
    }

    pub fn site(&self) -> &SiteName {
        &self.site
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub fn max_concurrency(&self) -> u32 {
        self.max_concurrency
    }

    /// How long one request may wait to connect, for its first byte, or
    /// between bytes.
    pub fn request_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.request_timeout_seconds))
    }

    /// The most one request may spend waiting between its retries.
    pub fn retry_budget(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.retry_budget_seconds))
    }
}

/// An optional whole number within `range`.
fn bounded(
    app: &Map<String, Value>,
    key: &str,
    field: &str,
    range: std::ops::RangeInclusive<u32>,
    default: u32,
) -> Result<u32> {
    match app.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                Error::invalid_config(
                    field,
                    format!(
                        "must be a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                )
            }),
    }
}

fn site_from(app: &Map<String, Value>) -> Result<SiteName> {
    let site = optional_string(app, "siteName", FIELD_SITE)?;
    let org = optional_string(app, "orgName", FIELD_ORG)?;
    match (site, org) {
        (Some(s), Some(o)) => {
            let (s, o) = (
                SiteName::parse(s, FIELD_SITE)?,
                SiteName::parse(o, FIELD_ORG)?,
            );
            if s != o {
                return Err(Error::invalid_config(
                    FIELD_ORG,
                    "is an alias of siteName but names a different site. Give only one of them",
                ));
            }
            Ok(s)
        }
        (Some(s), None) => SiteName::parse(s, FIELD_SITE),
        (None, Some(o)) => SiteName::parse(o, FIELD_ORG),
        (None, None) => Err(Error::invalid_config(
            FIELD_SITE,
            "is missing (orgName is accepted as an alias)",
        )),
    }
}

fn optional_string<'a>(
    app: &'a Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Option<&'a str>> {
    match app.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::invalid_config(field, "must be a string")),
    }
}

/// An organization's admin API: its id and an organization API key. The
/// key is private to this module: the only way out is the `Authorization`
/// header value, and it is never sent anywhere but the admin API.
#[derive(Clone, PartialEq, Eq)]
pub struct OrgAccess {
    org_id: String,
    key: String,
}

impl fmt::Debug for OrgAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrgAccess")
            .field("org_id", &self.org_id)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl OrgAccess {
    /// Both fields or neither: one without the other is a half-made
    /// configuration, and guessing the other would read the wrong
    /// organization or none.
    fn parse(app: &Map<String, Value>) -> Result<Option<Self>> {
        let key = match app.get("adminApiKey") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            // No message may quote the value: it may be the secret.
            Some(_) => return Err(Error::invalid_config(FIELD_ADMIN_KEY, "must be a string")),
        };
        let org_id = optional_string(app, "orgId", FIELD_ORG_ID)?;
        let (key, org_id) = match (key, org_id) {
            (None, None) => return Ok(None),
            (Some(_), None) => {
                return Err(Error::invalid_config(
                    FIELD_ORG_ID,
                    "is missing. adminApiKey and orgId are given together: the organization's id \
                     is in admin.atlassian.com's address, admin.atlassian.com/o/<orgId>/",
                ));
            }
            (None, Some(_)) => {
                return Err(Error::invalid_config(
                    FIELD_ADMIN_KEY,
                    "is missing. adminApiKey and orgId are given together: create an \
                     organization API key in admin.atlassian.com, Settings, API keys",
                ));
            }
            (Some(k), Some(o)) => (k, o),
        };
        if key.is_empty() {
            return Err(Error::invalid_config(FIELD_ADMIN_KEY, "is empty"));
        }
        if key.len() > MAX_TOKEN_LEN {
            return Err(Error::invalid_config(
                FIELD_ADMIN_KEY,
                format!("is longer than {MAX_TOKEN_LEN} bytes"),
            ));
        }
        if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::invalid_config(
                FIELD_ADMIN_KEY,
                "contains whitespace or control characters",
            ));
        }
        // The id goes into a URL path: only what an organization id is made of.
        let valid_id = !org_id.is_empty()
            && org_id.len() <= MAX_ORG_ID_LEN
            && org_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid_id {
            return Err(Error::invalid_config(
                FIELD_ORG_ID,
                format!(
                    "must be the organization's id (letters, digits, '-' and '_', at most \
                     {MAX_ORG_ID_LEN}), as in admin.atlassian.com/o/<orgId>/"
                ),
            ));
        }
        Ok(Some(Self {
            org_id: org_id.to_owned(),
            key: key.to_owned(),
        }))
    }

    pub fn org_id(&self) -> &str {
        &self.org_id
    }

    /// The `Authorization` header value: the key as a Bearer token.
    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.key)
    }
}

/// An Atlassian account e-mail and API token. The token is private to this
/// module: the only way out is the `Authorization` header value.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    email: String,
    token: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("email", &self.email)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    fn parse(app: &Map<String, Value>) -> Result<Self> {
        // No message below may quote the value: any part of it may be the secret.
        let raw = match app.get("token") {
            None | Some(Value::Null) => {
                return Err(Error::invalid_config(FIELD_TOKEN, "is missing"));
            }
            Some(Value::String(s)) => s,
            Some(_) => return Err(Error::invalid_config(FIELD_TOKEN, "must be a string")),
        };
        if raw.len() > MAX_TOKEN_LEN {
            return Err(Error::invalid_config(
                FIELD_TOKEN,
                format!("is longer than {MAX_TOKEN_LEN} bytes"),
            ));
        }
        let (email, token) = raw.split_once(':').ok_or_else(|| {
            Error::invalid_config(FIELD_TOKEN, "must be EMAIL:API_TOKEN (no ':' found)")
        })?;
        if email.is_empty() {
            return Err(Error::invalid_config(
                FIELD_TOKEN,
                "the e-mail before ':' is empty",
            ));
        }
        if token.is_empty() {
            return Err(Error::invalid_config(
                FIELD_TOKEN,
                "the API token after ':' is empty",
            ));
        }
        if !email.contains('@') {
            return Err(Error::invalid_config(
                FIELD_TOKEN,
                "the part before ':' must be the account's e-mail address",
            ));
        }
        let bad = |c: char| c.is_whitespace() || c.is_control();
        if email.chars().any(bad) || token.chars().any(bad) {
            return Err(Error::invalid_config(
                FIELD_TOKEN,
                "contains whitespace or control characters",
            ));
        }
        Ok(Self {
            email: email.to_owned(),
            token: token.to_owned(),
        })
    }

    pub fn email(&self) -> &str {
        &self.email
    }

    /// The `Authorization` header value for HTTP Basic authentication.
    pub fn authorization(&self) -> String {
        let mut pair = Vec::with_capacity(self.email.len() + 1 + self.token.len());
        pair.extend_from_slice(self.email.as_bytes());
        pair.push(b':');
        pair.extend_from_slice(self.token.as_bytes());
        format!("Basic {}", base64(&pair))
    }
}

fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(app: &str) -> Result<Config> {
        Config::parse(&format!(r#"{{"appConfig": {app}}}"#))
    }

    fn field_of(err: Error) -> String {
        match err {
            Error::InvalidConfig { field, .. } => field,
            other => panic!("expected invalid-config, got {other:?}"),
        }
    }

    #[test]
    fn parse_accepts_vendor_config() {
        let c = config(r#"{"token": "me@acme.com:s3cret", "siteName": "acme"}"#).unwrap();
        assert_eq!(c.site().label(), "acme");
        assert_eq!(c.site().host(), "acme.atlassian.net");
        assert_eq!(c.credentials().email(), "me@acme.com");
        assert_eq!(c.max_concurrency(), DEFAULT_MAX_CONCURRENCY);
    }

    #[test]
    fn parse_accepts_org_name_alias() {
        let c = config(r#"{"token": "me@acme.com:t", "orgName": "acme"}"#).unwrap();
        assert_eq!(c.site().label(), "acme");
        let c = config(
            r#"{"token": "me@acme.com:t", "orgName": "acme", "siteName": "ACME.atlassian.net"}"#,
        )
        .unwrap();
        assert_eq!(c.site().label(), "acme");
    }

    #[test]
    fn parse_rejects_conflicting_alias() {
        let e = config(r#"{"token": "me@acme.com:t", "orgName": "acme", "siteName": "other"}"#)
            .unwrap_err();
        assert_eq!(field_of(e), FIELD_ORG);
    }

    #[test]
    fn parse_rejects_malformed_tokens_without_echoing_them() {
        let secret = "SECRETVALUE";
        for token in [
            secret.to_owned(),
            format!(":{secret}"),
            "me@acme.com:".to_string(),
            format!("notanemail:{secret}"),
            format!("me@acme.com:{secret} x"),
            format!("me@acme.com:{}", "A".repeat(MAX_TOKEN_LEN + 1)),
        ] {
            let json = serde_json::json!({"appConfig": {"token": token, "siteName": "acme"}});
            let err = Config::parse(&json.to_string()).unwrap_err();
            let text = format!("{err} {err:?}");
            assert!(!text.contains(secret), "{text}");
            assert!(!text.contains("AAAAAAAA"), "{text}");
            assert_eq!(field_of(err), FIELD_TOKEN);
        }
    }

    #[test]
    fn parse_names_the_missing_or_wrong_field() {
        let cases = [
            ("not json", "config"),
            ("[]", "config"),
            ("{}", FIELD_APP_CONFIG),
            (r#"{"appConfig": 1}"#, FIELD_APP_CONFIG),
            (r#"{"appConfig": {"siteName": "acme"}}"#, FIELD_TOKEN),
            (
                r#"{"appConfig": {"token": 5, "siteName": "acme"}}"#,
                FIELD_TOKEN,
            ),
            (r#"{"appConfig": {"token": "a@b:c"}}"#, FIELD_SITE),
            (
                r#"{"appConfig": {"token": "a@b:c", "siteName": 7}}"#,
                FIELD_SITE,
            ),
            (
                r#"{"appConfig": {"token": "a@b:c", "siteName": "acme", "sitename": "x"}}"#,
                "appConfig.sitename",
            ),
            (
                r#"{"appConfig": {"token": "a@b:c", "siteName": "acme", "maxConcurrency": 0}}"#,
                FIELD_CONCURRENCY,
            ),
            (
                r#"{"appConfig": {"token": "a@b:c", "siteName": "acme", "maxConcurrency": 33}}"#,
                FIELD_CONCURRENCY,
            ),
            (
                r#"{"appConfig": {"token": "a@b:c", "siteName": "acme", "maxConcurrency": "8"}}"#,
                FIELD_CONCURRENCY,
            ),
        ];
        for (json, field) in cases {
            assert_eq!(field_of(Config::parse(json).unwrap_err()), field, "{json}");
        }
    }

    #[test]
    fn parse_reads_limits() {
        let c = config(
            r#"{"token": "a@b:c", "siteName": "acme", "maxConcurrency": 16,
            "requestTimeoutSeconds": 5, "retryBudgetSeconds": 0}"#,
        )
        .unwrap();
        assert_eq!(c.max_concurrency(), 16);
        assert_eq!(c.request_timeout().as_secs(), 5);
        assert_eq!(c.retry_budget().as_secs(), 0);
        let c = config(r#"{"token": "a@b:c", "siteName": "acme"}"#).unwrap();
        assert_eq!(c.request_timeout().as_secs(), 60);
        assert_eq!(c.retry_budget().as_secs(), 120);
        for bad in [
            r#""requestTimeoutSeconds": 0"#,
            r#""retryBudgetSeconds": 3601"#,
            r#""requestTimeoutSeconds": 1.5"#,
        ] {
            let json = format!(r#"{{"token": "a@b:c", "siteName": "acme", {bad}}}"#);
            assert!(config(&json).is_err(), "{bad}");
        }
    }

    #[test]
    fn credentials_debug_redacts_token() {
        let c = config(r#"{"token": "me@acme.com:TOPSECRET", "siteName": "acme"}"#).unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("TOPSECRET"), "{dbg}");
        assert!(dbg.contains("<redacted>"));
    }

    #[test]
    fn authorization_is_basic_base64() {
        let c = config(r#"{"token": "Aladdin@x:open sesame", "siteName": "acme"}"#);
        assert!(c.is_err(), "whitespace in a token is refused");
        let c = config(r#"{"token": "user@example.com:pass", "siteName": "acme"}"#).unwrap();
        assert_eq!(
            c.credentials().authorization(),
            "Basic dXNlckBleGFtcGxlLmNvbTpwYXNz"
        );
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(base64(b""), "");
    }

    const ORG: &str = "8a1f3c5e-0b2d-4e6f-9a7c-1d3e5f7a9b0c";

    #[test]
    fn parse_accepts_org_admin_fields() {
        let c = config(&format!(
            r#"{{"token": "a@b:c", "siteName": "acme", "adminApiKey": "ORGKEY123", "orgId": "{ORG}", "dormantAfterDays": 30}}"#
        ))
        .unwrap();
        let org = c.org().expect("configured");
        assert_eq!(org.org_id(), ORG);
        assert_eq!(org.authorization(), "Bearer ORGKEY123");
        assert_eq!(c.dormant_after_days(), 30);
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("ORGKEY123"), "{dbg}");
        let plain = config(r#"{"token": "a@b:c", "siteName": "acme"}"#).unwrap();
        assert!(plain.org().is_none());
        assert_eq!(plain.dormant_after_days(), DEFAULT_DORMANT_AFTER_DAYS);
    }

    #[test]
    fn parse_refuses_half_or_bad_org_admin_fields() {
        let cases = [
            (r#""adminApiKey": "K""#.to_owned(), FIELD_ORG_ID),
            (format!(r#""orgId": "{ORG}""#), FIELD_ADMIN_KEY),
            (
                format!(r#""adminApiKey": "", "orgId": "{ORG}""#),
                FIELD_ADMIN_KEY,
            ),
            (
                format!(r#""adminApiKey": "a b", "orgId": "{ORG}""#),
                FIELD_ADMIN_KEY,
            ),
            (
                format!(r#""adminApiKey": 7, "orgId": "{ORG}""#),
                FIELD_ADMIN_KEY,
            ),
            (
                r#""adminApiKey": "K", "orgId": "../../users""#.to_owned(),
                FIELD_ORG_ID,
            ),
            (
                r#""adminApiKey": "K", "orgId": """#.to_owned(),
                FIELD_ORG_ID,
            ),
            (
                r#""adminApiKey": "K", "orgId": "a?b""#.to_owned(),
                FIELD_ORG_ID,
            ),
            (
                format!(r#""adminApiKey": "K", "orgId": "{ORG}", "dormantAfterDays": 0"#),
                FIELD_DORMANT,
            ),
            (
                format!(r#""adminApiKey": "K", "orgId": "{ORG}", "dormantAfterDays": 3651"#),
                FIELD_DORMANT,
            ),
            (r#""dormantAfterDays": "90""#.to_owned(), FIELD_DORMANT),
        ];
        for (extra, field) in cases {
            let json = format!(r#"{{"token": "a@b:c", "siteName": "acme", {extra}}}"#);
            let err = config(&json).unwrap_err();
            let text = err.to_string();
            assert_eq!(field_of(err), field, "{extra}");
            assert!(!text.contains("a b"), "never quotes the key: {text}");
        }
    }
}
