//! The fake's HTTP plumbing, below the endpoints: a request parsed (host,
//! gateway prefix, query, Basic or Bearer credentials, body), an answer
//! before it becomes a response, and the checks every request passes before
//! it is routed: the host, the cloud id and the credential.

use bytes::Bytes;
use extractor_jira::site::GATEWAY_HOST;
use http::request::Parts;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};

use super::shapes;
use super::tenant::{Credential, Tenant, TokenKind};
use super::{Secret, SentCredential};

pub type Body = BoxBody<Bytes, std::io::Error>;

pub fn full(bytes: Bytes) -> Body {
    Full::new(bytes).map_err(|never| match never {}).boxed()
}

/// A whole body's bytes; none if it broke off.
pub async fn bytes_of<B: http_body::Body<Data = Bytes>>(body: B) -> Bytes {
    body.collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default()
}

/// What an endpoint answers: `Err` for a refusal, so that `?` can pass one on.
pub type Handled = Result<Answer, Answer>;

/// An answer before it becomes an HTTP response.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(status: u16, value: Value) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json;charset=UTF-8".into())],
            body: value.to_string().into_bytes(),
        }
    }

    pub fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn text(status: u16, text: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type", "text/plain;charset=UTF-8".into())],
            body: text.as_bytes().to_vec(),
        }
    }

    pub fn errors(status: u16, messages: &[&str]) -> Self {
        Self::json(status, shapes::errors(messages))
    }

    pub fn into_response(self) -> hyper::Response<Body> {
        let mut builder = hyper::Response::builder().status(self.status);
        for (k, v) in self.headers {
            builder = builder.header(k, v);
        }
        builder
            .body(full(Bytes::from(self.body)))
            .expect("a response from valid parts")
    }
}

/// The `Authorization` header of a request.
pub enum Auth {
    None,
    /// `Basic`: e-mail and token.
    Basic {
        email: String,
        token: String,
    },
    /// `Bearer`: the token.
    Bearer(String),
    /// Another scheme, or a header the fake cannot read.
    Other,
}

impl Auth {
    fn parse(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return Auth::None;
        };
        if let Some((email, token)) = basic_credentials(header) {
            return Auth::Basic { email, token };
        }
        match header.strip_prefix("Bearer ").map(str::trim) {
            Some(token) if !token.is_empty() => Auth::Bearer(token.to_owned()),
            _ => Auth::Other,
        }
    }

    /// The e-mail and token of a Basic credential.
    pub fn basic(&self) -> Option<(&str, &str)> {
        match self {
            Auth::Basic { email, token } => Some((email, token)),
            _ => None,
        }
    }

    /// What the request carried, for the log: the kind, the e-mail of a
    /// Basic credential, and which of the tenant's secrets the token is,
    /// never the token itself.
    pub fn sent(&self, tenant: &Tenant) -> SentCredential {
        let secret = |token: &str| {
            if let Some(c) = tenant.credentials.iter().find(|c| c.token == token) {
                Secret::JiraToken(c.kind)
            } else if tenant.org.as_ref().is_some_and(|o| o.api_key == token) {
                Secret::AdminKey
            } else {
                Secret::Unknown
            }
        };
        match self {
            Auth::None => SentCredential::None,
            Auth::Basic { email, token } => SentCredential::Basic {
                email: email.clone(),
                secret: secret(token),
            },
            Auth::Bearer(token) => SentCredential::Bearer {
                secret: secret(token),
            },
            Auth::Other => SentCredential::Other,
        }
    }
}

/// A parsed request.
pub struct Request {
    pub method: String,
    pub host: String,
    /// Path with any gateway prefix removed; an admin API path whole.
    pub path: String,
    /// `Some(cloudId)` for a gateway request.
    pub cloud_id: Option<String>,
    pub query: Vec<(String, String)>,
    pub auth: Auth,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    pub body: Bytes,
}

impl Request {
    pub fn new(parts: &Parts, body: Bytes) -> Result<Self, Answer> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let host = header("x-forwarded-host")
            .or_else(|| header("host"))
            .unwrap_or_default()
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let raw_path = parts.uri.path();
        let (path, cloud_id) = if host == GATEWAY_HOST && raw_path.starts_with(ADMIN_PREFIX) {
            (raw_path.to_owned(), None)
        } else if host == GATEWAY_HOST {
            let rest = raw_path
                .strip_prefix("/ex/jira/")
                .ok_or_else(|| Answer::json(404, json!({"code": 404, "message": "Not Found"})))?;
            let (cloud, path) = rest.split_once('/').unwrap_or((rest, ""));
            (format!("/{path}"), Some(cloud.to_owned()))
        } else {
            (raw_path.to_owned(), None)
        };
        let query = parts
            .uri
            .query()
            .map(parse_query)
            .transpose()
            .map_err(|e| Answer::errors(400, &[&e]))?
            .unwrap_or_default();
        Ok(Self {
            method: parts.method.to_string(),
            host,
            path,
            cloud_id,
            query,
            auth: Auth::parse(header("authorization").as_deref()),
            content_type: header("content-type"),
            body,
        })
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated parameter.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A non-negative integer parameter, as Jira validates it.
    fn number(&self, name: &str, default: u64) -> Result<u64, Answer> {
        match self.param(name) {
            None => Ok(default),
            Some(v) => v.parse::<u64>().map_err(|_| {
                Answer::errors(
                    400,
                    &[&format!(
                        "The value '{v}' is invalid for parameter '{name}'."
                    )],
                )
            }),
        }
    }

    /// `startAt` and `maxResults`, with `maxResults` silently lowered to the cap.
    pub fn paging(&self, default: u64, cap: u64) -> Result<(u64, u64), Answer> {
        let start = self.number("startAt", 0)?;
        let max = self.number("maxResults", default)?.min(cap);
        Ok((start, max))
    }
}

fn parse_query(query: &str) -> Result<Vec<(String, String)>, String> {
    query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            Ok((percent_decode(k)?, percent_decode(v)?))
        })
        .collect()
}

/// Decodes `%XX` and, as Jira's servlet container does, `+` as a space.
fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("bad percent-encoding in {s:?}"))?;
                out.push(hex);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| format!("query is not UTF-8: {s:?}"))
}

fn basic_credentials(header: &str) -> Option<(String, String)> {
    let encoded = header.strip_prefix("Basic ")?;
    let decoded = base64_decode(encoded.trim())?;
    let text = String::from_utf8(decoded).ok()?;
    let (email, token) = text.split_once(':')?;
    Some((email.to_owned(), token.to_owned()))
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let s = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    Some(out)
}

/// The request's body as JSON, refused as Jira refuses an empty or broken one.
pub fn json_body(req: &Request) -> Result<Value, Answer> {
    if req.body.is_empty() {
        return Err(Answer::errors(400, &["The request body is empty."]));
    }
    serde_json::from_slice(&req.body).map_err(|e| {
        Answer::errors(
            400,
            &[&format!("Unexpected character in the request body: {e}")],
        )
    })
}

/// A query parameter the endpoint cannot do without.
pub fn required<'r>(req: &'r Request, name: &str) -> Result<&'r str, Answer> {
    req.param(name)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Answer::errors(400, &[&format!("The parameter '{name}' is required.")]))
}

/// The answer to a remove whose target is not there: the endpoint's own
/// status, as Jira answers, or the one a test set in `Tenant::not_there`.
pub fn not_there(tenant: &Tenant, jira_status: u16, message: &str) -> Answer {
    Answer::errors(tenant.not_there.unwrap_or(jira_status), &[message])
}

/// The paths of Atlassian's organization admin API on `api.atlassian.com`.
pub const ADMIN_PREFIX: &str = "/admin/";

/// Which of the places the fake serves a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// `{site}.atlassian.net`, for classic tokens.
    Site,
    /// `api.atlassian.com/ex/jira/{cloudId}`, for scoped tokens.
    Gateway,
    /// `api.atlassian.com/admin/...`, the organization admin API, for the
    /// organization API key.
    Admin,
}

/// Where the request came to: this tenant's site, the gateway with this
/// tenant's cloud id, or the admin API (the one path on `api.atlassian.com`
/// that [`Request::new`] leaves without a cloud id). Otherwise the refusal,
/// and whether the fake knows the address at all.
pub fn place(tenant: &Tenant, req: &Request) -> Result<Place, (Answer, bool)> {
    let place = if req.host == tenant.host() {
        Place::Site
    } else if req.host == GATEWAY_HOST && req.cloud_id.is_none() {
        Place::Admin
    } else if req.host == GATEWAY_HOST {
        Place::Gateway
    } else {
        return Err((Answer::text(404, "Site not found"), false));
    };
    if let Some(cloud) = &req.cloud_id
        && *cloud != tenant.cloud_id
    {
        return Err((
            Answer::json(404, json!({"code": 404, "message": "Cloud id not found"})),
            true,
        ));
    }
    Ok(place)
}

/// The credential a request carries, if the tenant accepts it where it was
/// sent: a classic token on the site, a scoped one on the gateway (always
/// Basic: a Bearer token, the organization's admin key above all, is
/// refused). Otherwise Jira's 401, which differs between the two.
pub fn authenticate(tenant: &Tenant, req: &Request, place: Place) -> Result<Credential, Answer> {
    let credential = req.auth.basic().and_then(|(email, token)| {
        tenant
            .credentials
            .iter()
            .find(|c| c.email == email && c.token == token)
    });
    let wanted = match place {
        Place::Site => TokenKind::Unscoped,
        Place::Gateway => TokenKind::Scoped,
        // The admin API checks its own key (`admin::authenticate`).
        Place::Admin => {
            return Err(Answer::json(
                401,
                json!({"code": 401, "message": "Unauthorized"}),
            ));
        }
    };
    match credential {
        Some(c) if c.kind == wanted => Ok(c.clone()),
        _ if place == Place::Gateway => Err(Answer::json(
            401,
            json!({"code": 401, "message": "Unauthorized; scope does not match"}),
        )),
        _ => Err(Answer::text(
            401,
            "Client must be authenticated to access this resource.",
        )),
    }
}

/// The path's segments after `/`, percent-decoded.
pub fn segments(path: &str) -> Result<Vec<String>, Answer> {
    path.split('/')
        .skip(1)
        .map(percent_decode)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Answer::errors(400, &[&e]))
}

/// Percent-encodes a query value for the links the fake writes.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decode_handles_plus_and_utf8() {
        assert_eq!(percent_decode("a%20b+c%2B%C3%BC").unwrap(), "a b c+ü");
        assert!(percent_decode("%zz").is_err());
        assert!(percent_decode("%C3").is_err());
    }

    #[test]
    fn basic_credentials_decodes() {
        assert_eq!(
            basic_credentials("Basic dXNlckBleGFtcGxlLmNvbTpwYXNz"),
            Some(("user@example.com".into(), "pass".into()))
        );
        assert_eq!(basic_credentials("Bearer x"), None);
    }
}
