//! `upload` against the fake BalkanID (`host_test::balkanid::fake`): the
//! library function with the key passed in (tests run in parallel, and the
//! environment is one per process), and the `extractor-jira` binary with the
//! key in its own environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use host_test::balkanid::fake::{Endpoint, FakeBalkanId, Fault, FaultRule};
use host_test::balkanid::{
    ApiKey, Kind, Retry, Step, UploadError, UploadOptions, UploadedFile, upload,
};
use serde_json::json;

const KEY_ID: &str = "bid-key-id-7f3a";
const SECRET: &str = "bid-secret-Zq9XvT4wLmP2kR8s";

/// Three data rows; the first has a quoted name with a CRLF inside, which a
/// line count would take for two.
const ENTITIES: &str = "type,id,name\r\nuser,u1,\"Ada\r\nLovelace\"\r\nuser,u2,Bob\r\ngroup,g1,\"Admins, all \"\"root\"\"\"\r\n";
const RELATIONS: &str = "type,from_type,from_id,to_type,to_id\r\nmember-of,user,u1,group,g1\r\nmember-of,user,u2,group,g1\r\n";
const ENTITLEMENTS: &str = "type,id,name\r\npermission,p1,Browse projects\r\n";

/// A fresh directory with the given files of the three.
fn dir(name: &str, files: &[Kind]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "extractor-jira-upload-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for kind in files {
        let text = match kind {
            Kind::Entities => ENTITIES,
            Kind::EntityRelations => RELATIONS,
            Kind::Entitlements => ENTITLEMENTS,
        };
        std::fs::write(dir.join(kind.file_name()), text).unwrap();
    }
    dir
}

const ALL: &[Kind] = &[Kind::Entities, Kind::EntityRelations, Kind::Entitlements];

/// Options for the fake, with millisecond backoff.
fn options(api_url: &str, entitlements: bool) -> UploadOptions {
    let mut options = UploadOptions::new(api_url, ApiKey::new(KEY_ID, SECRET), entitlements);
    options.retry = Retry {
        attempts: 4,
        base: Duration::from_millis(1),
        max_delay: Duration::from_millis(20),
    };
    options.timeout = Duration::from_secs(20);
    options
}

async fn fake() -> FakeBalkanId {
    FakeBalkanId::start(KEY_ID, SECRET).await.unwrap()
}

/// (method, path, status) of every call, for comparing sequences.
fn calls(fake: &FakeBalkanId) -> Vec<(String, String, u16)> {
    fake.calls()
        .into_iter()
        .map(|c| (c.method, c.path, c.status))
        .collect()
}

fn call(method: &str, path: &str, status: u16) -> (String, String, u16) {
    (method.to_owned(), path.to_owned(), status)
}

fn post(kind: &str, status: u16) -> (String, String, u16) {
    call("POST", &format!("/api/rest/v0/{kind}/upload-url"), status)
}

fn put(kind: &str, n: u64, status: u16) -> (String, String, u16) {
    call("PUT", &format!("/presigned/{kind}/{n}"), status)
}

#[tokio::test]
async fn upload_sends_files_in_order_with_exact_bytes() {
    let fake = fake().await;
    let dir = dir("order", ALL);
    let summary = upload(&dir, &options(&fake.url(), true)).await.unwrap();

    let kinds: Vec<(String, Vec<u8>)> = fake
        .uploads()
        .into_iter()
        .map(|u| (u.kind, u.bytes.to_vec()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("entities".to_owned(), ENTITIES.as_bytes().to_vec()),
            ("entity-relations".to_owned(), RELATIONS.as_bytes().to_vec()),
            ("entitlements".to_owned(), ENTITLEMENTS.as_bytes().to_vec()),
        ]
    );
    assert_eq!(
        calls(&fake),
        vec![
            post("entities", 200),
            put("entities", 1, 200),
            post("entity-relations", 200),
            put("entity-relations", 1, 200),
            post("entitlements", 200),
            put("entitlements", 1, 200),
        ]
    );
    for c in fake.calls() {
        if c.method == "POST" {
            assert!(c.authenticated, "{c:?}");
            assert_eq!(c.content_type.as_deref(), Some("application/json"));
        } else {
            assert!(!c.api_key_sent, "the key went to the pre-signed URL: {c:?}");
            assert!(!c.chunked, "{c:?}");
            assert_eq!(c.content_type.as_deref(), Some("text/csv"));
            assert!(c.content_length.is_some_and(|n| n > 0), "{c:?}");
        }
    }
    let puts: Vec<Option<u64>> = fake
        .calls()
        .into_iter()
        .filter(|c| c.method == "PUT")
        .map(|c| c.content_length)
        .collect();
    let sizes = [ENTITIES.len(), RELATIONS.len(), ENTITLEMENTS.len()].map(|n| Some(n as u64));
    assert_eq!(puts, sizes.to_vec());
    assert!(fake.unknown_calls().is_empty());

    assert_eq!(summary.api, fake.url());
    assert_eq!(
        summary.files,
        vec![
            UploadedFile {
                kind: Kind::Entities,
                rows: 3,
                bytes: ENTITIES.len() as u64
            },
            UploadedFile {
                kind: Kind::EntityRelations,
                rows: 2,
                bytes: RELATIONS.len() as u64
            },
            UploadedFile {
                kind: Kind::Entitlements,
                rows: 1,
                bytes: ENTITLEMENTS.len() as u64
            },
        ]
    );
    let shown = summary.to_string();
    assert!(
        shown.contains("entities.csv") && shown.contains("entitlements.csv"),
        "{shown}"
    );

    // Without --entitlements, entitlements.csv is neither needed nor sent.
    let fake = FakeBalkanId::start(KEY_ID, SECRET).await.unwrap();
    let two = self::dir("order-two", &[Kind::Entities, Kind::EntityRelations]);
    let summary = upload(&two, &options(&fake.url(), false)).await.unwrap();
    assert_eq!(summary.files.len(), 2);
    assert!(fake.received("entitlements").is_empty());
    assert_eq!(
        fake.received("entity-relations"),
        vec![RELATIONS.as_bytes()]
    );
}

#[tokio::test]
async fn upload_retries_429_and_5xx() {
    let fake = fake().await;
    let rule = |endpoint, kind, fault| FaultRule::on(endpoint, Some(kind), &[1], fault);
    fake.inject(rule(
        Endpoint::UploadUrl,
        "entities",
        Fault::Status {
            status: 429,
            retry_after: Some(0),
            body: None,
        },
    ));
    fake.inject(rule(Endpoint::Presigned, "entities", Fault::status(503)));
    fake.inject(rule(
        Endpoint::UploadUrl,
        "entity-relations",
        Fault::status(500),
    ));
    fake.inject(rule(Endpoint::Presigned, "entity-relations", Fault::Reset));
    // A Retry-After far beyond the cap is cut to it, not waited out.
    fake.inject(rule(
        Endpoint::UploadUrl,
        "entitlements",
        Fault::Status {
            status: 429,
            retry_after: Some(3600),
            body: None,
        },
    ));
    let dir = dir("retries", ALL);
    let started = std::time::Instant::now();
    let summary = upload(&dir, &options(&fake.url(), true)).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(summary.files.len(), 3);
    assert_eq!(
        calls(&fake),
        vec![
            post("entities", 429),
            post("entities", 200),
            put("entities", 1, 503),
            put("entities", 1, 200),
            post("entity-relations", 500),
            post("entity-relations", 200),
            put("entity-relations", 1, 0),
            put("entity-relations", 1, 200),
            post("entitlements", 429),
            post("entitlements", 200),
            put("entitlements", 1, 200),
        ]
    );
    assert_eq!(fake.received("entities"), vec![ENTITIES.as_bytes()]);
    assert_eq!(
        fake.received("entity-relations"),
        vec![RELATIONS.as_bytes()]
    );

    // A 503 that never stops: the attempts are spent, and the error says so.
    let fake = FakeBalkanId::start(KEY_ID, SECRET).await.unwrap();
    fake.inject(FaultRule::on(
        Endpoint::UploadUrl,
        None,
        &[],
        Fault::status(503),
    ));
    let error = upload(&dir, &options(&fake.url(), false))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            UploadError::Status {
                status: 503,
                attempts: 4,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("after 4 attempts"), "{error}");
    assert_eq!(fake.calls().len(), 4);
}

#[tokio::test]
async fn upload_stops_before_next_file_on_400() {
    let fake = fake().await;
    fake.inject(FaultRule::on(
        Endpoint::UploadUrl,
        Some("entity-relations"),
        &[1],
        Fault::Status {
            status: 400,
            retry_after: None,
            body: Some(
                json!({"code": 400, "message": "Integration is not set up for bulk upload"}),
            ),
        },
    ));
    let dir = dir("stops", ALL);
    let error = upload(&dir, &options(&fake.url(), true)).await.unwrap_err();
    match &error {
        UploadError::Status {
            at, status: 400, ..
        } => {
            assert_eq!(at.step, Step::RequestUrl(Kind::EntityRelations));
            assert_eq!(at.uploaded, vec![Kind::Entities]);
        }
        other => panic!("{other:?}"),
    }
    let text = error.to_string();
    for part in [
        "request an upload url for entity_relations.csv",
        "http 400",
        "integration is not set up for bulk upload",
        "already uploaded: entities.csv",
    ] {
        assert!(text.to_lowercase().contains(part), "{part:?} in {text}");
    }
    // Not retried, and nothing after it: no relations, no entitlements.
    assert_eq!(
        calls(&fake),
        vec![
            post("entities", 200),
            put("entities", 1, 200),
            post("entity-relations", 400),
        ]
    );
    assert!(fake.received("entity-relations").is_empty());

    // The same on the PUT: a 403 from the storage stops there too.
    let fake = FakeBalkanId::start(KEY_ID, SECRET).await.unwrap();
    fake.inject(FaultRule::on(
        Endpoint::Presigned,
        Some("entities"),
        &[],
        Fault::status(403),
    ));
    let error = upload(&dir, &options(&fake.url(), true)).await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("Upload entities.csv") && text.contains("HTTP 403"),
        "{text}"
    );
    assert!(text.contains("Nothing was uploaded"), "{text}");
    assert_eq!(
        calls(&fake),
        vec![post("entities", 200), put("entities", 1, 403)]
    );
}

#[tokio::test]
async fn upload_shows_keys_of_answer_without_url() {
    let fake = fake().await;
    fake.inject(FaultRule::on(Endpoint::UploadUrl, None, &[1], Fault::NoUrl));
    let dir = dir("no-url", ALL);
    let error = upload(&dir, &options(&fake.url(), false))
        .await
        .unwrap_err();
    match &error {
        UploadError::NoUrl { keys, status, at } => {
            assert_eq!(keys, &["uploadUrl", "expiresIn"]);
            assert_eq!(*status, 200);
            assert_eq!(at.step, Step::RequestUrl(Kind::Entities));
        }
        other => panic!("{other:?}"),
    }
    let text = error.to_string();
    assert!(text.contains("uploadUrl, expiresIn"), "{text}");
    // The keys, never the values.
    assert!(
        !text.contains("presigned") && !text.contains("900"),
        "{text}"
    );
    assert_eq!(calls(&fake), vec![post("entities", 200)]);
}

#[tokio::test]
async fn upload_refuses_plain_http_for_non_loopback() {
    let dir = dir("plain-http", ALL);
    for url in [
        "http://app.balkan.id",
        "http://10.1.2.3:8080",
        "ftp://app.balkan.id",
    ] {
        let error = upload(&dir, &options(url, false)).await.unwrap_err();
        assert!(
            matches!(error, UploadError::ApiUrl { .. }),
            "{url}: {error:?}"
        );
        assert!(
            error.to_string().contains("only https is allowed"),
            "{error}"
        );
    }

    // A pre-signed URL over plain http to another host is refused before
    // the file is sent, and shown without its query.
    let fake = fake().await;
    fake.inject(FaultRule::on(
        Endpoint::UploadUrl,
        None,
        &[1],
        Fault::Url(
            "http://uploads.example.com/bucket/entities.csv?X-Amz-Signature=0123456789abcdef"
                .into(),
        ),
    ));
    let error = upload(&dir, &options(&fake.url(), false))
        .await
        .unwrap_err();
    assert!(matches!(error, UploadError::UploadUrl { .. }), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains("http://uploads.example.com/bucket/entities.csv"),
        "{text}"
    );
    assert!(
        !text.contains("X-Amz-Signature") && !text.contains("0123456789abcdef"),
        "{text}"
    );
    assert_eq!(calls(&fake), vec![post("entities", 200)]);

    // Plain http to loopback, named `localhost`, is allowed.
    let fake = FakeBalkanId::start(KEY_ID, SECRET).await.unwrap();
    let localhost = fake.url().replace("127.0.0.1", "localhost");
    let summary = upload(&dir, &options(&localhost, false)).await.unwrap();
    assert_eq!(summary.files.len(), 2);
}

#[tokio::test]
async fn upload_refuses_missing_file() {
    let fake = fake().await;
    let dir = dir("missing", &[Kind::Entities]);
    let error = upload(&dir, &options(&fake.url(), true)).await.unwrap_err();
    match &error {
        UploadError::MissingFiles { files, .. } => {
            assert_eq!(files, &["entity_relations.csv", "entitlements.csv"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        error
            .to_string()
            .contains("entity_relations.csv, entitlements.csv"),
        "{error}"
    );

    let nowhere = dir.join("no-such-dir");
    let error = upload(&nowhere, &options(&fake.url(), false))
        .await
        .unwrap_err();
    assert!(
        matches!(error, UploadError::MissingFiles { .. }),
        "{error:?}"
    );

    // A file cut off inside a quoted field is found before anything is sent,
    // even when it is the last one.
    let broken = self::dir("broken", &[Kind::Entities]);
    std::fs::write(
        broken.join("entity_relations.csv"),
        "type,from\r\n\"open,x\r\n",
    )
    .unwrap();
    let error = upload(&broken, &options(&fake.url(), false))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            UploadError::MalformedCsv {
                file: "entity_relations.csv"
            }
        ),
        "{error:?}"
    );
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());
}

/// Runs the binary on another thread, so that the fake keeps serving.
async fn run(command: Command) -> Output {
    let mut command = command;
    tokio::task::spawn_blocking(move || command.output().expect("extractor-jira runs"))
        .await
        .unwrap()
}

fn binary(dir: &Path, api_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_extractor-jira"));
    command
        .args(["upload", "--dir"])
        .arg(dir)
        .args(["--api-url", api_url])
        .env_remove("BALKANID_API_KEY_ID")
        .env_remove("BALKANID_API_KEY_SECRET");
    command
}

fn text(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_requires_key_env_vars() {
    let fake = fake().await;
    let dir = dir("env", ALL);

    let output = run(binary(&dir, &fake.url())).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("BALKANID_API_KEY_ID") && stderr.contains("BALKANID_API_KEY_SECRET"),
        "{stderr}"
    );

    let mut only_id = binary(&dir, &fake.url());
    only_id.env("BALKANID_API_KEY_ID", KEY_ID);
    let output = run(only_id).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("The environment variable BALKANID_API_KEY_SECRET is not set"),
        "{stderr}"
    );
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_never_prints_secret_or_presigned_query() {
    let fake = fake().await;
    let dir = dir("secret", ALL);
    let mut produced = Vec::new();

    // A successful run prints the summary.
    let mut ok = binary(&dir, &fake.url());
    ok.env("BALKANID_API_KEY_ID", KEY_ID)
        .env("BALKANID_API_KEY_SECRET", SECRET)
        .arg("--entitlements");
    let output = run(ok).await;
    assert!(output.status.success(), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for line in [
        "entities.csv                    3",
        "entity_relations.csv            2",
        "entitlements.csv                1",
    ] {
        assert!(stdout.contains(line), "{line:?} in {stdout}");
    }
    produced.push(text(&output));

    // A PUT refused by the storage, whose error body echoes the signature
    // and the whole query, as S3's does.
    fake.inject(FaultRule::on(
        Endpoint::Presigned,
        Some("entities"),
        &[],
        Fault::status(403),
    ));
    let mut failing = binary(&dir, &fake.url());
    failing
        .env("BALKANID_API_KEY_ID", KEY_ID)
        .env("BALKANID_API_KEY_SECRET", SECRET);
    let output = run(failing).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Upload entities.csv (PUT http://127.0.0.1:"),
        "{stderr}"
    );
    assert!(stderr.contains("HTTP 403"), "{stderr}");
    produced.push(text(&output));

    // A wrong secret: BalkanID's 401.
    let mut wrong = binary(&dir, &fake.url());
    wrong
        .env("BALKANID_API_KEY_ID", KEY_ID)
        .env("BALKANID_API_KEY_SECRET", format!("{SECRET}-wrong"));
    let output = run(wrong).await;
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("HTTP 401"));
    produced.push(text(&output));

    let signatures: Vec<String> = fake
        .issued_urls()
        .iter()
        .map(|url| url.rsplit('=').next().unwrap_or_default().to_owned())
        .collect();
    assert!(signatures.len() >= 4, "{signatures:?}");
    let never: Vec<&str> = [SECRET, KEY_ID, "X-Amz-Signature", "X-Amz-Expires", "?"]
        .into_iter()
        .chain(signatures.iter().map(String::as_str))
        .collect();
    for text in &produced {
        for never in &never {
            assert!(!text.contains(never), "{never:?} printed: {text}");
        }
    }
}

/// `extract --format balkanid --upload --entitlements` against the built-in
/// fake tenant: the files it writes are the bytes BalkanID receives, in
/// order; and without the key, nothing is extracted at all.
#[tokio::test(flavor = "multi_thread")]
async fn extract_with_upload_sends_what_it_wrote() {
    let fake = fake().await;
    let root = std::env::temp_dir().join(format!(
        "extractor-jira-extract-upload-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&root);
    let out = root.join("out");
    let extract = |with_key: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_extractor-jira"));
        command.args(["extract", "--format", "balkanid", "--out"]);
        command.arg(&out);
        command.args(["--upload", "--entitlements", "--api-url", &fake.url()]);
        command.env_remove("BALKANID_API_KEY_ID");
        command.env_remove("BALKANID_API_KEY_SECRET");
        if with_key {
            command.env("BALKANID_API_KEY_ID", KEY_ID);
            command.env("BALKANID_API_KEY_SECRET", SECRET);
        }
        command
    };

    let refused = run(extract(false)).await;
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("BALKANID_API_KEY_ID"),
        "{}",
        text(&refused)
    );
    assert!(!out.exists(), "nothing extracted without the key");
    assert!(fake.calls().is_empty());

    let done = run(extract(true)).await;
    assert!(done.status.success(), "{}", text(&done));
    let uploads = fake.uploads();
    let kinds: Vec<&str> = uploads.iter().map(|u| u.kind.as_str()).collect();
    assert_eq!(kinds, ["entities", "entity-relations", "entitlements"]);
    for (upload, kind) in uploads.iter().zip(ALL) {
        let written = std::fs::read(out.join(kind.file_name())).unwrap();
        assert!(upload.bytes[..] == written[..], "{kind:?}");
    }
    let printed = text(&done);
    assert!(!printed.contains(SECRET) && !printed.contains("X-Amz-Signature"));
    std::fs::remove_dir_all(&root).unwrap();
}
