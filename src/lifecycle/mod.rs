//! Lifecycle actions: changes to access, each idempotent.
//!
//! Every action is validated before any request is sent. A success answer to
//! the write means `applied`. A 400 or 404 is ambiguous: Jira gives them both
//! for a change it had nothing to do for (a member already there, a role actor
//! or grant no longer there) and for a request it refused (no such user,
//! group, project, role or scheme), so the state is read back after the write,
//! never guessed from the message: `already-in-state` when the read shows the
//! state the action wants, and otherwise the write's own error. The only read
//! before a write is for user properties, because Jira's answer to a PUT
//! cannot tell a change from a no-op.
//!
//! Writes are retried only when Jira says it did not process them (429, 503).
//! After an ambiguous failure (a timeout, a reset, a 5xx) nothing is retried:
//! the error says so, and since every action is idempotent the caller can
//! apply it again to learn the outcome.

use serde::Deserialize;
use serde_json::Value as Json;

use crate::error::{Error, RequestFailure, Result, sentences};
use crate::jira::api::projects::Actor as WireActor;
use crate::jira::api::{groups, permissions, projects, users};
use crate::jira::client::{Api, classify, decode, error_messages};
use crate::jira::endpoints::Endpoint;
use crate::jira::executor::{Executor, RetryPolicy};
use crate::jira::models::{GroupDetails, GroupName, PermissionGrant, ProjectRole};
use crate::jira::page::PageBean;
use crate::jira::transport::{HttpRequest, HttpResponse, Method, Transport};

/// Who holds a project role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleActor {
    User(String),
    Group(String),
}

/// Who a permission grant is given to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    Group(String),
    User(String),
    ProjectRole(String),
    /// An application key, or empty for any product.
    ApplicationRole(String),
    Anyone,
    ProjectLead,
    Reporter,
    Assignee,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
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
        swap_group_id: Option<String>,
    },
    AddProjectRoleActor {
        project_id: String,
        role_id: String,
        actor: RoleActor,
    },
    RemoveProjectRoleActor {
        project_id: String,
        role_id: String,
        actor: RoleActor,
    },
    AddPermissionGrant {
        scheme_id: u64,
        permission: String,
        holder: Holder,
    },
    RemovePermissionGrant {
        scheme_id: u64,
        grant_id: u64,
    },
    SetUserProperty {
        account_id: String,
        key: String,
        value_json: String,
    },
    DeleteUserProperty {
        account_id: String,
        key: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Applied,
    AlreadyInState,
}

/// One HTTP exchange, for audit. Never a header, so never a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub method: &'static str,
    pub path: String,
    pub status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub created_id: Option<String>,
    pub exchanges: Vec<Exchange>,
}

/// Jira's limit on a user property value.
const MAX_PROPERTY_BYTES: usize = 32_768;

fn check(ok: bool, field: &str, reason: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_action(field, reason))
    }
}

fn account_id(field: &str, v: &str) -> Result<()> {
    check(
        !v.is_empty()
            && v.len() <= 128
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_:".contains(&b)),
        field,
        "must be an Atlassian account id: 1 to 128 letters, digits, ':', '-' or '_'",
    )
}

/// Group ids are UUIDs, but an imported site can hold others; anything
/// printable is encoded safely, so only emptiness and control characters fail.
fn free_text(field: &str, v: &str, what: &str) -> Result<()> {
    check(
        !v.trim().is_empty() && v.len() <= 255 && !v.chars().any(char::is_control),
        field,
        &format!("must be {what}: 1 to 255 characters, no control characters"),
    )
}

fn numeric_id(field: &str, v: &str) -> Result<u64> {
    v.parse::<u64>()
        .ok()
        .filter(|_| !v.starts_with('+'))
        .ok_or_else(|| Error::invalid_action(field, "must be a number, as Jira's ids are"))
}

impl Action {
    /// Checks every id and value; no request is sent for an invalid action.
    pub fn validate(&self) -> Result<()> {
        match self {
            Action::AddGroupMember {
                account_id: a,
                group_id: g,
            }
            | Action::RemoveGroupMember {
                account_id: a,
                group_id: g,
            } => {
                account_id("account-id", a)?;
                free_text("group-id", g, "a group id")
            }
            Action::CreateGroup { name } => {
                free_text("name", name, "a group name")?;
                check(
                    name.trim() == name,
                    "name",
                    "may not start or end with whitespace",
                )
            }
            Action::DeleteGroup {
                group_id,
                swap_group_id,
            } => {
                free_text("group-id", group_id, "a group id")?;
                if let Some(swap) = swap_group_id {
                    free_text("swap-group-id", swap, "a group id")?;
                    check(
                        swap != group_id,
                        "swap-group-id",
                        "must differ from group-id",
                    )?;
                }
                Ok(())
            }
            Action::AddProjectRoleActor {
                project_id,
                role_id,
                actor,
            }
            | Action::RemoveProjectRoleActor {
                project_id,
                role_id,
                actor,
            } => {
                numeric_id("project-id", project_id)?;
                numeric_id("role-id", role_id)?;
                match actor {
                    RoleActor::User(a) => account_id("actor", a),
                    RoleActor::Group(g) => free_text("actor", g, "a group id"),
                }
            }
            Action::AddPermissionGrant {
                permission, holder, ..
            } => {
                check(
                    !permission.is_empty()
                        && permission.len() <= 255
                        && permission
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"_.:-".contains(&b)),
                    "permission",
                    "must be a permission key such as BROWSE_PROJECTS",
                )?;
                match holder {
                    Holder::Group(g) => free_text("holder", g, "a group id"),
                    Holder::User(a) => account_id("holder", a),
                    Holder::ProjectRole(r) => numeric_id("holder", r).map(drop),
                    Holder::ApplicationRole(key) => check(
                        key.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
                        "holder",
                        "must be an application key such as jira-software, or empty for any",
                    ),
                    Holder::Anyone | Holder::ProjectLead | Holder::Reporter | Holder::Assignee => {
                        Ok(())
                    }
                }
            }
            Action::RemovePermissionGrant { .. } => Ok(()),
            Action::SetUserProperty {
                account_id: a,
                key,
                value_json,
            } => {
                account_id("account-id", a)?;
                free_text("key", key, "a property key")?;
                check(
                    value_json.len() <= MAX_PROPERTY_BYTES,
                    "value-json",
                    "must be at most 32768 bytes, Jira's limit",
                )?;
                check(
                    serde_json::from_str::<Json>(value_json).is_ok(),
                    "value-json",
                    "must be a valid JSON document",
                )
            }
            Action::DeleteUserProperty { account_id: a, key } => {
                account_id("account-id", a)?;
                free_text("key", key, "a property key")
            }
        }
    }
}

/// Applies one action. `transport` sends one request at a time.
pub fn apply<T: Transport>(
    api: &Api,
    transport: T,
    policy: RetryPolicy,
    action: &Action,
) -> Result<Outcome> {
    action.validate()?;
    let run = Run {
        api,
        executor: Executor::new(transport, 1, policy),
        exchanges: Vec::new(),
    };
    match action {
        Action::AddGroupMember {
            account_id,
            group_id,
        } => add_group_member(run, account_id, group_id),
        Action::RemoveGroupMember {
            account_id,
            group_id,
        } => remove_group_member(run, account_id, group_id),
        Action::CreateGroup { name } => create_group(run, name),
        Action::DeleteGroup {
            group_id,
            swap_group_id,
        } => delete_group(run, group_id, swap_group_id.as_deref()),
        Action::AddProjectRoleActor {
            project_id,
            role_id,
            actor,
        } => add_role_actor(run, project_id, role_id, actor),
        Action::RemoveProjectRoleActor {
            project_id,
            role_id,
            actor,
        } => remove_role_actor(run, project_id, role_id, actor),
        Action::AddPermissionGrant {
            scheme_id,
            permission,
            holder,
        } => add_grant(run, *scheme_id, permission, holder),
        Action::RemovePermissionGrant {
            scheme_id,
            grant_id,
        } => remove_grant(run, *scheme_id, *grant_id),
        Action::SetUserProperty {
            account_id,
            key,
            value_json,
        } => set_user_property(run, account_id, key, value_json),
        Action::DeleteUserProperty { account_id, key } => {
            delete_user_property(run, account_id, key)
        }
    }
}

/// Whether Jira's answer to a write may mean "already done" or "not there".
/// Jira answers 400 for some of those (a member or role actor that is already
/// there or not there, a grant that is present or missing) and 404 for
/// others (a group or property that is gone), and uses both for requests it
/// refuses: only reading the state back tells them apart.
fn ambiguous(status: u16) -> bool {
    matches!(status, 400 | 404)
}

fn add_group_member<T: Transport>(
    mut run: Run<'_, T>,
    account_id: &str,
    group_id: &str,
) -> Result<Outcome> {
    let request = groups::add_member(run.api, group_id, account_id);
    let reply = run.send(Endpoint::AddGroupMember, request)?;
    match reply.status() {
        201 => run.done(Status::Applied, None),
        status if ambiguous(status) => {
            let member = run
                .groups_of(account_id)?
                .is_some_and(|groups| groups.iter().any(|g| g == group_id));
            run.settle(reply, member, None)
        }
        _ => Err(reply.error()),
    }
}

fn remove_group_member<T: Transport>(
    mut run: Run<'_, T>,
    account_id: &str,
    group_id: &str,
) -> Result<Outcome> {
    let request = groups::remove_member(run.api, group_id, account_id);
    let reply = run.send(Endpoint::RemoveGroupMember, request)?;
    match reply.status() {
        200 | 204 => run.done(Status::Applied, None),
        // Not a member only counts when both the user and the group exist.
        status if ambiguous(status) => {
            let gone = match run.groups_of(account_id)? {
                Some(groups) if !groups.iter().any(|g| g == group_id) => {
                    run.find_group(groups::GroupKey::Id(group_id))?.is_some()
                }
                _ => false,
            };
            run.settle(reply, gone, None)
        }
        _ => Err(reply.error()),
    }
}

fn create_group<T: Transport>(mut run: Run<'_, T>, name: &str) -> Result<Outcome> {
    let request = groups::create(run.api, name);
    let reply = run.send(Endpoint::CreateGroup, request)?;
    match reply.status() {
        201 => {
            let group: GroupDetails = reply.decode()?;
            run.done(Status::Applied, Some(group.group_id))
        }
        // Jira answers 400 both for a name in use and for a bad name: only
        // the group's existence tells them apart.
        status if ambiguous(status) => match run.find_group(groups::GroupKey::Name(name))? {
            Some(existing) => run.done(Status::AlreadyInState, Some(existing.group_id)),
            None => Err(reply.error()),
        },
        _ => Err(reply.error()),
    }
}

fn delete_group<T: Transport>(
    mut run: Run<'_, T>,
    group_id: &str,
    swap_group_id: Option<&str>,
) -> Result<Outcome> {
    let request = groups::delete(run.api, group_id, swap_group_id);
    let reply = run.send(Endpoint::DeleteGroup, request)?;
    match reply.status() {
        200 | 204 => run.done(Status::Applied, None),
        status if ambiguous(status) => {
            if run.find_group(groups::GroupKey::Id(group_id))?.is_none() {
                return run.done(Status::AlreadyInState, None);
            }
            // The group is there, so a 404 names the swap group.
            match swap_group_id {
                Some(swap) if status == 404 => Err(Error::NotFound(
                    reply.failure(format!("The swap group {swap} does not exist")),
                )),
                _ => Err(reply.error()),
            }
        }
        _ => Err(reply.error()),
    }
}

fn add_role_actor<T: Transport>(
    mut run: Run<'_, T>,
    project_id: &str,
    role_id: &str,
    actor: &RoleActor,
) -> Result<Outcome> {
    let role = numeric_id("role-id", role_id)?;
    let request = projects::add_actor(run.api, project_id, role, wire(actor));
    let reply = run.send(Endpoint::AddRoleActor, request)?;
    match reply.status() {
        200 | 201 => run.done(Status::Applied, None),
        status if ambiguous(status) => {
            let holds = run
                .role_actors(project_id, role)?
                .is_some_and(|r| r.actors.iter().any(|a| same_actor(a, actor)));
            if holds {
                run.done(Status::AlreadyInState, None)
            } else if status == 404 && (reply.mentions("not active") || reply.mentions("inactive"))
            {
                // An inactive user or group, which no retry can fix: the
                // caller must reactivate it first.
                Err(reply.rejected())
            } else {
                Err(reply.error())
            }
        }
        _ => Err(reply.error()),
    }
}

fn remove_role_actor<T: Transport>(
    mut run: Run<'_, T>,
    project_id: &str,
    role_id: &str,
    actor: &RoleActor,
) -> Result<Outcome> {
    let role = numeric_id("role-id", role_id)?;
    let request = projects::remove_actor(run.api, project_id, role, wire(actor));
    let reply = run.send(Endpoint::RemoveRoleActor, request)?;
    match reply.status() {
        200 | 204 => run.done(Status::Applied, None),
        // Not an actor only counts when the project, the role and the actor
        // all exist.
        status if ambiguous(status) => {
            let gone = match run.role_actors(project_id, role)? {
                Some(r) if !r.actors.iter().any(|a| same_actor(a, actor)) => {
                    run.actor_exists(actor)?
                }
                _ => false,
            };
            run.settle(reply, gone, None)
        }
        _ => Err(reply.error()),
    }
}

fn add_grant<T: Transport>(
    mut run: Run<'_, T>,
    scheme_id: u64,
    permission: &str,
    holder: &Holder,
) -> Result<Outcome> {
    let body = serde_json::json!({ "holder": holder_json(holder), "permission": permission });
    let request = permissions::add_grant(run.api, scheme_id, &body);
    let reply = run.send(Endpoint::AddGrant, request)?;
    match reply.status() {
        200 | 201 => {
            let grant: PermissionGrant = reply.decode()?;
            run.done(Status::Applied, Some(grant.id.to_string()))
        }
        // 400 is "the same grant is present" or a bad request: look.
        status if ambiguous(status) => match run.find_grant(scheme_id, permission, holder)? {
            Some(id) => run.done(Status::AlreadyInState, Some(id.to_string())),
            None => Err(reply.error()),
        },
        _ => Err(reply.error()),
    }
}

fn remove_grant<T: Transport>(
    mut run: Run<'_, T>,
    scheme_id: u64,
    grant_id: u64,
) -> Result<Outcome> {
    let request = permissions::remove_grant(run.api, scheme_id, grant_id);
    let reply = run.send(Endpoint::RemoveGrant, request)?;
    match reply.status() {
        200 | 204 => run.done(Status::Applied, None),
        // A missing scheme must not pass for a missing grant.
        status if ambiguous(status) => {
            let gone = run
                .scheme_grants(scheme_id)?
                .is_some_and(|grants| !grants.iter().any(|g| g.id == grant_id));
            run.settle(reply, gone, None)
        }
        _ => Err(reply.error()),
    }
}

/// The only action that reads first: Jira's answer to a `PUT` cannot tell a
/// change from a no-op.
fn set_user_property<T: Transport>(
    mut run: Run<'_, T>,
    account_id: &str,
    key: &str,
    value_json: &str,
) -> Result<Outcome> {
    let wanted: Json = serde_json::from_str(value_json)
        .map_err(|_| Error::invalid_action("value-json", "must be a valid JSON document"))?;
    let request = users::get_property(run.api, account_id, key);
    let current = run.send(Endpoint::GetUserProperty, request)?;
    match current.status() {
        200 => {
            let property: EntityProperty = current.decode()?;
            if property.value == wanted {
                return run.done(Status::AlreadyInState, None);
            }
        }
        // No such property yet (or no such user: the PUT will say).
        404 => {}
        _ => return Err(current.error()),
    }
    let request = users::set_property(run.api, account_id, key, value_json);
    let reply = run.send(Endpoint::SetUserProperty, request)?;
    match reply.status() {
        200 | 201 => run.done(Status::Applied, None),
        _ => Err(reply.error()),
    }
}

fn delete_user_property<T: Transport>(
    mut run: Run<'_, T>,
    account_id: &str,
    key: &str,
) -> Result<Outcome> {
    let request = users::delete_property(run.api, account_id, key);
    let reply = run.send(Endpoint::DeleteUserProperty, request)?;
    match reply.status() {
        200 | 204 => run.done(Status::Applied, None),
        // 404 is "no such property" or "no such user": the user's property
        // keys tell which.
        status if ambiguous(status) => {
            let gone = run
                .property_keys(account_id)?
                .is_some_and(|keys| !keys.iter().any(|k| k.key == key));
            run.settle(reply, gone, None)
        }
        _ => Err(reply.error()),
    }
}

fn wire(actor: &RoleActor) -> WireActor<'_> {
    match actor {
        RoleActor::User(a) => WireActor::User(a),
        RoleActor::Group(g) => WireActor::Group(g),
    }
}

fn same_actor(a: &crate::jira::models::RoleActor, actor: &RoleActor) -> bool {
    match actor {
        RoleActor::User(id) => a.actor_user.as_ref().is_some_and(|u| u.account_id == *id),
        RoleActor::Group(id) => a
            .actor_group
            .as_ref()
            .is_some_and(|g| g.group_id.as_deref() == Some(id.as_str())),
    }
}

/// The `holder` of a grant, as Jira takes it: a group by id in `value`, the
/// others with `parameter` and `value` alike.
fn holder_json(holder: &Holder) -> Json {
    let (kind, id) = holder_parts(holder);
    match (holder, id) {
        (Holder::Group(g), _) => serde_json::json!({ "type": kind, "value": g }),
        (_, Some(id)) if !id.is_empty() => {
            serde_json::json!({ "type": kind, "parameter": id, "value": id })
        }
        _ => serde_json::json!({ "type": kind }),
    }
}

fn holder_parts(holder: &Holder) -> (&'static str, Option<&str>) {
    match holder {
        Holder::Group(g) => ("group", Some(g)),
        Holder::User(a) => ("user", Some(a)),
        Holder::ProjectRole(r) => ("projectRole", Some(r)),
        Holder::ApplicationRole(k) => ("applicationRole", Some(k)),
        Holder::Anyone => ("anyone", None),
        Holder::ProjectLead => ("projectLead", None),
        Holder::Reporter => ("reporter", None),
        Holder::Assignee => ("assignee", None),
    }
}

fn same_holder(grant: &PermissionGrant, holder: &Holder) -> bool {
    let (kind, id) = holder_parts(holder);
    if grant.holder.kind != kind {
        return false;
    }
    let theirs = grant
        .holder
        .value
        .as_deref()
        .or(grant.holder.parameter.as_deref())
        .unwrap_or("");
    theirs == id.unwrap_or("")
}

/// `GET /permissionscheme/{id}/permission`.
#[derive(Debug, Deserialize)]
struct SchemeGrants {
    #[serde(default)]
    permissions: Vec<PermissionGrant>,
}

/// `EntityProperty`.
#[derive(Debug, Deserialize)]
struct EntityProperty {
    #[serde(default)]
    value: Json,
}

/// `PropertyKeys`, from `GET /user/properties`.
#[derive(Debug, Deserialize)]
struct PropertyKeys {
    #[serde(default)]
    keys: Vec<PropertyKey>,
}

#[derive(Debug, Deserialize)]
struct PropertyKey {
    key: String,
}

struct Run<'a, T> {
    api: &'a Api,
    executor: Executor<T, ()>,
    exchanges: Vec<Exchange>,
}

/// An HTTP answer of any status, to decide on.
struct Reply {
    endpoint: Endpoint,
    request: HttpRequest,
    response: HttpResponse,
    attempts: u32,
}

impl<T: Transport> Run<'_, T> {
    /// Sends one request and records it. An answer of any status comes back;
    /// no answer at all is an error.
    fn send(&mut self, endpoint: Endpoint, request: HttpRequest) -> Result<Reply> {
        self.executor.submit((), request);
        let done = self
            .executor
            .next_completed()
            .ok_or_else(|| Error::Other(format!("The request to {} was lost", endpoint.step())))?;
        let response = match done.result {
            Ok(response) => response,
            Err(e) => {
                let mut error = match classify(endpoint, &done.request, Err(e), done.attempts) {
                    Err(error) => error,
                    Ok(_) => Error::Other(format!("{}: no answer", endpoint.step())),
                };
                if done.request.method != Method::Get
                    && let Error::Network(f) = &mut error
                {
                    f.message = sentences([
                        f.message.as_str(),
                        "The change may or may not have been made",
                        "Apply the action again to find out (it is idempotent)",
                    ]);
                }
                return Err(error);
            }
        };
        self.exchanges.push(Exchange {
            method: done.request.method.as_str(),
            path: done.request.path_and_query.clone(),
            status: response.status,
        });
        Ok(Reply {
            endpoint,
            request: done.request,
            response,
            attempts: done.attempts,
        })
    }

    fn done(self, status: Status, created_id: Option<String>) -> Result<Outcome> {
        Ok(Outcome {
            status,
            created_id,
            exchanges: self.exchanges,
        })
    }

    /// Settles an ambiguous answer to a write by what was read back:
    /// `already-in-state` when the state is as the action wants, and
    /// otherwise the write's own error.
    fn settle(self, reply: Reply, holds: bool, created_id: Option<String>) -> Result<Outcome> {
        if holds {
            self.done(Status::AlreadyInState, created_id)
        } else {
            Err(reply.error())
        }
    }

    /// A read after an ambiguous answer: anything but 200 is an error.
    fn read<D: serde::de::DeserializeOwned>(
        &mut self,
        endpoint: Endpoint,
        request: HttpRequest,
    ) -> Result<D> {
        let reply = self.send(endpoint, request)?;
        if reply.status() != 200 {
            return Err(reply.error());
        }
        reply.decode()
    }

    /// A read-back of something that may not exist: `None` when Jira answers
    /// 404, an error for any other answer but 200.
    fn read_found<D: serde::de::DeserializeOwned>(
        &mut self,
        endpoint: Endpoint,
        request: HttpRequest,
    ) -> Result<Option<D>> {
        let reply = self.send(endpoint, request)?;
        match reply.status() {
            200 => reply.decode().map(Some),
            404 => Ok(None),
            _ => Err(reply.error()),
        }
    }

    /// The ids of the groups a user is in; `None` for no such user.
    fn groups_of(&mut self, account_id: &str) -> Result<Option<Vec<String>>> {
        let request = users::groups(self.api, account_id);
        let groups: Option<Vec<GroupName>> = self.read_found(Endpoint::UserGroups, request)?;
        Ok(groups.map(|gs| gs.into_iter().filter_map(|g| g.group_id).collect()))
    }

    /// A role's actors in a project; `None` for no such project or role.
    fn role_actors(&mut self, project_id: &str, role_id: u64) -> Result<Option<ProjectRole>> {
        let request = projects::role_actors(self.api, project_id, role_id);
        self.read_found(Endpoint::ProjectRoleActors, request)
    }

    /// Whether the user or group a role action names exists.
    fn actor_exists(&mut self, actor: &RoleActor) -> Result<bool> {
        match actor {
            RoleActor::User(account_id) => {
                let request = users::get(self.api, account_id);
                let user: Option<Json> = self.read_found(Endpoint::GetUser, request)?;
                Ok(user.is_some())
            }
            RoleActor::Group(group_id) => {
                Ok(self.find_group(groups::GroupKey::Id(group_id))?.is_some())
            }
        }
    }

    /// A scheme's grants; `None` for no such scheme.
    fn scheme_grants(&mut self, scheme_id: u64) -> Result<Option<Vec<PermissionGrant>>> {
        let request = permissions::scheme_grants(self.api, scheme_id);
        let grants: Option<SchemeGrants> = self.read_found(Endpoint::SchemeGrants, request)?;
        Ok(grants.map(|g| g.permissions))
    }

    /// The keys of a user's properties; `None` for no such user.
    fn property_keys(&mut self, account_id: &str) -> Result<Option<Vec<PropertyKey>>> {
        let request = users::property_keys(self.api, account_id);
        let keys: Option<PropertyKeys> = self.read_found(Endpoint::UserPropertyKeys, request)?;
        Ok(keys.map(|k| k.keys))
    }

    fn find_group(&mut self, key: groups::GroupKey<'_>) -> Result<Option<GroupDetails>> {
        let page: PageBean<GroupDetails> =
            self.read(Endpoint::FindGroup, groups::find(self.api, key))?;
        Ok(page.values.into_iter().find(|g| match key {
            groups::GroupKey::Id(id) => g.group_id == id,
            groups::GroupKey::Name(name) => g.name == name,
        }))
    }

    fn find_grant(
        &mut self,
        scheme_id: u64,
        permission: &str,
        holder: &Holder,
    ) -> Result<Option<u64>> {
        Ok(self
            .scheme_grants(scheme_id)?
            .unwrap_or_default()
            .iter()
            .find(|g| g.permission == permission && same_holder(g, holder))
            .map(|g| g.id))
    }
}

impl Reply {
    fn status(&self) -> u16 {
        self.response.status
    }

    /// Whether Jira's error messages say `needle` (case-insensitive).
    fn mentions(&self, needle: &str) -> bool {
        let needle = needle.to_ascii_lowercase();
        error_messages(&self.response.body)
            .iter()
            .any(|m| m.to_ascii_lowercase().contains(&needle))
    }

    fn decode<D: serde::de::DeserializeOwned>(&self) -> Result<D> {
        decode(self.endpoint, &self.request, &self.response)
    }

    fn failure(&self, message: String) -> RequestFailure {
        RequestFailure::new(self.endpoint.step(), &self.request.line(), message)
    }

    /// The typed error this answer's status means.
    fn error(self) -> Error {
        match classify(
            self.endpoint,
            &self.request,
            Ok(self.response.clone()),
            self.attempts,
        ) {
            Err(e) => e,
            Ok(_) => Error::Upstream {
                request: self.failure(format!("Unexpected HTTP {}", self.response.status)),
                status: self.response.status,
                messages: error_messages(&self.response.body),
            },
        }
    }

    fn rejected(self) -> Error {
        let messages = error_messages(&self.response.body);
        Error::Rejected {
            request: self.failure(sentences(&messages)),
            status: self.response.status,
            messages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jira::transport::fake::{FakeTransport, json};
    use crate::jira::transport::{HttpResponse, Method, TransportError};
    use serde_json::json;

    fn api() -> Api {
        crate::jira::client::test_api()
    }

    fn run(
        action: Action,
        responder: impl FnMut(&HttpRequest) -> Result<HttpResponse, TransportError> + 'static,
    ) -> (Result<Outcome>, Vec<String>) {
        let mut transport = FakeTransport::new(responder);
        let result = apply(&api(), &mut transport, RetryPolicy::default(), &action);
        (result, transport.lines_with_bodies())
    }

    fn errors(status: u16, message: &str) -> Result<HttpResponse, TransportError> {
        json(status, json!({"errorMessages": [message], "errors": {}}))
    }

    fn empty(status: u16) -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse {
            status,
            headers: vec![],
            body: vec![],
        })
    }

    #[test]
    fn add_group_member_sends_the_account_in_the_body() {
        let action = Action::AddGroupMember {
            account_id: "5b10ac8d82e05b22cc7d4ef5".into(),
            group_id: "g 1&x".into(),
        };
        let (outcome, lines) = run(action.clone(), |_| {
            json(201, json!({"groupId": "g 1&x", "name": "x"}))
        });
        let outcome = outcome.unwrap();
        assert_eq!(outcome.status, Status::Applied);
        assert_eq!(
            lines,
            vec![
                r#"POST /rest/api/3/group/user?groupId=g%201%26x {"accountId":"5b10ac8d82e05b22cc7d4ef5"}"#
            ]
        );
        assert_eq!(outcome.exchanges[0].status, 201);

        // A 400 is read back: the user's groups hold the group.
        let (outcome, lines) = run(action.clone(), |req| match req.method {
            Method::Post => errors(400, "Cannot add user. User is already a member of 'x'."),
            _ => json(200, json!([{"groupId": "g 1&x", "name": "x"}])),
        });
        assert_eq!(outcome.unwrap().status, Status::AlreadyInState);
        assert_eq!(
            lines[1],
            "GET /rest/api/3/user/groups?accountId=5b10ac8d82e05b22cc7d4ef5"
        );

        // The same message, but the read shows no membership: the 400 stands.
        let (outcome, _) = run(action, |req| match req.method {
            Method::Post => errors(400, "Cannot add user. User is already a member of 'x'."),
            _ => json(200, json!([])),
        });
        assert!(
            matches!(outcome, Err(Error::Upstream { status: 400, .. })),
            "{outcome:?}"
        );
    }

    #[test]
    fn remove_role_actor_uses_group_id_for_groups() {
        let action = Action::RemoveProjectRoleActor {
            project_id: "10000".into(),
            role_id: "10002".into(),
            actor: RoleActor::Group("g-1".into()),
        };
        let (outcome, lines) = run(action, |_| empty(204));
        assert_eq!(outcome.unwrap().status, Status::Applied);
        assert_eq!(
            lines,
            vec!["DELETE /rest/api/3/project/10000/role/10002?groupId=g-1"]
        );
    }

    #[test]
    fn remove_role_actor_reads_the_role_and_the_actor_after_a_400_or_404() {
        let action = Action::RemoveProjectRoleActor {
            project_id: "10000".into(),
            role_id: "10002".into(),
            actor: RoleActor::User("u-1".into()),
        };
        for status in [400, 404] {
            let (outcome, lines) = run(action.clone(), move |req| {
                match (req.method, req.path_and_query.as_str()) {
                    (Method::Delete, _) => {
                        errors(status, "'u-1' is not a member of the project role.")
                    }
                    (_, "/rest/api/3/user?accountId=u-1") => json(200, json!({"accountId": "u-1"})),
                    _ => json(
                        200,
                        json!({"id": 10002, "actors": [
                        {"type": "atlassian-user-role-actor", "actorUser": {"accountId": "u-2"}}]}),
                    ),
                }
            });
            let outcome = outcome.unwrap();
            assert_eq!(outcome.status, Status::AlreadyInState, "{status}");
            assert_eq!(
                lines,
                vec![
                    "DELETE /rest/api/3/project/10000/role/10002?user=u-1",
                    "GET /rest/api/3/project/10000/role/10002",
                    "GET /rest/api/3/user?accountId=u-1",
                ]
            );
            assert_eq!(outcome.exchanges[0].status, status);
        }

        // The project itself is missing: that is an error, not a no-op.
        let (outcome, _) = run(action, |_| {
            errors(404, "No project could be found with id '10000'.")
        });
        assert!(matches!(outcome, Err(Error::NotFound(_))), "{outcome:?}");
    }

    #[test]
    fn add_role_actor_rejects_an_inactive_user() {
        let action = Action::AddProjectRoleActor {
            project_id: "10000".into(),
            role_id: "10002".into(),
            actor: RoleActor::User("u-1".into()),
        };
        let (outcome, lines) = run(action, |_| errors(404, "The user 'u-1' is not active."));
        assert!(
            matches!(outcome, Err(Error::Rejected { status: 404, .. })),
            "{outcome:?}"
        );
        assert_eq!(
            lines,
            vec![
                r#"POST /rest/api/3/project/10000/role/10002 {"user":["u-1"]}"#,
                "GET /rest/api/3/project/10000/role/10002"
            ]
        );
    }

    /// Every action, and a read-back that shows the state is not as wanted:
    /// the write's 400 or 404 is the error, never `already-in-state`.
    #[test]
    fn an_ambiguous_answer_the_read_back_contradicts_is_the_writes_error() {
        let user = |id: &str| RoleActor::User(id.into());
        let role = json!({"id": 10002, "actors": [
            {"type": "atlassian-user-role-actor", "actorUser": {"accountId": "u-1"}}]});
        let grants = json!({"permissions": [{"id": 7, "permission": "BROWSE_PROJECTS",
            "holder": {"type": "group", "value": "g-2"}}]});
        let cases: Vec<(Action, Json)> = vec![
            (
                Action::AddGroupMember {
                    account_id: "u-1".into(),
                    group_id: "g-1".into(),
                },
                json!([{"groupId": "g-2"}]),
            ),
            (
                Action::RemoveGroupMember {
                    account_id: "u-1".into(),
                    group_id: "g-1".into(),
                },
                json!([{"groupId": "g-1"}]),
            ),
            (
                Action::CreateGroup { name: "x".into() },
                json!({"isLast": true, "values": []}),
            ),
            (
                Action::DeleteGroup {
                    group_id: "g-1".into(),
                    swap_group_id: None,
                },
                json!({"isLast": true, "values": [{"groupId": "g-1", "name": "x"}]}),
            ),
            (
                Action::AddProjectRoleActor {
                    project_id: "10000".into(),
                    role_id: "10002".into(),
                    actor: user("u-2"),
                },
                role.clone(),
            ),
            (
                Action::RemoveProjectRoleActor {
                    project_id: "10000".into(),
                    role_id: "10002".into(),
                    actor: user("u-1"),
                },
                role,
            ),
            (
                Action::AddPermissionGrant {
                    scheme_id: 0,
                    permission: "BROWSE_PROJECTS".into(),
                    holder: Holder::Group("g-1".into()),
                },
                grants.clone(),
            ),
            (
                Action::RemovePermissionGrant {
                    scheme_id: 0,
                    grant_id: 7,
                },
                grants,
            ),
            (
                Action::DeleteUserProperty {
                    account_id: "u-1".into(),
                    key: "k".into(),
                },
                json!({"keys": [{"key": "k"}]}),
            ),
        ];
        for (action, state) in cases {
            for status in [400, 404] {
                let state = state.clone();
                let (outcome, lines) = run(action.clone(), move |req| match req.method {
                    Method::Get => json(200, state.clone()),
                    _ => errors(status, "refused"),
                });
                // Jira's own messages as they came; a request failure's as a sentence.
                let (messages, want) = match (status, outcome) {
                    (400, Err(Error::Upstream { messages, .. })) => (messages, "refused"),
                    (404, Err(Error::NotFound(f))) => (vec![f.message], "Refused."),
                    (_, other) => panic!("{action:?} {status}: {other:?}"),
                };
                assert_eq!(messages, [want], "{action:?} {status}");
                assert!(
                    lines.len() >= 2,
                    "{action:?} {status}: read back: {lines:?}"
                );
            }
        }
    }

    /// A read-back that finds nothing (404: no such user, project or scheme)
    /// keeps the write's error, never `already-in-state`.
    #[test]
    fn a_read_back_that_finds_nothing_keeps_the_writes_error() {
        let cases = [
            Action::RemoveGroupMember {
                account_id: "u-1".into(),
                group_id: "g-1".into(),
            },
            Action::RemoveProjectRoleActor {
                project_id: "10000".into(),
                role_id: "10002".into(),
                actor: RoleActor::Group("g-1".into()),
            },
            Action::RemovePermissionGrant {
                scheme_id: 0,
                grant_id: 7,
            },
            Action::DeleteUserProperty {
                account_id: "u-1".into(),
                key: "k".into(),
            },
        ];
        for action in cases {
            let (outcome, lines) = run(action.clone(), |req| match req.method {
                Method::Get => errors(404, "no such thing"),
                _ => errors(400, "refused"),
            });
            assert!(
                matches!(&outcome, Err(Error::Upstream { status: 400, messages, .. }) if messages == &["refused"]),
                "{action:?}: {outcome:?}"
            );
            assert_eq!(lines.len(), 2, "{action:?}");
        }
    }

    /// The user and the role exist, the actor does not: only then is a
    /// missing group actor `already-in-state`.
    #[test]
    fn remove_role_actor_of_an_unknown_group_is_the_writes_error() {
        let action = Action::RemoveProjectRoleActor {
            project_id: "10000".into(),
            role_id: "10002".into(),
            actor: RoleActor::Group("g-1".into()),
        };
        let (outcome, lines) = run(action, |req| {
            match (req.method, req.path_and_query.as_str()) {
                (Method::Delete, _) => errors(404, "The group 'g-1' does not exist."),
                (_, "/rest/api/3/project/10000/role/10002") => {
                    json(200, json!({"id": 10002, "actors": []}))
                }
                _ => json(200, json!({"isLast": true, "values": []})),
            }
        });
        assert!(matches!(outcome, Err(Error::NotFound(_))), "{outcome:?}");
        assert_eq!(lines[2], "GET /rest/api/3/group/bulk?groupId=g-1");
    }

    #[test]
    fn add_grant_finds_the_existing_grant_on_400() {
        let action = Action::AddPermissionGrant {
            scheme_id: 0,
            permission: "BROWSE_PROJECTS".into(),
            holder: Holder::Group("g-1".into()),
        };
        let (outcome, lines) = run(action, |req| match req.method {
            Method::Post => errors(400, "The same permission grant is already present."),
            _ => json(
                200,
                json!({"permissions": [
                {"id": 7, "permission": "BROWSE_PROJECTS", "holder": {"type": "group", "parameter": "devs", "value": "g-1"}}]}),
            ),
        });
        let outcome = outcome.unwrap();
        assert_eq!(
            (outcome.status, outcome.created_id.as_deref()),
            (Status::AlreadyInState, Some("7"))
        );
        assert_eq!(
            lines[0],
            r#"POST /rest/api/3/permissionscheme/0/permission {"holder":{"type":"group","value":"g-1"},"permission":"BROWSE_PROJECTS"}"#
        );
    }

    #[test]
    fn set_user_property_skips_the_write_when_equal() {
        let action = Action::SetUserProperty {
            account_id: "u-1".into(),
            key: "governance.review".into(),
            value_json: r#"{"state": "ok"}"#.into(),
        };
        let (outcome, lines) = run(action.clone(), |_| {
            json(
                200,
                json!({"key": "governance.review", "value": {"state": "ok"}}),
            )
        });
        assert_eq!(outcome.unwrap().status, Status::AlreadyInState);
        assert_eq!(lines.len(), 1);

        let (outcome, lines) = run(action, |req| match req.method {
            Method::Get => errors(404, "property not found"),
            _ => empty(201),
        });
        assert_eq!(outcome.unwrap().status, Status::Applied);
        assert_eq!(
            lines[1],
            r#"PUT /rest/api/3/user/properties/governance.review?accountId=u-1 {"state": "ok"}"#
        );
    }

    #[test]
    fn validate_refuses_bad_ids_before_any_request() {
        let cases = [
            (
                Action::AddGroupMember {
                    account_id: "".into(),
                    group_id: "g".into(),
                },
                "account-id",
            ),
            (
                Action::AddGroupMember {
                    account_id: "a b".into(),
                    group_id: "g".into(),
                },
                "account-id",
            ),
            (
                Action::RemoveGroupMember {
                    account_id: "a".into(),
                    group_id: " ".into(),
                },
                "group-id",
            ),
            (Action::CreateGroup { name: "".into() }, "name"),
            (
                Action::CreateGroup {
                    name: " padded ".into(),
                },
                "name",
            ),
            (
                Action::CreateGroup {
                    name: "bad\nname".into(),
                },
                "name",
            ),
            (
                Action::DeleteGroup {
                    group_id: "g".into(),
                    swap_group_id: Some("g".into()),
                },
                "swap-group-id",
            ),
            (
                Action::AddProjectRoleActor {
                    project_id: "EX".into(),
                    role_id: "1".into(),
                    actor: RoleActor::User("u".into()),
                },
                "project-id",
            ),
            (
                Action::AddProjectRoleActor {
                    project_id: "1".into(),
                    role_id: "-1".into(),
                    actor: RoleActor::User("u".into()),
                },
                "role-id",
            ),
            (
                Action::RemoveProjectRoleActor {
                    project_id: "1".into(),
                    role_id: "1".into(),
                    actor: RoleActor::User("u/../x".into()),
                },
                "actor",
            ),
            (
                Action::AddPermissionGrant {
                    scheme_id: 0,
                    permission: "".into(),
                    holder: Holder::Anyone,
                },
                "permission",
            ),
            (
                Action::AddPermissionGrant {
                    scheme_id: 0,
                    permission: "P".into(),
                    holder: Holder::ProjectRole("x".into()),
                },
                "holder",
            ),
            (
                Action::SetUserProperty {
                    account_id: "u".into(),
                    key: "k".into(),
                    value_json: "{nope".into(),
                },
                "value-json",
            ),
            (
                Action::SetUserProperty {
                    account_id: "u".into(),
                    key: "k".into(),
                    value_json: format!("\"{}\"", "x".repeat(MAX_PROPERTY_BYTES)),
                },
                "value-json",
            ),
            (
                Action::DeleteUserProperty {
                    account_id: "u".into(),
                    key: "".into(),
                },
                "key",
            ),
        ];
        for (action, field) in cases {
            let (outcome, lines) = run(action.clone(), |_| panic!("no request may be sent"));
            match outcome {
                Err(Error::InvalidAction { field: f, .. }) => assert_eq!(f, field, "{action:?}"),
                other => panic!("{action:?}: {other:?}"),
            }
            assert!(lines.is_empty());
        }
    }

    #[test]
    fn a_write_that_gets_no_answer_is_not_retried() {
        let action = Action::CreateGroup { name: "x".into() };
        let (outcome, lines) = run(action, |_| Err(TransportError::Connection("reset".into())));
        match outcome {
            Err(Error::Network(f)) => {
                assert!(f.message.contains("Apply the action again"), "{f:?}");
                crate::error::tests::assert_clean_sentences(&Error::Network(f).to_string());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(lines.len(), 1);
    }
}
