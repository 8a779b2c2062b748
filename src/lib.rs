//! extractor-jira: a Jira Cloud identity connector, built as a
//! `wasm32-wasip2` component exporting `balkanid:extractor/connector`.
//!
//! This file is the only place that touches the generated bindings: it keeps
//! the configured connection for the instance and converts between the
//! hand-written Rust types and the WIT types.

#[cfg(target_arch = "wasm32")]
mod bindings;

pub mod config;
pub mod domain;
pub mod error;
pub mod extract;
pub mod jira;
pub mod lifecycle;
pub mod mapping;
pub mod record;
pub mod site;

#[cfg(target_arch = "wasm32")]
mod component {
    use std::cell::RefCell;

    use crate::bindings::balkanid::extractor::lifecycle as wl;
    use crate::bindings::balkanid::extractor::types as wit;
    use crate::bindings::exports::balkanid::extractor::connector::{
        Extraction as WitExtraction, Guest, GuestExtraction,
    };
    use crate::config::Config;
    use crate::domain;
    use crate::error::Error;
    use crate::extract::{Batch, Extraction};
    use crate::jira::connect::{AuthMode, Connection, connect};
    use crate::jira::executor::RetryPolicy;
    use crate::jira::transport::Timeouts;
    use crate::jira::wasi_transport::WasiTransport;
    use crate::lifecycle::{self, Action, Holder, RoleActor};

    struct Configured {
        config: Config,
        connection: Connection,
    }

    thread_local! {
        static CONFIGURED: RefCell<Option<Configured>> = const { RefCell::new(None) };
    }

    struct Component;

    impl Guest for Component {
        type Extraction = ExtractionResource;

        fn configure(config: String) -> Result<wit::ConnectionInfo, wit::Error> {
            let config = Config::parse(&config).map_err(to_wit_error)?;
            let transport = WasiTransport::new(Timeouts::within(config.request_timeout()));
            let connection = connect(
                transport,
                &config,
                RetryPolicy::with_budget(config.retry_budget()),
            )
            .map_err(to_wit_error)?;
            let info = connection_info(&connection);
            CONFIGURED.with(|c| *c.borrow_mut() = Some(Configured { config, connection }));
            Ok(info)
        }

        fn extract(resume: Option<String>) -> Result<WitExtraction, wit::Error> {
            CONFIGURED.with(|c| {
                let c = c.borrow();
                let configured = c
                    .as_ref()
                    .ok_or_else(|| to_wit_error(Error::NotConfigured))?;
                let config = &configured.config;
                let api = configured.connection.api.clone();
                let transport = WasiTransport::new(Timeouts::within(config.request_timeout()));
                let policy = RetryPolicy::with_budget(config.retry_budget());
                let extraction = match resume {
                    None => Extraction::new(api, transport, config.max_concurrency(), policy),
                    Some(cursor) => Extraction::resume(
                        api,
                        transport,
                        config.max_concurrency(),
                        policy,
                        &cursor,
                    )
                    .map_err(to_wit_error)?,
                };
                Ok(WitExtraction::new(ExtractionResource(RefCell::new(
                    extraction,
                ))))
            })
        }

        fn apply_lifecycle_action(action: wl::Action) -> Result<wl::Outcome, wit::Error> {
            CONFIGURED.with(|c| {
                let c = c.borrow();
                let configured = c
                    .as_ref()
                    .ok_or_else(|| to_wit_error(Error::NotConfigured))?;
                let config = &configured.config;
                let outcome = lifecycle::apply(
                    &configured.connection.api,
                    WasiTransport::new(Timeouts::within(config.request_timeout())),
                    RetryPolicy::with_budget(config.retry_budget()),
                    &from_wit_action(action),
                )
                .map_err(to_wit_error)?;
                Ok(to_wit_outcome(outcome))
            })
        }
    }

    struct ExtractionResource(RefCell<Extraction<WasiTransport>>);

    impl GuestExtraction for ExtractionResource {
        fn next(&self) -> Result<Option<wit::Batch>, wit::Error> {
            let batch = self.0.borrow_mut().next_batch().map_err(to_wit_error)?;
            Ok(batch.map(to_wit_batch))
        }

        fn resume_cursor(&self) -> Option<String> {
            self.0.borrow().resume_cursor()
        }
    }

    fn from_wit_actor(actor: wl::RoleActor) -> RoleActor {
        match actor {
            wl::RoleActor::User(a) => RoleActor::User(a),
            wl::RoleActor::Group(g) => RoleActor::Group(g),
        }
    }

    fn from_wit_action(action: wl::Action) -> Action {
        match action {
            wl::Action::AddGroupMember(m) => Action::AddGroupMember {
                account_id: m.account_id,
                group_id: m.group_id,
            },
            wl::Action::RemoveGroupMember(m) => Action::RemoveGroupMember {
                account_id: m.account_id,
                group_id: m.group_id,
            },
            wl::Action::CreateGroup(name) => Action::CreateGroup { name },
            wl::Action::DeleteGroup(d) => Action::DeleteGroup {
                group_id: d.group_id,
                swap_group_id: d.swap_group_id,
            },
            wl::Action::AddProjectRoleActor(r) => Action::AddProjectRoleActor {
                project_id: r.project_id,
                role_id: r.role_id,
                actor: from_wit_actor(r.actor),
            },
            wl::Action::RemoveProjectRoleActor(r) => Action::RemoveProjectRoleActor {
                project_id: r.project_id,
                role_id: r.role_id,
                actor: from_wit_actor(r.actor),
            },
            wl::Action::AddPermissionGrant(g) => Action::AddPermissionGrant {
                scheme_id: g.scheme_id,
                permission: g.permission,
                holder: match g.holder {
                    wl::GrantHolder::Group(id) => Holder::Group(id),
                    wl::GrantHolder::User(id) => Holder::User(id),
                    wl::GrantHolder::ProjectRole(id) => Holder::ProjectRole(id),
                    wl::GrantHolder::ApplicationRole(key) => Holder::ApplicationRole(key),
                    wl::GrantHolder::Anyone => Holder::Anyone,
                    wl::GrantHolder::ProjectLead => Holder::ProjectLead,
                    wl::GrantHolder::Reporter => Holder::Reporter,
                    wl::GrantHolder::Assignee => Holder::Assignee,
                },
            },
            wl::Action::RemovePermissionGrant(g) => Action::RemovePermissionGrant {
                scheme_id: g.scheme_id,
                grant_id: g.grant_id,
            },
            wl::Action::SetUserProperty(p) => Action::SetUserProperty {
                account_id: p.account_id,
                key: p.key,
                value_json: p.value_json,
            },
            wl::Action::DeleteUserProperty(p) => Action::DeleteUserProperty {
                account_id: p.account_id,
                key: p.key,
            },
        }
    }

    fn to_wit_outcome(o: lifecycle::Outcome) -> wl::Outcome {
        wl::Outcome {
            status: match o.status {
                lifecycle::Status::Applied => wl::OutcomeStatus::Applied,
                lifecycle::Status::AlreadyInState => wl::OutcomeStatus::AlreadyInState,
            },
            created_id: o.created_id,
            exchanges: o
                .exchanges
                .into_iter()
                .map(|e| wl::Exchange {
                    method: e.method.to_owned(),
                    path: e.path,
                    status: e.status,
                })
                .collect(),
        }
    }

    fn connection_info(c: &Connection) -> wit::ConnectionInfo {
        wit::ConnectionInfo {
            mode: match c.mode {
                AuthMode::Unscoped => wit::AuthMode::Unscoped,
                AuthMode::Scoped => wit::AuthMode::Scoped,
            },
            site_url: c.site_url.clone(),
            api_base_url: c.api.base_url(),
            cloud_id: c.cloud_id.as_ref().map(|id| id.as_str().to_owned()),
            account_id: c.account_id.clone(),
            display_name: c.display_name.clone(),
        }
    }

    fn to_wit_batch(b: Batch) -> wit::Batch {
        wit::Batch {
            entities: b.entities.into_iter().map(to_wit_entity).collect(),
            relations: b.relations.into_iter().map(to_wit_relation).collect(),
            progress: wit::Progress {
                phase: b.progress.phase.to_owned(),
                done: b.progress.done,
                total: b.progress.total,
            },
        }
    }

    fn to_wit_entity(e: domain::Entity) -> wit::Entity {
        wit::Entity {
            kind: e.kind.to_owned(),
            id: e.id,
            name: e.name,
            attributes: to_wit_attributes(e.attributes),
        }
    }

    fn to_wit_relation(r: domain::Relation) -> wit::Relation {
        wit::Relation {
            kind: r.kind.to_owned(),
            source: to_wit_ref(r.from),
            target: to_wit_ref(r.to),
            attributes: to_wit_attributes(r.attributes),
        }
    }

    fn to_wit_ref(r: domain::EntityRef) -> wit::EntityRef {
        wit::EntityRef {
            kind: r.kind.to_owned(),
            id: r.id,
        }
    }

    fn to_wit_attributes(attributes: domain::Attributes) -> Vec<wit::Attribute> {
        attributes
            .into_iter()
            .map(|(name, value)| wit::Attribute {
                name: name.to_owned(),
                value: match value {
                    domain::Value::Null => wit::Value::Null,
                    domain::Value::Bool(b) => wit::Value::Boolean(b),
                    domain::Value::Int(i) => wit::Value::Integer(i),
                    domain::Value::Text(s) => wit::Value::Text(s),
                    domain::Value::Texts(v) => wit::Value::Texts(v),
                },
            })
            .collect()
    }

    fn to_wit_error(e: Error) -> wit::Error {
        fn failure(f: crate::error::RequestFailure) -> wit::RequestFailure {
            wit::RequestFailure {
                step: f.step,
                endpoint: f.endpoint,
                message: f.message,
            }
        }
        match e {
            Error::InvalidConfig { field, reason } => {
                wit::Error::InvalidConfig(wit::FieldError { field, reason })
            }
            Error::NotConfigured => wit::Error::NotConfigured,
            Error::Unauthorized(f) => wit::Error::Unauthorized(failure(f)),
            Error::Forbidden {
                request,
                permission,
                scopes,
            } => wit::Error::Forbidden(wit::Forbidden {
                request: failure(request),
                permission,
                scopes,
            }),
            Error::NotFound(f) => wit::Error::NotFound(failure(f)),
            Error::RateLimited {
                request,
                retry_after_seconds,
                attempts,
            } => wit::Error::RateLimited(wit::RateLimited {
                request: failure(request),
                retry_after_seconds,
                attempts,
            }),
            Error::Network(f) => wit::Error::Network(failure(f)),
            Error::InvalidResponse(f) => wit::Error::InvalidResponse(failure(f)),
            Error::Upstream {
                request,
                status,
                messages,
            } => wit::Error::Upstream(wit::UpstreamError {
                request: failure(request),
                status,
                messages,
            }),
            Error::InvalidAction { field, reason } => {
                wit::Error::InvalidAction(wit::FieldError { field, reason })
            }
            Error::Rejected {
                request,
                status,
                messages,
            } => wit::Error::Rejected(wit::UpstreamError {
                request: failure(request),
                status,
                messages,
            }),
            Error::InvalidCursor(m) => wit::Error::InvalidCursor(m),
            Error::Unsupported(m) => wit::Error::Unsupported(m),
            Error::Other(m) => wit::Error::Other(m),
        }
    }

    /// `wasmtime run`: the connector as a command, for trying it without a
    /// host of one's own.
    impl crate::bindings::exports::wasi::cli::run::Guest for Component {
        fn run() -> Result<(), ()> {
            use std::io::{Read as _, Write as _};

            let args: Vec<String> = std::env::args().skip(1).collect();
            let command = args.first().map_or("extract", String::as_str);
            if !matches!(command, "extract" | "check") {
                eprintln!(
                    "usage: extractor_jira.wasm [extract|check], with the vendor config in JIRA_CONFIG or on standard input"
                );
                return Err(());
            }
            let config = match std::env::var("JIRA_CONFIG") {
                Ok(config) => config,
                Err(_) => {
                    let mut config = String::new();
                    if std::io::stdin().read_to_string(&mut config).is_err() {
                        eprintln!("error: could not read the config from standard input");
                        return Err(());
                    }
                    config
                }
            };
            let fail = |e: Error| {
                eprintln!("error: {e}");
            };
            let config = Config::parse(&config).map_err(fail)?;
            let connection = connect(
                WasiTransport::new(Timeouts::within(config.request_timeout())),
                &config,
                RetryPolicy::with_budget(config.retry_budget()),
            )
            .map_err(fail)?;
            let mut out = std::io::stdout().lock();
            if command == "check" {
                let info = connection_info(&connection);
                let mode = match info.mode {
                    wit::AuthMode::Unscoped => "unscoped",
                    wit::AuthMode::Scoped => "scoped",
                };
                let json = serde_json::json!({"mode": mode, "siteUrl": info.site_url,
                    "apiBaseUrl": info.api_base_url, "cloudId": info.cloud_id,
                    "accountId": info.account_id, "displayName": info.display_name});
                return writeln!(out, "{json}").map_err(|_| ());
            }
            let mut extraction = Extraction::new(
                connection.api,
                WasiTransport::new(Timeouts::within(config.request_timeout())),
                config.max_concurrency(),
                RetryPolicy::with_budget(config.retry_budget()),
            );
            loop {
                match extraction.next_batch() {
                    Ok(Some(batch)) => {
                        let lines = batch
                            .entities
                            .iter()
                            .map(crate::record::entity)
                            .chain(batch.relations.iter().map(crate::record::relation));
                        for line in lines {
                            writeln!(out, "{line}").map_err(|_| ())?;
                        }
                        let p = &batch.progress;
                        let total = p.total.map(|t| format!("/{t}")).unwrap_or_default();
                        eprintln!("{} {}{total}", p.phase, p.done);
                    }
                    Ok(None) => return out.flush().map_err(|_| ()),
                    Err(e) => {
                        let _ = out.flush();
                        fail(e);
                        return Err(());
                    }
                }
            }
        }
    }

    crate::bindings::export!(Component with_types_in crate::bindings);
}
