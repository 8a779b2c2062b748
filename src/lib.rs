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
pub mod mapping;

#[cfg(target_arch = "wasm32")]
mod component {
    use std::cell::RefCell;

    use crate::bindings::balkanid::extractor::lifecycle::{Action, Outcome};
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
    use crate::jira::waki_transport::WakiTransport;
    use crate::jira::wasi_transport::WasiTransport;

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
            let transport = WakiTransport::new(Timeouts::default());
            let connection =
                connect(transport, &config, RetryPolicy::default()).map_err(to_wit_error)?;
            let info = connection_info(&connection);
            CONFIGURED.with(|c| *c.borrow_mut() = Some(Configured { config, connection }));
            Ok(info)
        }

        fn extract() -> Result<WitExtraction, wit::Error> {
            CONFIGURED.with(|c| {
                let c = c.borrow();
                let configured = c
                    .as_ref()
                    .ok_or_else(|| to_wit_error(Error::NotConfigured))?;
                let extraction = Extraction::new(
                    configured.connection.api.clone(),
                    WasiTransport::new(Timeouts::default()),
                    configured.config.max_concurrency(),
                    RetryPolicy::default(),
                );
                Ok(WitExtraction::new(ExtractionResource(RefCell::new(
                    extraction,
                ))))
            })
        }

        fn apply_lifecycle_action(_action: Action) -> Result<Outcome, wit::Error> {
            CONFIGURED.with(|c| {
                if c.borrow().is_none() {
                    return Err(to_wit_error(Error::NotConfigured));
                }
                Err(to_wit_error(Error::Unsupported(
                    "lifecycle actions are not implemented in this version".into(),
                )))
            })
        }
    }

    struct ExtractionResource(RefCell<Extraction<WasiTransport>>);

    impl GuestExtraction for ExtractionResource {
        fn next(&self) -> Result<Option<wit::Batch>, wit::Error> {
            let batch = self.0.borrow_mut().next_batch().map_err(to_wit_error)?;
            Ok(batch.map(to_wit_batch))
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
            Error::Unsupported(m) => wit::Error::Unsupported(m),
            Error::Other(m) => wit::Error::Other(m),
        }
    }

    crate::bindings::export!(Component with_types_in crate::bindings);
}
