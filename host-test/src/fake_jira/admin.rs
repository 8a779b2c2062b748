//! Atlassian's organization admin API on `api.atlassian.com`, as far as the
//! connector uses it: the directory user search,
//! `POST /admin/v2/orgs/{orgId}/directories/-/users/search`, with the
//! organization API key as `Authorization: Bearer`.
//!
//! The shapes follow the published models (`MultiDirectoryUserSearchRequest`,
//! `MultiDirectoryUserSearchPage`, `MultiDirectoryUser`,
//! `MultiDirectoryProductAccess`, `Errors`; see the README's sources): the
//! criteria in a JSON body, an opaque `links.next` cursor sent back as the
//! body's `cursor` with the rest of the body unchanged, `links.next` absent
//! on the last page, and errors as `{"errors": [{id, status, code, title,
//! detail}]}` (`status` a string), except the gateway's 401, which is
//! `{"code": 401, "message": ...}`.
//!
//! The fake's own rules, stricter than Atlassian documents: only directory
//! `-` is served and only the criteria `accountIds`, `limit`, `expand` and
//! `cursor` (any other answers 501, as an endpoint the fake does not know);
//! a cursor must come back with the body it was issued for (else 400
//! `ADMIN-400-1`); an empty `accountIds` is refused (400); the body must be
//! sent as `application/json` (else 415).

use serde_json::{Map, Value, json};

use super::http::{self, Answer, Auth, Handled, Place, Request};
use super::router::not_implemented;
use super::tenant::{Email, Org, OrgAccount, Tenant};
use super::{Fault, faults};

/// The most `limit` and `accountIds` may be.
pub const MAX_LIMIT: u64 = 100;
/// `limit` when the body has none.
pub const DEFAULT_LIMIT: u64 = 50;
/// The `expand` values Atlassian defines; only `productAccess` changes the
/// fake's answer.
const EXPAND: [&str; 4] = [
    "platformRoles",
    "counts.resources",
    "productAccess",
    "groups",
];
/// The criteria the fake implements.
const CRITERIA: [&str; 4] = ["accountIds", "limit", "expand", "cursor"];

/// Answers a request to the admin API, and whether the fake knows the
/// endpoint: the key first (401), then an injected status, then the route.
pub fn respond(tenant: &Tenant, req: &Request, fault: Option<&Fault>) -> (Answer, bool) {
    let Some(org) = authenticate(tenant, req) else {
        return (unauthorized(), true);
    };
    if let Some(answer) = fault.and_then(|f| faults::status_answer(f, Place::Admin)) {
        return (answer, true);
    }
    let segments = match http::segments(&req.path) {
        Ok(segments) => segments,
        Err(refusal) => return (refusal, true),
    };
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (req.method.as_str(), segments.as_slice()) {
        (
            "POST",
            [
                "admin",
                "v2",
                "orgs",
                org_id,
                "directories",
                directory,
                "users",
                "search",
            ],
        ) => {
            let answer = search(tenant, org, req, org_id, directory).unwrap_or_else(|r| r);
            let known = answer.status != 501;
            (answer, known)
        }
        _ => (not_implemented(req), false),
    }
}

/// The organization whose API key the request carries as a Bearer token.
/// A Basic credential, the Jira token above all, is never accepted.
fn authenticate<'t>(tenant: &'t Tenant, req: &Request) -> Option<&'t Org> {
    let org = tenant.org.as_ref()?;
    match &req.auth {
        Auth::Bearer(key) if *key == org.api_key => Some(org),
        _ => None,
    }
}

/// The gateway's 401.
fn unauthorized() -> Answer {
    Answer::json(401, json!({"code": 401, "message": "Unauthorized"}))
}

/// An `Errors` body with one error.
pub fn error(status: u16, code: &str, detail: &str) -> Answer {
    let title = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };
    let h = fnv(&[code, detail]);
    let id = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xfff,
        (h >> 12) & 0xfff,
        h & 0xffff_ffff_ffff
    );
    Answer::json(
        status,
        json!({"errors": [{"id": id, "status": status.to_string(), "code": code,
            "title": title, "detail": detail}]}),
    )
}

fn bad_request(detail: &str) -> Answer {
    error(400, "ADMIN-400-24", detail)
}

/// The search's criteria, checked.
struct Criteria {
    account_ids: Option<Vec<String>>,
    limit: u64,
    expand: Vec<String>,
    cursor: Option<String>,
}

impl Criteria {
    fn parse(body: &[u8]) -> Result<Self, Answer> {
        let body: Map<String, Value> = match serde_json::from_slice(body) {
            Ok(Value::Object(map)) => map,
            _ => return Err(bad_request("The request body must be a JSON object.")),
        };
        if let Some(other) = body.keys().find(|k| !CRITERIA.contains(&k.as_str())) {
            return Err(Answer::text(
                501,
                &format!("fake Jira does not implement the user search's {other:?}"),
            ));
        }
        let strings = |name: &str| -> Result<Option<Vec<String>>, Answer> {
            let Some(value) = body.get(name) else {
                return Ok(None);
            };
            let list = value.as_array().and_then(|list| {
                list.iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
            });
            list.map(Some)
                .ok_or_else(|| bad_request(&format!("{name} must be an array of strings.")))
        };
        let limit = match body.get("limit") {
            None => DEFAULT_LIMIT,
            Some(v) => v
                .as_u64()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    bad_request(&format!(
                        "limit must be an integer between 1 and {MAX_LIMIT}."
                    ))
                })?,
        };
        let account_ids = strings("accountIds")?;
        if let Some(ids) = &account_ids
            && (ids.is_empty() || ids.len() > MAX_LIMIT as usize)
        {
            return Err(bad_request(&format!(
                "accountIds must hold between 1 and {MAX_LIMIT} account ids."
            )));
        }
        let expand = strings("expand")?.unwrap_or_default();
        if let Some(unknown) = expand.iter().find(|e| !EXPAND.contains(&e.as_str())) {
            return Err(bad_request(&format!(
                "expand: {unknown:?} is not one of {EXPAND:?}."
            )));
        }
        let cursor = match body.get("cursor") {
            None => None,
            Some(Value::String(c)) => Some(c.clone()),
            Some(_) => return Err(error(400, "ADMIN-400-1", "The cursor is invalid.")),
        };
        Ok(Self {
            account_ids,
            limit,
            expand,
            cursor,
        })
    }

    /// What a cursor is bound to: the organization and every criterion but
    /// the cursor.
    fn fingerprint(&self, org_id: &str) -> u64 {
        let ids = self.account_ids.as_ref().map(|ids| ids.join(","));
        fnv(&[
            org_id,
            ids.as_deref().unwrap_or("<all>"),
            &self.limit.to_string(),
            &self.expand.join(","),
        ])
    }
}

/// `POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search`.
fn search(tenant: &Tenant, org: &Org, req: &Request, org_id: &str, directory: &str) -> Handled {
    if org.org_id != org_id {
        return Err(error(404, "ADMIN-404-2", "Organization not found"));
    }
    if org.key_forbidden {
        return Err(error(
            403,
            "ADMIN-403-3",
            "The API key is not allowed to manage the directories of this organization.",
        ));
    }
    if directory != "-" {
        return Err(Answer::text(
            501,
            "fake Jira serves the user search of directory '-' only",
        ));
    }
    let json = req
        .content_type
        .as_deref()
        .is_some_and(|c| c.trim_start().starts_with("application/json"));
    if !json {
        return Err(Answer::json(
            415,
            json!({"code": 415, "message": "Unsupported Media Type"}),
        ));
    }
    let criteria = Criteria::parse(&req.body)?;
    // Named accounts are looked up by index, so that a search for 100 ids
    // in a 20,000-account organization costs the fake 100 lookups, not a
    // scan: the benchmark measures the connector, not the fake.
    let records = match &criteria.account_ids {
        Some(ids) => org.records_at(tenant.org_positions(ids.iter().map(String::as_str))),
        None => org.records(|_| true),
    };
    let fingerprint = criteria.fingerprint(&org.org_id);
    let start = match &criteria.cursor {
        None => 0,
        Some(c) => decode_cursor(c)
            .filter(|(f, offset)| {
                *f == fingerprint && (*offset == 0 || (*offset as usize) < records.len())
            })
            .map(|(_, offset)| offset as usize)
            .ok_or_else(|| error(400, "ADMIN-400-1", "The cursor is invalid."))?,
    };
    let size = (criteria.limit as usize).min(org.page_cap).max(1);
    let end = (start + size).min(records.len());
    let products = criteria.expand.iter().any(|e| e == "productAccess");
    let data: Vec<Value> = records[start..end]
        .iter()
        .map(|(a, directory)| user(tenant, a, *directory, products))
        .collect();
    let mut links = Map::new();
    links.insert("self".into(), json!(cursor(fingerprint, start as u64)));
    if start > 0 {
        let prev = start.saturating_sub(size) as u64;
        links.insert("prev".into(), json!(cursor(fingerprint, prev)));
    }
    if end < records.len() {
        links.insert("next".into(), json!(cursor(fingerprint, end as u64)));
    }
    Ok(Answer::json(200, json!({"data": data, "links": links})))
}

/// One record of the search (`MultiDirectoryUser`): the account as
/// `directory` shows it. Its name and e-mail are the site's; an e-mail the
/// site hides is one the organization still shows.
fn user(tenant: &Tenant, a: &OrgAccount, directory: usize, products: bool) -> Value {
    let jira = tenant.user(&a.account_id);
    let alnum: Vec<char> = a
        .account_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let tail: String = alnum[alnum.len().saturating_sub(12)..].iter().collect();
    let name = jira.map_or_else(
        || format!("Atlassian user {tail}"),
        |u| u.display_name.clone(),
    );
    let email = match jira.map(|u| &u.email) {
        Some(Email::Visible(e)) => e.clone(),
        _ => format!("{tail}@acme.example"),
    };
    let mut m = Map::new();
    m.insert("accountId".into(), json!(a.account_id));
    m.insert("accountType".into(), json!("atlassian"));
    m.insert("status".into(), json!(a.status()));
    m.insert("accountStatus".into(), json!(a.account_status));
    m.insert("membershipStatus".into(), json!("active"));
    m.insert("claimStatus".into(), json!(a.claim_status));
    m.insert("name".into(), json!(name));
    m.insert("email".into(), json!(email));
    if products {
        let access: Vec<Value> = a
            .products_in(directory)
            .iter()
            .map(|p| json!({"key": p.key, "id": p.id, "lastActiveTimestamp": p.last_active}))
            .collect();
        m.insert("productAccess".into(), Value::Array(access));
    }
    let link = cursor(
        fnv(&[&a.account_id]),
        fnv(&[&a.account_id, &directory.to_string()]),
    );
    m.insert("links".into(), json!({"self": link}));
    Value::Object(m)
}

/// FNV-1a over the parts, each followed by a separator.
fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0x1f]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// An opaque cursor: 16 bytes (the criteria's fingerprint, an offset) in
/// unpadded base64url, 22 characters like Atlassian's.
fn cursor(fingerprint: u64, offset: u64) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&fingerprint.to_be_bytes());
    // Mixed with the fingerprint, so that cursors do not look like counters.
    bytes[8..].copy_from_slice(&(offset ^ fingerprint.rotate_left(17)).to_be_bytes());
    let mut out = String::with_capacity(22);
    for chunk in bytes.chunks(3) {
        let mut n = 0u32;
        for (i, b) in chunk.iter().enumerate() {
            n |= u32::from(*b) << (16 - 8 * i);
        }
        for i in 0..=chunk.len() {
            out.push(URL_SAFE[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// The fingerprint and offset of a cursor the fake issued, if it is one.
fn decode_cursor(text: &str) -> Option<(u64, u64)> {
    if text.len() != 22 {
        return None;
    }
    let mut bytes = Vec::with_capacity(16);
    for chunk in text.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = URL_SAFE.iter().position(|x| x == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        bytes.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    let fingerprint = u64::from_be_bytes(bytes[..8].try_into().ok()?);
    let mixed = u64::from_be_bytes(bytes[8..16].try_into().ok()?);
    let offset = mixed ^ fingerprint.rotate_left(17);
    (cursor(fingerprint, offset) == text).then_some((fingerprint, offset))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    use hyper_util::rt::TokioIo;
    use serde_json::{Value, json};

    use super::super::tenant::org::{SAMPLE_ADMIN_KEY, SAMPLE_ORG_ID};
    use super::super::tenant::{ORG_ONLY_ACCOUNT, SERVICE_ACCOUNT_ID};
    use super::super::{FakeJira, Fault, FaultRule, Secret, SentCredential, Tenant, TokenKind};
    use super::{cursor, decode_cursor};

    const EMMA: &str = "5b10ac8d82e05b22cc7d4ef5";
    const GATEWAY: &str = "api.atlassian.com";

    fn search_path(org_id: &str) -> String {
        format!("/admin/v2/orgs/{org_id}/directories/-/users/search")
    }

    struct Reply {
        status: u16,
        headers: hyper::HeaderMap,
        body: Value,
    }

    /// Sends one request to the fake as the host's redirect does: to its
    /// address, with the original host in `x-forwarded-host`.
    async fn send(
        fake: &FakeJira,
        method: &str,
        host: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Reply {
        let stream = tokio::net::TcpStream::connect(fake.addr).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", fake.addr.to_string())
            .header("x-forwarded-host", host);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_owned())))
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Reply {
            status,
            headers,
            body,
        }
    }

    /// The user search with `key` as Bearer and `body`, as the guest sends it.
    async fn search(fake: &FakeJira, org_id: &str, key: &str, body: &Value) -> Reply {
        let bearer = format!("Bearer {key}");
        send(
            fake,
            "POST",
            GATEWAY,
            &search_path(org_id),
            &[
                ("authorization", &bearer),
                ("content-type", "application/json"),
                ("accept", "application/json"),
            ],
            &body.to_string(),
        )
        .await
    }

    /// Every record of a search, following `links.next` with the body
    /// resent unchanged plus the cursor; and how many requests it took.
    async fn walk(fake: &FakeJira, body: Value) -> (Vec<Value>, u64) {
        let (mut records, mut requests, mut body) = (Vec::new(), 0, body);
        let mut seen = Vec::new();
        loop {
            let reply = search(fake, SAMPLE_ORG_ID, SAMPLE_ADMIN_KEY, &body).await;
            requests += 1;
            assert_eq!(reply.status, 200, "{}", reply.body);
            records.extend(reply.body["data"].as_array().unwrap().iter().cloned());
            match reply.body["links"].get("next") {
                None | Some(Value::Null) => return (records, requests),
                Some(Value::String(next)) => {
                    assert!(!seen.contains(next), "a repeated cursor");
                    seen.push(next.clone());
                    body["cursor"] = json!(next);
                }
                Some(other) => panic!("links.next {other}"),
            }
        }
    }

    fn base64(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..4 {
                out.push(if i <= chunk.len() {
                    A[(n >> (18 - 6 * i) & 63) as usize] as char
                } else {
                    '='
                });
            }
        }
        out
    }

    fn basic(t: &Tenant, kind: TokenKind) -> String {
        format!(
            "Basic {}",
            base64(t.credential(kind).config_token().as_bytes())
        )
    }

    fn everyone() -> Value {
        json!({"limit": 100, "expand": ["productAccess"]})
    }

    #[test]
    fn cursors_round_trip_and_refuse_strangers() {
        for (f, o) in [(0, 0), (u64::MAX, 7), (0x1234_5678_9abc_def0, 1 << 40)] {
            let c = cursor(f, o);
            assert_eq!(c.len(), 22, "{c}");
            assert_eq!(decode_cursor(&c), Some((f, o)));
        }
        assert_eq!(decode_cursor("kloHX1ZQVasDAkx_P48NY"), None);
        assert_eq!(decode_cursor("kloHX1ZQVasDAkx_P48NY!"), None);
        // The last character carries bits no cursor sets.
        let c = cursor(1, 2);
        let odd = format!("{}B", &c[..21]);
        assert!(odd == c || decode_cursor(&odd).is_none());
    }

    #[tokio::test]
    async fn fake_admin_search_pages_through_every_record_with_the_cursor() {
        let t = Tenant::sample();
        let org = t.org.clone().unwrap();
        assert_eq!(org.page_cap, 2);
        let fake = FakeJira::start(t.clone()).await.unwrap();
        let first = search(&fake, SAMPLE_ORG_ID, SAMPLE_ADMIN_KEY, &everyone()).await;
        assert_eq!(first.status, 200);
        assert_eq!(first.body["data"].as_array().unwrap().len(), 2);
        assert!(first.body["links"]["self"].is_string());
        assert!(first.body["links"]["next"].is_string());

        let (records, requests) = walk(&fake, everyone()).await;
        let expected: usize = org.accounts.iter().map(|a| a.records()).sum();
        assert_eq!(records.len(), expected);
        assert_eq!(requests, expected.div_ceil(2) as u64);
        // The organization's order, first directory first.
        let ids: Vec<&str> = records
            .iter()
            .map(|r| r["accountId"].as_str().unwrap())
            .collect();
        let firsts: Vec<&str> = org.accounts.iter().map(|a| a.account_id.as_str()).collect();
        assert_eq!(ids[..firsts.len()], firsts[..]);
        assert!(ids.contains(&ORG_ONLY_ACCOUNT));
        // Every record's shape.
        for r in &records {
            let a = t.org_account(r["accountId"].as_str().unwrap()).unwrap();
            assert_eq!(r["accountType"], "atlassian");
            assert_eq!(r["accountStatus"], a.account_status.as_str());
            assert_eq!(r["claimStatus"], a.claim_status.as_str());
            assert_eq!(r["status"], a.status());
            assert_eq!(r["membershipStatus"], "active");
            assert!(r["name"].is_string() && r["email"].is_string());
            assert!(r["links"]["self"].is_string());
            for p in r["productAccess"].as_array().unwrap() {
                assert!(p["key"].is_string() && p["id"].is_string(), "{p}");
                assert!(p["lastActiveTimestamp"].is_string() || p["lastActiveTimestamp"].is_null());
            }
        }
        // The records of an account, merged, hold its products exactly once.
        let mut merged: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        for r in &records {
            merged
                .entry(r["accountId"].as_str().unwrap())
                .or_default()
                .extend(r["productAccess"].as_array().unwrap().iter().cloned());
        }
        for a in &org.accounts {
            let want: Vec<Value> = a
                .products
                .iter()
                .map(|p| json!({"key": p.key, "id": p.id, "lastActiveTimestamp": p.last_active}))
                .collect();
            assert_eq!(merged[a.account_id.as_str()], want, "{}", a.account_id);
        }
        // Emma's two records: the same statuses, different products.
        let emma: Vec<&Value> = records.iter().filter(|r| r["accountId"] == EMMA).collect();
        assert_eq!(emma.len(), 2);
        assert_eq!(emma[0]["accountStatus"], emma[1]["accountStatus"]);
        assert_eq!(emma[0]["claimStatus"], emma[1]["claimStatus"]);
        assert_ne!(emma[0]["productAccess"], emma[1]["productAccess"]);
        assert!(
            fake.requests()
                .iter()
                .all(|r| r.is_admin() && r.status == 200 && r.known)
        );
    }

    #[tokio::test]
    async fn fake_admin_search_filters_to_account_ids_and_expands_on_request() {
        let t = Tenant::sample();
        let fake = FakeJira::start(t.clone()).await.unwrap();
        let absent = t
            .users
            .iter()
            .find(|u| u.account_type == "atlassian" && t.org_account(&u.account_id).is_none())
            .unwrap()
            .account_id
            .clone();
        let body = json!({"accountIds": [SERVICE_ACCOUNT_ID, absent, EMMA],
            "limit": 100, "expand": ["productAccess"]});
        let (records, requests) = walk(&fake, body).await;
        let ids: Vec<&str> = records
            .iter()
            .map(|r| r["accountId"].as_str().unwrap())
            .collect();
        // The organization's order (the reverse of the site's), the second
        // directory's record last.
        assert_eq!(ids, [EMMA, SERVICE_ACCOUNT_ID, EMMA]);
        assert_eq!(requests, 2);
        let logged = fake.requests();
        assert_eq!(
            logged[1].body.as_ref().unwrap()["accountIds"][0],
            SERVICE_ACCOUNT_ID
        );
        assert!(logged[1].body.as_ref().unwrap()["cursor"].is_string());

        // Without `expand`, no productAccess; `limit` below the cap is kept.
        let reply = search(
            &fake,
            SAMPLE_ORG_ID,
            SAMPLE_ADMIN_KEY,
            &json!({"accountIds": [EMMA], "limit": 1}),
        )
        .await;
        let data = reply.body["data"].as_array().unwrap();
        assert_eq!(data.len(), 1);
        assert!(data[0].get("productAccess").is_none());
        assert!(reply.body["links"]["next"].is_string());
        // No `limit`: Atlassian's default 50, under the cap of 2.
        let reply = search(&fake, SAMPLE_ORG_ID, SAMPLE_ADMIN_KEY, &json!({})).await;
        assert_eq!(reply.body["data"].as_array().unwrap().len(), 2);
        // One the organization lacks: an empty last page.
        let reply = search(
            &fake,
            SAMPLE_ORG_ID,
            SAMPLE_ADMIN_KEY,
            &json!({"accountIds": [absent], "limit": 100}),
        )
        .await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body["data"], json!([]));
        assert!(reply.body["links"].get("next").is_none());
    }

    #[tokio::test]
    async fn fake_admin_and_jira_each_refuse_the_others_credential() {
        let t = Tenant::sample();
        let fake = FakeJira::start(t.clone()).await.unwrap();
        let path = search_path(SAMPLE_ORG_ID);
        let body = everyone().to_string();
        let json = ("content-type", "application/json");
        let classic = basic(&t, TokenKind::Unscoped);
        let scoped = basic(&t, TokenKind::Scoped);
        let admin = format!("Bearer {SAMPLE_ADMIN_KEY}");
        let unauthorized = json!({"code": 401, "message": "Unauthorized"});
        for auth in [
            None,
            Some(classic.as_str()),
            Some(scoped.as_str()),
            Some("Bearer ATATT3xFfGF0classic-token-for-tests"),
            Some("Bearer not-the-key"),
        ] {
            let mut headers = vec![json];
            headers.extend(auth.map(|a| ("authorization", a)));
            let reply = send(&fake, "POST", GATEWAY, &path, &headers, &body).await;
            assert_eq!(
                (reply.status, &reply.body),
                (401, &unauthorized),
                "{auth:?}"
            );
        }
        // The admin key on Jira, on the site and through the gateway.
        let site = t.host();
        let reply = send(
            &fake,
            "GET",
            &site,
            "/rest/api/3/myself",
            &[("authorization", &admin)],
            "",
        )
        .await;
        assert_eq!(reply.status, 401);
        let gateway_path = format!("/ex/jira/{}/rest/api/3/myself", t.cloud_id);
        let reply = send(
            &fake,
            "GET",
            GATEWAY,
            &gateway_path,
            &[("authorization", &admin)],
            "",
        )
        .await;
        assert_eq!(reply.status, 401);
        assert_eq!(reply.body["code"], 401);
        // The Jira token where it belongs still works.
        let reply = send(
            &fake,
            "GET",
            &site,
            "/rest/api/3/myself",
            &[("authorization", &classic)],
            "",
        )
        .await;
        assert_eq!(reply.status, 200);

        // The log tells the credentials apart without holding them.
        let log = fake.requests();
        let sent: Vec<(bool, SentCredential)> = log
            .iter()
            .map(|r| (r.is_admin(), r.credential.clone()))
            .collect();
        let email = t.credential(TokenKind::Unscoped).email.clone();
        assert_eq!(
            sent,
            [
                (true, SentCredential::None),
                (
                    true,
                    SentCredential::Basic {
                        email: email.clone(),
                        secret: Secret::JiraToken(TokenKind::Unscoped)
                    }
                ),
                (
                    true,
                    SentCredential::Basic {
                        email: email.clone(),
                        secret: Secret::JiraToken(TokenKind::Scoped)
                    }
                ),
                (
                    true,
                    SentCredential::Bearer {
                        secret: Secret::JiraToken(TokenKind::Unscoped)
                    }
                ),
                (
                    true,
                    SentCredential::Bearer {
                        secret: Secret::Unknown
                    }
                ),
                (
                    false,
                    SentCredential::Bearer {
                        secret: Secret::AdminKey
                    }
                ),
                (
                    false,
                    SentCredential::Bearer {
                        secret: Secret::AdminKey
                    }
                ),
                (
                    false,
                    SentCredential::Basic {
                        email,
                        secret: Secret::JiraToken(TokenKind::Unscoped)
                    }
                ),
            ]
        );
        assert!(log.iter().all(|r| r.known));
        let text = format!("{log:?}{:?}", t.org);
        assert!(
            !text.contains(SAMPLE_ADMIN_KEY),
            "no key in the log or Debug"
        );
        assert!(!text.contains(&t.credential(TokenKind::Unscoped).token));

        // Without an organization, no key is valid.
        let fake = FakeJira::start(t.clone().without_org()).await.unwrap();
        let reply = search(&fake, SAMPLE_ORG_ID, SAMPLE_ADMIN_KEY, &everyone()).await;
        assert_eq!((reply.status, &reply.body), (401, &unauthorized));
    }

    #[tokio::test]
    async fn fake_admin_refuses_what_atlassian_refuses() {
        let t = Tenant::sample();
        let fake = FakeJira::start(t.clone()).await.unwrap();
        let code = |r: &Reply| {
            (
                r.status,
                r.body["errors"][0]["code"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
                r.body["errors"][0]["status"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
            )
        };
        let want = |status: u16, c: &str| (status, c.to_owned(), status.to_string());

        let reply = search(&fake, "no-such-org", SAMPLE_ADMIN_KEY, &everyone()).await;
        assert_eq!(code(&reply), want(404, "ADMIN-404-2"));
        assert_eq!(reply.body["errors"][0]["title"], "Not Found");
        assert_eq!(reply.body["errors"][0]["detail"], "Organization not found");

        let ids: Vec<String> = (0..101).map(|i| format!("id-{i}")).collect();
        let first = search(&fake, SAMPLE_ORG_ID, SAMPLE_ADMIN_KEY, &everyone()).await;
        let issued = first.body["links"]["next"].as_str().unwrap().to_owned();
        for (body, c) in [
            (json!({"limit": 101}), "ADMIN-400-24"),
            (json!({"limit": 0}), "ADMIN-400-24"),
            (json!({"limit": "100"}), "ADMIN-400-24"),
            (json!({"accountIds": ids}), "ADMIN-400-24"),
            (json!({"accountIds": []}), "ADMIN-400-24"),
            (json!({"accountIds": [1]}), "ADMIN-400-24"),
            (json!({"expand": ["lastActive"]}), "ADMIN-400-24"),
            (json!(["not", "an", "object"]), "ADMIN-400-24"),
            (
                json!({"limit": 100, "expand": ["productAccess"], "cursor": "kloHX1ZQVasDAkx_P48NYQ"}),
                "ADMIN-400-1",
            ),
            (
                json!({"limit": 100, "expand": ["productAccess"], "cursor": 7}),
                "ADMIN-400-1",
            ),
            // A cursor issued for other criteria.
            (
                json!({"limit": 99, "expand": ["productAccess"], "cursor": issued}),
                "ADMIN-400-1",
            ),
        ] {
            let reply = search(&fake, SAMPLE_ORG_ID, SAMPLE_ADMIN_KEY, &body).await;
            assert_eq!(code(&reply), want(400, c), "{body}: {}", reply.body);
            assert_eq!(reply.body["errors"][0]["title"], "Bad Request");
        }
        let ok = json!({"limit": 100, "expand": ["productAccess"], "cursor": issued});
        let reply = search(&fake, SAMPLE_ORG_ID, SAMPLE_ADMIN_KEY, &ok).await;
        assert_eq!(reply.status, 200);
        // Not JSON at all, and no content type.
        let bearer = format!("Bearer {SAMPLE_ADMIN_KEY}");
        let path = search_path(SAMPLE_ORG_ID);
        let auth = ("authorization", bearer.as_str());
        let json_type = ("content-type", "application/json");
        let reply = send(&fake, "POST", GATEWAY, &path, &[auth, json_type], "{").await;
        assert_eq!(code(&reply), want(400, "ADMIN-400-24"));
        let reply = send(&fake, "POST", GATEWAY, &path, &[auth], "{}").await;
        assert_eq!(reply.status, 415);

        // What the fake does not implement is a 501 the log marks unknown.
        let reply = search(
            &fake,
            SAMPLE_ORG_ID,
            SAMPLE_ADMIN_KEY,
            &json!({"resourceIds": ["ari:cloud:jira-software::site/x"]}),
        )
        .await;
        assert_eq!(reply.status, 501);
        let one_directory = format!("/admin/v2/orgs/{SAMPLE_ORG_ID}/directories/d1/users/search");
        let reply = send(
            &fake,
            "POST",
            GATEWAY,
            &one_directory,
            &[auth, json_type],
            "{}",
        )
        .await;
        assert_eq!(reply.status, 501);
        let reply = send(
            &fake,
            "GET",
            GATEWAY,
            &format!("/admin/v1/orgs/{SAMPLE_ORG_ID}/users"),
            &[auth],
            "",
        )
        .await;
        assert_eq!(reply.status, 501);
        assert_eq!(fake.unknown_requests().len(), 3);
        // A path on api.atlassian.com that is neither Jira nor the admin API.
        let reply = send(&fake, "GET", GATEWAY, "/oauth/token", &[auth], "").await;
        assert_eq!(reply.status, 404);

        // A valid key without access to the directories.
        fake.with_tenant(|t| t.org.as_mut().unwrap().key_forbidden = true);
        let reply = search(&fake, SAMPLE_ORG_ID, SAMPLE_ADMIN_KEY, &everyone()).await;
        assert_eq!(code(&reply), want(403, "ADMIN-403-3"));
        assert_eq!(reply.body["errors"][0]["title"], "Forbidden");
    }

    #[tokio::test]
    async fn fake_admin_takes_injected_faults_by_path() {
        let t = Tenant::sample();
        let fake = FakeJira::start(t.clone()).await.unwrap();
        let path = search_path(SAMPLE_ORG_ID);
        fake.inject(FaultRule::on(
            &path,
            &[1],
            Fault::Status {
                status: 429,
                retry_after: Some(3),
            },
        ));
        fake.inject(FaultRule::on(&path, &[2], Fault::status(503)));
        fake.inject(FaultRule::on(&path, &[3], Fault::SelfLoopingPage));
        fake.inject(FaultRule::on(&path, &[4], Fault::InvalidJson));
        let reply = search(&fake, SAMPLE_ORG_ID, SAMPLE_ADMIN_KEY, &everyone()).await;
        assert_eq!(reply.status, 429);
        assert_eq!(reply.headers["retry-after"], "3");
        assert_eq!(reply.body["errors"][0]["code"], "ADMIN-429-1");
        assert_eq!(reply.body["errors"][0]["status"], "429");
        let reply = search(&fake, SAMPLE_ORG_ID, SAMPLE_ADMIN_KEY, &everyone()).await;
        assert_eq!(reply.status, 503);
        assert_eq!(reply.body["errors"][0]["status"], "503");
        let reply = search(&fake, SAMPLE_ORG_ID, SAMPLE_ADMIN_KEY, &everyone()).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body["links"]["next"], reply.body["links"]["self"]);
        let reply = search(&fake, SAMPLE_ORG_ID, SAMPLE_ADMIN_KEY, &everyone()).await;
        assert!(reply.body.is_string(), "not JSON");
        let reply = search(&fake, SAMPLE_ORG_ID, SAMPLE_ADMIN_KEY, &everyone()).await;
        assert_eq!(reply.status, 200);
        assert_eq!(fake.injected().len(), 4);
        assert!(fake.injected().iter().all(|(p, _)| *p == path));
    }

    /// Looks the users up as the guest does: pages of 1000, chunks of 100.
    async fn requests_like_the_guest(fake: &FakeJira, t: &Tenant) -> u64 {
        let mut requests = 0;
        for page in t.users.chunks(1000) {
            for chunk in page.chunks(100) {
                let ids: Vec<&str> = chunk.iter().map(|u| u.account_id.as_str()).collect();
                let body = json!({"accountIds": ids, "limit": 100, "expand": ["productAccess"]});
                requests += walk(fake, body).await.1;
            }
        }
        requests
    }

    #[tokio::test]
    async fn fake_admin_minimum_requests_count_the_org_searches() {
        let t = Tenant::sample();
        // 65 users, one chunk; 60 of them in the organization, two of those
        // in two directories: 62 records, two a page.
        assert_eq!(t.users.len(), 65);
        assert_eq!(t.org_search_requests(), 31);
        assert_eq!(
            t.minimum_requests(),
            t.clone().without_org().minimum_requests() + 31
        );
        let fake = FakeJira::start(t.clone()).await.unwrap();
        assert_eq!(requests_like_the_guest(&fake, &t).await, 31);

        let t = Tenant::generate(2_345, 5);
        let fake = FakeJira::start(t.clone()).await.unwrap();
        let by_guest = requests_like_the_guest(&fake, &t).await;
        assert_eq!(t.org_search_requests(), by_guest);
        assert!(by_guest > 24, "some chunks take a second page: {by_guest}");
        assert_eq!(
            t.minimum_requests(),
            t.clone().without_org().minimum_requests() + by_guest
        );
        // A page cap of 1: one request per record, and one per empty chunk.
        let mut small = Tenant::sample();
        small.org.as_mut().unwrap().page_cap = 1;
        assert_eq!(small.org_search_requests(), 62);
    }
}
