//! Loading the component into wasmtime and calling it.
//!
//! Two kinds of failure are kept apart, as the contract intends: a
//! [`CallError::Trap`] means the host or the guest broke (a bug), while a
//! [`CallError::Plugin`] is the connector's own typed answer (bad config, a
//! refused token, a missing permission).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use wasmtime::component::{Component, Linker, ResourceAny, ResourceTable};
use wasmtime::{Config, Engine, ResourceLimiter, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::outbound::{Outbound, RecordedRequest, Upstream};
use crate::pool::{Pool, PoolStats};
use crate::trust::Trust;
use std::sync::Arc;
use tokio_rustls::rustls::ClientConfig;

mod describe;

pub use describe::describe;

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

/// Where [`Runtime::load`] keeps the compiled machine code of the component
/// at `path`: beside it, named by the digest of its bytes and of the
/// engine's settings (`extractor_jira.3f2a…d1.cwasm`), so that a rebuilt
/// component or another wasmtime never reads a stale one.
pub fn cache_path(path: &Path, bytes: &[u8], engine: &Engine) -> PathBuf {
    use sha2::{Digest as _, Sha256};
    use std::hash::{Hash as _, Hasher as _};
    let mut settings = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut settings);
    let mut digest = Sha256::new();
    digest.update(bytes);
    digest.update(settings.finish().to_le_bytes());
    let digest = digest.finalize();
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    let stem = path
        .file_stem()
        .map_or_else(|| "component".into(), |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}.{hex}.cwasm"))
}

/// Writes the compiled component whole or not at all: to a temporary file
/// beside `to`, then renamed over it.
fn save_compiled(component: &Component, to: &Path) -> anyhow::Result<()> {
    let code = component.serialize()?;
    let tmp = to.with_extension(format!("cwasm.{}.tmp", std::process::id()));
    std::fs::write(&tmp, code)?;
    std::fs::rename(&tmp, to).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })?;
    Ok(())
}

/// Arms the store's deadline for one call.
pub fn arm<T>(store: &mut Store<T>, timeout: Duration) {
    let ticks = (timeout.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
    store.set_epoch_deadline(ticks);
}

/// Where the runtime's machine code came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compiled {
    /// Compiled now; `saved` names the file it was saved to for the next
    /// run, `None` when it was not saved (no cache asked for, or the
    /// directory is not writable: said once on standard error).
    Now { saved: Option<PathBuf> },
    /// Read from the file a previous run saved.
    Cache(PathBuf),
}

/// A compiled component, ready to instantiate many times.
pub struct Runtime {
    engine: Engine,
    pre: bindings::ExtractorPre<HostState>,
    component_bytes: usize,
    compile_time: Duration,
    compiled: Compiled,
    limits: Limits,
    /// What every instance's https connections trust.
    tls: Arc<ClientConfig>,
}

impl Runtime {
    /// Loads the component at `path`, reusing the machine code a previous
    /// run saved beside it (see [`cache_path`]), or compiling it and saving
    /// it there.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("reading the component {}", path.display()))?;
        let engine = engine()?;
        let cache = cache_path(path, &bytes, &engine);
        let started = Instant::now();
        // SAFETY: `deserialize_file` runs the file as native code. The file
        // is one this host wrote beside the component, named by the digest
        // of the component's bytes and of this engine's settings; whoever
        // can write there can replace the component itself. wasmtime checks
        // that it was made by the same wasmtime with the same settings, and
        // any error falls back to compiling.
        if let Ok(component) = unsafe { Component::deserialize_file(&engine, &cache) } {
            let compile_time = started.elapsed();
            return Self::link(
                engine,
                component,
                bytes.len(),
                compile_time,
                Compiled::Cache(cache),
            );
        }
        let component = Component::new(&engine, &bytes)
            .map_err(|e| anyhow::Error::from(e).context("compiling the component"))?;
        let compile_time = started.elapsed();
        let saved = match save_compiled(&component, &cache) {
            Ok(()) => Some(cache),
            Err(e) => {
                eprintln!(
                    "host: not keeping the compiled component at {} ({e:#}); the next run compiles it again",
                    cache.display()
                );
                None
            }
        };
        Self::link(
            engine,
            component,
            bytes.len(),
            compile_time,
            Compiled::Now { saved },
        )
    }

    /// Compiles `bytes`, with no cache.
    pub fn from_bytes(bytes: &[u8]) -> anyhow::Result<Self> {
        let engine = engine()?;
        let started = Instant::now();
        let component = Component::new(&engine, bytes)
            .map_err(|e| anyhow::Error::from(e).context("compiling the component"))?;
        let compile_time = started.elapsed();
        Self::link(
            engine,
            component,
            bytes.len(),
            compile_time,
            Compiled::Now { saved: None },
        )
    }

    fn link(
        engine: Engine,
        component: Component,
        component_bytes: usize,
        compile_time: Duration,
        compiled: Compiled,
    ) -> anyhow::Result<Self> {
        let mut linker = Linker::<HostState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        let pre = bindings::ExtractorPre::new(linker.instantiate_pre(&component)?)?;
        Ok(Self {
            engine,
            pre,
            component_bytes,
            compile_time,
            compiled,
            limits: Limits::default(),
            tls: Trust::web().client_config()?,
        })
    }

    /// Instances trust `trust`'s certificates (the web roots and any added)
    /// for their https connections.
    pub fn with_trust(mut self, trust: &Trust) -> anyhow::Result<Self> {
        self.tls = trust.client_config()?;
        Ok(self)
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

    /// How long compiling (or reading the cached machine code) took.
    pub fn compile_time(&self) -> Duration {
        self.compile_time
    }

    pub fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    /// A fresh instance with its own store. With `upstream`, requests for the
    /// Atlassian hosts go to that base URL instead.
    /// The TLS configuration instances get by default.
    pub fn tls(&self) -> Arc<ClientConfig> {
        self.tls.clone()
    }

    pub async fn instantiate(&self, upstream: Option<Upstream>) -> anyhow::Result<Plugin> {
        self.instantiate_trusting(upstream, self.tls.clone()).await
    }

    /// Like [`Runtime::instantiate`], with its own TLS trust (a test's fake
    /// with a certificate of its own).
    pub async fn instantiate_trusting(
        &self,
        upstream: Option<Upstream>,
        tls: Arc<ClientConfig>,
    ) -> anyhow::Result<Plugin> {
        // One pool per instance: its connections live as long as it does.
        self.instantiate_with_pool(upstream, Pool::new(tls)).await
    }

    /// Like [`Runtime::instantiate`], sending through `pool`.
    pub async fn instantiate_with_pool(
        &self,
        upstream: Option<Upstream>,
        pool: Pool,
    ) -> anyhow::Result<Plugin> {
        let outbound = Outbound::new(upstream, pool);
        let (store, instance, instantiate_time) = self.fresh(outbound.clone()).await?;
        Ok(Plugin {
            store,
            instance,
            outbound,
            instantiate_time,
            limits: self.limits,
        })
    }

    /// A fresh instance for one HTTP request (`extractor-jira serve`), with
    /// the same limits, trust and outbound guard as [`Runtime::instantiate`].
    /// The caller allows the request's site on `outbound` first
    /// ([`Outbound::allow_site_of`]).
    pub async fn instantiate_for_request(
        &self,
        outbound: Outbound,
    ) -> anyhow::Result<RequestInstance> {
        let (store, instance, _) = self.fresh(outbound.clone()).await?;
        Ok(RequestInstance {
            store,
            instance,
            outbound,
            limits: self.limits,
        })
    }

    /// A store with its limits armed, and the component instantiated in it.
    async fn fresh(
        &self,
        outbound: Outbound,
    ) -> anyhow::Result<(Store<HostState>, bindings::Extractor, Duration)> {
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
        Ok((store, instance, started.elapsed()))
    }
}

/// One instance serving one HTTP request through the component's
/// `wasi:http/incoming-handler` export.
pub struct RequestInstance {
    store: Store<HostState>,
    instance: bindings::Extractor,
    outbound: Outbound,
    limits: Limits,
}

/// The response the guest set, or why it set none.
pub type GuestResponse = Result<
    hyper::Response<wasmtime_wasi_http::p2::body::HyperOutgoingBody>,
    wasmtime_wasi_http::p2::bindings::http::types::ErrorCode,
>;

impl RequestInstance {
    /// Hands `request` to the guest, which answers through `respond` as soon
    /// as it sets its response; this returns once the guest has written the
    /// whole body (or trapped, or hit the call deadline).
    pub async fn handle<B>(
        &mut self,
        request: hyper::Request<B>,
        respond: impl FnOnce(GuestResponse) + Send + Sync + 'static,
    ) -> anyhow::Result<()>
    where
        B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
        B::Error: Into<wasmtime_wasi_http::Error>,
    {
        let mut http = self.store.data_mut().http();
        let request = http.new_incoming_request(
            wasmtime_wasi_http::p2::bindings::http::types::Scheme::Http,
            request,
        )?;
        let out = http.new_response_outparam_from_callback(respond)?;
        arm(&mut self.store, self.limits.call_timeout);
        self.instance
            .wasi_http_incoming_handler()
            .call_handle(&mut self.store, request, out)
            .await
            .map_err(anyhow::Error::from)
    }

    /// Every outbound request so far, credential redacted.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.outbound.requests()
    }

    /// The largest the guest's linear memory has been, in bytes.
    pub fn peak_memory(&self) -> usize {
        self.store.data().memory.peak
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
    pub entitlements: Vec<types::Entitlement>,
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
                out.entitlements.extend(batch.entitlements);
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

    /// What the instance's connection pool did so far.
    pub fn connections(&self) -> PoolStats {
        self.outbound.connections()
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
