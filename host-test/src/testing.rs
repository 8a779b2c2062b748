//! Helpers for integration tests: the component compiled once per test
//! binary, and a plugin wired to a fresh fake Jira.

use std::sync::OnceLock;

use crate::fake_jira::{FakeJira, Tenant, TokenKind};
use crate::outbound::Upstream;
use crate::runtime::{Plugin, Runtime, default_component_path};

/// The component, compiled once: compiling takes far longer than a test.
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Runtime::load(&default_component_path()).expect("the built component loads")
    })
}

/// A fake Jira serving `tenant`, and a fresh plugin instance pointed at it.
pub struct Harness {
    pub fake: FakeJira,
    pub plugin: Plugin,
    pub tenant: Tenant,
}

impl Harness {
    pub async fn new(tenant: Tenant) -> Self {
        let fake = FakeJira::start(tenant.clone())
            .await
            .expect("fake Jira starts");
        let upstream = Upstream::parse(&fake.url()).expect("fake URL parses");
        let plugin = runtime()
            .instantiate(Some(upstream))
            .await
            .expect("the component instantiates");
        Self {
            fake,
            plugin,
            tenant,
        }
    }

    /// Like [`Harness::new`], with the fake serving HTTPS (HTTP/2 offered
    /// by ALPN when `http2`, else HTTP/1.1 only) and the instance trusting
    /// its certificate besides the web roots.
    pub async fn new_tls(tenant: Tenant, http2: bool) -> Self {
        let fake = FakeJira::start_tls_offering(tenant.clone(), http2)
            .await
            .expect("fake Jira starts over TLS");
        let upstream = Upstream::parse(&fake.url()).expect("fake URL parses");
        let tls = crate::bench::trust_for(&fake)
            .expect("the fake's certificate is trusted")
            .expect("the fake serves HTTPS");
        let plugin = runtime()
            .instantiate_trusting(Some(upstream), tls)
            .await
            .expect("the component instantiates");
        Self {
            fake,
            plugin,
            tenant,
        }
    }

    /// The vendor config for the tenant's credential of `kind`.
    pub fn config(&self, kind: TokenKind) -> String {
        self.tenant.config_json(kind)
    }
}
