//! `extractor-jira serve`: the component's `wasi:http/incoming-handler`
//! served by this host against the fake Jira, route by route.
//!
//! The records `/extract` streams are compared with what `Plugin::extract_all`
//! returns through the `connector` export, written by the host's own NDJSON
//! writer (`extract --format ndjson`): the same comparison as running the
//! binary, without a second process and a second compile of the component
//! on a small machine.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use host_test::fake_jira::{FakeJira, Fault, FaultRule, Tenant, TokenKind};
use host_test::outbound::Upstream;
use host_test::output::ndjson;
use host_test::runtime::Runtime;
use host_test::serve::{ServeOptions, Served, Server, start};
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

/// The component, loaded once per test binary.
fn runtime() -> Arc<Runtime> {
    static RUNTIME: std::sync::OnceLock<Arc<Runtime>> = std::sync::OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            Arc::new(
                Runtime::load(&host_test::default_component_path())
                    .expect("the built component loads"),
            )
        })
        .clone()
}

/// A fake Jira, the server in front of it, and every log line it wrote.
struct Service {
    fake: FakeJira,
    server: Server,
    tenant: Tenant,
    logs: Arc<Mutex<Vec<Served>>>,
}

impl Service {
    async fn new(tenant: Tenant) -> Self {
        let fake = FakeJira::start(tenant.clone()).await.unwrap();
        let logs: Arc<Mutex<Vec<Served>>> = Arc::default();
        let sink = logs.clone();
        let options = ServeOptions {
            runtime: runtime(),
            upstream: Some(Upstream::parse(&fake.url()).unwrap()),
            log: Arc::new(move |served| sink.lock().unwrap().push(served.clone())),
        };
        let server = start("127.0.0.1:0".parse().unwrap(), options)
            .await
            .unwrap();
        Self {
            fake,
            server,
            tenant,
            logs,
        }
    }

    fn config(&self) -> String {
        self.tenant.config_json(TokenKind::Unscoped)
    }

    async fn post(&self, path: &str, body: &str) -> Answer {
        send(&self.server, "POST", path, body).await
    }

    /// The log lines, once the request's instance has finished.
    async fn logs(&self, at_least: usize) -> Vec<Served> {
        for _ in 0..200 {
            let logs = self.logs.lock().unwrap().clone();
            if logs.len() >= at_least {
                return logs;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("fewer than {at_least} log lines");
    }

    /// Neither the Jira token nor the admin API key is in `bytes` or in
    /// any log line.
    async fn assert_no_secret(&self, bytes: &[u8], requests: usize) {
        let text = String::from_utf8_lossy(bytes);
        let mut secrets: Vec<String> = [TokenKind::Unscoped, TokenKind::Scoped]
            .iter()
            .map(|k| self.tenant.credential(*k).token.clone())
            .collect();
        if let Some(org) = &self.tenant.org {
            secrets.push(org.api_key.clone());
        }
        for line in self.logs(requests).await {
            let line = line.to_string();
            for secret in &secrets {
                assert!(!line.contains(secret.as_str()), "{line}");
            }
        }
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "a secret in {text}");
        }
    }
}

/// A response, read whole, and when its first body byte arrived.
struct Answer {
    status: u16,
    headers: hyper::HeaderMap,
    body: Vec<u8>,
    first_byte: Duration,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    fn lines(&self) -> Vec<Value> {
        String::from_utf8_lossy(&self.body)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

async fn send(server: &Server, method: &str, path: &str, body: &str) -> Answer {
    let stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", server.addr().to_string())
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap();
    let started = Instant::now();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut incoming = response.into_body();
    let mut body = Vec::new();
    let mut first_byte = None;
    while let Some(frame) = incoming.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            first_byte.get_or_insert_with(|| started.elapsed());
            body.extend_from_slice(&data);
        }
    }
    Answer {
        status,
        headers,
        body,
        first_byte: first_byte.unwrap_or_else(|| started.elapsed()),
    }
}

/// The records `extract --format ndjson` writes for `tenant`, sorted.
async fn cli_records(tenant: &Tenant) -> Vec<String> {
    let fake = FakeJira::start(tenant.clone()).await.unwrap();
    let mut plugin = runtime()
        .instantiate(Some(Upstream::parse(&fake.url()).unwrap()))
        .await
        .unwrap();
    plugin
        .configure(&tenant.config_json(TokenKind::Unscoped))
        .await
        .unwrap();
    let mut out: Vec<u8> = Vec::new();
    plugin
        .extract_each(|batch| ndjson::write_batch(&mut out, &batch).unwrap())
        .await
        .unwrap();
    sorted_lines(&String::from_utf8(out).unwrap())
}

/// Lines as JSON with their keys sorted, and sorted: the guest and the
/// host write an object's keys in different orders.
fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| canonical(&serde_json::from_str::<Value>(l).unwrap()))
        .collect();
    lines.sort();
    lines
}

/// `v` as JSON text with every object's keys in sorted order.
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::from(k.as_str()), canonical(&m[k])))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

/// The stream's records without its `end` line, and that line.
fn split_end(answer: &Answer) -> (Vec<String>, Value) {
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    let mut lines: Vec<&str> = text.lines().collect();
    let end: Value = serde_json::from_str(lines.pop().unwrap()).unwrap();
    (sorted_lines(&lines.join("\n")), end)
}

#[tokio::test(flavor = "multi_thread")]
async fn check_answers_the_connection_as_json() {
    let s = Service::new(Tenant::sample()).await;
    let answer = s.post("/check", &s.config()).await;
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(answer.headers["content-type"], "application/json");
    let info = answer.json();
    assert_eq!(info["mode"], "unscoped");
    assert_eq!(info["siteUrl"], format!("https://{}", s.tenant.host()));
    assert_eq!(
        info["accountId"],
        s.tenant.credential(TokenKind::Unscoped).account_id
    );
    let logs = s.logs(1).await;
    assert_eq!(
        (logs[0].method.as_str(), logs[0].path.as_str()),
        ("POST", "/check")
    );
    assert_eq!(logs[0].status, 200);
    assert_eq!(logs[0].upstream_requests, s.fake.requests().len());
    s.assert_no_secret(&answer.body, 1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_streams_the_cli_records_then_an_end_line() {
    let tenant = Tenant::sample();
    let expected = cli_records(&tenant).await;
    let s = Service::new(tenant).await;
    let answer = s.post("/extract", &s.config()).await;
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(answer.headers["content-type"], "application/x-ndjson");
    let (records, end) = split_end(&answer);
    assert_eq!(records, expected);
    assert_eq!(end["record"], "end");
    let count = |kind: &str| {
        records
            .iter()
            .filter(|l| serde_json::from_str::<Value>(l).unwrap()["record"] == kind)
            .count()
    };
    assert_eq!(end["entities"], count("entity"));
    assert_eq!(end["relations"], count("relation"));
    assert_eq!(end["entitlements"], count("entitlement"));
    assert!(end["batches"].as_u64().unwrap() > 1, "{end}");
    s.assert_no_secret(&answer.body, 1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_cut_after_streaming_ends_with_an_error_line_and_no_end() {
    let s = Service::new(Tenant::sample()).await;
    // Group members are read after the users, so the stream has begun.
    s.fake.inject(FaultRule::from(
        "/rest/api/3/group/member",
        1,
        Fault::status(403),
    ));
    let answer = s.post("/extract", &s.config()).await;
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let lines = answer.lines();
    assert!(lines.len() > 1, "records came before the fault");
    let last = lines.last().unwrap();
    assert_eq!(last["record"], "error", "{last}");
    assert_eq!(last["error"], "forbidden", "{last}");
    assert!(lines.iter().all(|l| l["record"] != "end"));
    s.assert_no_secret(&answer.body, 1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_refused_before_streaming_answers_the_status() {
    let s = Service::new(Tenant::sample()).await;
    s.fake.inject(FaultRule::from("*", 1, Fault::status(403)));
    let answer = s.post("/extract", &s.config()).await;
    assert_eq!(
        answer.status,
        403,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(answer.json()["error"], "forbidden");
    s.assert_no_secret(&answer.body, 1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_answers_the_outcome() {
    let s = Service::new(Tenant::sample()).await;
    let config: Value = serde_json::from_str(&s.config()).unwrap();
    let body =
        json!({"config": config, "action": {"action": "create-group", "name": "served-group"}});
    let answer = s.post("/apply", &body.to_string()).await;
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let outcome = answer.json();
    assert_eq!(outcome["status"], "applied", "{outcome}");
    assert!(outcome["createdId"].is_string(), "{outcome}");
    assert!(!outcome["exchanges"].as_array().unwrap().is_empty());
    s.assert_no_secret(&answer.body, 1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_with_a_bad_action_is_400_before_any_request() {
    let s = Service::new(Tenant::sample()).await;
    let config: Value = serde_json::from_str(&s.config()).unwrap();
    for action in [
        json!({"action": "grant-everything"}),
        json!({"action": "add-group-member", "accountId": "", "groupId": "g"}),
    ] {
        let body = json!({"config": config, "action": action});
        let answer = s.post("/apply", &body.to_string()).await;
        assert_eq!(
            answer.status,
            400,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        assert_eq!(answer.json()["error"], "invalid-action");
        s.assert_no_secret(&answer.body, 1).await;
    }
    assert!(s.fake.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_config_is_400_before_any_request() {
    let s = Service::new(Tenant::sample()).await;
    let mut seen = 0;
    for site in ["evil.com/x", "a@b", "acme.atlassian.net.evil.com"] {
        let mut config: Value = serde_json::from_str(&s.config()).unwrap();
        config["appConfig"]["siteName"] = site.into();
        for path in ["/check", "/extract"] {
            let answer = s.post(path, &config.to_string()).await;
            seen += 1;
            assert_eq!(answer.status, 400, "{site} {path}");
            let error = answer.json();
            assert_eq!(error["error"], "invalid-config", "{error}");
            assert_eq!(error["field"], "appConfig.siteName", "{error}");
            s.assert_no_secret(&answer.body, seen).await;
        }
        let answer = s
            .post(
                "/apply",
                &json!({"config": config, "action": {"action": "create-group", "name": "x"}})
                    .to_string(),
            )
            .await;
        seen += 1;
        assert_eq!(answer.status, 400, "{site} /apply");
        s.assert_no_secret(&answer.body, seen).await;
    }
    assert!(s.fake.requests().is_empty(), "a request reached the fake");
    assert!(s.logs(seen).await.iter().all(|l| l.upstream_requests == 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_route_is_404_and_wrong_method_is_405() {
    let s = Service::new(Tenant::sample()).await;
    let answer = send(&s.server, "POST", "/admin", &s.config()).await;
    assert_eq!(answer.status, 404);
    let answer = send(&s.server, "GET", "/", "").await;
    assert_eq!(answer.status, 404);
    for path in ["/check", "/extract", "/apply"] {
        let answer = send(&s.server, "GET", path, "").await;
        assert_eq!(answer.status, 405, "{path}");
        assert_eq!(answer.headers["allow"], "POST");
    }
    assert!(s.fake.requests().is_empty());
    s.assert_no_secret(b"", 5).await;
}

/// The figures for the README: a generated 20,000-user tenant through
/// `/extract`, its time to first byte and the instance's peak memory, and
/// the same records as the connector export gives. Run with
/// `cargo test --release --test serve -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a large tenant: minutes on a small machine"]
async fn extract_large_tenant_streams_in_bounded_memory() {
    let tenant = Tenant::generate_with_projects(20_000, 1_000, 500);
    let expected = cli_records(&tenant).await;
    let s = Service::new(tenant).await;
    let started = Instant::now();
    let answer = s.post("/extract", &s.config()).await;
    let total = started.elapsed();
    assert_eq!(answer.status, 200);
    let (records, end) = split_end(&answer);
    assert_eq!(end["record"], "end");
    assert_eq!(records.len(), expected.len());
    assert!(records == expected, "the record sets differ");
    let served = s.logs(1).await;
    println!(
        "serve /extract, 20000 users: {} records, {} bytes, first byte after {} ms, \
         whole stream {} ms, {} requests upstream, guest peak memory {:.1} MiB",
        records.len(),
        answer.body.len(),
        answer.first_byte.as_millis(),
        total.as_millis(),
        served[0].upstream_requests,
        served[0].peak_memory as f64 / (1024.0 * 1024.0)
    );
}
