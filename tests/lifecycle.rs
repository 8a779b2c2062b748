//! Lifecycle actions through the real component against the fake Jira: every
//! action applied, then already in state on a repeat; the error cases; and
//! extract, apply, extract showing exactly the intended change.

mod support;

use std::collections::BTreeSet;

use host_test::CallError;
use host_test::action::ActionSpec;
use host_test::fake_jira::tenant::{Actor, ODD_GROUP_ID, SERVICE_ACCOUNT_ID};
use host_test::fake_jira::{Fault, FaultRule, Tenant, TokenKind};
use host_test::runtime::lifecycle::{Outcome, OutcomeStatus};
use host_test::runtime::types::Error as PluginError;
use host_test::testing::Harness;
use serde_json::{Value, json};
use support::document_of;

const EMMA: &str = "5b10ac8d82e05b22cc7d4ef5";
const ADMINS: &str = "276f955c-63d7-42c8-9520-92d01dca0625";
const SOFTWARE: &str = "6e87dc72-4f1f-421f-9e5c-9b1a1b1d1e1f";
const AUTOMATION: &str = "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f7a";
const EMPTY_GROUP: &str = "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f";

async fn configured(tenant: Tenant) -> Harness {
    let mut h = Harness::new(tenant).await;
    h.plugin
        .configure(&h.config(TokenKind::Unscoped))
        .await
        .unwrap();
    h.fake.clear_requests();
    h
}

async fn apply(h: &mut Harness, action: Value) -> Result<Outcome, CallError> {
    let spec = ActionSpec::parse(&action.to_string()).expect("a valid action");
    h.plugin.apply(&spec.to_wit()).await
}

fn exchanges(outcome: &Outcome) -> Vec<(String, u16)> {
    outcome
        .exchanges
        .iter()
        .map(|e| (format!("{} {}", e.method, e.path), e.status))
        .collect()
}

/// Request lines and statuses, as an outcome records them.
type Exchanges = Vec<(&'static str, u16)>;

/// An action, the exchanges its first application makes, and those each
/// repeat makes: the write, answered with the "already" or "not there"
/// status, then the read-back that settles it.
struct Case {
    action: Value,
    first: Exchanges,
    repeat: Exchanges,
    /// For a remove: the status the fake answers when the target is not
    /// there (`Tenant::not_there`). Adds always get Jira's 400.
    not_there: Option<u16>,
}

const DEV00: &str = "712020:5eed0000-dev00";

fn add_group_member(status: u16) -> Case {
    let write = "POST /rest/api/3/group/user?groupId=276f955c-63d7-42c8-9520-92d01dca0625";
    Case {
        action: json!({"action": "add-group-member", "accountId": EMMA, "groupId": ADMINS}),
        first: vec![(write, 201)],
        repeat: vec![
            (write, status),
            (
                "GET /rest/api/3/user/groups?accountId=5b10ac8d82e05b22cc7d4ef5",
                200,
            ),
        ],
        not_there: None,
    }
}

fn remove_group_member(status: u16) -> Case {
    let write = "DELETE /rest/api/3/group/user?groupId=6e87dc72-4f1f-421f-9e5c-9b1a1b1d1e1f&accountId=5b10ac8d82e05b22cc7d4ef5";
    Case {
        action: json!({"action": "remove-group-member", "accountId": EMMA, "groupId": SOFTWARE}),
        first: vec![(write, 200)],
        repeat: vec![
            (write, status),
            (
                "GET /rest/api/3/user/groups?accountId=5b10ac8d82e05b22cc7d4ef5",
                200,
            ),
            (
                "GET /rest/api/3/group/bulk?groupId=6e87dc72-4f1f-421f-9e5c-9b1a1b1d1e1f",
                200,
            ),
        ],
        not_there: Some(status),
    }
}

fn create_group(status: u16) -> Case {
    let write = "POST /rest/api/3/group";
    Case {
        action: json!({"action": "create-group", "name": "governance-reviewers"}),
        first: vec![(write, 201)],
        repeat: vec![
            (write, status),
            (
                "GET /rest/api/3/group/bulk?groupName=governance-reviewers",
                200,
            ),
        ],
        not_there: None,
    }
}

fn delete_group(status: u16) -> Case {
    let write = "DELETE /rest/api/3/group?groupId=d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f7a";
    Case {
        action: json!({"action": "delete-group", "groupId": AUTOMATION}),
        first: vec![(write, 200)],
        repeat: vec![
            (write, status),
            (
                "GET /rest/api/3/group/bulk?groupId=d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f7a",
                200,
            ),
        ],
        not_there: Some(status),
    }
}

fn add_role_actor(actor: Value, status: u16) -> Case {
    let write = "POST /rest/api/3/project/10001/role/10001";
    Case {
        action: json!({"action": "add-project-role-actor", "projectId": "10001", "roleId": "10001", "actor": actor}),
        first: vec![(write, 200)],
        repeat: vec![
            (write, status),
            ("GET /rest/api/3/project/10001/role/10001", 200),
        ],
        not_there: None,
    }
}

fn add_role_actor_user(status: u16) -> Case {
    add_role_actor(json!({"user": EMMA}), status)
}

fn add_role_actor_group(status: u16) -> Case {
    add_role_actor(json!({"group": ADMINS}), status)
}

fn remove_role_actor_user(status: u16) -> Case {
    let write = "DELETE /rest/api/3/project/10000/role/10002?user=5b10a2844c20165700ede21g";
    Case {
        action: json!({"action": "remove-project-role-actor", "projectId": "10000", "roleId": "10002", "actor": {"user": SERVICE_ACCOUNT_ID}}),
        first: vec![(write, 204)],
        repeat: vec![
            (write, status),
            ("GET /rest/api/3/project/10000/role/10002", 200),
            (
                "GET /rest/api/3/user?accountId=5b10a2844c20165700ede21g",
                200,
            ),
        ],
        not_there: Some(status),
    }
}

fn remove_role_actor_group(status: u16) -> Case {
    let write =
        "DELETE /rest/api/3/project/10000/role/10002?groupId=276f955c-63d7-42c8-9520-92d01dca0625";
    Case {
        action: json!({"action": "remove-project-role-actor", "projectId": "10000", "roleId": "10002", "actor": {"group": ADMINS}}),
        first: vec![(write, 204)],
        repeat: vec![
            (write, status),
            ("GET /rest/api/3/project/10000/role/10002", 200),
            (
                "GET /rest/api/3/group/bulk?groupId=276f955c-63d7-42c8-9520-92d01dca0625",
                200,
            ),
        ],
        not_there: Some(status),
    }
}

fn add_grant(status: u16) -> Case {
    let write = "POST /rest/api/3/permissionscheme/0/permission";
    Case {
        action: json!({"action": "add-permission-grant", "schemeId": 0, "permission": "CLOSE_ISSUES", "holder": {"type": "user", "id": DEV00}}),
        first: vec![(write, 201)],
        repeat: vec![
            (write, status),
            ("GET /rest/api/3/permissionscheme/0/permission", 200),
        ],
        not_there: None,
    }
}

fn remove_grant(status: u16) -> Case {
    let write = "DELETE /rest/api/3/permissionscheme/10100/permission/10100";
    Case {
        action: json!({"action": "remove-permission-grant", "schemeId": 10100, "grantId": 10100}),
        first: vec![(write, 204)],
        repeat: vec![
            (write, status),
            ("GET /rest/api/3/permissionscheme/10100/permission", 200),
        ],
        not_there: Some(status),
    }
}

/// The one action that reads first: a repeat makes no write at all.
fn set_user_property() -> Case {
    let read =
        "GET /rest/api/3/user/properties/governance.review?accountId=5b10ac8d82e05b22cc7d4ef5";
    Case {
        action: json!({"action": "set-user-property", "accountId": EMMA, "key": "governance.review", "value": {"state": "approved", "by": ["svc"]}}),
        first: vec![
            (read, 404),
            (
                "PUT /rest/api/3/user/properties/governance.review?accountId=5b10ac8d82e05b22cc7d4ef5",
                201,
            ),
        ],
        repeat: vec![(read, 200)],
        not_there: None,
    }
}

fn delete_user_property(status: u16) -> Case {
    let write = "DELETE /rest/api/3/user/properties/legacy.flag?accountId=5b10ac8d82e05b22cc7d4ef5";
    Case {
        action: json!({"action": "delete-user-property", "accountId": EMMA, "key": "legacy.flag"}),
        first: vec![(write, 204)],
        repeat: vec![
            (write, status),
            (
                "GET /rest/api/3/user/properties?accountId=5b10ac8d82e05b22cc7d4ef5",
                200,
            ),
        ],
        not_there: Some(status),
    }
}

/// Every action, with the status Jira itself answers its repeat with.
fn cases() -> Vec<Case> {
    vec![
        add_group_member(400),
        remove_group_member(400),
        create_group(400),
        delete_group(404),
        add_role_actor_group(400),
        add_role_actor_user(400),
        remove_role_actor_user(400),
        remove_role_actor_group(400),
        add_grant(400),
        remove_grant(400),
        set_user_property(),
        delete_user_property(404),
    ]
}

fn sample_with_property() -> Tenant {
    let mut t = Tenant::sample();
    t.properties
        .insert((EMMA.into(), "legacy.flag".into()), json!(true));
    t
}

fn owned(exchanges: &Exchanges) -> Vec<(String, u16)> {
    exchanges.iter().map(|(l, s)| (l.to_string(), *s)).collect()
}

/// Applies `case` three times on a fresh sample tenant: `applied`, then
/// `already-in-state` twice, each repeat settled by the same read-back.
async fn three_times(case: Case) {
    let mut h = configured(sample_with_property()).await;
    h.fake.with_tenant(|t| t.not_there = case.not_there);
    let action = &case.action;
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let outcome = apply(&mut h, action.clone())
            .await
            .unwrap_or_else(|e| panic!("{action}: {e}"));
        outcomes.push(outcome);
    }
    let statuses: Vec<OutcomeStatus> = outcomes.iter().map(|o| o.status).collect();
    assert_eq!(
        statuses,
        [
            OutcomeStatus::Applied,
            OutcomeStatus::AlreadyInState,
            OutcomeStatus::AlreadyInState
        ],
        "{action}"
    );
    assert_eq!(exchanges(&outcomes[0]), owned(&case.first), "{action}");
    for again in &outcomes[1..] {
        assert_eq!(exchanges(again), owned(&case.repeat), "{action}");
        assert_eq!(again.created_id, outcomes[0].created_id, "{action}");
    }
    assert!(h.fake.unknown_requests().is_empty());
}

/// One test per action and per status its repeat may be answered with.
macro_rules! applied_then_already_in_state_twice {
    ($($name:ident: $case:expr;)*) => {$(
        #[tokio::test(flavor = "multi_thread")]
        async fn $name() {
            three_times($case).await;
        }
    )*};
}

applied_then_already_in_state_twice! {
    add_group_member_already_a_member_400: add_group_member(400);
    remove_group_member_not_a_member_400: remove_group_member(400);
    remove_group_member_not_a_member_404: remove_group_member(404);
    create_group_name_in_use_400: create_group(400);
    delete_group_not_there_404: delete_group(404);
    delete_group_not_there_400: delete_group(400);
    add_project_role_actor_user_already_an_actor_400: add_role_actor_user(400);
    add_project_role_actor_group_already_an_actor_400: add_role_actor_group(400);
    remove_project_role_actor_user_not_an_actor_400: remove_role_actor_user(400);
    remove_project_role_actor_user_not_an_actor_404: remove_role_actor_user(404);
    remove_project_role_actor_group_not_an_actor_400: remove_role_actor_group(400);
    remove_project_role_actor_group_not_an_actor_404: remove_role_actor_group(404);
    add_permission_grant_already_present_400: add_grant(400);
    remove_permission_grant_not_there_400: remove_grant(400);
    remove_permission_grant_not_there_404: remove_grant(404);
    set_user_property_already_set: set_user_property();
    delete_user_property_not_there_404: delete_user_property(404);
    delete_user_property_not_there_400: delete_user_property(400);
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_every_action_then_repeat_is_already_in_state() {
    let mut h = configured(sample_with_property()).await;
    for case in cases() {
        let action = case.action;
        let outcome = apply(&mut h, action.clone())
            .await
            .unwrap_or_else(|e| panic!("{action}: {e}"));
        assert_eq!(outcome.status, OutcomeStatus::Applied, "{action}");
        assert_eq!(exchanges(&outcome), owned(&case.first), "{action}");

        let again = apply(&mut h, action.clone())
            .await
            .unwrap_or_else(|e| panic!("{action}: {e}"));
        assert_eq!(again.status, OutcomeStatus::AlreadyInState, "{action}");
        assert_eq!(exchanges(&again), owned(&case.repeat), "{action}");
        if action["action"] == "create-group" || action["action"] == "add-permission-grant" {
            assert!(outcome.created_id.is_some(), "{action}");
            assert_eq!(
                outcome.created_id, again.created_id,
                "the repeat reports the same id: {action}"
            );
        }
        // The audit trail never carries a credential.
        assert!(!format!("{outcome:?}{again:?}").contains("ATATT3x"));
    }
    assert!(h.fake.unknown_requests().is_empty());

    // The fake's state shows every change.
    h.fake.with_tenant(|t| {
        assert!(t.members[ADMINS].contains(&EMMA.to_owned()));
        assert!(!t.members[SOFTWARE].contains(&EMMA.to_owned()));
        assert!(t.groups.iter().any(|g| g.name == "governance-reviewers"));
        assert!(!t.groups.iter().any(|g| g.group_id == AUTOMATION));
        assert!(t.actors[&("10001".to_owned(), 10001)].contains(&Actor::Group(ADMINS.into())));
        assert!(t.actors[&("10001".to_owned(), 10001)].contains(&Actor::User(EMMA.into())));
        assert!(
            !t.actors[&("10000".to_owned(), 10002)]
                .contains(&Actor::User(SERVICE_ACCOUNT_ID.into()))
        );
        assert!(!t.actors[&("10000".to_owned(), 10002)].contains(&Actor::Group(ADMINS.into())));
        assert!(
            t.schemes[0]
                .grants
                .iter()
                .any(|g| g.permission == "CLOSE_ISSUES")
        );
        assert!(!t.schemes[1].grants.iter().any(|g| g.id == 10100));
        assert_eq!(
            t.properties[&(EMMA.to_owned(), "governance.review".to_owned())],
            json!({"state": "approved", "by": ["svc"]})
        );
        assert!(
            !t.properties
                .contains_key(&(EMMA.to_owned(), "legacy.flag".to_owned()))
        );
    });
}

fn plugin_error(result: Result<Outcome, CallError>) -> PluginError {
    match result {
        Err(CallError::Plugin(e)) => e,
        other => panic!("expected a plugin error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_reports_typed_errors() {
    let mut h = configured(Tenant::sample()).await;

    // An unknown user and an unknown group.
    let e = plugin_error(
        apply(
            &mut h,
            json!({"action": "add-group-member", "accountId": "nobody-123", "groupId": ADMINS}),
        )
        .await,
    );
    assert!(
        matches!(&e, PluginError::NotFound(f) if f.message.contains("nobody-123")),
        "{e:?}"
    );
    let e = plugin_error(
        apply(
            &mut h,
            json!({"action": "add-group-member", "accountId": EMMA, "groupId": "no-such-group"}),
        )
        .await,
    );
    assert!(
        matches!(&e, PluginError::NotFound(f) if f.message.contains("group does not exist")),
        "{e:?}"
    );

    // An inactive user given a project role.
    let inactive = "712020:5eed0004-dev04";
    assert!(!h.tenant.user(inactive).unwrap().active);
    let e = plugin_error(apply(&mut h, json!({"action": "add-project-role-actor", "projectId": "10000", "roleId": "10000", "actor": {"user": inactive}})).await);
    match &e {
        PluginError::Rejected(u) => {
            assert_eq!(u.status, 404);
            assert!(u.messages[0].contains("not active"), "{u:?}");
        }
        other => panic!("{other:?}"),
    }

    // A swap group that does not exist is not a deleted group.
    let e = plugin_error(apply(&mut h, json!({"action": "delete-group", "groupId": EMPTY_GROUP, "swapGroupId": "missing-swap"})).await);
    assert!(
        matches!(&e, PluginError::NotFound(f) if f.message.contains("swap group")),
        "{e:?}"
    );
    h.fake
        .with_tenant(|t| assert!(t.groups.iter().any(|g| g.group_id == EMPTY_GROUP)));

    // Removing an actor from a project that does not exist.
    let e = plugin_error(apply(&mut h, json!({"action": "remove-project-role-actor", "projectId": "99999", "roleId": "10002", "actor": {"user": EMMA}})).await);
    assert!(matches!(e, PluginError::NotFound(_)), "{e:?}");

    // A malformed action: refused before any request.
    h.fake.clear_requests();
    let e = plugin_error(apply(&mut h, json!({"action": "add-project-role-actor", "projectId": "EX", "roleId": "10000", "actor": {"user": EMMA}})).await);
    assert!(
        matches!(&e, PluginError::InvalidAction(f) if f.field == "project-id"),
        "{e:?}"
    );
    let e = plugin_error(
        apply(
            &mut h,
            json!({"action": "set-user-property", "accountId": "bad id", "key": "k", "value": 1}),
        )
        .await,
    );
    assert!(
        matches!(&e, PluginError::InvalidAction(f) if f.field == "account-id"),
        "{e:?}"
    );
    assert!(h.fake.requests().is_empty());
}

/// A 400 or 404 that the read-back does not confirm stays the write's own
/// typed error: an upstream 400 with Jira's messages, or not-found.
#[tokio::test(flavor = "multi_thread")]
async fn apply_keeps_the_writes_error_when_the_read_back_disagrees() {
    let mut h = configured(Tenant::sample()).await;
    let role_path = "/rest/api/3/project/10000/role/10002";

    // Jira refuses with 400 while the actor and the member are still there.
    for (path, action) in [
        (
            role_path,
            json!({"action": "remove-project-role-actor", "projectId": "10000", "roleId": "10002", "actor": {"user": SERVICE_ACCOUNT_ID}}),
        ),
        (
            role_path,
            json!({"action": "remove-project-role-actor", "projectId": "10000", "roleId": "10002", "actor": {"group": ADMINS}}),
        ),
        (
            "/rest/api/3/group/user",
            json!({"action": "remove-group-member", "accountId": EMMA, "groupId": SOFTWARE}),
        ),
        (
            "/rest/api/3/group/user",
            json!({"action": "add-group-member", "accountId": EMMA, "groupId": ADMINS}),
        ),
    ] {
        h.fake.clear_requests();
        h.fake.clear_faults();
        h.fake.inject(FaultRule::on(path, &[1], Fault::status(400)));
        match plugin_error(apply(&mut h, action.clone()).await) {
            PluginError::Upstream(u) => {
                assert_eq!(u.status, 400, "{action}");
                assert_eq!(u.messages, ["Injected failure."], "{action}");
            }
            other => panic!("{action}: {other:?}"),
        }
        assert!(h.fake.requests().len() >= 2, "{action}: read back");
    }
    h.fake.clear_faults();
    h.fake.with_tenant(|t| {
        let actors = &t.actors[&("10000".to_owned(), 10002)];
        assert!(actors.contains(&Actor::User(SERVICE_ACCOUNT_ID.into())));
        assert!(actors.contains(&Actor::Group(ADMINS.into())));
        assert!(t.members[SOFTWARE].contains(&EMMA.to_owned()));
        assert!(!t.members[ADMINS].contains(&EMMA.to_owned()));
    });

    // What the action names does not exist: not-found, never already-in-state.
    for action in [
        json!({"action": "remove-group-member", "accountId": EMMA, "groupId": "no-such-group"}),
        json!({"action": "remove-group-member", "accountId": "nobody-123", "groupId": SOFTWARE}),
        json!({"action": "remove-project-role-actor", "projectId": "10000", "roleId": "10002", "actor": {"group": "no-such-group"}}),
        json!({"action": "remove-project-role-actor", "projectId": "10000", "roleId": "99", "actor": {"user": EMMA}}),
        json!({"action": "remove-permission-grant", "schemeId": 99, "grantId": 10100}),
        json!({"action": "delete-user-property", "accountId": "nobody-123", "key": "legacy.flag"}),
    ] {
        let e = plugin_error(apply(&mut h, action.clone()).await);
        assert!(matches!(e, PluginError::NotFound(_)), "{action}: {e:?}");
    }
    assert!(h.fake.unknown_requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_names_the_missing_permission() {
    let mut h = configured(Tenant::sample()).await;
    h.fake
        .inject(FaultRule::on("/rest/api/3/group", &[1], Fault::status(403)));
    let e = plugin_error(apply(&mut h, json!({"action": "create-group", "name": "x"})).await);
    match &e {
        PluginError::Forbidden(f) => {
            assert_eq!(f.request.step, "create a group");
            assert!(f.permission.as_deref().unwrap().contains("site-admin"));
            assert!(f.scopes.contains(&"write:group:jira".to_owned()));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_honours_retry_after_and_gives_up_past_the_budget() {
    let mut h = configured(Tenant::sample()).await;
    h.fake.inject(FaultRule::on(
        "/rest/api/3/group/user",
        &[1],
        Fault::Status {
            status: 429,
            retry_after: Some(1),
        },
    ));
    let outcome = apply(
        &mut h,
        json!({"action": "add-group-member", "accountId": EMMA, "groupId": ADMINS}),
    )
    .await
    .unwrap();
    assert_eq!(outcome.status, OutcomeStatus::Applied);
    let statuses: Vec<u16> = h.fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        vec![429, 201],
        "the write was retried once, after Retry-After"
    );

    h.fake.inject(FaultRule::on(
        "/rest/api/3/group",
        &[1],
        Fault::Status {
            status: 429,
            retry_after: Some(7200),
        },
    ));
    let e = plugin_error(apply(&mut h, json!({"action": "create-group", "name": "later"})).await);
    assert!(
        matches!(&e, PluginError::RateLimited(r) if r.retry_after_seconds == Some(7200)),
        "{e:?}"
    );
    h.fake
        .with_tenant(|t| assert!(!t.groups.iter().any(|g| g.name == "later")));
}

/// Records in `b` and not in `a`, and in `a` and not in `b`.
fn diff(a: &Value, b: &Value) -> (Vec<Value>, Vec<Value>) {
    let set = |v: &Value| -> BTreeSet<String> {
        ["entities", "relations"]
            .iter()
            .flat_map(|p| v[p].as_array().unwrap().iter().map(|x| x.to_string()))
            .collect()
    };
    let (sa, sb) = (set(a), set(b));
    let parse = |s: &String| serde_json::from_str::<Value>(s).unwrap();
    (
        sb.difference(&sa).map(parse).collect(),
        sa.difference(&sb).map(parse).collect(),
    )
}

fn edge(kind: &str, from: (&str, &str), to: (&str, &str)) -> Value {
    let mut edge = json!({"type": kind, "from": {"type": from.0, "id": from.1}, "to": {"type": to.0, "id": to.1}});
    // The privilege BalkanID's model names for the relations these tests change.
    let privilege = match kind {
        "member-of" => Some(("member", "group")),
        "assigned" => Some(("actor", "project-role")),
        _ => None,
    };
    if let Some((name, connection_type)) = privilege {
        edge["privilege"] = json!({"name": name, "connectionType": connection_type});
    }
    edge
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_apply_extract_shows_exactly_the_intended_change() {
    let dev00 = "712020:5eed0000-dev00";
    let steps: Vec<(Value, Vec<Value>, Vec<Value>)> = vec![
        (
            json!({"action": "add-group-member", "accountId": EMMA, "groupId": ADMINS}),
            vec![edge("member-of", ("user", EMMA), ("group", ADMINS))],
            vec![],
        ),
        (
            json!({"action": "remove-group-member", "accountId": EMMA, "groupId": SOFTWARE}),
            vec![],
            vec![edge("member-of", ("user", EMMA), ("group", SOFTWARE))],
        ),
        (
            json!({"action": "add-project-role-actor", "projectId": "10020", "roleId": "10102", "actor": {"user": dev00}}),
            vec![edge(
                "assigned",
                ("user", dev00),
                ("project-role", "10020:10102"),
            )],
            vec![],
        ),
        (
            json!({"action": "remove-project-role-actor", "projectId": "10020", "roleId": "10102", "actor": {"group": ODD_GROUP_ID}}),
            vec![],
            vec![edge(
                "assigned",
                ("group", ODD_GROUP_ID),
                ("project-role", "10020:10102"),
            )],
        ),
        (
            json!({"action": "delete-group", "groupId": AUTOMATION}),
            vec![],
            vec![
                json!({"type": "group", "id": AUTOMATION, "name": "automation-apps", "attributes": {},
                    "balkanid": {"entityType": "connection", "sourceType": "group", "name": "automation-apps"}}),
                edge(
                    "member-of",
                    ("user", "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"),
                    ("group", AUTOMATION),
                ),
                edge(
                    "member-of",
                    ("user", "5d9f2e8a1b2c3d004e5f6a7b"),
                    ("group", AUTOMATION),
                ),
            ],
        ),
    ];
    let mut h = configured(Tenant::sample()).await;
    let mut before = document_of(&h.plugin.extract_all(|_| {}).await.unwrap());
    for (action, added, removed) in steps {
        apply(&mut h, action.clone()).await.unwrap();
        let after = document_of(&h.plugin.extract_all(|_| {}).await.unwrap());
        let (got_added, got_removed) = diff(&before, &after);
        assert_eq!(got_added, added, "{action}");
        assert_eq!(got_removed, removed, "{action}");
        before = after;
    }

    // A grant: one new grant entity with its three edges, and nothing else.
    let outcome = apply(&mut h, json!({"action": "add-permission-grant", "schemeId": 0, "permission": "CLOSE_ISSUES", "holder": {"type": "group", "id": ADMINS}})).await.unwrap();
    let grant = outcome.created_id.expect("the new grant's id");
    let after = document_of(&h.plugin.extract_all(|_| {}).await.unwrap());
    let (added, removed) = diff(&before, &after);
    assert!(removed.is_empty(), "{removed:?}");
    let mut kinds: Vec<String> = added
        .iter()
        .map(|v| v["type"].as_str().unwrap().to_owned())
        .collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "grants",
            "holds",
            "in-scheme",
            "permission-grant",
            "permitted-on"
        ]
    );
    // BalkanID's relation: once for every project whose scheme holds it.
    let using = h
        .fake
        .with_tenant(|t| t.projects.iter().filter(|p| p.scheme_id == Some(0)).count());
    let permitted = added.iter().filter(|v| v["type"] == "permitted-on").count();
    assert!(using > 0);
    assert_eq!(permitted, using);
    assert!(added.contains(&edge(
        "holds",
        ("group", ADMINS),
        ("permission-grant", &grant)
    )));
}

#[tokio::test(flavor = "multi_thread")]
async fn cli_apply_prints_the_outcome() {
    let path =
        std::env::temp_dir().join(format!("extractor-jira-action-{}.json", std::process::id()));
    std::fs::write(
        &path,
        json!({"action": "create-group", "name": "cli-created"}).to_string(),
    )
    .unwrap();
    let outcome = host_test::cli::apply(host_test::cli::ApplyArgs {
        target: host_test::cli::Target {
            config: None,
            upstream: None,
            component: None,
            ca_file: None,
        },
        action: path.clone(),
    })
    .await
    .unwrap();
    assert_eq!(outcome["status"], "applied");
    assert_eq!(outcome["exchanges"][0]["method"], "POST");
    assert_eq!(outcome["exchanges"][0]["path"], "/rest/api/3/group");
    assert_eq!(outcome["exchanges"][0]["status"], 201);
    assert!(outcome["createdId"].as_str().is_some());
    std::fs::remove_file(path).unwrap();
}
