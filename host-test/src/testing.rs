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

    /// The vendor config for the tenant's credential of `kind`.
    pub fn config(&self, kind: TokenKind) -> String {
        self.tenant.config_json(kind)
    }
}
