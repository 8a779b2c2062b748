//! Building requests for one Jira site and turning answers into results or
//! typed errors. Nothing here sends anything: see `transport`.

use std::fmt;

use serde::de::{DeserializeOwned, IgnoredAny};

use super::endpoints::Endpoint;
use super::executor::not_json;
use super::transport::{HttpRequest, HttpResponse, Method, TransportError};
use crate::config::{Credentials, GATEWAY_HOST, SiteName};
use crate::error::{Error, RequestFailure, sentences};

const USER_AGENT: &str = concat!("extractor-jira/", env!("CARGO_PKG_VERSION"));

/// Where requests go and how they authenticate: the site itself (unscoped
/// token) or the gateway path for the site's cloud id (scoped token).
#[derive(Clone, PartialEq, Eq)]
pub struct Api {
    authority: String,
    /// `""` on the site, `/ex/jira/{cloudId}` through the gateway.
    prefix: String,
    authorization: String,
}

impl fmt::Debug for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Api")
            .field("base_url", &self.base_url())
            .field("authorization", &"<redacted>")
            .finish()
    }
}

impl Api {
    /// Requests straight to `https://{site}.atlassian.net`.
    pub fn site(site: &SiteName, credentials: &Credentials) -> Self {
        Self {
            authority: site.host(),
            prefix: String::new(),
            authorization: credentials.authorization(),
        }
    }

    /// Requests through `https://api.atlassian.com/ex/jira/{cloudId}`.
    pub fn gateway(cloud_id: &CloudId, credentials: &Credentials) -> Self {
        Self {
            authority: GATEWAY_HOST.to_owned(),
            prefix: format!("/ex/jira/{}", cloud_id.0),
            authorization: credentials.authorization(),
        }
    }

    pub fn base_url(&self) -> String {
        format!("https://{}{}", self.authority, self.prefix)
    }

    /// A GET of `path` (starting `/rest/api/3/`) with the query pairs encoded.
    pub fn get(&self, path: &str, query: &[(&str, &str)]) -> HttpRequest {
        self.request(Method::Get, path, query, None)
    }

    /// A request with a JSON body.
    pub fn with_json(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: &serde_json::Value,
    ) -> HttpRequest {
        self.request(method, path, query, Some(body.to_string().into_bytes()))
    }

    pub fn request(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> HttpRequest {
        let mut headers = vec![
            ("authorization".to_owned(), self.authorization.clone()),
            ("accept".to_owned(), "application/json".to_owned()),
            ("user-agent".to_owned(), USER_AGENT.to_owned()),
        ];
        if body.is_some() {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        HttpRequest {
            method,
            authority: self.authority.clone(),
            path_and_query: format!("{}{path}{}", self.prefix, query_string(query)),
            headers,
            body,
        }
    }
}

/// An anonymous GET on the site, for `/_edge/tenant_info`: the credential is
/// not needed there, so it is not sent.
pub fn anonymous_site_get(site: &SiteName, path: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        authority: site.host(),
        path_and_query: path.to_owned(),
        headers: vec![
            ("accept".to_owned(), "application/json".to_owned()),
            ("user-agent".to_owned(), USER_AGENT.to_owned()),
        ],
        body: None,
    }
}

/// A site's cloud id, checked to be safe inside a URL path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudId(String);

impl CloudId {
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        ok.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so that a
/// group named `a&b=c/d#e` stays one value in a query or one path segment.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn query_string(query: &[(&str, &str)]) -> String {
    if query.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("?{}", pairs.join("&"))
}

/// Turns what came back for a request into the response, or into the typed
/// error its status means.
pub fn classify(
    endpoint: Endpoint,
    request: &HttpRequest,
    result: Result<HttpResponse, TransportError>,
    attempts: u32,
) -> Result<HttpResponse, Error> {
    let failure = |message: String| RequestFailure::new(endpoint.step(), &request.line(), message);
    let response = match result {
        Ok(response) => response,
        Err(e) => {
            let attempts = if attempts > 1 {
                format!("Gave up after {attempts} attempts")
            } else {
                String::new()
            };
            return Err(Error::Network(failure(sentences([
                e.to_string(),
                attempts,
            ]))));
        }
    };
    if response.is_success() {
        // The executor retries a read whose body is not JSON at all; still so
        // after more than one attempt, it is an invalid response that says how
        // many attempts were made. (After one, decoding reports it.)
        if attempts > 1
            && request.method == Method::Get
            && let Some(e) = not_json(&response)
        {
            return Err(body_error(endpoint, request, &response, &e, attempts));
        }
        return Ok(response);
    }
    let messages = error_messages(&response.body);
    let summary = if messages.is_empty() {
        format!("HTTP {}", response.status)
    } else {
        sentences(&messages)
    };
    // Jira refuses some requests with 401 or 404 instead of 403.
    let summary = match (response.status, endpoint.refusal_hint()) {
        (401 | 404, Some(hint)) => sentences([summary.as_str(), hint]),
        _ => summary,
    };
    Err(match response.status {
        401 => Error::Unauthorized(failure(summary)),
        403 => Error::Forbidden {
            request: failure(summary),
            permission: endpoint.permission().map(str::to_owned),
            scopes: endpoint.scopes().iter().map(|s| (*s).to_owned()).collect(),
        },
        404 => Error::NotFound(failure(summary)),
        429 => Error::RateLimited {
            request: failure(summary),
            retry_after_seconds: response
                .header("retry-after")
                .and_then(|v| v.trim().parse().ok()),
            attempts,
        },
        status => Error::Upstream {
            request: failure(summary),
            status,
            messages,
        },
    })
}

/// Decodes a successful response's JSON body.
pub fn decode<T: DeserializeOwned>(
    endpoint: Endpoint,
    request: &HttpRequest,
    response: &HttpResponse,
) -> Result<T, Error> {
    serde_json::from_slice(&response.body)
        .map_err(|e| body_error(endpoint, request, response, &e, 1))
}

/// The `invalid-response` error for a successful answer whose body did not
/// decode, after `attempts` attempts.
fn body_error(
    endpoint: Endpoint,
    request: &HttpRequest,
    response: &HttpResponse,
    e: &serde_json::Error,
    attempts: u32,
) -> Error {
    // serde_json names the line and column, never the content.
    let what = if response.body.is_empty() {
        "empty body".to_owned()
    } else if let Err(syntax) = serde_json::from_slice::<IgnoredAny>(&response.body) {
        format!("not JSON: {syntax}")
    } else {
        format!("unexpected JSON: {e}")
    };
    let attempts = if attempts > 1 {
        format!("Gave up after {attempts} attempts")
    } else {
        String::new()
    };
    Error::InvalidResponse(RequestFailure::new(
        endpoint.step(),
        &request.line(),
        crate::error::sentences([format!("HTTP {}: {what}", response.status), attempts]),
    ))
}

/// Jira's error messages from an error body: `errorMessages` and `errors` of
/// an ErrorCollection, or the gateway's `message`. Anything else yields none.
pub fn error_messages(body: &[u8]) -> Vec<String> {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let mut messages = Vec::new();
    if let Some(list) = value.get("errorMessages").and_then(|v| v.as_array()) {
        messages.extend(list.iter().filter_map(|m| m.as_str()).map(clip));
    }
    if let Some(map) = value.get("errors").and_then(|v| v.as_object()) {
        messages.extend(
            map.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| clip(&format!("{k}: {v}")))),
        );
    }
    if let Some(message) = value.get("message").and_then(|v| v.as_str()) {
        messages.push(clip(message));
    }
    messages
}

/// Bounds a server-supplied message so that a hostile body cannot flood logs.
fn clip(message: &str) -> String {
    const MAX: usize = 500;
    let cleaned: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if cleaned.chars().count() <= MAX {
        cleaned
    } else {
        let mut s: String = cleaned.chars().take(MAX).collect();
        // One character, not "...", so that a full stop after it is not doubled.
        s.push('…');
        s
    }
}

/// For unit tests: the API of the site `acme`, with a dummy token.
#[cfg(test)]
pub fn test_api() -> Api {
    let config = crate::config::Config::parse(
        r#"{"appConfig": {"token": "me@acme.com:TOKEN", "siteName": "acme"}}"#,
    )
    .expect("a valid test config");
    Api::site(config.site(), config.credentials())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn api() -> Api {
        test_api()
    }

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("retry-after".into(), "9".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn get_encodes_query_values() {
        let req = api().get(
            "/rest/api/3/group/member",
            &[("groupId", "a b+c&d/e%f#g?h=i ü"), ("startAt", "0")],
        );
        assert_eq!(req.authority, "acme.atlassian.net");
        assert_eq!(
            req.path_and_query,
            "/rest/api/3/group/member?groupId=a%20b%2Bc%26d%2Fe%25f%23g%3Fh%3Di%20%C3%BC&startAt=0"
        );
        assert_eq!(req.line(), format!("GET {}", req.path_and_query));
    }

    #[test]
    fn gateway_prefixes_every_path() {
        let config =
            Config::parse(r#"{"appConfig": {"token": "me@acme.com:TOKEN", "siteName": "acme"}}"#)
                .unwrap();
        let cloud = CloudId::parse("0a1b-2c").unwrap();
        let api = Api::gateway(&cloud, config.credentials());
        let req = api.get("/rest/api/3/myself", &[]);
        assert_eq!(req.authority, "api.atlassian.com");
        assert_eq!(req.path_and_query, "/ex/jira/0a1b-2c/rest/api/3/myself");
        assert_eq!(api.base_url(), "https://api.atlassian.com/ex/jira/0a1b-2c");
    }

    #[test]
    fn cloud_id_refuses_path_tricks() {
        for bad in ["", "../x", "a/b", "a?b", "a b", "a%2f", &"a".repeat(65)] {
            assert!(CloudId::parse(bad).is_none(), "{bad}");
        }
        assert!(CloudId::parse("6a7b8c9d-0000-1111-2222-333344445555").is_some());
    }

    #[test]
    fn debug_never_shows_the_credential() {
        let api = api();
        let req = api.get("/rest/api/3/myself", &[]);
        for text in [format!("{api:?}"), format!("{req:?}")] {
            assert!(!text.contains("Basic"), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
        }
    }

    #[test]
    fn classify_maps_statuses_to_typed_errors() {
        let req = api().get("/rest/api/3/group/member", &[("groupId", "g1")]);
        let body =
            r#"{"errorMessages": ["You do not have permission"], "errors": {"groupId": "bad"}}"#;
        type Check = fn(&Error) -> bool;
        let cases: Vec<(u16, Check)> = vec![
            (401, |e| matches!(e, Error::Unauthorized(_))),
            (
                403,
                |e| matches!(e, Error::Forbidden { permission: Some(_), scopes, .. } if scopes.contains(&"read:group:jira".to_string())),
            ),
            (404, |e| matches!(e, Error::NotFound(_))),
            (429, |e| {
                matches!(
                    e,
                    Error::RateLimited {
                        retry_after_seconds: Some(9),
                        attempts: 3,
                        ..
                    }
                )
            }),
            (
                500,
                |e| matches!(e, Error::Upstream { status: 500, messages, .. } if messages.len() == 2),
            ),
        ];
        for (status, check) in cases {
            let err =
                classify(Endpoint::GroupMembers, &req, Ok(response(status, body)), 3).unwrap_err();
            assert!(check(&err), "{status}: {err:?}");
            let text = err.to_string();
            assert!(text.contains("list group members"), "{text}");
            assert!(
                text.contains("/rest/api/3/group/member?groupId=g1"),
                "{text}"
            );
        }
    }

    #[test]
    fn classify_reports_transport_failures_as_network() {
        let req = api().get("/rest/api/3/myself", &[]);
        let err = classify(
            Endpoint::Myself,
            &req,
            Err(TransportError::Timeout("first byte".into())),
            6,
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::Network(f) if f.message.contains("6 attempts")),
            "{err:?}"
        );
    }

    #[test]
    fn classify_reports_a_read_still_not_json_after_retries_as_invalid_response() {
        let req = api().get("/rest/api/3/group/bulk", &[("startAt", "0")]);
        for body in [
            "",
            "<html><body>502 Bad Gateway</body></html>",
            "{\"values\": [",
        ] {
            let err = classify(Endpoint::Groups, &req, Ok(response(200, body)), 6).unwrap_err();
            match &err {
                Error::InvalidResponse(f) => {
                    assert_eq!(f.step, "list groups");
                    assert_eq!(f.endpoint, "GET /rest/api/3/group/bulk?startAt=0");
                    assert!(f.message.ends_with("Gave up after 6 attempts."), "{f:?}");
                    assert!(!f.message.contains("Bad Gateway"), "no body content: {f:?}");
                }
                other => panic!("{other:?}"),
            }
        }
        // JSON, of whatever shape, is for decoding to judge.
        let ok = classify(Endpoint::Groups, &req, Ok(response(200, "{\"x\": 1}")), 6);
        assert!(ok.is_ok());
        // A write is never retried on this ground: its body is decoding's business.
        let mut post = req.clone();
        post.method = Method::Post;
        assert!(classify(Endpoint::CreateGroup, &post, Ok(response(201, "<html>")), 2).is_ok());
    }

    #[test]
    fn decode_names_the_step_for_broken_json() {
        let req = api().get("/rest/api/3/users/search", &[]);
        for (body, what) in [
            ("", "empty body"),
            ("{", "not JSON"),
            ("{\"not\": \"an array\"}", "unexpected JSON"),
        ] {
            let err = decode::<Vec<u32>>(Endpoint::Users, &req, &response(200, body)).unwrap_err();
            match err {
                Error::InvalidResponse(f) => {
                    assert_eq!(f.step, "list users");
                    assert!(f.endpoint.starts_with("GET /rest/api/3/users/search"));
                    assert!(f.message.starts_with(&format!("HTTP 200: {what}")), "{f:?}");
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn error_messages_reads_both_shapes() {
        assert_eq!(
            error_messages(br#"{"code": 401, "message": "Unauthorized; scope does not match"}"#),
            vec!["Unauthorized; scope does not match"]
        );
        assert_eq!(error_messages(b"<html>"), Vec::<String>::new());
        let long = format!(r#"{{"errorMessages": ["{}"]}}"#, "x".repeat(2000));
        assert_eq!(error_messages(long.as_bytes())[0].len(), 503);
    }
}
