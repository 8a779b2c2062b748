//! The rules of the connector's HTTP service (`wasi:http/incoming-handler`,
//! for `wasmtime serve`, Spin and wasmCloud): which routes exist, which
//! status each typed error gets, and the JSON of every answer.
//!
//! Kept apart from `component::http`, which only moves bytes through
//! `wasi:http`, so that these rules are plain Rust and tested natively.
//!
//! - `POST /check`, the vendor config as the body: the connection as JSON.
//! - `POST /extract`, the config as the body: NDJSON, one record per line as
//!   batches arrive, then `{"record": "end", ...}` with the counts; a failure
//!   after the first byte ends the stream with `{"record": "error", ...}`
//!   and no `end` line.
//! - `POST /apply`, `{"config": {...}, "action": {...}}`: the outcome.
//!
//! A typed error before the first byte is the answer's whole body, as
//! [`error_json`], with the status [`status_of`] gives it.

use serde::Deserialize;
use serde_json::{Value as Json, json};

use crate::error::{Error, RequestFailure};
use crate::extract::Batch;
use crate::lifecycle::{Action, Holder, Outcome, RoleActor, Status};

/// The most a response body is written in one `blocking-write-and-flush`:
/// the 4096 bytes `wasi:io/streams` promises that call accepts.
pub const WRITE_CHUNK: usize = 4096;

/// The largest request body the service reads. A config or an action is a
/// few hundred bytes; more is refused with 413 rather than buffered.
pub const MAX_REQUEST_BODY: usize = 1024 * 1024;

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `POST /check`.
    Check,
    /// `POST /extract`.
    Extract,
    /// `POST /apply`.
    Apply,
}

/// Where a request goes: a route, or the status that refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routing {
    /// A known path with the right method.
    Found(Route),
    /// No such path: 404.
    NotFound,
    /// A known path with another method than POST: 405 with `allow: POST`.
    MethodNotAllowed,
}

/// Routes `method` and `path_with_query` (the query is ignored: no route
/// takes one).
pub fn route(method: &str, path_with_query: &str) -> Routing {
    let path = path_with_query
        .split_once('?')
        .map_or(path_with_query, |(p, _)| p);
    let route = match path {
        "/check" => Route::Check,
        "/extract" => Route::Extract,
        "/apply" => Route::Apply,
        _ => return Routing::NotFound,
    };
    if method == "POST" {
        Routing::Found(route)
    } else {
        Routing::MethodNotAllowed
    }
}

/// The HTTP status a typed error is answered with, before any byte of a
/// body was sent: the caller's mistakes are 4xx, Jira's refusals keep their
/// meaning (401, 403, 404, 429), and what went wrong between the service and
/// Jira is 502.
pub fn status_of(e: &Error) -> u16 {
    match e {
        Error::InvalidConfig { .. } | Error::InvalidAction { .. } | Error::InvalidCursor(_) => 400,
        Error::Unauthorized(_) => 401,
        Error::Forbidden { .. } => 403,
        Error::NotFound(_) => 404,
        // Jira refused a well-formed change for a reason the caller must resolve.
        Error::Rejected { .. } => 409,
        Error::RateLimited { .. } => 429,
        Error::Network(_) | Error::InvalidResponse(_) | Error::Upstream { .. } => 502,
        Error::Unsupported(_) => 501,
        Error::NotConfigured | Error::Other(_) => 500,
    }
}

fn request_json(r: &RequestFailure) -> Json {
    json!({"step": r.step, "endpoint": r.endpoint, "message": r.message})
}

/// A typed error as JSON: `{"error": "<the WIT case>", "message": "<the
/// sentences the command line prints>", ...}` plus the case's own fields
/// (`field` and `reason`, `request`, `status`, `permission`...). Like the
/// error itself, it never holds a credential.
pub fn error_json(e: &Error) -> Json {
    let (kind, mut details) = match e {
        Error::InvalidConfig { field, reason } => {
            ("invalid-config", json!({"field": field, "reason": reason}))
        }
        Error::NotConfigured => ("not-configured", json!({})),
        Error::Unauthorized(r) => ("unauthorized", json!({"request": request_json(r)})),
        Error::Forbidden {
            request,
            permission,
            scopes,
        } => (
            "forbidden",
            json!({"request": request_json(request), "permission": permission, "scopes": scopes}),
        ),
        Error::NotFound(r) => ("not-found", json!({"request": request_json(r)})),
        Error::RateLimited {
            request,
            retry_after_seconds,
            attempts,
        } => (
            "rate-limited",
            json!({"request": request_json(request),
                   "retryAfterSeconds": retry_after_seconds, "attempts": attempts}),
        ),
        Error::Network(r) => ("network", json!({"request": request_json(r)})),
        Error::InvalidResponse(r) => ("invalid-response", json!({"request": request_json(r)})),
        Error::Upstream {
            request,
            status,
            messages,
        } => (
            "upstream",
            json!({"request": request_json(request), "status": status, "messages": messages}),
        ),
        Error::InvalidAction { field, reason } => {
            ("invalid-action", json!({"field": field, "reason": reason}))
        }
        Error::Rejected {
            request,
            status,
            messages,
        } => (
            "rejected",
            json!({"request": request_json(request), "status": status, "messages": messages}),
        ),
        Error::InvalidCursor(m) => ("invalid-cursor", json!({"reason": m})),
        Error::Unsupported(m) => ("unsupported", json!({"reason": m})),
        Error::Other(m) => ("other", json!({"reason": m})),
    };
    if let Json::Object(m) = &mut details {
        m.insert("error".into(), json!(kind));
        m.insert("message".into(), json!(e.to_string()));
    }
    details
}

/// The line that ends a stream cut by `e`: [`error_json`] with
/// `"record": "error"`. A stream that ends in it is incomplete.
pub fn error_record(e: &Error) -> Json {
    let mut line = error_json(e);
    if let Json::Object(m) = &mut line {
        m.insert("record".into(), json!("error"));
    }
    line
}

/// What a stream delivered, for its `end` line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub entities: u64,
    pub relations: u64,
    pub entitlements: u64,
    pub batches: u64,
}

impl Counts {
    /// Counts `batch` in.
    pub fn add(&mut self, batch: &Batch) {
        self.entities += batch.entities.len() as u64;
        self.relations += batch.relations.len() as u64;
        self.entitlements += batch.entitlements.len() as u64;
        self.batches += 1;
    }
}

/// The last line of a complete stream: `{"record": "end", "entities": N,
/// "relations": N, "entitlements": N, "batches": N}`. A client that did not
/// read it did not get everything.
pub fn end_record(c: &Counts) -> Json {
    json!({"record": "end", "entities": c.entities, "relations": c.relations,
           "entitlements": c.entitlements, "batches": c.batches})
}

/// A batch's records, one NDJSON line each (with its newline), in the order
/// the `wasi:cli/run` command prints them: entities, relations, entitlements.
pub fn batch_lines(batch: &Batch) -> impl Iterator<Item = String> + '_ {
    batch
        .entities
        .iter()
        .map(crate::record::entity)
        .chain(batch.relations.iter().map(crate::record::relation))
        .chain(batch.entitlements.iter().map(crate::record::entitlement))
        .map(|line| format!("{line}\n"))
}

/// The body of `POST /apply`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplyBody {
    config: Option<Json>,
    action: Option<Json>,
}

/// Reads `POST /apply`'s body: the vendor config (as the JSON text
/// `configure` takes) and the action, in the JSON form `extractor-jira
/// apply --action` reads. Nothing is sent before this succeeds.
pub fn parse_apply(body: &str) -> Result<(String, Action), Error> {
    let body: ApplyBody = serde_json::from_str(body).map_err(|e| {
        Error::invalid_config(
            "body",
            format!(
                "must be {{\"config\": {{...}}, \"action\": {{...}}}} ({})",
                e.classify_message()
            ),
        )
    })?;
    let config = body
        .config
        .ok_or_else(|| Error::invalid_config("config", "is missing"))?;
    let action = body
        .action
        .ok_or_else(|| Error::invalid_action("action", "is missing"))?;
    let spec: ActionSpec = serde_json::from_value(action)
        .map_err(|e| Error::invalid_action("action", e.to_string()))?;
    Ok((config.to_string(), spec.into()))
}

/// A short, value-free description of a JSON error, for the body's shape.
trait Classify {
    fn classify_message(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    fn classify_message(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io | serde_json::error::Category::Eof => {
                "the body ended early"
            }
            serde_json::error::Category::Syntax => "the body is not JSON",
            serde_json::error::Category::Data => "unexpected fields or types",
        }
    }
}

/// An action as JSON: `action` names it, the other keys are its arguments.
/// `POST /apply` and `extractor-jira apply --action` both read this one
/// definition (the host through `host-test/src/action.rs`).
///
/// ```json
/// {"action": "add-group-member", "accountId": "5b10ac8d82e05b22cc7d4ef5", "groupId": "276f955c-..."}
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(
    tag = "action",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum ActionSpec {
    AddGroupMember {
        account_id: String,
        group_id: String,
    },
    RemoveGroupMember {
        account_id: String,
        group_id: String,
    },
    CreateGroup {
        name: String,
    },
    DeleteGroup {
        group_id: String,
        #[serde(default)]
        swap_group_id: Option<String>,
    },
    AddProjectRoleActor {
        project_id: String,
        role_id: String,
        actor: ActorSpec,
    },
    RemoveProjectRoleActor {
        project_id: String,
        role_id: String,
        actor: ActorSpec,
    },
    AddPermissionGrant {
        scheme_id: u64,
        permission: String,
        holder: HolderSpec,
    },
    RemovePermissionGrant {
        scheme_id: u64,
        grant_id: u64,
    },
    SetUserProperty {
        account_id: String,
        key: String,
        value: Json,
    },
    DeleteUserProperty {
        account_id: String,
        key: String,
    },
}

/// `{"user": "<accountId>"}` or `{"group": "<groupId>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum ActorSpec {
    User(String),
    Group(String),
}

/// Jira's holder type names: `{"type": "group", "id": "..."}`, `{"type": "anyone"}`...
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum HolderSpec {
    Group {
        id: String,
    },
    User {
        id: String,
    },
    ProjectRole {
        id: String,
    },
    ApplicationRole {
        #[serde(default)]
        key: String,
    },
    Anyone,
    ProjectLead,
    Reporter,
    Assignee,
}

impl From<ActorSpec> for RoleActor {
    fn from(a: ActorSpec) -> Self {
        match a {
            ActorSpec::User(id) => RoleActor::User(id),
            ActorSpec::Group(id) => RoleActor::Group(id),
        }
    }
}

impl From<HolderSpec> for Holder {
    fn from(h: HolderSpec) -> Self {
        match h {
            HolderSpec::Group { id } => Holder::Group(id),
            HolderSpec::User { id } => Holder::User(id),
            HolderSpec::ProjectRole { id } => Holder::ProjectRole(id),
            HolderSpec::ApplicationRole { key } => Holder::ApplicationRole(key),
            HolderSpec::Anyone => Holder::Anyone,
            HolderSpec::ProjectLead => Holder::ProjectLead,
            HolderSpec::Reporter => Holder::Reporter,
            HolderSpec::Assignee => Holder::Assignee,
        }
    }
}

impl From<ActionSpec> for Action {
    fn from(spec: ActionSpec) -> Self {
        match spec {
            ActionSpec::AddGroupMember {
                account_id,
                group_id,
            } => Action::AddGroupMember {
                account_id,
                group_id,
            },
            ActionSpec::RemoveGroupMember {
                account_id,
                group_id,
            } => Action::RemoveGroupMember {
                account_id,
                group_id,
            },
            ActionSpec::CreateGroup { name } => Action::CreateGroup { name },
            ActionSpec::DeleteGroup {
                group_id,
                swap_group_id,
            } => Action::DeleteGroup {
                group_id,
                swap_group_id,
            },
            ActionSpec::AddProjectRoleActor {
                project_id,
                role_id,
                actor,
            } => Action::AddProjectRoleActor {
                project_id,
                role_id,
                actor: actor.into(),
            },
            ActionSpec::RemoveProjectRoleActor {
                project_id,
                role_id,
                actor,
            } => Action::RemoveProjectRoleActor {
                project_id,
                role_id,
                actor: actor.into(),
            },
            ActionSpec::AddPermissionGrant {
                scheme_id,
                permission,
                holder,
            } => Action::AddPermissionGrant {
                scheme_id,
                permission,
                holder: holder.into(),
            },
            ActionSpec::RemovePermissionGrant {
                scheme_id,
                grant_id,
            } => Action::RemovePermissionGrant {
                scheme_id,
                grant_id,
            },
            ActionSpec::SetUserProperty {
                account_id,
                key,
                value,
            } => Action::SetUserProperty {
                account_id,
                key,
                value_json: value.to_string(),
            },
            ActionSpec::DeleteUserProperty { account_id, key } => {
                Action::DeleteUserProperty { account_id, key }
            }
        }
    }
}

/// An outcome as JSON, as `extractor-jira apply` prints it: `{"status":
/// "applied", "createdId": null, "exchanges": [{"method", "path", "status"}]}`.
pub fn outcome_json(o: &Outcome) -> Json {
    json!({
        "status": match o.status {
            Status::Applied => "applied",
            Status::AlreadyInState => "already-in-state",
        },
        "createdId": o.created_id,
        "exchanges": o.exchanges.iter().map(|e| json!({
            "method": e.method, "path": e.path, "status": e.status
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_finds_post_routes_and_refuses_the_rest() {
        assert_eq!(route("POST", "/check"), Routing::Found(Route::Check));
        assert_eq!(
            route("POST", "/extract?x=1"),
            Routing::Found(Route::Extract)
        );
        assert_eq!(route("POST", "/apply"), Routing::Found(Route::Apply));
        assert_eq!(route("GET", "/extract"), Routing::MethodNotAllowed);
        assert_eq!(route("PUT", "/apply"), Routing::MethodNotAllowed);
        assert_eq!(route("POST", "/"), Routing::NotFound);
        assert_eq!(route("POST", "/check/"), Routing::NotFound);
        assert_eq!(route("GET", "/admin"), Routing::NotFound);
    }

    #[test]
    fn status_of_maps_each_error_to_its_status() {
        let r = || RequestFailure::new("read the account", "GET /rest/api/3/myself", "No.");
        let upstream = |status| Error::Upstream {
            request: r(),
            status,
            messages: vec![],
        };
        let cases = [
            (Error::invalid_config("appConfig.siteName", "is bad"), 400),
            (Error::invalid_action("action", "is bad"), 400),
            (Error::InvalidCursor("x".into()), 400),
            (Error::Unauthorized(r()), 401),
            (
                Error::Forbidden {
                    request: r(),
                    permission: None,
                    scopes: vec![],
                },
                403,
            ),
            (Error::NotFound(r()), 404),
            (
                Error::RateLimited {
                    request: r(),
                    retry_after_seconds: Some(3),
                    attempts: 4,
                },
                429,
            ),
            (Error::Network(r()), 502),
            (Error::InvalidResponse(r()), 502),
            (upstream(500), 502),
            (Error::Other("x".into()), 500),
        ];
        for (e, status) in cases {
            assert_eq!(status_of(&e), status, "{e:?}");
        }
    }

    #[test]
    fn error_json_names_the_case_and_carries_its_fields() {
        let e = Error::invalid_config("appConfig.siteName", "must be a site name");
        let j = error_json(&e);
        assert_eq!(j["error"], "invalid-config");
        assert_eq!(j["field"], "appConfig.siteName");
        assert_eq!(j["message"], e.to_string());
        assert!(j.get("record").is_none());
        let e = Error::Forbidden {
            request: RequestFailure::new("list groups", "GET /rest/api/3/group/bulk", "No."),
            permission: Some("Browse users and groups".into()),
            scopes: vec!["read:group:jira".into()],
        };
        let line = error_record(&e);
        assert_eq!(line["record"], "error");
        assert_eq!(line["error"], "forbidden");
        assert_eq!(line["request"]["endpoint"], "GET /rest/api/3/group/bulk");
        assert_eq!(line["scopes"], json!(["read:group:jira"]));
    }

    #[test]
    fn end_record_carries_the_counts() {
        let mut c = Counts::default();
        c.add(&Batch {
            entities: vec![],
            relations: vec![],
            entitlements: vec![],
            progress: crate::extract::Progress {
                phase: "users",
                done: 0,
                total: None,
            },
        });
        assert_eq!(
            end_record(&c),
            json!({"record": "end", "entities": 0, "relations": 0, "entitlements": 0, "batches": 1})
        );
    }

    #[test]
    fn parse_apply_reads_config_and_action() {
        let (config, action) = parse_apply(
            r#"{"config": {"appConfig": {"siteName": "acme"}},
                "action": {"action": "add-group-member", "accountId": "a", "groupId": "g"}}"#,
        )
        .unwrap();
        assert_eq!(config, r#"{"appConfig":{"siteName":"acme"}}"#);
        assert_eq!(
            action,
            Action::AddGroupMember {
                account_id: "a".into(),
                group_id: "g".into()
            }
        );
        let (_, action) = parse_apply(
            r#"{"config": {}, "action": {"action": "set-user-property", "accountId": "a", "key": "k", "value": {"x": [1, 2]}}}"#,
        )
        .unwrap();
        match action {
            Action::SetUserProperty { value_json, .. } => assert_eq!(value_json, r#"{"x":[1,2]}"#),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parse_apply_refuses_bad_bodies_with_typed_errors() {
        let field = |body: &str| match parse_apply(body) {
            Err(Error::InvalidConfig { field, .. }) => format!("config:{field}"),
            Err(Error::InvalidAction { field, .. }) => format!("action:{field}"),
            other => panic!("{body}: {other:?}"),
        };
        assert_eq!(field("not json"), "config:body");
        assert_eq!(field(r#"{"config": {}, "extra": 1}"#), "config:body");
        assert_eq!(field(r#"{"action": {}}"#), "config:config");
        assert_eq!(field(r#"{"config": {}}"#), "action:action");
        assert_eq!(
            field(r#"{"config": {}, "action": {"action": "grant-everything"}}"#),
            "action:action"
        );
        assert_eq!(
            field(r#"{"config": {}, "action": {"action": "create-group", "name": "n", "x": 1}}"#),
            "action:action"
        );
    }
}
