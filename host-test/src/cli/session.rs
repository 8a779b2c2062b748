//! The plugin a command runs: the component loaded and configured, against
//! the site a config names or the built-in fake tenant.

use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::args::Target;
use crate::fake_jira::{FakeJira, Tenant, TokenKind};
use crate::outbound::Upstream;
use crate::runtime::types::{AuthMode, ConnectionInfo};
use crate::runtime::{Compiled, Plugin, Runtime, default_component_path};
use crate::trust::Trust;

/// A configured plugin, and the fake Jira it talks to when no config was given.
pub struct Session {
    pub plugin: Plugin,
    /// What `configure` answered: the site's URL, the account, the token kind.
    pub info: ConnectionInfo,
    /// For the built-in fake tenant: the fewest requests a full extraction needs.
    pub minimum_requests: Option<u64>,
    /// The host's own time before the first request: reading and compiling
    /// the component (or reading its cached machine code), and instantiating it.
    pub startup: Startup,
    _fake: Option<FakeJira>,
}

/// Where the host's time went before the plugin ran.
#[derive(Debug, Clone)]
pub struct Startup {
    pub load: Duration,
    pub compiled: Compiled,
    pub instantiate: Duration,
}

/// Loads the component, starts the fake tenant if no config was given, and
/// configures the plugin.
pub async fn connect(target: &Target) -> anyhow::Result<Session> {
    let component = target
        .component
        .clone()
        .unwrap_or_else(default_component_path);
    // A bad CA file is named before anything is compiled or sent.
    let trust = Trust::from_env_and(target.ca_file.as_deref())?;
    let loading = Instant::now();
    let runtime = Runtime::load(&component)?.with_trust(&trust)?;
    let load = loading.elapsed();
    let (fake, config_json, upstream, minimum_requests) = match &target.config {
        Some(path) => {
            let json = std::fs::read_to_string(path)
                .with_context(|| format!("reading the config file {}", path.display()))?;
            (None, json, target.upstream.clone(), None)
        }
        None => {
            let tenant = Tenant::sample();
            let json = tenant.config_json(TokenKind::Unscoped);
            let minimum = tenant.minimum_requests();
            let fake = FakeJira::start(tenant)
                .await
                .context("starting the fake Jira")?;
            eprintln!("fake Jira tenant \"acme\" serving at {}", fake.url());
            let url = fake.url();
            (Some(fake), json, Some(url), Some(minimum))
        }
    };
    let upstream = upstream.as_deref().map(Upstream::parse).transpose()?;
    let mut plugin = runtime.instantiate(upstream).await?;
    let startup = Startup {
        load,
        compiled: runtime.compiled().clone(),
        instantiate: plugin.instantiate_time(),
    };
    let info = plugin.configure(&config_json).await?;
    eprintln!(
        "connected to {} as {} ({}), {} token via {}",
        info.site_url,
        info.display_name,
        info.account_id,
        match info.mode {
            AuthMode::Unscoped => "unscoped",
            AuthMode::Scoped => "scoped",
        },
        info.api_base_url
    );
    Ok(Session {
        plugin,
        info,
        minimum_requests,
        startup,
        _fake: fake,
    })
}
