//! The guest's outbound HTTP, as the host sees it: which destinations are
//! allowed, where they are redirected for tests or a proxy, and a record of
//! every request with its credential redacted.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::uri::{Authority, Scheme};
use http::{HeaderValue, Uri};
use http_body_util::BodyExt;
use wasmtime_wasi_http::{
    Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks, default_send_request,
};

/// The hosts the connector may reach.
pub const SITE_SUFFIX: &str = ".atlassian.net";
pub const GATEWAY_HOST: &str = "api.atlassian.com";

/// One request the guest made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// The URL the guest asked for, e.g. `https://acme.atlassian.net/rest/api/3/myself`.
    pub url: String,
    /// Header names and values; `authorization` is always `<redacted>`.
    pub headers: Vec<(String, String)>,
    /// The status received, or `None` if the request failed or was refused.
    pub status: Option<u16>,
    pub elapsed: Duration,
}

impl RecordedRequest {
    /// The path and query, e.g. `/rest/api/3/myself`.
    pub fn path_and_query(&self) -> &str {
        let rest = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |(_, r)| r);
        rest.find('/').map_or("/", |i| &rest[i..])
    }

    pub fn host(&self) -> &str {
        let rest = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |(_, r)| r);
        rest.split('/').next().unwrap_or("")
    }
}

/// A base URL that both Atlassian hosts are redirected to, keeping the path
/// and query (for the fake Jira in tests, or for a proxy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    scheme: Scheme,
    authority: Authority,
    prefix: String,
}

impl Upstream {
    pub fn parse(base: &str) -> anyhow::Result<Self> {
        let uri: Uri = base
            .parse()
            .map_err(|e| anyhow::anyhow!("--upstream {base:?} is not a URL: {e}"))?;
        let scheme = uri
            .scheme()
            .cloned()
            .filter(|s| *s == Scheme::HTTP || *s == Scheme::HTTPS)
            .ok_or_else(|| {
                anyhow::anyhow!("--upstream {base:?} must start with http:// or https://")
            })?;
        let authority = uri
            .authority()
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("--upstream {base:?} has no host"))?;
        if uri.query().is_some() {
            anyhow::bail!("--upstream {base:?} may not have a query");
        }
        Ok(Self {
            scheme,
            authority,
            prefix: uri.path().trim_end_matches('/').to_owned(),
        })
    }

    fn rewrite(&self, uri: &Uri) -> Result<Uri, HttpError> {
        let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(format!("{}{path_and_query}", self.prefix))
            .build()
            .map_err(|_| HttpError::HttpRequestUriInvalid)
    }
}

/// The hooks installed in every store: allowlist, redirect, record.
#[derive(Clone, Default)]
pub struct Outbound {
    upstream: Option<Upstream>,
    log: Arc<Mutex<Vec<RecordedRequest>>>,
}

impl Outbound {
    pub fn new(upstream: Option<Upstream>) -> Self {
        Self {
            upstream,
            log: Arc::default(),
        }
    }

    /// Every request so far, in the order they were sent.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.log.lock().expect("request log poisoned").clone()
    }
}

/// Whether the guest may send a request to `uri` at all.
pub fn allowed(uri: &Uri) -> Result<(), String> {
    if uri.scheme() != Some(&Scheme::HTTPS) {
        return Err(format!("{uri}: only https is allowed"));
    }
    let authority = uri.authority().ok_or_else(|| format!("{uri}: no host"))?;
    if authority.port().is_some() || authority.as_str().contains('@') {
        return Err(format!("{uri}: ports and user information are not allowed"));
    }
    let host = authority.host().to_ascii_lowercase();
    let site_ok = host
        .strip_suffix(SITE_SUFFIX)
        .is_some_and(|label| !label.is_empty() && !label.contains('.'));
    if site_ok || host == GATEWAY_HOST {
        Ok(())
    } else {
        Err(format!(
            "{host}: not an Atlassian host this connector may call"
        ))
    }
}

impl WasiHttpHooks for Outbound {
    fn send_request(
        &mut self,
        mut request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> Box<
        dyn Future<
                Output = wasmtime_wasi_http::Result<(
                    http::Response<WasiBody>,
                    Box<dyn Future<Output = Result<(), HttpError>> + Send>,
                )>,
            > + Send,
    > {
        drop(fut);
        let started = Instant::now();
        let original = request.uri().clone();
        let headers = request
            .headers()
            .iter()
            .map(|(k, v)| {
                let value = if k == http::header::AUTHORIZATION {
                    "<redacted>".to_owned()
                } else {
                    String::from_utf8_lossy(v.as_bytes()).into_owned()
                };
                (k.as_str().to_owned(), value)
            })
            .collect();
        let index = {
            let mut log = self.log.lock().expect("request log poisoned");
            log.push(RecordedRequest {
                method: request.method().to_string(),
                url: original.to_string(),
                headers,
                status: None,
                elapsed: Duration::ZERO,
            });
            log.len() - 1
        };
        let log = self.log.clone();
        let upstream = self.upstream.clone();
        Box::new(async move {
            if let Err(why) = allowed(&original) {
                eprintln!("host: refused outbound request: {why}");
                return Err(HttpError::HttpRequestDenied);
            }
            if let Some(upstream) = &upstream {
                let target = upstream.rewrite(&original)?;
                if let Some(host) = original.authority() {
                    // The fake Jira tells the site from the gateway by this header.
                    if let Ok(value) = HeaderValue::from_str(host.as_str()) {
                        request.headers_mut().insert("x-forwarded-host", value);
                    }
                }
                *request.uri_mut() = target;
            }
            let result = default_send_request(request, options).await;
            let mut entries = log.lock().expect("request log poisoned");
            if let Some(entry) = entries.get_mut(index) {
                entry.elapsed = started.elapsed();
                entry.status = result.as_ref().ok().map(|(r, _)| r.status().as_u16());
            }
            drop(entries);
            let (response, io) = result?;
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_accepts_only_atlassian_https() {
        for ok in [
            "https://acme.atlassian.net/rest/api/3/myself",
            "https://api.atlassian.com/ex/jira/x/rest/api/3/myself",
        ] {
            assert!(allowed(&ok.parse().unwrap()).is_ok(), "{ok}");
        }
        for bad in [
            "http://acme.atlassian.net/",
            "https://evil.com/",
            "https://acme.atlassian.net.evil.com/",
            "https://a.b.atlassian.net/",
            "https://atlassian.net/",
            "https://acme.atlassian.net:8443/",
            "https://127.0.0.1/",
        ] {
            assert!(allowed(&bad.parse().unwrap()).is_err(), "{bad}");
        }
    }

    #[test]
    fn upstream_rewrite_keeps_path_and_query() {
        let up = Upstream::parse("http://127.0.0.1:8080/base/").unwrap();
        let uri: Uri = "https://acme.atlassian.net/rest/api/3/group/member?groupId=a%20b"
            .parse()
            .unwrap();
        assert_eq!(
            up.rewrite(&uri).unwrap().to_string(),
            "http://127.0.0.1:8080/base/rest/api/3/group/member?groupId=a%20b"
        );
        assert!(Upstream::parse("ftp://x").is_err());
        assert!(Upstream::parse("127.0.0.1:80").is_err());
    }
}
