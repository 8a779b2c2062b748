//! The upload itself: for each file, ask BalkanID for a pre-signed URL, then
//! `PUT` the file's bytes there; retry what is worth retrying; stop at the
//! first other failure, saying which step failed and what was already sent.
//!
//! The API key is a parameter, never read here from the environment: the
//! command line reads it (see [`ApiKey::from_env`]), and tests, which run in
//! parallel in one process, pass their own.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use extractor_jira::error::{printable, sentences};
use http::{HeaderMap, HeaderName, HeaderValue, Method};

use super::rows;
use super::transport::{Address, NetError, Refusal, Reply, Transport};

/// BalkanID's address, unless `--api-url` says otherwise.
pub const DEFAULT_API_URL: &str = "https://app.balkan.id";
/// The environment variable holding the API key's id.
pub const KEY_ID_VAR: &str = "BALKANID_API_KEY_ID";
/// The environment variable holding the API key's secret.
pub const KEY_SECRET_VAR: &str = "BALKANID_API_KEY_SECRET";

/// What is uploaded, in the order it is uploaded: entities first, so that
/// the relations and entitlements that name them arrive after them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Entities,
    EntityRelations,
    Entitlements,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Entities, Kind::EntityRelations, Kind::Entitlements];

    /// The file's name in the output directory.
    pub fn file_name(self) -> &'static str {
        match self {
            Kind::Entities => "entities.csv",
            Kind::EntityRelations => "entity_relations.csv",
            Kind::Entitlements => "entitlements.csv",
        }
    }

    /// The API's path segment: `/api/rest/v0/{segment}/upload-url`.
    pub fn segment(self) -> &'static str {
        match self {
            Kind::Entities => "entities",
            Kind::EntityRelations => "entity-relations",
            Kind::Entitlements => "entitlements",
        }
    }

    /// The API path that hands out an upload URL for this kind.
    pub fn upload_url_path(self) -> String {
        format!("/api/rest/v0/{}/upload-url", self.segment())
    }
}

/// A BalkanID API key. Its `Debug` form is redacted, and no message of this
/// module shows either part: the id too identifies the tenant's key.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    id: String,
    secret: String,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl ApiKey {
    pub fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            secret: secret.into(),
        }
    }

    /// The key from [`KEY_ID_VAR`] and [`KEY_SECRET_VAR`]. The key is never a
    /// flag, so that it stays out of shell history and process listings. An
    /// empty variable counts as missing.
    pub fn from_env() -> Result<Self, UploadError> {
        let read = |name| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        match (read(KEY_ID_VAR), read(KEY_SECRET_VAR)) {
            (Some(id), Some(secret)) => Ok(Self::new(id, secret)),
            (id, secret) => Err(UploadError::MissingKey {
                variables: [
                    (KEY_ID_VAR, id.is_none()),
                    (KEY_SECRET_VAR, secret.is_none()),
                ]
                .into_iter()
                .filter_map(|(name, missing)| missing.then_some(name))
                .collect(),
            }),
        }
    }

    /// The two headers, checked before any request is made.
    fn headers(&self) -> Result<[(HeaderName, HeaderValue); 2], UploadError> {
        let value = |v: &str, variable| {
            let mut value = HeaderValue::from_str(v.trim())
                .map_err(|_| UploadError::InvalidKey { variable })?;
            value.set_sensitive(true);
            Ok(value)
        };
        Ok([
            (
                HeaderName::from_static("x-api-key-id"),
                value(&self.id, KEY_ID_VAR)?,
            ),
            (
                HeaderName::from_static("x-api-key-secret"),
                value(&self.secret, KEY_SECRET_VAR)?,
            ),
        ])
    }

    /// Replaces either part of the key wherever it appears in `text`: an
    /// answer's message is shown, and a server may echo what it was sent.
    fn scrub(&self, text: &str) -> String {
        [self.secret.trim(), self.id.trim()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .fold(text.to_owned(), |text, part| {
                text.replace(part, "<redacted>")
            })
    }
}

/// How failed attempts are retried: 429, any 5xx, and a connection that
/// failed or broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// The wait before the second attempt; it doubles for each one after.
    /// Tests set it to a millisecond.
    pub base: Duration,
    /// The longest wait, whether computed or asked by `Retry-After`.
    pub max_delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            attempts: 5,
            base: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl Retry {
    /// The wait after failed attempt `attempt` (from 1): the server's
    /// `Retry-After` seconds if it gave them, else the doubling backoff;
    /// never more than `max_delay`.
    fn delay(&self, attempt: u32, retry_after: Option<u64>) -> Duration {
        let computed = || {
            self.base
                .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        };
        retry_after
            .map_or_else(computed, Duration::from_secs)
            .min(self.max_delay)
    }
}

/// What to upload, where to, and with which key.
#[derive(Debug, Clone)]
pub struct UploadOptions {
    /// BalkanID's base URL: https, or http to a loopback address.
    pub api_url: String,
    pub key: ApiKey,
    /// Also upload `entitlements.csv`, after the other two.
    pub entitlements: bool,
    pub retry: Retry,
    /// How long one attempt may take, connecting and sending included.
    pub timeout: Duration,
}

impl UploadOptions {
    /// The defaults: 5 attempts from a 500 ms backoff, 10 minutes an attempt.
    pub fn new(api_url: impl Into<String>, key: ApiKey, entitlements: bool) -> Self {
        Self {
            api_url: api_url.into(),
            key,
            entitlements,
            retry: Retry::default(),
            timeout: Duration::from_secs(600),
        }
    }

    /// The kinds to upload, in order.
    pub fn kinds(&self) -> Vec<Kind> {
        Kind::ALL
            .into_iter()
            .filter(|k| self.entitlements || *k != Kind::Entitlements)
            .collect()
    }
}

/// One file uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedFile {
    pub kind: Kind,
    /// Data rows: CSV records after the header.
    pub rows: u64,
    pub bytes: u64,
}

/// What was uploaded, and where to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadSummary {
    /// The API's base URL, as shown (no query).
    pub api: String,
    pub files: Vec<UploadedFile>,
}

impl fmt::Display for UploadSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "uploaded to {}:", self.api)?;
        writeln!(f, "{:<22} {:>10} {:>12}", "file", "rows", "bytes")?;
        for file in &self.files {
            writeln!(
                f,
                "{:<22} {:>10} {:>12}",
                file.kind.file_name(),
                file.rows,
                file.bytes
            )?;
        }
        Ok(())
    }
}

/// A step of the upload: one request, retries included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `POST .../{kind}/upload-url`.
    RequestUrl(Kind),
    /// `PUT` of the file to the pre-signed URL.
    Put(Kind),
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::RequestUrl(kind) => write!(f, "request an upload URL for {}", kind.file_name()),
            Step::Put(kind) => write!(f, "upload {}", kind.file_name()),
        }
    }
}

/// Where a failure happened: the step, the request (method and URL as
/// shown, never a query), and the files uploaded before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At {
    pub step: Step,
    pub request: String,
    pub uploaded: Vec<Kind>,
}

impl At {
    /// The first sentence's start: `Upload entities.csv (PUT https://...)`.
    fn head(&self) -> String {
        format!("{} ({})", self.step, self.request)
    }

    /// The last sentence: what was uploaded before the failure.
    fn tail(&self) -> String {
        if self.uploaded.is_empty() {
            "Nothing was uploaded".to_owned()
        } else {
            let names: Vec<&str> = self.uploaded.iter().map(|k| k.file_name()).collect();
            format!("Already uploaded: {}", names.join(", "))
        }
    }
}

/// Why an upload stopped. The ones before a request (the key, the URL, the
/// files) mean nothing was sent; the others carry [`At`].
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// An environment variable of the key is unset or empty.
    MissingKey { variables: Vec<&'static str> },
    /// A part of the key cannot be sent as a header value.
    InvalidKey { variable: &'static str },
    /// The API URL is refused (not https, not a URL, ...).
    ApiUrl { url: String, reason: &'static str },
    /// Files the upload needs are not in the directory.
    MissingFiles {
        dir: PathBuf,
        files: Vec<&'static str>,
    },
    /// A file could not be read. The cause is in the message, not a
    /// `source`, so that `{:#}` does not print it twice.
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A file ends inside a quoted field.
    MalformedCsv { file: &'static str },
    /// An answer with a status that is neither success nor worth retrying,
    /// or a retried one once the attempts were spent.
    Status {
        at: At,
        status: u16,
        /// The answer's own message, scrubbed and cut short, if it had one.
        detail: Option<String>,
        attempts: u32,
    },
    /// The upload-URL answer was JSON without a `url` string.
    NoUrl {
        at: At,
        status: u16,
        /// The answer's top-level keys (never their values).
        keys: Vec<String>,
    },
    /// The upload-URL answer was not a JSON object.
    NotJson { at: At, status: u16 },
    /// The pre-signed URL is refused (plain http off loopback, not a URL).
    UploadUrl {
        at: At,
        /// As shown: `scheme://host/path`, or nothing if unparseable.
        url: Option<String>,
        reason: &'static str,
    },
    /// No answer: the connection failed, broke or timed out.
    Network {
        at: At,
        message: String,
        attempts: u32,
    },
}

impl fmt::Display for UploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nothing = "Nothing was uploaded";
        let attempts = |n: u32| {
            if n > 1 {
                format!(" after {n} attempts")
            } else {
                String::new()
            }
        };
        let text = match self {
            UploadError::MissingKey { variables } => {
                let (noun, verb) = if variables.len() > 1 {
                    ("variables", "are")
                } else {
                    ("variable", "is")
                };
                sentences([
                    format!(
                        "The environment {noun} {} {verb} not set",
                        variables.join(" and ")
                    ),
                    format!(
                        "Set {KEY_ID_VAR} and {KEY_SECRET_VAR} to the id and secret of a BalkanID API key; \
                         they are never taken from a flag"
                    ),
                    nothing.to_owned(),
                ])
            }
            UploadError::InvalidKey { variable } => sentences([
                format!("The environment variable {variable} holds characters an HTTP header cannot carry"),
                "Copy the key again, without line breaks".to_owned(),
                nothing.to_owned(),
            ]),
            UploadError::ApiUrl { url, reason } => sentences([
                format!("The API URL {url} is refused: {reason}"),
                nothing.to_owned(),
            ]),
            UploadError::MissingFiles { dir, files } => sentences([
                format!(
                    "Cannot upload from {}: {} {} not there",
                    dir.display(),
                    files.join(", "),
                    if files.len() > 1 { "are" } else { "is" }
                ),
                "Write the files with `extract --format balkanid --out DIR`, or pass the directory that holds them"
                    .to_owned(),
                nothing.to_owned(),
            ]),
            UploadError::Read { path, error } => sentences([
                format!("Cannot read {}: {error}", path.display()),
                nothing.to_owned(),
            ]),
            UploadError::MalformedCsv { file } => sentences([
                format!("Cannot upload {file}: it ends inside a quoted field, so it is not whole CSV"),
                nothing.to_owned(),
            ]),
            UploadError::Status {
                at,
                status,
                detail,
                attempts: n,
            } => sentences([
                format!(
                    "{}: HTTP {status}{}{}",
                    at.head(),
                    attempts(*n),
                    detail
                        .as_deref()
                        .map(|d| format!(", \"{}\"", d.trim_end_matches(['.', ' '])))
                        .unwrap_or_default()
                ),
                at.tail(),
            ]),
            UploadError::NoUrl { at, status, keys } => sentences([
                format!(
                    "{}: the answer (HTTP {status}) has no `url` string; its keys are {}",
                    at.head(),
                    if keys.is_empty() {
                        "none".to_owned()
                    } else {
                        keys.join(", ")
                    }
                ),
                at.tail(),
            ]),
            UploadError::NotJson { at, status } => sentences([
                format!("{}: the answer (HTTP {status}) is not a JSON object", at.head()),
                at.tail(),
            ]),
            UploadError::UploadUrl { at, url, reason } => sentences([
                format!(
                    "{}: the upload URL BalkanID gave{} is refused: {reason}",
                    at.head(),
                    url.as_deref().map(|u| format!(" ({u})")).unwrap_or_default()
                ),
                at.tail(),
            ]),
            UploadError::Network {
                at,
                message,
                attempts: n,
            } => sentences([
                if *n > 1 {
                    format!("{}: no answer in {n} attempts: {message}", at.head())
                } else {
                    format!("{}: {message}", at.head())
                },
                at.tail(),
            ]),
        };
        f.write_str(&text)
    }
}

/// Uploads the CSV files in `dir`: `entities.csv`, then `entity_relations.csv`,
/// then, with `options.entitlements`, `entitlements.csv`. Every check that
/// needs no request (the key, the URL, every file there and whole CSV) is made
/// before the first request, so a mistake sends nothing.
pub async fn upload(dir: &Path, options: &UploadOptions) -> Result<UploadSummary, UploadError> {
    let key = options.key.headers()?;
    let api = api_base(&options.api_url)?;
    let kinds = options.kinds();
    let missing: Vec<&'static str> = kinds
        .iter()
        .map(|k| k.file_name())
        .filter(|name| !dir.join(name).is_file())
        .collect();
    if !missing.is_empty() {
        return Err(UploadError::MissingFiles {
            dir: dir.to_owned(),
            files: missing,
        });
    }
    // Read and checked up front, so that a broken last file is found before
    // the first one is sent.
    let mut files = Vec::with_capacity(kinds.len());
    for kind in kinds {
        let path = dir.join(kind.file_name());
        let bytes = std::fs::read(&path).map_err(|error| UploadError::Read { path, error })?;
        let rows = rows::data_rows(&bytes).map_err(|_| UploadError::MalformedCsv {
            file: kind.file_name(),
        })?;
        files.push((kind, Bytes::from(bytes), rows));
    }

    let client = Client {
        transport: Transport::new(),
        options,
        key,
    };
    let mut uploaded = Vec::new();
    for (kind, bytes, rows) in files {
        let done: Vec<Kind> = uploaded.iter().map(|f: &UploadedFile| f.kind).collect();
        let url = client.request_url(&api, kind, &done).await?;
        client.put(&url, kind, bytes.clone(), &done).await?;
        uploaded.push(UploadedFile {
            kind,
            rows,
            bytes: bytes.len() as u64,
        });
    }
    Ok(UploadSummary {
        api: api.trim_end_matches('/').to_owned(),
        files: uploaded,
    })
}

/// The API's base URL, checked, without a trailing slash.
fn api_base(url: &str) -> Result<String, UploadError> {
    let refused = |reason: Refusal| {
        // Shown only as far as it parses, so that a query is never echoed.
        let shown = Address::parse(url)
            .map(|a| a.shown().to_owned())
            .unwrap_or_else(|_| printable(url.split('?').next().unwrap_or_default()));
        UploadError::ApiUrl {
            url: shown,
            reason: reason.reason(),
        }
    };
    let address = Address::parse(url).map_err(refused)?;
    if address.has_query() {
        return Err(refused(Refusal::Query));
    }
    Ok(address.shown().trim_end_matches('/').to_owned())
}

struct Client<'a> {
    transport: Transport,
    options: &'a UploadOptions,
    key: [(HeaderName, HeaderValue); 2],
}

impl Client<'_> {
    /// Step 1: `POST {api}/api/rest/v0/{kind}/upload-url` with the key and
    /// `{}`; the answer's `url`, checked.
    async fn request_url(
        &self,
        api: &str,
        kind: Kind,
        done: &[Kind],
    ) -> Result<Address, UploadError> {
        let url = format!("{api}{}", kind.upload_url_path());
        let at = At {
            step: Step::RequestUrl(kind),
            request: format!("POST {url}"),
            uploaded: done.to_vec(),
        };
        let address = Address::parse(&url).map_err(|refusal| UploadError::ApiUrl {
            url: api.to_owned(),
            reason: refusal.reason(),
        })?;
        let mut headers = HeaderMap::new();
        for (name, value) in &self.key {
            headers.insert(name.clone(), value.clone());
        }
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(
            http::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        let reply = self
            .send(
                &at,
                &address,
                Method::POST,
                headers,
                Bytes::from_static(b"{}"),
            )
            .await?;
        let status = reply.status;
        let Ok(serde_json::Value::Object(answer)) = serde_json::from_slice(&reply.body) else {
            return Err(UploadError::NotJson { at, status });
        };
        let Some(presigned) = answer
            .get("url")
            .and_then(|u| u.as_str())
            .filter(|u| !u.is_empty())
        else {
            return Err(UploadError::NoUrl {
                at,
                status,
                keys: answer.keys().take(20).map(|k| printable(k)).collect(),
            });
        };
        Address::parse(presigned).map_err(|refusal| UploadError::UploadUrl {
            // Plain http parses far enough to be shown safely, without its
            // query; anything else is not shown at all.
            url: (refusal == Refusal::PlainHttp)
                .then(|| printable(presigned.split(['?', '#']).next().unwrap_or_default())),
            at,
            reason: refusal.reason(),
        })
    }

    /// Step 2: `PUT` the file's bytes to the pre-signed URL, as `text/csv`
    /// with a `Content-Length`, and without the API key: the URL is its own
    /// credential, and it points at another host.
    async fn put(
        &self,
        url: &Address,
        kind: Kind,
        bytes: Bytes,
        done: &[Kind],
    ) -> Result<(), UploadError> {
        let at = At {
            step: Step::Put(kind),
            request: format!("PUT {}", url.shown()),
            uploaded: done.to_vec(),
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv"),
        );
        self.send(&at, url, Method::PUT, headers, bytes)
            .await
            .map(drop)
    }

    /// One step's request, retried on 429, 5xx and a failed connection;
    /// `Ok` only for a 2xx answer.
    async fn send(
        &self,
        at: &At,
        to: &Address,
        method: Method,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<Reply, UploadError> {
        let retry = self.options.retry;
        let attempts = retry.attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = tokio::time::timeout(
                self.options.timeout,
                self.transport
                    .send(to, method.clone(), headers.clone(), body.clone()),
            )
            .await
            .unwrap_or_else(|_| {
                Err(NetError::Exchange(format!(
                    "no answer within {:?}",
                    self.options.timeout
                )))
            });
            let retry_after = match sent {
                Ok(reply) if (200..300).contains(&reply.status) => return Ok(reply),
                Ok(reply) => {
                    let transient = reply.status == 429 || (500..600).contains(&reply.status);
                    if !transient || attempt >= attempts {
                        return Err(UploadError::Status {
                            at: at.clone(),
                            status: reply.status,
                            detail: self.detail(&reply, to),
                            attempts: attempt,
                        });
                    }
                    retry_after(&reply.headers)
                }
                Err(error) => {
                    if !error.retryable() || attempt >= attempts {
                        return Err(UploadError::Network {
                            at: at.clone(),
                            message: error.message(),
                            attempts: attempt,
                        });
                    }
                    None
                }
            };
            tokio::time::sleep(retry.delay(attempt, retry_after)).await;
        }
    }

    /// The answer's own message, to show: the `message` (or `error`, ...)
    /// of a JSON body, or the `Code` and `Message` of a storage service's
    /// XML error. Never the rest, which may echo the request: S3's
    /// `SignatureDoesNotMatch` carries the signature and the query. What is
    /// kept is scrubbed of the key and the URL's query, and cut short.
    fn detail(&self, reply: &Reply, to: &Address) -> Option<String> {
        let text = json_message(&reply.body).or_else(|| xml_message(&reply.body))?;
        let mut text = self.options.key.scrub(&text);
        if let Some(query) = to.query() {
            for secret in std::iter::once(query).chain(
                query
                    .split('&')
                    .filter_map(|kv| kv.split_once('=').map(|(_, v)| v).filter(|v| v.len() >= 8)),
            ) {
                text = text.replace(secret, "<redacted>");
            }
        }
        Some(cut(&text)).filter(|t| !t.is_empty())
    }
}

/// A server's message made safe to show: at most 200 characters, anything
/// not printable ASCII escaped (as [`printable`] does, with more room: S3's
/// messages are long), a cut marked with `…`.
fn cut(text: &str) -> String {
    let mut out: String = text
        .trim()
        .chars()
        .take(200)
        .flat_map(char::escape_default)
        .collect();
    if text.trim().chars().count() > 200 {
        out.push('…');
    }
    out
}

/// A JSON body's message, as APIs name it.
fn json_message(body: &[u8]) -> Option<String> {
    let serde_json::Value::Object(answer) = serde_json::from_slice(body).ok()? else {
        return None;
    };
    ["message", "error_description", "error", "detail", "title"]
        .iter()
        .find_map(|k| answer.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
}

/// `Code: Message` of an S3-style XML error.
fn xml_message(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let element = |name: &str| {
        let open = format!("<{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find(&format!("</{name}>"))?;
        Some(text[start..start + end].trim().to_owned())
    };
    match (element("Code"), element("Message")) {
        (Some(code), Some(message)) => Some(format!("{code}: {message}")),
        (code, message) => code.or(message),
    }
}

/// `Retry-After` in seconds; a date is ignored (the backoff applies).
fn retry_after(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_clean(text: &str) {
        if let Some(fault) = extractor_jira::error::sentence_fault(text) {
            panic!("{fault}: {text:?}");
        }
    }

    #[test]
    fn retry_delay_doubles_honours_retry_after_and_is_capped() {
        let r = Retry {
            attempts: 5,
            base: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        };
        assert_eq!(r.delay(1, None), Duration::from_millis(100));
        assert_eq!(r.delay(3, None), Duration::from_millis(400));
        assert_eq!(r.delay(30, None), Duration::from_secs(2));
        assert_eq!(r.delay(1, Some(0)), Duration::ZERO);
        assert_eq!(r.delay(1, Some(1)), Duration::from_secs(1));
        assert_eq!(r.delay(1, Some(3600)), Duration::from_secs(2));
    }

    #[test]
    fn api_key_debug_is_redacted() {
        let key = ApiKey::new("key-id-1234", "s3cr3t-value");
        let debug = format!("{:?}", UploadOptions::new(DEFAULT_API_URL, key, false));
        assert!(
            !debug.contains("s3cr3t") && !debug.contains("key-id-1234"),
            "{debug}"
        );
    }

    #[test]
    fn xml_message_keeps_code_and_message_only() {
        let body = b"<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>\
            <Message>The signature does not match.</Message>\
            <SignatureProvided>abcdef0123</SignatureProvided></Error>";
        assert_eq!(
            xml_message(body).as_deref(),
            Some("SignatureDoesNotMatch: The signature does not match.")
        );
        assert_eq!(xml_message(b"not xml"), None);
    }

    #[test]
    fn every_error_reads_as_clean_sentences() {
        let at = |step, uploaded: Vec<Kind>| At {
            step,
            request: "PUT https://b.s3.amazonaws.com/x".into(),
            uploaded,
        };
        let errors = vec![
            UploadError::MissingKey {
                variables: vec![KEY_ID_VAR],
            },
            UploadError::MissingKey {
                variables: vec![KEY_ID_VAR, KEY_SECRET_VAR],
            },
            UploadError::InvalidKey {
                variable: KEY_SECRET_VAR,
            },
            UploadError::ApiUrl {
                url: "http://app.balkan.id".into(),
                reason: Refusal::PlainHttp.reason(),
            },
            UploadError::MissingFiles {
                dir: "out/".into(),
                files: vec!["entities.csv", "entitlements.csv"],
            },
            UploadError::Read {
                path: "out/entities.csv".into(),
                error: std::io::Error::other("permission denied"),
            },
            UploadError::MalformedCsv {
                file: "entities.csv",
            },
            UploadError::Status {
                at: at(Step::Put(Kind::EntityRelations), vec![Kind::Entities]),
                status: 403,
                detail: Some("AccessDenied: Request has expired.".into()),
                attempts: 1,
            },
            UploadError::Status {
                at: at(Step::RequestUrl(Kind::Entities), vec![]),
                status: 503,
                detail: None,
                attempts: 5,
            },
            UploadError::NoUrl {
                at: at(Step::RequestUrl(Kind::Entities), vec![]),
                status: 200,
                keys: vec!["uploadUrl".into(), "expiresIn".into()],
            },
            UploadError::NotJson {
                at: at(
                    Step::RequestUrl(Kind::Entitlements),
                    vec![Kind::Entities, Kind::EntityRelations],
                ),
                status: 200,
            },
            UploadError::UploadUrl {
                at: at(Step::RequestUrl(Kind::Entities), vec![]),
                url: Some("http://uploads.example.com/x".into()),
                reason: Refusal::PlainHttp.reason(),
            },
            UploadError::Network {
                at: at(Step::Put(Kind::Entities), vec![]),
                message: "could not connect: connection refused".into(),
                attempts: 5,
            },
        ];
        for error in errors {
            assert_clean(&error.to_string());
        }
    }
}
