//! Where requests go and how they authenticate ([`Api`]), how a [`Call`] to
//! an endpoint is built for it, and [`Client`], which sends one call at a
//! time and waits for its [`Reply`]. The transport itself is `transport`'s.

use std::fmt;

use serde::de::DeserializeOwned;

use super::call::{Call, Reply, Untyped};
use super::endpoints::Endpoint;
use super::executor::{Executor, RetryPolicy};
use super::transport::{HttpRequest, Method, Transport};
use crate::config::{Credentials, GATEWAY_HOST, OrgAccess, SiteName};
use crate::error::{Error, Result};

const USER_AGENT: &str = concat!("extractor-jira/", env!("CARGO_PKG_VERSION"));

/// Where requests go and how they authenticate: the site itself (unscoped
/// token) or the gateway path for the site's cloud id (scoped token).
#[derive(Clone, PartialEq, Eq)]
pub struct Api {
    authority: String,
    /// `""` on the site, `/ex/jira/{cloudId}` through the gateway.
    prefix: String,
    authorization: String,
    /// The organization admin API, when configured.
    org: Option<OrgApi>,
}

impl fmt::Debug for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Api")
            .field("base_url", &self.base_url())
            .field("authorization", &"<redacted>")
            .field("org", &self.org)
            .finish()
    }
}

/// The organization admin API: `https://api.atlassian.com/admin/...` with
/// the organization API key as a Bearer token. It is a separate value from
/// [`Api`]'s Jira credential so that neither can be sent to the other's
/// host: a call built here carries only the key, one built by [`Api`] only
/// the Jira token.
#[derive(Clone, PartialEq, Eq)]
pub struct OrgApi {
    org_id: String,
    authorization: String,
}

impl fmt::Debug for OrgApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrgApi")
            .field("org_id", &self.org_id)
            .field("authorization", &"<redacted>")
            .finish()
    }
}

impl OrgApi {
    pub fn new(org: &OrgAccess) -> Self {
        Self {
            org_id: org.org_id().to_owned(),
            authorization: org.authorization(),
        }
    }

    /// An admin API with no organization and no key, for a request that
    /// must not be sent with one: the admin API refuses it with 401.
    pub fn unconfigured() -> Self {
        Self {
            org_id: "-".to_owned(),
            authorization: String::new(),
        }
    }

    pub fn org_id(&self) -> &str {
        &self.org_id
    }

    /// The call to `endpoint` (an admin API row whose path's one parameter
    /// is the organization id) with a JSON `body`.
    pub fn call<R>(&self, endpoint: Endpoint, body: &serde_json::Value) -> Call<R> {
        let facts = endpoint.facts();
        debug_assert!(facts.path.starts_with("/admin/"), "{}", facts.path);
        let request = HttpRequest {
            method: facts.method,
            authority: GATEWAY_HOST.to_owned(),
            path_and_query: fill_path(facts.path, &[&self.org_id]),
            headers: [
                ("authorization", self.authorization.as_str()),
                ("accept", "application/json"),
                ("content-type", "application/json"),
                ("user-agent", USER_AGENT),
            ]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
            body: json_body(body),
        };
        Call::new(endpoint, request)
    }
}

impl Api {
    /// Requests straight to `https://{site}.atlassian.net`.
    pub fn site(site: &SiteName, credentials: &Credentials) -> Self {
        Self {
            authority: site.host(),
            prefix: String::new(),
            authorization: credentials.authorization(),
            org: None,
        }
    }

    /// Requests through `https://api.atlassian.com/ex/jira/{cloudId}`.
    pub fn gateway(cloud_id: &CloudId, credentials: &Credentials) -> Self {
        Self {
            authority: GATEWAY_HOST.to_owned(),
            prefix: format!("/ex/jira/{}", cloud_id.0),
            authorization: credentials.authorization(),
            org: None,
        }
    }

    /// The same, with the organization admin API when `org` is configured.
    pub fn with_org(mut self, org: Option<&OrgAccess>) -> Self {
        self.org = org.map(OrgApi::new);
        self
    }

    /// The organization admin API, when configured.
    pub fn org(&self) -> Option<&OrgApi> {
        self.org.as_ref()
    }

    pub fn base_url(&self) -> String {
        format!("https://{}{}", self.authority, self.prefix)
    }

    /// A GET of `path` (starting `/rest/api/3/`) with the query pairs encoded.
    pub fn get(&self, path: &str, query: &[(&str, &str)]) -> HttpRequest {
        self.request(Method::Get, path, query, None)
    }

    /// The call to `endpoint` its row in the table describes: its method, and
    /// its path with each `{…}` filled from `params` in order, percent-encoded.
    pub fn call<R>(
        &self,
        endpoint: Endpoint,
        params: &[&dyn fmt::Display],
        query: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Call<R> {
        let facts = endpoint.facts();
        let path = fill_path(facts.path, params);
        Call::new(endpoint, self.request(facts.method, &path, query, body))
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

/// A call to `endpoint` on the site itself without the credential, for
/// `/_edge/tenant_info`: the credential is not needed there, so it is not sent.
pub fn anonymous_call<R>(site: &SiteName, endpoint: Endpoint) -> Call<R> {
    let facts = endpoint.facts();
    let request = HttpRequest {
        method: facts.method,
        authority: site.host(),
        path_and_query: facts.path.to_owned(),
        headers: vec![
            ("accept".to_owned(), "application/json".to_owned()),
            ("user-agent".to_owned(), USER_AGENT.to_owned()),
        ],
        body: None,
    };
    Call::new(endpoint, request)
}

/// A JSON request body.
pub fn json_body(value: &serde_json::Value) -> Option<Vec<u8>> {
    Some(value.to_string().into_bytes())
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

/// A path template with each `{name}` replaced by the next parameter.
fn fill_path(template: &str, params: &[&dyn fmt::Display]) -> String {
    debug_assert_eq!(template.matches('{').count(), params.len(), "{template}");
    let mut out = String::with_capacity(template.len());
    let mut params = params.iter();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        if let Some(param) = params.next() {
            out.push_str(&encode(&param.to_string()));
        }
        rest = rest[open..].split_once('}').map_or("", |(_, after)| after);
    }
    out.push_str(rest);
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

/// The most calls [`Client::send_together`] sends at once.
pub const MAX_TOGETHER: usize = 3;

/// Sends calls to one site, each with the executor's retries, and waits for
/// their replies: one at a time, or a few that do not depend on each other
/// together.
pub struct Client<T> {
    api: Api,
    executor: Executor<T, usize>,
}

impl<T: Transport> Client<T> {
    pub fn new(api: Api, transport: T, policy: RetryPolicy) -> Self {
        Self::at_most(api, transport, MAX_TOGETHER as u32, policy)
    }

    /// A client that never has more than `concurrency` requests in flight
    /// (`appConfig.maxConcurrency`), even for [`Client::send_together`].
    pub fn at_most(api: Api, transport: T, concurrency: u32, policy: RetryPolicy) -> Self {
        let most = concurrency.clamp(1, MAX_TOGETHER as u32);
        Self {
            api,
            executor: Executor::opening_at(transport, most, most, policy),
        }
    }

    /// Where calls go: build them with this.
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// Calls built from now on go through `api` instead.
    pub fn set_api(&mut self, api: Api) {
        self.api = api;
    }

    /// Sends one call and waits for its reply, of any status. No answer at
    /// all is an error.
    pub fn send<R>(&mut self, call: Call<R>) -> Result<Reply<R>> {
        let (endpoint, request) = call.into_parts();
        self.executor.submit(0, request);
        let done = self
            .executor
            .next_completed()
            .ok_or_else(|| Error::Other(format!("The request to {} was lost", endpoint.step())))?;
        Reply::receive(endpoint, done).1
    }

    /// Sends up to [`MAX_TOGETHER`] calls at once, so that they cost one
    /// round trip between them instead of one each, and hands back their
    /// replies in the calls' order. Only for calls that do not depend on
    /// each other's answers.
    pub fn send_together<const N: usize>(
        &mut self,
        calls: [Call<Untyped>; N],
    ) -> [Result<Reply<Untyped>>; N] {
        const { assert!(N <= MAX_TOGETHER) };
        let endpoints = calls.each_ref().map(Call::endpoint);
        for (i, call) in calls.into_iter().enumerate() {
            self.executor.submit(i, call.into_request());
        }
        let mut replies: [Option<Result<Reply<Untyped>>>; N] = std::array::from_fn(|_| None);
        while let Some(done) = self.executor.next_completed() {
            let i = done.job;
            let (_, reply) = Reply::receive(endpoints[i], done);
            replies[i] = Some(reply);
        }
        std::array::from_fn(|i| {
            replies[i].take().unwrap_or_else(|| {
                Err(Error::Other(format!(
                    "The request to {} was lost",
                    endpoints[i].step()
                )))
            })
        })
    }

    /// Sends one call and decodes its answer; any status but a success is
    /// the typed error it means.
    pub fn fetch<R: DeserializeOwned>(&mut self, call: Call<R>) -> Result<R> {
        self.send(call)?.success()?.decode()
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
    use crate::jira::api::{groups, users};
    use crate::jira::transport::fake::{FakeTransport, json};

    fn api() -> Api {
        test_api()
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
    fn send_hands_back_any_status_and_fetch_decodes_or_errs() {
        let transport = FakeTransport::new(|req| match req.path() {
            "/rest/api/3/group" => json(
                400,
                serde_json::json!({"errorMessages": ["A group with that name already exists."]}),
            ),
            _ => json(200, serde_json::json!([{"groupId": "g1", "name": "team"}])),
        });
        let mut client = Client::new(api(), transport, RetryPolicy::default());
        let reply = client
            .send(groups::create_group(client.api(), "team"))
            .unwrap();
        assert_eq!(reply.status(), 400);
        assert!(reply.mentions("already exists"));
        let err = client
            .fetch(groups::create_group(client.api(), "team"))
            .unwrap_err();
        assert!(
            matches!(err, Error::Upstream { status: 400, .. }),
            "{err:?}"
        );
        let groups = client
            .fetch(users::user_groups(client.api(), "a1"))
            .unwrap();
        assert_eq!(groups[0].group_id.as_deref(), Some("g1"));
    }

    #[test]
    fn send_together_sends_at_once_and_answers_in_order() {
        let transport = FakeTransport::new(|req| match req.path() {
            "/rest/api/3/myself" => json(401, serde_json::json!({"errorMessages": ["no"]})),
            _ => json(200, serde_json::json!([])),
        });
        let mut client = Client::new(api(), transport, RetryPolicy::default());
        let [me, groups, other] = client.send_together([
            users::myself(client.api()).untyped(),
            users::user_groups(client.api(), "a1").untyped(),
            users::get_user(client.api(), "a2").untyped(),
        ]);
        assert_eq!(me.unwrap().status(), 401);
        assert_eq!(groups.unwrap().endpoint(), Endpoint::UserGroups);
        assert_eq!(other.unwrap().endpoint(), Endpoint::GetUser);
        let sent = client.executor.transport();
        assert_eq!(sent.max_in_flight, 3, "one round trip for the three");

        let mut client = Client::at_most(
            api(),
            FakeTransport::new(|_| json(200, serde_json::json!([]))),
            1,
            RetryPolicy::default(),
        );
        let [a, b] = client.send_together([
            users::myself(client.api()).untyped(),
            users::get_user(client.api(), "a2").untyped(),
        ]);
        assert!(a.is_ok() && b.is_ok());
        assert_eq!(
            client.executor.transport().max_in_flight,
            1,
            "maxConcurrency holds"
        );
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
}
