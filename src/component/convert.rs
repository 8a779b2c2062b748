//! Every conversion between the WIT types (generated in `crate::bindings`)
//! and the connector's own types, as `From` impls, so that neither side
//! knows the other's shape and the rest of the component stays in Rust terms.

use crate::bindings::balkanid::extractor::lifecycle as wl;
use crate::bindings::balkanid::extractor::types as wit;
use crate::domain;
use crate::error::{Error, RequestFailure};
use crate::extract::Batch;
use crate::jira::connect::{AuthMode, Connection};
use crate::lifecycle::{Action, Holder, Outcome, RoleActor, Status};

impl From<wl::RoleActor> for RoleActor {
    fn from(actor: wl::RoleActor) -> Self {
        match actor {
            wl::RoleActor::User(a) => RoleActor::User(a),
            wl::RoleActor::Group(g) => RoleActor::Group(g),
        }
    }
}

impl From<wl::GrantHolder> for Holder {
    fn from(holder: wl::GrantHolder) -> Self {
        match holder {
            wl::GrantHolder::Group(id) => Holder::Group(id),
            wl::GrantHolder::User(id) => Holder::User(id),
            wl::GrantHolder::ProjectRole(id) => Holder::ProjectRole(id),
            wl::GrantHolder::ApplicationRole(key) => Holder::ApplicationRole(key),
            wl::GrantHolder::Anyone => Holder::Anyone,
            wl::GrantHolder::ProjectLead => Holder::ProjectLead,
            wl::GrantHolder::Reporter => Holder::Reporter,
            wl::GrantHolder::Assignee => Holder::Assignee,
        }
    }
}

impl From<wl::Action> for Action {
    fn from(action: wl::Action) -> Self {
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
                actor: r.actor.into(),
            },
            wl::Action::RemoveProjectRoleActor(r) => Action::RemoveProjectRoleActor {
                project_id: r.project_id,
                role_id: r.role_id,
                actor: r.actor.into(),
            },
            wl::Action::AddPermissionGrant(g) => Action::AddPermissionGrant {
                scheme_id: g.scheme_id,
                permission: g.permission,
                holder: g.holder.into(),
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
}

impl From<Outcome> for wl::Outcome {
    fn from(o: Outcome) -> Self {
        wl::Outcome {
            status: match o.status {
                Status::Applied => wl::OutcomeStatus::Applied,
                Status::AlreadyInState => wl::OutcomeStatus::AlreadyInState,
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
}

impl From<&Connection> for wit::ConnectionInfo {
    fn from(c: &Connection) -> Self {
        wit::ConnectionInfo {
            mode: match c.mode {
                AuthMode::Unscoped => wit::AuthMode::Unscoped,
                AuthMode::Scoped => wit::AuthMode::Scoped,
            },
            site_url: c.site_url.clone(),
            api_base_url: c.api.base_url(),
            cloud_id: Some(c.cloud_id.as_str().to_owned()),
            account_id: c.account_id.clone(),
            display_name: c.display_name.clone(),
            global_permissions: c.global_permissions.held.clone(),
            org_id: c.api.org().map(|o| o.org_id().to_owned()),
        }
    }
}

impl From<Batch> for wit::Batch {
    fn from(b: Batch) -> Self {
        wit::Batch {
            entities: b.entities.into_iter().map(Into::into).collect(),
            relations: b.relations.into_iter().map(Into::into).collect(),
            entitlements: b.entitlements.into_iter().map(Into::into).collect(),
            progress: wit::Progress {
                phase: b.progress.phase.to_owned(),
                done: b.progress.done,
                total: b.progress.total,
            },
        }
    }
}

impl From<domain::Entity> for wit::Entity {
    fn from(e: domain::Entity) -> Self {
        wit::Entity {
            kind: e.kind.to_owned(),
            id: e.id,
            name: e.name,
            attributes: attributes(e.attributes),
            balkanid: e.balkanid.map(Into::into),
        }
    }
}

impl From<domain::Classification> for wit::Classification {
    fn from(c: domain::Classification) -> Self {
        wit::Classification {
            class: match c.class {
                domain::Class::Identity => wit::EntityClass::Identity,
                domain::Class::Connection => wit::EntityClass::Connection,
                domain::Class::Resource => wit::EntityClass::Resource,
            },
            source_type: c.source_type.to_owned(),
            name: c.name,
        }
    }
}

impl From<domain::Privilege> for wit::Privilege {
    fn from(p: domain::Privilege) -> Self {
        wit::Privilege {
            name: p.name,
            connection_type: p.connection_type.to_owned(),
        }
    }
}

impl From<domain::Labelled> for wit::Labelled {
    fn from(l: domain::Labelled) -> Self {
        wit::Labelled {
            name: l.name,
            kind: l.kind.to_owned(),
        }
    }
}

impl From<domain::Entitlement> for wit::Entitlement {
    fn from(e: domain::Entitlement) -> Self {
        wit::Entitlement {
            identity: e.identity,
            privilege_name: e.privilege_name,
            privilege_value: e.value,
            connection: e.connection.map(Into::into),
            resource: e.resource.map(Into::into),
        }
    }
}

impl From<domain::Relation> for wit::Relation {
    fn from(r: domain::Relation) -> Self {
        wit::Relation {
            kind: r.kind.to_owned(),
            source: r.from.into(),
            target: r.to.into(),
            attributes: attributes(r.attributes),
            privilege: r.privilege.map(Into::into),
        }
    }
}

impl From<domain::EntityRef> for wit::EntityRef {
    fn from(r: domain::EntityRef) -> Self {
        wit::EntityRef {
            kind: r.kind.to_owned(),
            id: r.id,
        }
    }
}

impl From<domain::Value> for wit::Value {
    fn from(value: domain::Value) -> Self {
        match value {
            domain::Value::Null => wit::Value::Null,
            domain::Value::Bool(b) => wit::Value::Boolean(b),
            domain::Value::Int(i) => wit::Value::Integer(i),
            domain::Value::Text(s) => wit::Value::Text(s),
            domain::Value::Texts(v) => wit::Value::Texts(v),
            domain::Value::Json(doc) => wit::Value::Json(doc),
            domain::Value::Timestamp(at) => wit::Value::Timestamp(at),
            domain::Value::Timestamps(v) => wit::Value::Timestamps(
                v.into_iter()
                    .map(|(label, at)| wit::Stamp { label, at })
                    .collect(),
            ),
        }
    }
}

/// `domain::Attributes` is a plain vector of pairs, so this cannot be a
/// `From` impl of its own.
fn attributes(attributes: domain::Attributes) -> Vec<wit::Attribute> {
    attributes
        .into_iter()
        .map(|(name, value)| wit::Attribute {
            name: name.to_owned(),
            value: value.into(),
        })
        .collect()
}

impl From<RequestFailure> for wit::RequestFailure {
    fn from(f: RequestFailure) -> Self {
        wit::RequestFailure {
            step: f.step,
            endpoint: f.endpoint,
            message: f.message,
        }
    }
}

impl From<Error> for wit::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::InvalidConfig { field, reason } => {
                wit::Error::InvalidConfig(wit::FieldError { field, reason })
            }
            Error::NotConfigured => wit::Error::NotConfigured,
            Error::Unauthorized(f) => wit::Error::Unauthorized(f.into()),
            Error::Forbidden {
                request,
                permission,
                scopes,
            } => wit::Error::Forbidden(wit::Forbidden {
                request: request.into(),
                permission,
                scopes,
            }),
            Error::NotFound(f) => wit::Error::NotFound(f.into()),
            Error::RateLimited {
                request,
                retry_after_seconds,
                attempts,
            } => wit::Error::RateLimited(wit::RateLimited {
                request: request.into(),
                retry_after_seconds,
                attempts,
            }),
            Error::Network(f) => wit::Error::Network(f.into()),
            Error::InvalidResponse(f) => wit::Error::InvalidResponse(f.into()),
            Error::Upstream {
                request,
                status,
                messages,
            } => wit::Error::Upstream(upstream(request, status, messages)),
            Error::InvalidAction { field, reason } => {
                wit::Error::InvalidAction(wit::FieldError { field, reason })
            }
            Error::Rejected {
                request,
                status,
                messages,
            } => wit::Error::Rejected(upstream(request, status, messages)),
            Error::InvalidCursor(m) => wit::Error::InvalidCursor(m),
            Error::Unsupported(m) => wit::Error::Unsupported(m),
            Error::Other(m) => wit::Error::Other(m),
        }
    }
}

/// Jira's answer to a request it refused or failed: the WIT shape of both
/// `upstream` and `rejected`.
fn upstream(request: RequestFailure, status: u16, messages: Vec<String>) -> wit::UpstreamError {
    wit::UpstreamError {
        request: request.into(),
        status,
        messages,
    }
}
