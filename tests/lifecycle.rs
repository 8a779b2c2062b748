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

/// Each action, the exchanges its first application makes, and those its repeat makes.
fn cases() -> Vec<(Value, Exchanges, Exchanges)> {
    let dev00 = "712020:5eed0000-dev00";
    vec![
        (
            json!({"action": "add-group-member", "accountId": EMMA, "groupId": ADMINS}),
            vec![(
                "POST /rest/api/3/group/user?groupId=276f955c-63d7-42c8-9520-92d01dca0625",
                201,
            )],
            vec![(
                "POST /rest/api/3/group/user?groupId=276f955c-63d7-42c8-9520-92d01dca0625",
                400,
            )],
        ),
        (
            json!({"action": "remove-group-member", "accountId": EMMA, "groupId": SOFTWARE}),
            vec![(
                "DELETE /rest/api/3/group/user?groupId=6e87dc72-4f1f-421f-9e5c-9b1a1b1d1e1f&accountId=5b10ac8d82e05b22cc7d4ef5",
                200,
            )],
            vec![(
                "DELETE /rest/api/3/group/user?groupId=6e87dc72-4f1f-421f-9e5c-9b1a1b1d1e1f&accountId=5b10ac8d82e05b22cc7d4ef5",
                400,
            )],
        ),
        (
            json!({"action": "create-group", "name": "governance-reviewers"}),
            vec![("POST /rest/api/3/group", 201)],
            vec![
                ("POST /rest/api/3/group", 400),
                (
                    "GET /rest/api/3/group/bulk?groupName=governance-reviewers",
                    200,
                ),
            ],
        ),
        (
            json!({"action": "delete-group", "groupId": AUTOMATION}),
            vec![(
                "DELETE /rest/api/3/group?groupId=d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f7a",
                200,
            )],
            vec![(
                "DELETE /rest/api/3/group?groupId=d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f7a",
                404,
            )],
        ),
        (
            json!({"action": "add-project-role-actor", "projectId": "10001", "roleId": "10001", "actor": {"group": ADMINS}}),
            vec![("POST /rest/api/3/project/10001/role/10001", 200)],
            vec![("POST /rest/api/3/project/10001/role/10001", 400)],
        ),
        (
            json!({"action": "remove-project-role-actor", "projectId": "10000", "roleId": "10002", "actor": {"user": SERVICE_ACCOUNT_ID}}),
            vec![(
                "DELETE /rest/api/3/project/10000/role/10002?user=5b10a2844c20165700ede21g",
                204,
            )],
            vec![
                (
                    "DELETE /rest/api/3/project/10000/role/10002?user=5b10a2844c20165700ede21g",
                    404,
                ),
                ("GET /rest/api/3/project/10000/role/10002", 200),
            ],
        ),
        (
            json!({"action": "add-permission-grant", "schemeId": 0, "permission": "CLOSE_ISSUES", "holder": {"type": "user", "id": dev00}}),
            vec![("POST /rest/api/3/permissionscheme/0/permission", 201)],
            vec![
                ("POST /rest/api/3/permissionscheme/0/permission", 400),
                ("GET /rest/api/3/permissionscheme/0/permission", 200),
            ],
        ),
        (
            json!({"action": "remove-permission-grant", "schemeId": 10100, "grantId": 10100}),
            vec![(
                "DELETE /rest/api/3/permissionscheme/10100/permission/10100",
                204,
            )],
            vec![
                (
                    "DELETE /rest/api/3/permissionscheme/10100/permission/10100",
                    400,
                ),
                ("GET /rest/api/3/permissionscheme/10100/permission", 200),
            ],
        ),
        (
            json!({"action": "set-user-property", "accountId": EMMA, "key": "governance.review", "value": {"state": "approved", "by": ["svc"]}}),
            vec![
                (
                    "GET /rest/api/3/user/properties/governance.review?accountId=5b10ac8d82e05b22cc7d4ef5",
                    404,
                ),
                (
                    "PUT /rest/api/3/user/properties/governance.review?accountId=5b10ac8d82e05b22cc7d4ef5",
                    201,
                ),
            ],
            vec![(
                "GET /rest/api/3/user/properties/governance.review?accountId=5b10ac8d82e05b22cc7d4ef5",
                200,
            )],
        ),
        (
            json!({"action": "delete-user-property", "accountId": EMMA, "key": "legacy.flag"}),
            vec![(
                "DELETE /rest/api/3/user/properties/legacy.flag?accountId=5b10ac8d82e05b22cc7d4ef5",
                204,
            )],
            vec![
                (
                    "DELETE /rest/api/3/user/properties/legacy.flag?accountId=5b10ac8d82e05b22cc7d4ef5",
                    404,
                ),
                (
                    "GET /rest/api/3/user?accountId=5b10ac8d82e05b22cc7d4ef5",
                    200,
                ),
            ],
        ),
    ]
}

fn sample_with_property() -> Tenant {
    let mut t = Tenant::sample();
    t.properties
        .insert((EMMA.into(), "legacy.flag".into()), json!(true));
    t
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_every_action_then_repeat_is_already_in_state() {
    let mut h = configured(sample_with_property()).await;
    for (action, first, repeat) in cases() {
        let outcome = apply(&mut h, action.clone())
            .await
            .unwrap_or_else(|e| panic!("{action}: {e}"));
        assert_eq!(outcome.status, OutcomeStatus::Applied, "{action}");
        let want: Vec<(String, u16)> = first.iter().map(|(l, s)| (l.to_string(), *s)).collect();
        assert_eq!(exchanges(&outcome), want, "{action}");

        let again = apply(&mut h, action.clone())
            .await
            .unwrap_or_else(|e| panic!("{action}: {e}"));
        assert_eq!(again.status, OutcomeStatus::AlreadyInState, "{action}");
        let want: Vec<(String, u16)> = repeat.iter().map(|(l, s)| (l.to_string(), *s)).collect();
        assert_eq!(exchanges(&again), want, "{action}");
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
        assert!(
            !t.actors[&("10000".to_owned(), 10002)]
                .contains(&Actor::User(SERVICE_ACCOUNT_ID.into()))
        );
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
    json!({"type": kind, "from": {"type": from.0, "id": from.1}, "to": {"type": to.0, "id": to.1}})
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
                json!({"type": "group", "id": AUTOMATION, "name": "automation-apps", "attributes": {}}),
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
    assert_eq!(kinds, ["grants", "holds", "in-scheme", "permission-grant"]);
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
