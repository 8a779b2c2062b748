//! One HTTP/1.1 request and its answer, over TCP or TLS, and the rule for
//! where a request may go. Kept apart from the upload's logic so that the
//! retries, the steps and the error wording do not mix with sockets.
//!
//! Every request opens its own connection: an upload is a handful of
//! requests, to two hosts, so a pool would buy nothing and hide state.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

/// The most of an answer's body that is read. BalkanID's answers and a
/// storage service's errors are small; anything larger is not one of them.
const MAX_ANSWER_BYTES: usize = 1 << 20;

/// How long connecting (TCP and TLS) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a URL is not a place this client sends anything to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotAUrl,
    Scheme,
    PlainHttp,
    UserInfo,
    Query,
}

impl Refusal {
    /// Why, as the end of a sentence.
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::NotAUrl => "it is not an absolute http or https URL",
            Refusal::Scheme => "only https is allowed",
            Refusal::PlainHttp => {
                "only https is allowed, except http to a loopback address (127.0.0.1, ::1, localhost)"
            }
            Refusal::UserInfo => "a user name or password in the URL is not allowed",
            Refusal::Query => "a query string is not allowed in the API URL",
        }
    }
}

/// A checked destination: https anywhere, or http to a loopback address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    tls: bool,
    /// The host to connect to and to verify the certificate for, without
    /// the brackets of an IPv6 literal.
    host: String,
    port: u16,
    /// `host[:port]` as written, for the `Host` header (a pre-signed URL
    /// signs it).
    authority: String,
    /// The request target: path and query, exactly as written.
    target: Uri,
    /// `scheme://authority/path`: what messages show. Never the query, which
    /// for a pre-signed URL is the credential.
    shown: String,
    has_query: bool,
}

impl Address {
    pub fn parse(url: &str) -> Result<Self, Refusal> {
        let uri = Uri::try_from(url).map_err(|_| Refusal::NotAUrl)?;
        let tls = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            Some(_) => return Err(Refusal::Scheme),
            None => return Err(Refusal::NotAUrl),
        };
        let authority = uri.authority().ok_or(Refusal::NotAUrl)?;
        if authority.as_str().contains('@') {
            return Err(Refusal::UserInfo);
        }
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        if host.is_empty() {
            return Err(Refusal::NotAUrl);
        }
        if !tls && !is_loopback(&host) {
            return Err(Refusal::PlainHttp);
        }
        let target = uri
            .path_and_query()
            .map(|pq| pq.as_str())
            .filter(|pq| !pq.is_empty())
            .unwrap_or("/");
        let target = Uri::try_from(target).map_err(|_| Refusal::NotAUrl)?;
        Ok(Self {
            tls,
            port: authority.port_u16().unwrap_or(if tls { 443 } else { 80 }),
            host,
            authority: authority.as_str().to_owned(),
            shown: format!(
                "{}://{}{}",
                if tls { "https" } else { "http" },
                authority.as_str(),
                uri.path()
            ),
            has_query: uri.query().is_some(),
            target,
        })
    }

    /// `scheme://host[:port]/path`, without the query.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    pub fn has_query(&self) -> bool {
        self.has_query
    }

    /// The query string, if any: what a message must never show.
    pub fn query(&self) -> Option<&str> {
        self.target.query()
    }
}

/// Whether plain http may go to `host`: only this machine, where nothing
/// travels over a network.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// An answer, of any status.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A request that got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    /// Connecting, or the TLS handshake, failed or took too long.
    Connect(String),
    /// The server's certificate, or TLS itself, was refused: trying again
    /// would fail the same way.
    Tls(String),
    /// The connection broke while sending or receiving.
    Exchange(String),
    /// The answer's body was larger than any answer this client expects.
    TooLarge,
}

impl NetError {
    /// Whether trying again may help.
    pub fn retryable(&self) -> bool {
        matches!(self, NetError::Connect(_) | NetError::Exchange(_))
    }

    pub fn message(&self) -> String {
        match self {
            NetError::Connect(m) => format!("could not connect: {m}"),
            NetError::Tls(m) => format!("TLS failed: {m}"),
            NetError::Exchange(m) => format!("the connection failed: {m}"),
            NetError::TooLarge => {
                format!("the answer was larger than {MAX_ANSWER_BYTES} bytes")
            }
        }
    }
}

/// Sends requests. Holds the TLS configuration, built once: the web PKI's
/// roots (`webpki-roots`) and rustls's `ring` provider, the same ones
/// wasmtime-wasi-http uses for the component's requests.
pub struct Transport {
    tls: Result<TlsConnector, String>,
}

impl Default for Transport {
    fn default() -> Self {
        Self::new()
    }
}

impl Transport {
    pub fn new() -> Self {
        let roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.into(),
        };
        let config =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map(|builder| builder.with_root_certificates(roots).with_no_client_auth());
        Self {
            tls: config
                .map(|config| TlsConnector::from(Arc::new(config)))
                .map_err(|e| e.to_string()),
        }
    }

    /// Sends one request with a whole body (never chunked: `Content-Length`
    /// is set from `body`) and reads the whole answer.
    pub async fn send(
        &self,
        to: &Address,
        method: Method,
        mut headers: HeaderMap,
        body: Bytes,
    ) -> Result<Reply, NetError> {
        let host = HeaderValue::from_str(&to.authority)
            .map_err(|_| NetError::Connect("the host is not a valid header value".into()))?;
        headers.insert(http::header::HOST, host);
        headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        let mut request = http::Request::new(Full::new(body));
        *request.method_mut() = method;
        *request.uri_mut() = to.target.clone();
        *request.headers_mut() = headers;

        let tcp = tokio::time::timeout(
            CONNECT_TIMEOUT,
            TcpStream::connect((to.host.as_str(), to.port)),
        )
        .await
        .map_err(|_| NetError::Connect(format!("no connection within {CONNECT_TIMEOUT:?}")))?
        .map_err(|e| NetError::Connect(e.to_string()))?;
        if !to.tls {
            return exchange(tcp, request).await;
        }
        let connector = self.tls.as_ref().map_err(|e| NetError::Tls(e.clone()))?;
        let name = ServerName::try_from(to.host.clone())
            .map_err(|_| NetError::Tls(format!("{:?} is not a valid TLS server name", to.host)))?;
        let stream = tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(name, tcp))
            .await
            .map_err(|_| NetError::Connect(format!("no TLS handshake within {CONNECT_TIMEOUT:?}")))?
            .map_err(|e| {
                // rustls reports a refused certificate or protocol as
                // InvalidData; anything else is the connection breaking.
                if e.kind() == std::io::ErrorKind::InvalidData {
                    NetError::Tls(chain(&e))
                } else {
                    NetError::Connect(chain(&e))
                }
            })?;
        exchange(stream, request).await
    }
}

async fn exchange<S>(stream: S, request: http::Request<Full<Bytes>>) -> Result<Reply, NetError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| NetError::Exchange(chain(&e)))?;
    let driver = tokio::spawn(connection);
    let result = async {
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| NetError::Exchange(chain(&e)))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    NetError::TooLarge
                } else {
                    NetError::Exchange(chain(e.as_ref()))
                }
            })?
            .to_bytes();
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
    .await;
    driver.abort();
    result
}

/// An error and its causes, joined: hyper's own message ("connection closed
/// before message completed") often needs its cause to mean anything.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_allows_https_anywhere_and_http_on_loopback_only() {
        for ok in [
            "https://app.balkan.id",
            "https://bucket.s3.amazonaws.com/a/b?X-Amz-Signature=1",
            "http://127.0.0.1:8080",
            "http://127.0.0.2/x",
            "http://[::1]:9/x",
            "http://localhost:1",
            "http://LOCALHOST",
        ] {
            assert!(Address::parse(ok).is_ok(), "{ok}");
        }
        for (refused, why) in [
            ("http://app.balkan.id", Refusal::PlainHttp),
            ("http://10.0.0.1", Refusal::PlainHttp),
            ("http://localhost.evil.example", Refusal::PlainHttp),
            ("http://127.0.0.1.nip.io", Refusal::PlainHttp),
            ("ftp://app.balkan.id", Refusal::Scheme),
            ("app.balkan.id", Refusal::NotAUrl),
            ("/relative", Refusal::NotAUrl),
            ("", Refusal::NotAUrl),
            ("https://user:pw@app.balkan.id", Refusal::UserInfo),
        ] {
            assert_eq!(Address::parse(refused), Err(why), "{refused}");
        }
    }

    #[test]
    fn parse_keeps_the_query_out_of_what_is_shown() {
        let a = Address::parse("https://b.s3.amazonaws.com:443/k/entities.csv?X-Amz-Signature=abc")
            .unwrap();
        assert_eq!(a.shown(), "https://b.s3.amazonaws.com:443/k/entities.csv");
        assert_eq!(a.query(), Some("X-Amz-Signature=abc"));
        assert_eq!(a.port, 443);
        assert_eq!(a.target, "/k/entities.csv?X-Amz-Signature=abc");
        let v6 = Address::parse("http://[::1]:8080").unwrap();
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 8080));
        assert_eq!(v6.authority, "[::1]:8080");
    }
}
