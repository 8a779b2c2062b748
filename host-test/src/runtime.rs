//! Loading the component into wasmtime and calling it.
//!
//! Two kinds of failure are kept apart, as the contract intends: a
//! [`CallError::Trap`] means the host or the guest broke (a bug), while a
//! [`CallError::Plugin`] is the connector's own typed answer (bad config, a
//! refused token, a missing permission).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use extractor_jira::error::sentences;
use wasmtime::component::{Component, Linker, ResourceAny, ResourceTable};
use wasmtime::{Config, Engine, ResourceLimiter, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::outbound::{Outbound, RecordedRequest, Upstream};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "extractor",
        exports: { default: async },
        with: {
            "wasi:http": wasmtime_wasi_http::p2::bindings::http,
            "wasi:io": wasmtime_wasi::p2::bindings::io,
            "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
            "wasi:cli": wasmtime_wasi::p2::bindings::cli,
            "wasi:random": wasmtime_wasi::p2::bindings::random,
        },
    });
}

pub use bindings::balkanid::extractor::lifecycle;
pub use bindings::balkanid::extractor::types;

use types::{Batch, ConnectionInfo};

/// The version of the WIT package `balkanid:extractor` this host was built with.
pub const WIT_VERSION: &str = env!("EXTRACTOR_JIRA_WIT_VERSION");

/// The component built next to this host by its build script.
pub fn default_component_path() -> PathBuf {
    PathBuf::from(env!("EXTRACTOR_JIRA_COMPONENT"))
}

/// Why a call into the plugin did not return a value.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The guest trapped or the host failed: a bug, not a Jira problem.
    #[error("the plugin trapped or the host failed: {0:#}")]
    Trap(wasmtime::Error),
    /// The connector's own error.
    #[error("{}", describe(.0))]
    Plugin(types::Error),
}

/// A plugin error in words, with what to do about it next: what failed and
/// where, the plugin's own message, then the advice, one sentence each.
pub fn describe(error: &types::Error) -> String {
    use types::Error as E;
    // What failed and where, then the request's own message.
    let at = |what: &str, r: &types::RequestFailure| {
        vec![
            format!("{what}: {} ({})", r.step, r.endpoint),
            r.message.clone(),
        ]
    };
    let with = |mut parts: Vec<String>, advice: &[&str]| {
        parts.extend(advice.iter().map(|s| (*s).to_owned()));
        sentences(parts)
    };
    match error {
        E::InvalidConfig(f) if f.field == "config" => sentences([
            format!("Invalid configuration: the config {}", f.reason),
            "The config must be the vendor's JSON: \
             {\"appConfig\": {\"token\": \"EMAIL:API_TOKEN\", \"siteName\": \"acme\"}}"
                .to_owned(),
        ]),
        E::InvalidConfig(f) => sentences([
            format!("Invalid configuration: {}: {}", f.field, f.reason),
            format!("Fix {} in the config and run again", f.field),
        ]),
        E::NotConfigured => sentences([
            "The plugin was not configured",
            "Call configure with the vendor config first",
        ]),
        E::Unauthorized(r) => with(
            at("Unauthorized", r),
            &[
                "Check the e-mail and API token in appConfig.token",
                "Create a token at https://id.atlassian.com/manage-profile/security/api-tokens \
                 for the account whose e-mail comes before the ':'",
            ],
        ),
        E::Forbidden(f) => {
            let mut parts = at("Forbidden", &f.request);
            if let Some(p) = &f.permission {
                parts.push(format!("Grant the account the Jira permission: {p}"));
            }
            if !f.scopes.is_empty() {
                parts.push(format!(
                    "If the token is scoped, give it these scopes: {}",
                    f.scopes.join(", ")
                ));
            }
            sentences(parts)
        }
        E::NotFound(r) => with(
            at("Not found", r),
            &["Check that the id exists in this site (use the ids extract reports)"],
        ),
        E::RateLimited(r) => {
            let mut parts = at(
                &format!("Rate limited after {} attempts", r.attempts),
                &r.request,
            );
            if let Some(s) = r.retry_after_seconds {
                parts.push(format!("Jira last asked to wait {s} s"));
            }
            with(
                parts,
                &[
                    "Jira is throttling this account",
                    "Run again later, or lower appConfig.maxConcurrency",
                ],
            )
        }
        E::Network(r) => with(
            at("Network failure", r),
            &[
                "Check that this machine can reach the site over HTTPS (through --upstream if \
                 you use a proxy), or raise appConfig.requestTimeoutSeconds",
            ],
        ),
        E::InvalidResponse(r) => with(
            at("Invalid response from Jira", r),
            &[
                "Jira answered outside its documented API",
                "Run again, and report the step and endpoint if it persists",
            ],
        ),
        E::Upstream(u) if u.status >= 500 => with(
            at(&format!("Jira answered HTTP {}", u.status), &u.request),
            &["Jira failed on its side", "Run again later"],
        ),
        E::Upstream(u) => with(
            at(&format!("Jira answered HTTP {}", u.status), &u.request),
            if u.messages.is_empty() {
                &[
                    "Jira gave no reason",
                    "Check the step and endpoint against Jira's REST API documentation",
                ]
            } else {
                &["Jira's message says what it refused"]
            },
        ),
        E::InvalidAction(f) => sentences([
            format!("Invalid action: {}: {}", f.field, f.reason),
            format!("Fix {} in the action and apply it again", f.field),
        ]),
        E::Rejected(u) => with(
            at(
                &format!("Jira refused the change (HTTP {})", u.status),
                &u.request,
            ),
            &[
                "Resolve the cause Jira gives (for example, reactivate the user) and apply the \
                 action again",
            ],
        ),
        E::InvalidCursor(m) => sentences([
            format!("Invalid resume cursor: {m}"),
            "Start a fresh extraction without the cursor".to_owned(),
        ]),
        E::Unsupported(m) => sentences([format!("Unsupported: {m}")]),
        E::Other(m) => sentences([m]),
    }
}

/// Limits the host puts on every instance, so that a runaway or greedy
/// guest costs the platform a trap, not a hung worker or the host's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest one call into the guest may run. It must cover a call's
    /// legitimate waiting (request timeouts and the retry budget), so the
    /// default is generous: it exists to stop a guest that never returns.
    pub call_timeout: Duration,
    /// The most linear memory the guest may have.
    pub max_memory: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            call_timeout: Duration::from_secs(15 * 60),
            max_memory: 256 * 1024 * 1024,
        }
    }
}

/// How often the engine's epoch advances; deadlines are counted in these.
const EPOCH_TICK: Duration = Duration::from_millis(100);

/// An engine with epoch interruption, and a thread that advances its epoch
/// until the engine is dropped.
pub fn engine() -> anyhow::Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    let engine = Engine::new(&config)?;
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("epoch-ticker".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })?;
    Ok(engine)
}

/// Arms the store's deadline for one call.
pub fn arm<T>(store: &mut Store<T>, timeout: Duration) {
    let ticks = (timeout.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
    store.set_epoch_deadline(ticks);
}

/// A compiled component, ready to instantiate many times.
pub struct Runtime {
    engine: Engine,
    pre: bindings::ExtractorPre<HostState>,
    component_bytes: usize,
    compile_time: Duration,
    limits: Limits,
}

impl Runtime {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("reading the component {}", path.display()))?;
        Self::from_bytes(&bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> anyhow::Result<Self> {
        let engine = engine()?;
        let started = Instant::now();
        let component = Component::new(&engine, bytes)
            .map_err(|e| anyhow::Error::from(e).context("compiling the component"))?;
        let compile_time = started.elapsed();
        let mut linker = Linker::<HostState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        let pre = bindings::ExtractorPre::new(linker.instantiate_pre(&component)?)?;
        Ok(Self {
            engine,
            pre,
            component_bytes: bytes.len(),
            compile_time,
            limits: Limits::default(),
        })
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The names of everything the component imports, e.g.
    /// `wasi:http/outgoing-handler@0.2.12`.
    pub fn imports(&self) -> Vec<String> {
        let component = self.pre.instance_pre().component();
        component
            .component_type()
            .imports(&self.engine)
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    /// The names of everything the component exports.
    pub fn exports(&self) -> Vec<String> {
        let component = self.pre.instance_pre().component();
        component
            .component_type()
            .exports(&self.engine)
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    pub fn component_bytes(&self) -> usize {
        self.component_bytes
    }

    pub fn compile_time(&self) -> Duration {
        self.compile_time
    }

    /// A fresh instance with its own store. With `upstream`, requests for the
    /// Atlassian hosts go to that base URL instead.
    pub async fn instantiate(&self, upstream: Option<Upstream>) -> anyhow::Result<Plugin> {
        let outbound = Outbound::new(upstream);
        let state = HostState {
            wasi: WasiCtx::builder().inherit_stderr().build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            outbound: outbound.clone(),
            memory: MemoryGuard {
                peak: 0,
                max: self.limits.max_memory,
            },
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.memory);
        arm(&mut store, self.limits.call_timeout);
        let started = Instant::now();
        let instance = self.pre.instantiate_async(&mut store).await?;
        Ok(Plugin {
            store,
            instance,
            outbound,
            instantiate_time: started.elapsed(),
            limits: self.limits,
        })
    }
}

/// Per-instance host state.
pub struct HostState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    outbound: Outbound,
    memory: MemoryGuard,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.outbound,
        }
    }
}

/// Tracks the guest's linear memory, whose size only grows (its largest size
/// is the peak the guest needed), and refuses growth past the limit.
#[derive(Debug, Default)]
struct MemoryGuard {
    peak: usize,
    max: usize,
}

impl ResourceLimiter for MemoryGuard {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max {
            return Ok(false);
        }
        self.peak = self.peak.max(current).max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// Everything an extraction produced.
#[derive(Debug, Default, Clone)]
pub struct Extracted {
    pub entities: Vec<types::Entity>,
    pub relations: Vec<types::Relation>,
    pub batches: usize,
}

/// An extraction that failed, and where it can carry on from.
#[derive(Debug)]
pub struct Interrupted {
    pub error: CallError,
    /// The cursor as of the last batch delivered (or the one it started from).
    pub cursor: Option<String>,
}

/// One instance of the connector.
pub struct Plugin {
    store: Store<HostState>,
    instance: bindings::Extractor,
    outbound: Outbound,
    instantiate_time: Duration,
    limits: Limits,
}

/// An extraction running in a [`Plugin`].
pub struct ExtractionHandle(ResourceAny);

impl Plugin {
    pub async fn configure(&mut self, config: &str) -> Result<ConnectionInfo, CallError> {
        self.outbound.allow_site_of(config);
        arm(&mut self.store, self.limits.call_timeout);
        self.instance
            .balkanid_extractor_connector()
            .call_configure(&mut self.store, config)
            .await
            .map_err(CallError::Trap)?
            .map_err(CallError::Plugin)
    }

    pub async fn extract(&mut self) -> Result<ExtractionHandle, CallError> {
        self.extract_from(None).await
    }

    /// Starts an extraction, or resumes one from its cursor.
    pub async fn extract_from(
        &mut self,
        resume: Option<&str>,
    ) -> Result<ExtractionHandle, CallError> {
        self.instance
            .balkanid_extractor_connector()
            .call_extract(&mut self.store, resume)
            .await
            .map_err(CallError::Trap)?
            .map(ExtractionHandle)
            .map_err(CallError::Plugin)
    }

    pub async fn next(
        &mut self,
        extraction: &ExtractionHandle,
    ) -> Result<Option<Batch>, CallError> {
        self.instance
            .balkanid_extractor_connector()
            .extraction()
            .call_next(&mut self.store, extraction.0)
            .await
            .map_err(CallError::Trap)?
            .map_err(CallError::Plugin)
    }

    /// Where a failed (or unfinished) extraction can carry on from.
    pub async fn resume_cursor(
        &mut self,
        extraction: &ExtractionHandle,
    ) -> Result<Option<String>, CallError> {
        self.instance
            .balkanid_extractor_connector()
            .extraction()
            .call_resume_cursor(&mut self.store, extraction.0)
            .await
            .map_err(CallError::Trap)
    }

    pub async fn finish(&mut self, extraction: ExtractionHandle) -> Result<(), CallError> {
        extraction
            .0
            .resource_drop_async(&mut self.store)
            .await
            .map_err(CallError::Trap)
    }

    /// Runs a whole extraction, handing each batch to `on_batch` as it
    /// arrives, and returns how many batches there were. Nothing is kept.
    pub async fn extract_each(&mut self, on_batch: impl FnMut(Batch)) -> Result<usize, CallError> {
        self.extract_resumable(None, on_batch)
            .await
            .map_err(|interrupted| interrupted.error)
    }

    /// Like [`Plugin::extract_each`], starting from `resume` if given. On
    /// failure it returns the cursor to carry on from.
    pub async fn extract_resumable(
        &mut self,
        resume: Option<&str>,
        mut on_batch: impl FnMut(Batch),
    ) -> Result<usize, Interrupted> {
        let extraction = self
            .extract_from(resume)
            .await
            .map_err(|error| Interrupted {
                error,
                cursor: resume.map(str::to_owned),
            })?;
        let mut batches = 0;
        let result = loop {
            match self.next(&extraction).await {
                Ok(Some(batch)) => {
                    batches += 1;
                    on_batch(batch);
                }
                Ok(None) => break Ok(batches),
                Err(error) => {
                    let cursor = match &error {
                        CallError::Plugin(_) => {
                            self.resume_cursor(&extraction).await.ok().flatten()
                        }
                        // After a trap the instance cannot be called again.
                        CallError::Trap(_) => None,
                    };
                    break Err(Interrupted {
                        error,
                        cursor: cursor.or_else(|| resume.map(str::to_owned)),
                    });
                }
            }
        };
        if !matches!(
            &result,
            Err(Interrupted {
                error: CallError::Trap(_),
                ..
            })
        ) {
            self.finish(extraction).await.map_err(|error| Interrupted {
                error,
                cursor: None,
            })?;
        }
        result
    }

    /// Runs a whole extraction, showing each batch to `on_batch`, and returns
    /// everything.
    pub async fn extract_all(
        &mut self,
        mut on_batch: impl FnMut(&Batch),
    ) -> Result<Extracted, CallError> {
        let mut out = Extracted::default();
        out.batches = self
            .extract_each(|batch| {
                on_batch(&batch);
                out.entities.extend(batch.entities);
                out.relations.extend(batch.relations);
            })
            .await?;
        Ok(out)
    }

    pub async fn apply(
        &mut self,
        action: &lifecycle::Action,
    ) -> Result<lifecycle::Outcome, CallError> {
        self.instance
            .balkanid_extractor_connector()
            .call_apply_lifecycle_action(&mut self.store, action)
            .await
            .map_err(CallError::Trap)?
            .map_err(CallError::Plugin)
    }

    /// Every outbound request so far, credential redacted.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.outbound.requests()
    }

    /// The largest the guest's linear memory has been, in bytes.
    pub fn peak_memory(&self) -> usize {
        self.store.data().memory.peak
    }

    pub fn instantiate_time(&self) -> Duration {
        self.instantiate_time
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TERMINAL: [char; 4] = ['.', '?', '!', '…'];

    /// Whether a sentence may start with `word`: a capital letter, a quote,
    /// or a code token such as `appConfig.siteName` or `read:jira-user`.
    fn starts_a_sentence(word: &str) -> bool {
        let mut chars = word.chars();
        let Some(first) = chars.next() else {
            return false;
        };
        first.is_uppercase()
            || matches!(first, '"' | '\'' | '`' | '{')
            || word.contains(['.', ':', '_', '/', '=', '@'])
            || chars.any(char::is_uppercase)
    }

    /// Asserts that `text` reads as clean sentences: no doubled or stray
    /// punctuation, every sentence starting with a capital letter or a code
    /// or quoted token, and the whole ending in exactly one terminal mark.
    /// The same check as the component's `error::tests`.
    fn assert_clean_sentences(text: &str) {
        assert!(!text.trim().is_empty(), "an empty message");
        assert_eq!(text, text.trim(), "{text:?}");
        for bad in [
            "..", ". .", ",.", " .", ";.", ":.", ".,", ".;", ".:", "?.", "!.", "….", "  ",
        ] {
            assert!(!text.contains(bad), "{bad:?} in {text:?}");
        }
        let mut ending = text.chars().rev();
        let last = ending.next().unwrap_or_default();
        assert!(TERMINAL.contains(&last), "no terminal mark: {text:?}");
        let before = ending.next().unwrap_or_default();
        assert!(
            !TERMINAL.contains(&before) && !matches!(before, ',' | ';' | ':' | ' '),
            "more than one terminal mark: {text:?}"
        );
        let mut starts = vec![0];
        let mut previous = None;
        for (i, c) in text.char_indices() {
            if c == ' ' && previous.is_some_and(|p| TERMINAL.contains(&p)) {
                starts.push(i + 1);
            }
            previous = Some(c);
        }
        for start in starts {
            let word = text[start..].split(' ').next().unwrap_or_default();
            assert!(
                starts_a_sentence(word),
                "a sentence starts with {word:?}: {text:?}"
            );
        }
    }

    /// Every WIT error variant with realistic values: the component's own
    /// messages (which end in a full stop), Jira's (which may or may not), and
    /// values a component that does not follow that convention could send.
    /// With the advice each one must end with.
    fn every_error() -> Vec<(types::Error, &'static str)> {
        use types::{
            Error as E, FieldError, Forbidden, RateLimited, RequestFailure, UpstreamError,
        };
        let request = |step: &str, endpoint: &str, message: &str| RequestFailure {
            step: step.into(),
            endpoint: endpoint.into(),
            message: message.into(),
        };
        let users = |message: &str| {
            request(
                "list users",
                "GET /rest/api/3/users/search?startAt=0&maxResults=1000",
                message,
            )
        };
        let field = |field: &str, reason: &str| FieldError {
            field: field.into(),
            reason: reason.into(),
        };
        let upstream = |status, message: &str, messages: &[&str]| UpstreamError {
            request: request(
                "add a project role actor",
                "POST /rest/api/3/project/10001/role/10000",
                message,
            ),
            status,
            messages: messages.iter().map(|m| (*m).to_owned()).collect(),
        };
        let mut cases = vec![
            (
                E::InvalidConfig(field(
                    "config",
                    "is not valid JSON (EOF while parsing an object at line 1 column 1)",
                )),
                "The config must be the vendor's JSON",
            ),
            (
                E::InvalidConfig(field("config", "must be a JSON object.")),
                "The config must be the vendor's JSON",
            ),
            (
                E::InvalidConfig(field(
                    "appConfig.siteName",
                    "is not an atlassian.net site (got \"acme.evil.com\"). Give the site's \
                     name: \"acme\" for https://acme.atlassian.net",
                )),
                "Fix appConfig.siteName in the config and run again.",
            ),
            (
                E::InvalidConfig(field("appConfig.token", "is missing.")),
                "Fix appConfig.token in the config and run again.",
            ),
            (
                E::NotConfigured,
                "Call configure with the vendor config first.",
            ),
            (
                E::InvalidAction(field("project-id", "must be a number, as Jira's ids are")),
                "Fix project-id in the action and apply it again.",
            ),
            (
                E::InvalidAction(field("permission", "must be a permission key.")),
                "Fix permission in the action and apply it again.",
            ),
            (
                E::InvalidCursor(
                    "it belongs to https://other.atlassian.net, not to https://acme.atlassian.net"
                        .into(),
                ),
                "Start a fresh extraction without the cursor.",
            ),
            (
                E::InvalidCursor("too large.".into()),
                "Start a fresh extraction without the cursor.",
            ),
            (
                E::Unsupported("Jira Cloud has no endpoint for this action.".into()),
                "Unsupported: Jira Cloud has no endpoint for this action.",
            ),
            (
                E::Other("The request to list users was lost.".into()),
                "The request to list users was lost.",
            ),
            (
                E::Other("phase users ended before every page was read".into()),
                "Phase users ended before every page was read.",
            ),
        ];
        for message in [
            "You do not have permission to view this resource.",
            "You do not have permission to view this resource",
            "HTTP 403.",
            "The group does not exist. Try again. groupId: is not valid.",
            "Unauthorized; scope does not match",
            "",
        ] {
            cases.extend([
                (
                    E::Unauthorized(users(message)),
                    "for the account whose e-mail comes before the ':'.",
                ),
                (
                    E::Forbidden(Forbidden {
                        request: users(message),
                        permission: Some("Browse users and groups (global permission)".into()),
                        scopes: vec!["read:jira-user".into(), "read:user:jira".into()],
                    }),
                    "If the token is scoped, give it these scopes: read:jira-user, \
                     read:user:jira.",
                ),
                (
                    E::Forbidden(Forbidden {
                        request: users(message),
                        permission: Some(
                            "Browse Projects or Administer Projects (project permission), or \
                             Administer Jira (global permission). Projects without them are \
                             not listed"
                                .into(),
                        ),
                        scopes: vec![],
                    }),
                    "Projects without them are not listed.",
                ),
                (
                    E::Forbidden(Forbidden {
                        request: users(message),
                        permission: None,
                        scopes: vec![],
                    }),
                    "Forbidden: list users",
                ),
                (
                    E::NotFound(users(message)),
                    "Check that the id exists in this site (use the ids extract reports).",
                ),
                (
                    E::RateLimited(RateLimited {
                        request: users(message),
                        retry_after_seconds: Some(30),
                        attempts: 6,
                    }),
                    "Jira last asked to wait 30 s. Jira is throttling this account. Run again \
                     later, or lower appConfig.maxConcurrency.",
                ),
                (
                    E::RateLimited(RateLimited {
                        request: users(message),
                        retry_after_seconds: None,
                        attempts: 6,
                    }),
                    "Run again later, or lower appConfig.maxConcurrency.",
                ),
                (
                    E::Network(users(message)),
                    "or raise appConfig.requestTimeoutSeconds.",
                ),
                (
                    E::InvalidResponse(users(message)),
                    "Run again, and report the step and endpoint if it persists.",
                ),
                (
                    E::Upstream(upstream(502, message, &[message])),
                    "Jira failed on its side. Run again later.",
                ),
                (
                    E::Upstream(upstream(409, message, &[message])),
                    "Jira's message says what it refused.",
                ),
                (
                    E::Upstream(upstream(409, "HTTP 409.", &[])),
                    "Jira gave no reason. Check the step and endpoint against Jira's REST API \
                     documentation.",
                ),
                (
                    E::Rejected(upstream(400, message, &[message])),
                    "and apply the action again.",
                ),
            ]);
        }
        cases
    }

    /// The variant's name, so that the test can show it covered each one;
    /// a new variant fails to compile here until the test covers it.
    fn variant(e: &types::Error) -> &'static str {
        use types::Error as E;
        match e {
            E::InvalidConfig(_) => "invalid-config",
            E::NotConfigured => "not-configured",
            E::Unauthorized(_) => "unauthorized",
            E::Forbidden(_) => "forbidden",
            E::NotFound(_) => "not-found",
            E::RateLimited(_) => "rate-limited",
            E::Network(_) => "network",
            E::InvalidResponse(_) => "invalid-response",
            E::Upstream(_) => "upstream",
            E::InvalidAction(_) => "invalid-action",
            E::Rejected(_) => "rejected",
            E::InvalidCursor(_) => "invalid-cursor",
            E::Unsupported(_) => "unsupported",
            E::Other(_) => "other",
        }
    }

    #[test]
    fn describe_every_variant_reads_as_clean_sentences() {
        let cases = every_error();
        for (error, advice) in &cases {
            // What the command line prints after "error: ".
            let text = format!(
                "{:#}",
                anyhow::Error::from(CallError::Plugin(error.clone()))
            );
            assert_eq!(text, describe(error));
            assert_clean_sentences(&text);
            assert!(text.contains(advice), "{advice:?} not in {text:?}");
            use types::Error as E;
            if let E::Unauthorized(r)
            | E::NotFound(r)
            | E::Network(r)
            | E::InvalidResponse(r)
            | E::Forbidden(types::Forbidden { request: r, .. })
            | E::RateLimited(types::RateLimited { request: r, .. })
            | E::Upstream(types::UpstreamError { request: r, .. })
            | E::Rejected(types::UpstreamError { request: r, .. }) = error
            {
                assert!(
                    text.contains(&format!("{} ({})", r.step, r.endpoint)),
                    "{text}"
                );
            }
        }
        let covered: std::collections::BTreeSet<&str> =
            cases.iter().map(|(e, _)| variant(e)).collect();
        assert_eq!(covered.len(), 14, "{covered:?}");
    }

    #[test]
    fn describe_puts_one_full_stop_between_jira_and_the_advice() {
        let error = types::Error::Forbidden(types::Forbidden {
            request: types::RequestFailure {
                step: "list users".into(),
                endpoint: "GET /rest/api/3/users/search".into(),
                message: "You do not have permission to view this resource.".into(),
            },
            permission: Some("Browse users and groups (global permission)".into()),
            scopes: vec!["read:jira-user".into()],
        });
        assert_eq!(
            describe(&error),
            "Forbidden: list users (GET /rest/api/3/users/search). You do not have permission \
             to view this resource. Grant the account the Jira permission: Browse users and \
             groups (global permission). If the token is scoped, give it these scopes: \
             read:jira-user."
        );
    }

    /// A component whose one export never returns.
    const SPINNER: &str = r#"
        (component
          (core module $m (func (export "spin") (loop $l (br $l))))
          (core instance $i (instantiate $m))
          (func (export "spin") (canon lift (core func $i "spin"))))
    "#;

    #[tokio::test(flavor = "multi_thread")]
    async fn a_runaway_guest_is_interrupted_at_its_deadline() {
        let engine = engine().unwrap();
        let component = Component::new(&engine, SPINNER).unwrap();
        let mut store = Store::new(&engine, ());
        arm(&mut store, Duration::from_millis(300));
        let instance = Linker::new(&engine)
            .instantiate_async(&mut store, &component)
            .await
            .unwrap();
        let spin = instance
            .get_typed_func::<(), ()>(&mut store, "spin")
            .unwrap();
        let started = Instant::now();
        let err = spin.call_async(&mut store, ()).await.unwrap_err();
        assert_eq!(
            err.downcast_ref::<wasmtime::Trap>(),
            Some(&wasmtime::Trap::Interrupt),
            "{err:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(30));
    }
}
