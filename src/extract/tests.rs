//! End-to-end tests of an extraction against small fake tenants.

use std::collections::HashMap;

use super::cursor::CURSOR_VERSION;
use super::*;
use crate::config::Config;
use crate::domain::Value;
use crate::jira::transport::fake::{FakeTransport, json};
use crate::jira::transport::{HttpRequest, HttpResponse, Ticket, TransportError};
use serde_json::{Value as Json, json};

fn api() -> Api {
    crate::jira::client::test_api()
}

fn site() -> SiteFacts {
    SiteFacts {
        cloud_id: "cloud-1".into(),
        host: "acme.atlassian.net".into(),
    }
}

fn query(req: &HttpRequest) -> HashMap<String, String> {
    req.path_and_query
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn num(q: &HashMap<String, String>, k: &str) -> usize {
    q[k].parse().unwrap()
}

/// Answers for the phases after groups, and for the admin tiers, with
/// nothing in them.
fn empty_access_model(req: &HttpRequest) -> Option<Result<HttpResponse, TransportError>> {
    if req.path() == "/rest/api/3/group/bulk" && req.path_and_query.contains("accessType=") {
        return Some(json(
            200,
            json!({"startAt": 0, "maxResults": 50, "total": 0, "isLast": true, "values": []}),
        ));
    }
    Some(match req.path() {
        "/rest/api/3/role" | "/rest/api/3/applicationrole" => json(200, json!([])),
        "/rest/api/3/project/search" => json(
            200,
            json!({"startAt": 0, "maxResults": 100, "total": 0, "isLast": true, "values": []}),
        ),
        "/rest/api/3/permissions" => json(200, json!({"permissions": {}})),
        "/rest/api/3/permissionscheme" => json(200, json!({"permissionSchemes": []})),
        _ => return None,
    })
}

/// A tiny Jira: `users` accounts, `groups` with `members[i]` member counts.
fn tenant(
    users: usize,
    members: Vec<usize>,
) -> impl FnMut(&HttpRequest) -> Result<HttpResponse, TransportError> {
    move |req| {
        if let Some(answer) = empty_access_model(req) {
            return answer;
        }
        let q = query(req);
        match req.path() {
            "/rest/api/3/users/search" => {
                assert_eq!(q["maxResults"], "1000");
                let start = num(&q, "startAt");
                let page: Vec<Json> = (start..users.min(start + 1000))
                    .map(|i| json!({"accountId": format!("u{i}"), "accountType": "atlassian", "active": true, "displayName": format!("User {i}")}))
                    .collect();
                json(200, Json::Array(page))
            }
            "/rest/api/3/group/bulk" => {
                let start = num(&q, "startAt");
                let total = members.len();
                let values: Vec<Json> = (start..total.min(start + 50))
                    .map(|i| json!({"groupId": format!("g{i}"), "name": format!("group {i}")}))
                    .collect();
                json(
                    200,
                    json!({"startAt": start, "maxResults": 50, "total": total,
                    "isLast": start + 50 >= total, "values": values}),
                )
            }
            "/rest/api/3/group/member" => {
                assert_eq!(q["includeInactiveUsers"], "true");
                assert_eq!(q["maxResults"], "50");
                let g: usize = q["groupId"][1..].parse().unwrap();
                let start = num(&q, "startAt");
                let total = members[g];
                let values: Vec<Json> = (start..total.min(start + 50))
                    .map(|i| json!({"accountId": format!("u{i}"), "active": i % 2 == 0}))
                    .collect();
                json(
                    200,
                    json!({"startAt": start, "maxResults": 50, "total": total,
                    "isLast": start + 50 >= total, "values": values}),
                )
            }
            other => panic!("unexpected request {other}"),
        }
    }
}

fn run_all<T: Transport>(ex: &mut Extraction<T>) -> (Vec<Entity>, Vec<Relation>, Vec<Progress>) {
    let (mut entities, mut relations, mut progress) = (Vec::new(), Vec::new(), Vec::new());
    while let Some(batch) = ex.next_batch().unwrap() {
        assert!(batch.entities.len() + batch.relations.len() <= BATCH_RECORDS + 50);
        entities.extend(batch.entities);
        relations.extend(batch.relations);
        progress.push(batch.progress);
    }
    (entities, relations, progress)
}

/// Checks that each phase reports only after every phase it comes after
/// reported its end, and that a phase's progress never goes back.
fn assert_reports_in_dependency_order(progress: &[Progress]) {
    let first = |name: &str| progress.iter().position(|p| p.phase == name);
    let last = |name: &str| progress.iter().rposition(|p| p.phase == name);
    for &id in PhaseId::ALL {
        for dep in id.after() {
            assert!(
                last(dep.name()) < first(id.name()),
                "{} reported before {} ended: {progress:?}",
                id.name(),
                dep.name()
            );
        }
        let done: Vec<u64> = progress
            .iter()
            .filter(|p| p.phase == id.name())
            .map(|p| p.done)
            .collect();
        assert!(done.is_sorted(), "{}: {done:?}", id.name());
    }
}

#[test]
fn next_batch_reads_every_page_of_every_listing() {
    let transport = FakeTransport::new(tenant(2500, vec![0, 51, 120, 3]));
    let mut ex = Extraction::new(api(), site(), transport, 4, RetryPolicy::default());
    let (entities, relations, progress) = run_all(&mut ex);

    let users = entities.iter().filter(|e| e.kind == "user").count();
    let groups = entities.iter().filter(|e| e.kind == "group").count();
    assert_eq!((users, groups), (2500, 4));
    assert_eq!(relations.len(), 51 + 120 + 3);
    let mut g2: Vec<_> = relations
        .iter()
        .filter(|r| r.to.id == "g2")
        .map(|r| r.from.id.clone())
        .collect();
    g2.sort();
    g2.dedup();
    assert_eq!(g2.len(), 120);

    let groups = progress
        .iter()
        .rfind(|p| p.phase == "group-members")
        .unwrap();
    assert_eq!((groups.done, groups.total), (4, Some(4)));
    let mut reported: Vec<&str> = progress.iter().map(|p| p.phase).collect();
    reported.sort();
    reported.dedup();
    let mut every = [
        "users",
        "application-roles",
        "admin-tiers",
        "groups",
        "roles",
        "permissions",
        "permission-schemes",
        "projects",
        "group-members",
    ];
    every.sort();
    assert_eq!(reported, every, "every phase reports its progress");
    assert_reports_in_dependency_order(&progress);
    assert!(
        progress
            .iter()
            .any(|p| p.phase == "users" && p.done == 2500)
    );

    let lines = ex.transport().lines();
    // Users: pages 0..2 hold data, page 3 is empty; the window of 4 adds at most 3 more.
    let user_pages = lines.iter().filter(|l| l.contains("users/search")).count();
    assert!((4..=7).contains(&user_pages), "{user_pages}");
    // Groups: 1 page, and the site-admin tier (no products, so no other
    // tier); members: 0 + 2 + 3 + 1 pages (an empty group still costs one).
    let bulk = |tier: bool| {
        lines
            .iter()
            .filter(|l| l.contains("group/bulk") && l.contains("accessType=") == tier)
            .count()
    };
    assert_eq!((bulk(false), bulk(true)), (1, 1));
    assert_eq!(
        lines.iter().filter(|l| l.contains("group/member")).count(),
        1 + 2 + 3 + 1
    );
    assert!(ex.transport().max_in_flight <= 4);
}

#[test]
fn next_batch_gives_each_member_the_products_of_their_group() {
    let mut base = tenant(3, vec![2, 1]);
    let transport = FakeTransport::new(move |req| {
        if req.path() == "/rest/api/3/applicationrole" {
            return json(
                200,
                json!([{"key": "jira-software", "name": "Jira Software",
                "groupDetails": [{"groupId": "g0", "name": "group 0"}],
                "defaultGroupsDetails": []}]),
            );
        }
        base(req)
    });
    let mut ex = Extraction::new(api(), site(), transport, 2, RetryPolicy::default());
    let mut rows = Vec::new();
    let mut relations = Vec::new();
    while let Some(batch) = ex.next_batch().unwrap() {
        rows.extend(batch.entitlements);
        relations.extend(batch.relations);
    }
    let products: Vec<_> = rows
        .iter()
        .filter(|r| r.privilege_name == "product access")
        .map(|r| (r.identity.as_str(), r.connection.clone().unwrap().name))
        .collect();
    assert_eq!(
        products,
        [("u0", "group 0".to_owned()), ("u1", "group 0".to_owned())],
        "group 0's two members have the product through it; group 1's member does not"
    );
    assert_eq!(
        rows.iter().filter(|r| r.privilege_name == "member").count(),
        3
    );
    assert!(relations.iter().any(|r| r.kind == "product-of"
        && r.from.id == "jira-software"
        && r.to == crate::domain::EntityRef::new("site", "cloud-1")));
}

#[test]
fn next_batch_pages_groups_past_fifty() {
    let transport = FakeTransport::new(tenant(0, vec![1; 120]));
    let mut ex = Extraction::new(api(), site(), transport, 8, RetryPolicy::default());
    let (entities, relations, _) = run_all(&mut ex);
    assert_eq!(entities.iter().filter(|e| e.kind == "group").count(), 120);
    assert_eq!(relations.len(), 120);
    let lines = ex.transport().lines();
    for start in [0, 50, 100] {
        let needle = format!("group/bulk?startAt={start}&maxResults=50");
        assert_eq!(
            lines.iter().filter(|l| l.contains(&needle)).count(),
            1,
            "{needle}"
        );
    }
}

#[test]
fn next_batch_stops_with_a_typed_error_and_stays_failed() {
    let mut inner = tenant(10, vec![60]);
    let transport = FakeTransport::new(move |req| {
        if req.path_and_query.contains("group/member") && req.path_and_query.contains("startAt=50")
        {
            return json(403, json!({"errorMessages": ["nope"], "errors": {}}));
        }
        inner(req)
    });
    let mut ex = Extraction::new(api(), site(), transport, 2, RetryPolicy::default());
    let mut result = Ok(None);
    for _ in 0..10 {
        result = ex.next_batch();
        if result.is_err() {
            break;
        }
    }
    match result {
        Err(Error::Forbidden {
            request,
            permission,
            ..
        }) => {
            assert_eq!(request.step, "list group members");
            assert!(request.endpoint.contains("groupId=g0"));
            assert!(permission.unwrap().contains("Browse users and groups"));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        ex.next_batch().is_err(),
        "a failed extraction never reports success"
    );
}

#[test]
fn next_batch_rejects_a_page_of_the_wrong_shape() {
    let fake = FakeTransport::new(|req| {
        if req.path() == "/rest/api/3/users/search" {
            return json(200, json!({"values": []}));
        }
        // Other phases run alongside; their answers are empty.
        empty_access_model(req).unwrap_or_else(|| tenant(0, vec![])(req))
    });
    let mut ex = Extraction::new(
        api(),
        site(),
        Recording::new(fake),
        2,
        RetryPolicy::default(),
    );
    assert!(matches!(ex.next_batch(), Err(Error::InvalidResponse(f)) if f.step == "list users"));
    let events = &ex.transport().events;
    let answered = events
        .iter()
        .position(|e| matches!(e, Event::Answer(l) if l.contains("users/search")))
        .unwrap();
    // The slot the page freed was refilled before the page was read; after
    // the page was found wrong, nothing more starts.
    let refills = events[answered..]
        .iter()
        .filter(|e| matches!(e, Event::Start(..)))
        .count();
    assert!(
        refills <= 1,
        "no further request after the page of the wrong shape: {events:?}"
    );
    let before = ex.transport().events.len();
    assert!(ex.next_batch().is_err());
    assert_eq!(
        ex.transport().events.len(),
        before,
        "a failed extraction sends nothing more"
    );
}

#[test]
fn next_batch_encodes_odd_group_ids() {
    let odd = "a b+c&d/e%f#g?h=i ü";
    let transport = FakeTransport::new(move |req| {
        if let Some(answer) = empty_access_model(req) {
            return answer;
        }
        let q = query(req);
        match req.path() {
            "/rest/api/3/users/search" => json(200, json!([])),
            "/rest/api/3/group/bulk" => json(
                200,
                json!({"startAt": 0, "maxResults": 50, "total": 1, "isLast": true,
                "values": [{"groupId": odd, "name": odd}]}),
            ),
            "/rest/api/3/group/member" => {
                assert_eq!(q["groupId"], "a%20b%2Bc%26d%2Fe%25f%23g%3Fh%3Di%20%C3%BC");
                json(
                    200,
                    json!({"startAt": 0, "maxResults": 50, "total": 1, "isLast": true,
                    "values": [{"accountId": "u1"}]}),
                )
            }
            other => panic!("{other}"),
        }
    });
    let mut ex = Extraction::new(api(), site(), transport, 2, RetryPolicy::default());
    let (entities, relations, _) = run_all(&mut ex);
    let group = entities.iter().find(|e| e.kind == "group").unwrap();
    assert_eq!(group.id, odd);
    assert_eq!(relations[0].to.id, odd);
}

/// Two company-managed projects (two global roles each) on two pages of
/// one, and one team-managed project with a role of its own.
fn projects_tenant(req: &HttpRequest) -> Result<HttpResponse, TransportError> {
    let q = query(req);
    let role =
        |id: u64, name: &str, actors: Json| json!({"id": id, "name": name, "actors": actors});
    match req.path() {
        "/rest/api/3/users/search" | "/rest/api/3/applicationrole" => json(200, json!([])),
        "/rest/api/3/group/bulk" => json(
            200,
            json!({"startAt": 0, "maxResults": 50, "total": 0, "isLast": true, "values": []}),
        ),
        "/rest/api/3/role" => json(
            200,
            json!([
                role(10002, "Administrators", json!([])),
                role(10000, "Developers", json!([]))
            ]),
        ),
        "/rest/api/3/project/search" => {
            assert_eq!(
                req.path_and_query.matches("status=").count(),
                2,
                "live and archived"
            );
            assert!(req.path_and_query.contains("status=live&status=archived"));
            assert!(req.path_and_query.contains("expand=lead"));
            let values = match num(&q, "startAt") {
                0 => {
                    json!([{"id": "10000", "key": "EX", "name": "Example", "style": "classic", "lead": {"accountId": "lead-1"}}])
                }
                1 => {
                    json!([{"id": "10001", "key": "OLD", "name": "Old", "style": "classic", "archived": true}])
                }
                2 => {
                    json!([{"id": "10020", "key": "TM", "name": "Team", "style": "next-gen", "simplified": true}])
                }
                other => panic!("startAt {other}"),
            };
            let start = num(&q, "startAt");
            json(
                200,
                json!({"startAt": start, "maxResults": 1, "total": 3, "isLast": start == 2, "values": values}),
            )
        }
        "/rest/api/3/project/10020/roledetails" => json(
            200,
            json!([
            {"id": 10105, "name": "Member", "scope": {"type": "PROJECT", "project": {"id": "10020"}}}]),
        ),
        "/rest/api/3/project/10020/role/10105" => json(
            200,
            role(
                10105,
                "Member",
                json!([
            {"type": "atlassian-group-role-actor", "actorGroup": {"groupId": "g-1", "name": "devs"}}]),
            ),
        ),
        "/rest/api/3/project/10000/role/10002" => json(
            200,
            role(
                10002,
                "Administrators",
                json!([
            {"type": "atlassian-user-role-actor", "actorUser": {"accountId": "u-1"}}]),
            ),
        ),
        "/rest/api/3/project/10000/role/10000"
        | "/rest/api/3/project/10001/role/10002"
        | "/rest/api/3/project/10001/role/10000" => {
            let id: u64 = req.path().rsplit('/').next().unwrap().parse().unwrap();
            json(200, role(id, "r", json!([])))
        }
        "/rest/api/3/project/10000/permissionscheme" => {
            json(200, json!({"id": 0, "name": "Default Permission Scheme"}))
        }
        "/rest/api/3/project/10001/permissionscheme" => {
            json(200, json!({"id": 10001, "name": "Other"}))
        }
        "/rest/api/3/project/10020/permissionscheme" => json(
            200,
            json!({"id": 10300, "name": "Team", "scope": {"type": "PROJECT", "project": {"id": "10020"}}}),
        ),
        // Neither scheme is in the listing: both are read by id.
        "/rest/api/3/permissionscheme/10001" => {
            assert_eq!(q["expand"], "all");
            json(
                200,
                json!({"id": 10001, "name": "Other", "permissions": [
                {"id": 10100, "permission": "BROWSE_PROJECTS", "holder": {"type": "anyone"}}]}),
            )
        }
        "/rest/api/3/permissionscheme/10300" => {
            assert_eq!(q["expand"], "all");
            json(
                200,
                json!({"id": 10300, "name": "Team", "scope": {"type": "PROJECT", "project": {"id": "10020"}},
                "permissions": [{"id": 10301, "permission": "ADMINISTER_PROJECTS", "holder": {"type": "projectRole", "parameter": "10105", "value": "10105"}}]}),
            )
        }
        "/rest/api/3/permissions" => json(
            200,
            json!({"permissions": {
            "BROWSE_PROJECTS": {"key": "BROWSE_PROJECTS", "name": "Browse Projects", "type": "PROJECT"},
            "ADMINISTER": {"key": "ADMINISTER", "name": "Administer Jira", "type": "GLOBAL"}}}),
        ),
        "/rest/api/3/permissionscheme" => {
            assert_eq!(q["expand"], "all");
            json(
                200,
                json!({"permissionSchemes": [{"id": 0, "name": "Default Permission Scheme", "permissions": [
                {"id": 10000, "permission": "BROWSE_PROJECTS", "holder": {"type": "projectRole", "parameter": "10000", "value": "10000"}}]}]}),
            )
        }
        other => panic!("unexpected request {other}"),
    }
}

#[test]
fn next_batch_writes_entitlements_for_leads_and_user_role_actors() {
    let transport = FakeTransport::new(projects_tenant);
    let mut ex = Extraction::new(api(), site(), transport, 3, RetryPolicy::default());
    let mut rows = Vec::new();
    while let Some(batch) = ex.next_batch().unwrap() {
        rows.extend(batch.entitlements);
    }
    rows.sort();
    let project = |key: &str| Some(crate::domain::Labelled::new(key, "project"));
    assert_eq!(
        rows,
        [
            crate::domain::Entitlement {
                value: true,
                identity: "lead-1".into(),
                privilege_name: "project lead".into(),
                connection: None,
                resource: project("EX"),
            },
            crate::domain::Entitlement {
                value: true,
                identity: "u-1".into(),
                privilege_name: "Administrators".into(),
                connection: None,
                resource: project("EX"),
            },
        ],
        "the group actor's members hold the role through the group"
    );
}

/// One product; a group in each tier; a project administered through a
/// group grant and through a role whose actor is a group.
fn tiers_tenant(req: &HttpRequest) -> Result<HttpResponse, TransportError> {
    let q = query(req);
    let groups = |ids: &[&str]| {
        let values: Vec<Json> = ids
            .iter()
            .map(|id| json!({"groupId": id, "name": format!("{id} name")}))
            .collect();
        json(
            200,
            json!({"startAt": 0, "maxResults": 50, "total": ids.len(), "isLast": true, "values": values}),
        )
    };
    match req.path() {
        "/rest/api/3/users/search" => json(200, json!([])),
        "/rest/api/3/applicationrole" => json(
            200,
            json!([{"key": "jira-software", "name": "Jira Software",
            "groupDetails": [{"groupId": "g-users", "name": "g-users name"}, {"groupId": "g-admin", "name": "g-admin name"}],
            "defaultGroupsDetails": [{"groupId": "g-users", "name": "g-users name"}]}]),
        ),
        "/rest/api/3/group/bulk" => match q.get("accessType").map(String::as_str) {
            None => groups(&["g-site", "g-admin", "g-users", "g-tier", "g-proj"]),
            Some("site-admin") => groups(&["g-site"]),
            Some(tier) => {
                assert_eq!(q["applicationKey"], "jira-software");
                match tier {
                    "admin" => groups(&["g-admin"]),
                    "user" => groups(&["g-admin", "g-tier"]),
                    other => panic!("accessType {other}"),
                }
            }
        },
        "/rest/api/3/group/member" => {
            let id = &q["groupId"];
            json(
                200,
                json!({"startAt": 0, "maxResults": 50, "total": 1, "isLast": true,
                "values": [{"accountId": format!("m-{id}")}]}),
            )
        }
        "/rest/api/3/role" => json(200, json!([{"id": 10002, "name": "Administrators"}])),
        "/rest/api/3/project/search" => json(
            200,
            json!({"startAt": 0, "maxResults": 100, "total": 1, "isLast": true,
            "values": [{"id": "10000", "key": "EX", "name": "Example", "style": "classic"}]}),
        ),
        "/rest/api/3/project/10000/role/10002" => json(
            200,
            json!({"id": 10002, "name": "Administrators", "actors": [
            {"type": "atlassian-group-role-actor", "actorGroup": {"groupId": "g-proj", "name": "g-proj name"}}]}),
        ),
        "/rest/api/3/project/10000/permissionscheme" => json(200, json!({"id": 0, "name": "S"})),
        "/rest/api/3/permissions" => json(200, json!({"permissions": {}})),
        "/rest/api/3/permissionscheme" => json(
            200,
            json!({"permissionSchemes": [{"id": 0, "name": "S", "permissions": [
            {"id": 1, "permission": "ADMINISTER_PROJECTS", "holder": {"type": "projectRole", "parameter": "10002", "value": "10002"}},
            {"id": 2, "permission": "ADMINISTER_PROJECTS", "holder": {"type": "group", "parameter": "g-admin name", "value": "g-admin"}},
            {"id": 3, "permission": "BROWSE_PROJECTS", "holder": {"type": "group", "parameter": "g-users name", "value": "g-users"}}]}]}),
        ),
        other => panic!("unexpected request {other}"),
    }
}

#[test]
fn next_batch_writes_admin_tiers_and_their_entitlements() {
    let transport = FakeTransport::new(tiers_tenant);
    let mut ex = Extraction::new(api(), site(), transport, 3, RetryPolicy::default());
    let (mut relations, mut rows) = (Vec::new(), Vec::new());
    while let Some(batch) = ex.next_batch().unwrap() {
        relations.extend(batch.relations);
        rows.extend(batch.entitlements);
    }
    let mut tiers: Vec<(String, String, String, Option<Value>)> = relations
        .iter()
        .filter(|r| r.kind.starts_with("grants-"))
        .map(|r| {
            let source = r.attributes.iter().find(|(k, _)| *k == "source");
            (
                r.kind.to_owned(),
                r.from.id.clone(),
                format!("{}:{}", r.to.kind, r.to.id),
                source.map(|(_, v)| v.clone()),
            )
        })
        .collect();
    tiers.sort();
    let text = |s: &str| Some(Value::Text(s.into()));
    let tier = |kind: &str, from: &str, to: &str, source| {
        (kind.to_owned(), from.to_owned(), to.to_owned(), source)
    };
    assert_eq!(
        tiers,
        [
            tier(
                "grants-access",
                "g-admin",
                "application-role:jira-software",
                text("both")
            ),
            tier(
                "grants-access",
                "g-tier",
                "application-role:jira-software",
                text("accessType")
            ),
            tier(
                "grants-access",
                "g-users",
                "application-role:jira-software",
                text("applicationrole")
            ),
            tier(
                "grants-admin",
                "g-admin",
                "application-role:jira-software",
                None
            ),
            tier("grants-site-admin", "g-site", "site:cloud-1", None),
        ]
    );
    let mut got: Vec<(String, String, String, String)> = rows
        .iter()
        .filter(|r| r.privilege_name != "member")
        .map(|r| {
            let label = |l: &Option<crate::domain::Labelled>| {
                l.as_ref()
                    .map_or(String::new(), |l| format!("{}/{}", l.name, l.kind))
            };
            (
                r.identity.clone(),
                r.privilege_name.clone(),
                label(&r.connection),
                label(&r.resource),
            )
        })
        .collect();
    got.sort();
    let row = |who: &str, privilege: &str, group: &str, resource: &str| {
        (
            who.to_owned(),
            privilege.to_owned(),
            format!("{group} name/group"),
            resource.to_owned(),
        )
    };
    assert_eq!(
        got,
        [
            row("m-g-admin", "ADMINISTER_PROJECTS", "g-admin", "EX/project"),
            row(
                "m-g-admin",
                "product access",
                "g-admin",
                "jira-software/application-role"
            ),
            row(
                "m-g-admin",
                "product admin",
                "g-admin",
                "jira-software/application-role"
            ),
            row("m-g-proj", "ADMINISTER_PROJECTS", "g-proj", "EX/project"),
            row(
                "m-g-site",
                "site-admin",
                "g-site",
                "acme.atlassian.net/site"
            ),
            row(
                "m-g-tier",
                "product access",
                "g-tier",
                "jira-software/application-role"
            ),
            row(
                "m-g-users",
                "product access",
                "g-users",
                "jira-software/application-role"
            ),
        ]
    );
    assert_eq!(
        rows.iter().filter(|r| r.privilege_name == "member").count(),
        5
    );
}

#[test]
fn next_batch_reads_projects_roles_and_schemes() {
    let transport = FakeTransport::new(projects_tenant);
    let mut ex = Extraction::new(api(), site(), transport, 3, RetryPolicy::default());
    let (entities, relations, progress) = run_all(&mut ex);
    let count = |kind: &str| entities.iter().filter(|e| e.kind == kind).count();
    assert_eq!(count("project"), 3);
    assert_eq!(
        count("role"),
        3,
        "two global roles and one team-managed role"
    );
    assert_eq!(count("project-role"), 2 * 2 + 1);
    assert_eq!(count("permission"), 2);
    assert_eq!(
        (count("permission-scheme"), count("permission-grant")),
        (3, 3),
        "the listed scheme and the two read by id"
    );
    let team = entities
        .iter()
        .find(|e| e.kind == "permission-scheme" && e.id == "10300")
        .unwrap();
    assert_eq!(
        team.attributes[1..],
        [
            ("scope", Value::Text("project".into())),
            ("projectId", Value::Text("10020".into()))
        ]
    );

    let has = |kind: &str, from: &str, to: &str| {
        relations.iter().any(|r| {
            r.kind == kind
                && format!("{}:{}", r.from.kind, r.from.id) == from
                && format!("{}:{}", r.to.kind, r.to.id) == to
        })
    };
    assert!(has("leads", "user:lead-1", "project:10000"));
    assert!(has("assigned", "user:u-1", "project-role:10000:10002"));
    assert!(has("assigned", "group:g-1", "project-role:10020:10105"));
    assert!(has("role-of", "project-role:10020:10105", "project:10020"));
    assert!(has("instance-of", "project-role:10020:10105", "role:10105"));
    assert!(has("uses-scheme", "project:10000", "permission-scheme:0"));
    assert!(has(
        "uses-scheme",
        "project:10001",
        "permission-scheme:10001"
    ));
    assert!(has("holds", "role:10000", "permission-grant:10000"));
    assert!(has(
        "uses-scheme",
        "project:10020",
        "permission-scheme:10300"
    ));
    assert_eq!(
        relations.iter().filter(|r| r.kind == "uses-scheme").count(),
        3,
        "every project, team-managed too, uses a scheme"
    );
    let schemes = progress
        .iter()
        .rfind(|p| p.phase == "permission-schemes")
        .unwrap();
    assert_eq!(
        (schemes.done, schemes.total),
        (1, Some(1)),
        "the listed scheme; the projects phase reads the others"
    );

    let projects = progress.iter().rfind(|p| p.phase == "projects").unwrap();
    assert_eq!((projects.done, projects.total), (3, Some(3)));

    // BalkanID: each grant once per project whose scheme holds it, from the
    // project's own role; what names no entity is kept on the project.
    let permitted: Vec<_> = relations
        .iter()
        .filter(|r| r.kind == "permitted-on")
        .map(|r| {
            let p = r.privilege.clone().unwrap();
            (
                format!("{}:{}", r.from.kind, r.from.id),
                r.to.id.clone(),
                p.name,
                p.connection_type,
            )
        })
        .collect();
    assert_eq!(
        permitted,
        [
            (
                "project-role:10000:10000".to_owned(),
                "10000".to_owned(),
                "BROWSE_PROJECTS".to_owned(),
                "project-role"
            ),
            (
                "project-role:10020:10105".to_owned(),
                "10020".to_owned(),
                "ADMINISTER_PROJECTS".to_owned(),
                "project-role"
            ),
        ]
    );
    let conditional = |id: &str| {
        let project = entities
            .iter()
            .find(|e| e.kind == "project" && e.id == id)
            .unwrap();
        let (_, Value::Json(list)) = project.attributes.last().unwrap() else {
            panic!("conditionalGrants is the last attribute");
        };
        serde_json::from_str::<Json>(list).unwrap()
    };
    assert_eq!(
        conditional("10001"),
        json!([{"permission": "BROWSE_PROJECTS", "holderType": "anyone", "holderParameter": null}])
    );
    assert_eq!(conditional("10000"), json!([]));
    let lines = ex.transport().lines();
    assert!(
        !lines.iter().any(|l| l.contains("10000/roledetails")),
        "company-managed roles are the global ones"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("project/search"))
            .count(),
        3
    );
}

#[test]
fn next_batch_names_a_project_it_may_not_read() {
    let transport = FakeTransport::new(|req| {
        if req.path() == "/rest/api/3/project/10001/role/10000" {
            return json(
                404,
                json!({"errorMessages": ["No project could be found with id '10001'."], "errors": {}}),
            );
        }
        projects_tenant(req)
    });
    let mut ex = Extraction::new(api(), site(), transport, 3, RetryPolicy::default());
    let err = loop {
        match ex.next_batch() {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("must not complete"),
            Err(e) => break e,
        }
    };
    match err {
        Error::NotFound(f) => {
            assert_eq!(f.endpoint, "GET /rest/api/3/project/10001/role/10000");
            assert!(f.message.contains("Administer Projects"), "{}", f.message);
        }
        other => panic!("{other:?}"),
    }
}

fn sorted(mut entities: Vec<Entity>, mut relations: Vec<Relation>) -> (Vec<Entity>, Vec<Relation>) {
    entities.sort();
    relations.sort();
    (entities, relations)
}

#[test]
fn resume_carries_on_without_repeating_anything() {
    let clean = {
        let mut ex = Extraction::new(
            api(),
            site(),
            FakeTransport::new(projects_tenant),
            3,
            RetryPolicy::default(),
        );
        let (e, r, _) = run_all(&mut ex);
        sorted(e, r)
    };

    let failing = FakeTransport::new(|req| {
        if req.path() == "/rest/api/3/project/10001/role/10000" {
            return json(500, json!({"errorMessages": ["boom"], "errors": {}}));
        }
        projects_tenant(req)
    });
    let policy = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    };
    let mut first = Extraction::new(api(), site(), failing, 3, policy);
    assert_eq!(
        first.resume_cursor(),
        None,
        "no cursor before the first batch"
    );
    let (mut entities, mut relations) = (Vec::new(), Vec::new());
    let err = loop {
        match first.next_batch() {
            Ok(Some(b)) => {
                entities.extend(b.entities);
                relations.extend(b.relations);
            }
            Ok(None) => panic!("the failure must stop the run"),
            Err(e) => break e,
        }
    };
    assert!(
        matches!(err, Error::Upstream { status: 500, .. }),
        "{err:?}"
    );
    let cursor = first
        .resume_cursor()
        .expect("a cursor after delivered batches");

    let mut second = Extraction::resume(
        api(),
        FakeTransport::new(projects_tenant),
        3,
        RetryPolicy::default(),
        &cursor,
    )
    .expect("the cursor resumes");
    let (e, r, _) = run_all(&mut second);
    entities.extend(e);
    relations.extend(r);
    assert_eq!(
        sorted(entities, relations),
        clean,
        "delivered + resumed == clean, nothing twice"
    );
    let lines = second.transport().lines();
    for done in ["users/search", "group/bulk", "/rest/api/3/role "] {
        assert!(
            !lines
                .iter()
                .any(|l| l.contains(done) || format!("{l} ").contains(done)),
            "{done} was fetched again: {lines:?}"
        );
    }
}

#[test]
fn resume_refuses_foreign_or_broken_cursors() {
    let mut ex = Extraction::new(
        api(),
        site(),
        FakeTransport::new(projects_tenant),
        3,
        RetryPolicy::default(),
    );
    ex.next_batch().unwrap();
    let cursor = ex.resume_cursor().unwrap();
    let other = {
        let config =
            Config::parse(r#"{"appConfig": {"token": "me@acme.com:TOKEN", "siteName": "other"}}"#)
                .unwrap();
        Api::site(config.site(), config.credentials())
    };
    let err = Extraction::resume(
        other,
        FakeTransport::new(projects_tenant),
        3,
        RetryPolicy::default(),
        &cursor,
    )
    .err();
    assert!(matches!(err, Some(Error::InvalidCursor(m)) if m.contains("other.atlassian.net")));
    for bad in [
        "",
        "{}",
        "not json",
        &cursor.replace(&format!("\"version\":{CURSOR_VERSION}"), "\"version\":99"),
    ] {
        let err = Extraction::resume(
            api(),
            FakeTransport::new(projects_tenant),
            3,
            RetryPolicy::default(),
            bad,
        )
        .err();
        assert!(matches!(err, Some(Error::InvalidCursor(_))), "{bad}");
    }
}

/// Why a cursor does not resume against the tenant of `projects_tenant`.
fn refusal(cursor: &str) -> Option<Error> {
    let transport = FakeTransport::new(projects_tenant);
    Extraction::resume(api(), transport, 3, RetryPolicy::default(), cursor).err()
}

/// Checks that `cursor` is refused as an invalid cursor whose reason
/// mentions `reason`.
fn assert_refused(cursor: &Json, reason: &str) {
    let err = refusal(&cursor.to_string());
    assert!(
        matches!(&err, Some(Error::InvalidCursor(m)) if m.contains(reason)),
        "{err:?}"
    );
}

#[test]
fn resume_names_the_version_of_an_older_cursor() {
    let older = r#"{"version":2,"base":"https://acme.atlassian.net","ledger":{"phase":1},"jobs":[{"Groups":{"start_at":0}}]}"#;
    let err = refusal(older);
    assert!(
        matches!(&err, Some(Error::InvalidCursor(m)) if m.starts_with("version 2 cannot be resumed")),
        "{err:?}"
    );
}

/// The cursor after `batches` batches of a run against `projects_tenant`,
/// as JSON to tamper with.
fn projects_cursor(batches: usize) -> Json {
    let transport = FakeTransport::new(projects_tenant);
    let mut ex = Extraction::new(api(), site(), transport, 3, RetryPolicy::default());
    for _ in 0..batches {
        ex.next_batch().unwrap().unwrap();
    }
    serde_json::from_str(&ex.resume_cursor().unwrap()).unwrap()
}

/// The names of the phases a cursor runs.
fn running(cursor: &Json) -> Vec<String> {
    cursor["running"]
        .as_array()
        .unwrap()
        .iter()
        .map(|phase| phase.as_object().unwrap().keys().next().unwrap().clone())
        .collect()
}

#[test]
fn resume_refuses_a_job_of_another_phase() {
    let cursor = projects_cursor(1);
    assert!(refusal(&cursor.to_string()).is_none(), "{cursor}");
    assert_eq!(cursor["finished"], json!(["Users"]), "{cursor}");
    // A job of a finished phase, and of one that has not started.
    for job in [
        json!({"Users": {"Page": {"start_at": 0}}}),
        json!({"GroupMembers": {"group_id": "g0", "start_at": 0}}),
    ] {
        let mut tampered = cursor.clone();
        tampered["jobs"].as_array_mut().unwrap().push(job);
        assert_refused(&tampered, "another phase");
    }
}

#[test]
fn resume_refuses_a_phase_running_before_its_dependencies() {
    // Run until admin tiers, which come after application roles, run.
    let cursor = (1..20)
        .map(projects_cursor)
        .find(|cursor| running(cursor).contains(&"AdminTiers".to_owned()))
        .expect("admin tiers run at some batch");
    assert!(refusal(&cursor.to_string()).is_none(), "{cursor}");
    let mut tampered = cursor.clone();
    tampered["finished"]
        .as_array_mut()
        .unwrap()
        .retain(|id| id != "ApplicationRoles");
    assert_refused(&tampered, "phase admin-tiers before");
}

#[test]
fn resume_refuses_a_phase_left_unstarted() {
    let mut cursor = projects_cursor(1);
    // Users need nothing: a cursor that neither ran nor finished them would
    // never read them.
    cursor["finished"] = json!([]);
    assert_refused(&cursor, "phase users unstarted");
    let mut twice = projects_cursor(1);
    let groups = twice["running"]
        .as_array()
        .unwrap()
        .iter()
        .find(|phase| phase.get("Groups").is_some())
        .unwrap()
        .clone();
    twice["running"].as_array_mut().unwrap().push(groups);
    assert_refused(&twice, "twice");
}

/// A fake that also notes what happens on the wire, in order: each request
/// started, with every request then in flight, and each answer.
struct Recording {
    fake: FakeTransport,
    in_flight: HashMap<Ticket, String>,
    events: Vec<Event>,
}

#[derive(Debug)]
enum Event {
    /// A request started; the requests in flight with it, itself included.
    Start(String, Vec<String>),
    Answer(String),
}

impl Recording {
    fn new(fake: FakeTransport) -> Self {
        Self {
            fake,
            in_flight: HashMap::new(),
            events: Vec::new(),
        }
    }
}

impl Transport for Recording {
    fn start(&mut self, request: &HttpRequest) -> Ticket {
        let ticket = self.fake.start(request);
        self.in_flight.insert(ticket, request.line());
        let window = self.in_flight.values().cloned().collect();
        self.events.push(Event::Start(request.line(), window));
        ticket
    }

    fn wait(
        &mut self,
        timeout: Option<std::time::Duration>,
    ) -> Vec<(Ticket, Result<HttpResponse, TransportError>)> {
        let done = self.fake.wait(timeout);
        for (ticket, _) in &done {
            if let Some(line) = self.in_flight.remove(ticket) {
                self.events.push(Event::Answer(line));
            }
        }
        done
    }

    fn now(&self) -> std::time::Duration {
        self.fake.now()
    }
}

/// The phase a request line belongs to, by the endpoints each reads.
fn phase_of(line: &str) -> &'static str {
    let path = line.split([' ', '?']).nth(1).unwrap();
    match path {
        "/rest/api/3/users/search" => "users",
        _ if path.starts_with("/admin/") => "users",
        "/rest/api/3/applicationrole" => "application-roles",
        "/rest/api/3/group/bulk" if line.contains("accessType=") => "admin-tiers",
        "/rest/api/3/group/bulk" => "groups",
        "/rest/api/3/role" => "roles",
        "/rest/api/3/permissions" => "permissions",
        "/rest/api/3/permissionscheme" => "permission-schemes",
        "/rest/api/3/group/member" => "group-members",
        _ if path.starts_with("/rest/api/3/project")
            || path.starts_with("/rest/api/3/permissionscheme/") =>
        {
            "projects"
        }
        other => panic!("no phase reads {other}"),
    }
}

#[test]
fn extract_overlaps_independent_phases() {
    let transport = Recording::new(FakeTransport::new(tenant(2500, vec![0, 51, 120, 3])));
    let mut ex = Extraction::new(api(), site(), transport, 4, RetryPolicy::default());
    run_all(&mut ex);
    let windows: Vec<(&str, Vec<&str>)> = ex
        .transport()
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Start(line, window) => {
                Some((phase_of(line), window.iter().map(|l| phase_of(l)).collect()))
            }
            Event::Answer(_) => None,
        })
        .collect();
    let overlap = |a: &str, b: &str| {
        windows
            .iter()
            .any(|(_, w)| w.contains(&a) && w.contains(&b))
    };
    // The strict order read admin tiers after the last page of users, and
    // groups after admin tiers.
    assert!(overlap("users", "admin-tiers"), "{windows:?}");
    assert!(overlap("groups", "application-roles"), "{windows:?}");
    let together = |phase: &str| {
        windows
            .iter()
            .any(|(p, w)| *p == phase && w.iter().any(|other| other != p))
    };
    for phase in ["users", "groups", "application-roles", "admin-tiers"] {
        assert!(together(phase), "{phase} overlaps another phase");
    }
    // The window drains only at the start, and where a phase waits for
    // every phase still under way (projects, and group members after
    // them); the strict order drained it at each of the nine phases.
    let drained = windows.iter().filter(|(_, w)| w.len() == 1).count();
    assert!(drained <= 3, "{drained} times: {windows:?}");
    assert!(ex.transport().fake.max_in_flight <= 4);
}

#[test]
fn extract_starts_a_phase_only_after_its_dependencies() {
    let transport = Recording::new(FakeTransport::new(tiers_tenant));
    let mut ex = Extraction::new(api(), site(), transport, 8, RetryPolicy::default());
    let (_, _, progress) = run_all(&mut ex);
    assert_reports_in_dependency_order(&progress);
    let events = &ex.transport().events;
    let first_start = |phase: &str| {
        events
            .iter()
            .position(|e| matches!(e, Event::Start(l, _) if phase_of(l) == phase))
            .unwrap_or_else(|| panic!("{phase} made no request"))
    };
    let last_answer = |phase: &str| {
        events
            .iter()
            .rposition(|e| matches!(e, Event::Answer(l) if phase_of(l) == phase))
            .unwrap_or_else(|| panic!("{phase} had no answer"))
    };
    for &id in PhaseId::ALL {
        for dep in id.after() {
            assert!(
                last_answer(dep.name()) < first_start(id.name()),
                "{} started before {} finished: {events:?}",
                id.name(),
                dep.name()
            );
        }
    }
    assert!(last_answer("projects") < first_start("group-members"));
    // Phases that wait for nothing start together: the last of them starts
    // after a few answers, where the strict order waited for eight (users,
    // application roles, three tiers, groups, roles, permissions).
    let independent = PhaseId::ALL.iter().filter(|id| id.after().is_empty());
    let latest = independent.map(|id| first_start(id.name())).max().unwrap();
    assert!(
        events[..latest]
            .iter()
            .filter(|e| matches!(e, Event::Answer(_)))
            .count()
            < 6,
        "{events:?}"
    );
}

/// Every record of a run, sorted, so that two runs compare whatever the
/// order their phases interleaved in.
fn records(
    batches: impl IntoIterator<Item = Batch>,
) -> (Vec<Entity>, Vec<Relation>, Vec<Entitlement>) {
    let (mut entities, mut relations, mut entitlements) = (Vec::new(), Vec::new(), Vec::new());
    for batch in batches {
        entities.extend(batch.entities);
        relations.extend(batch.relations);
        entitlements.extend(batch.entitlements);
    }
    entities.sort();
    relations.sort();
    entitlements.sort();
    (entities, relations, entitlements)
}

fn batches<T: Transport>(ex: &mut Extraction<T>) -> Vec<Batch> {
    std::iter::from_fn(|| ex.next_batch().unwrap()).collect()
}

#[test]
fn resume_carries_on_with_several_phases_running() {
    let straight = {
        let transport = FakeTransport::new(tiers_and_users(2500));
        let mut ex = Extraction::new(api(), site(), transport, 4, RetryPolicy::default());
        records(batches(&mut ex))
    };
    let mut cuts = 0;
    for cut in 1.. {
        let transport = FakeTransport::new(tiers_and_users(2500));
        let mut first = Extraction::new(api(), site(), transport, 4, RetryPolicy::default());
        let delivered: Vec<Batch> = (0..cut)
            .map_while(|_| first.next_batch().unwrap())
            .collect();
        if delivered.len() < cut {
            break;
        }
        let cursor = first.resume_cursor().unwrap();
        let json: Json = serde_json::from_str(&cursor).unwrap();
        if running(&json).len() < 2 {
            continue;
        }
        cuts += 1;
        let transport = FakeTransport::new(tiers_and_users(2500));
        let mut second =
            Extraction::resume(api(), transport, 4, RetryPolicy::default(), &cursor).unwrap();
        let rest = batches(&mut second);
        let resumed = records(delivered.into_iter().chain(rest));
        assert_eq!(
            resumed,
            straight,
            "cut after batch {cut}: {:?}",
            running(&json)
        );
    }
    assert!(cuts >= 3, "{cuts} cuts with several phases running");
}

/// `tiers_tenant` with `users` accounts, so that users fill batches while
/// other phases run.
fn tiers_and_users(
    users: usize,
) -> impl FnMut(&HttpRequest) -> Result<HttpResponse, TransportError> {
    let mut people = tenant(users, vec![]);
    move |req| match req.path() {
        "/rest/api/3/users/search" => people(req),
        _ => tiers_tenant(req),
    }
}

/// The test API with the organization admin API configured.
fn org_api() -> Api {
    let config = Config::parse(
        r#"{"appConfig": {"token": "me@acme.com:TOKEN", "siteName": "acme", "adminApiKey": "ORGKEY", "orgId": "org-1"}}"#,
    )
    .unwrap();
    Api::site(config.site(), config.credentials()).with_org(config.org())
}

const NOON: i64 = 1_795_780_800; // 2026-11-27T12:00:00Z

/// `users` accounts; the organization knows every one but `u7`, has `u3`
/// in two directories, `u5` never active, and serves `page_cap` records a
/// page through a cursor `"<ids hash>:<offset>"`.
fn org_tenant(
    users: usize,
    page_cap: usize,
) -> impl FnMut(&HttpRequest) -> Result<HttpResponse, TransportError> {
    let mut jira = tenant(users, vec![]);
    move |req| {
        if req.path() != "/admin/v2/orgs/org-1/directories/-/users/search" {
            let auth = req
                .headers
                .iter()
                .find(|(k, _)| k == "authorization")
                .unwrap();
            assert!(auth.1.starts_with("Basic "), "the Jira token only to Jira");
            return jira(req);
        }
        assert_eq!(req.method, crate::jira::transport::Method::Search);
        assert_eq!(req.authority, "api.atlassian.com");
        let auth = req
            .headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .unwrap();
        assert_eq!(auth.1, "Bearer ORGKEY", "the key only to the admin API");
        let body: Json = serde_json::from_slice(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["limit"], 100);
        assert_eq!(body["expand"], json!(["productAccess"]));
        let ids: Vec<&str> = body["accountIds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(!ids.is_empty() && ids.len() <= 100, "{}", ids.len());
        let mut records = Vec::new();
        for id in &ids {
            let n: usize = id[1..].parse().unwrap();
            if n == 7 {
                continue;
            }
            let products = if n == 5 {
                json!([])
            } else {
                json!([{"key": "jira", "id": "ari:cloud:jira::site/cloud-1",
                        "lastActiveTimestamp": format!("2026-11-{:02}T12:00:00.5Z", 27 - n % 20)},
                       {"key": "confluence", "id": "ari:cloud:confluence::site/other",
                        "lastActiveTimestamp": null}])
            };
            records.push(
                json!({"accountId": id, "accountStatus": if n == 2 { "closed" } else { "active" },
                "claimStatus": "managed", "productAccess": products}),
            );
            if n == 3 {
                records.push(json!({"accountId": id, "accountStatus": "active", "claimStatus": "unmanaged",
                    "productAccess": [{"key": "confluence", "id": "x", "lastActiveTimestamp": "2026-11-27T12:00:00Z"}]}));
            }
        }
        let offset: usize = body["cursor"]
            .as_str()
            .map_or(0, |c| c.rsplit_once(':').unwrap().1.parse().unwrap());
        let page: Vec<Json> = records
            .iter()
            .skip(offset)
            .take(page_cap)
            .cloned()
            .collect();
        let next = (offset + page_cap < records.len())
            .then(|| format!("{}:{}", ids[0], offset + page_cap));
        json(
            200,
            json!({"data": page, "links": {"self": "s", "next": next}}),
        )
    }
}

#[test]
fn next_batch_looks_every_user_up_in_the_organization() {
    let transport = FakeTransport::new(org_tenant(1250, 40));
    let window = ActivityWindow {
        now: NOON + 10 * 86_400,
        days: 90,
    };
    let mut ex = Extraction::with_activity(
        org_api(),
        site(),
        Some(window),
        transport,
        4,
        RetryPolicy::default(),
    );
    let mut entitlements = Vec::new();
    let mut users = Vec::new();
    while let Some(batch) = ex.next_batch().unwrap() {
        users.extend(batch.entities.into_iter().filter(|e| e.kind == "user"));
        entitlements.extend(batch.entitlements);
    }
    assert_eq!(users.len(), 1250, "every user once");
    let attr = |id: &str, name: &str| {
        let u = users.iter().find(|u| u.id == id).unwrap();
        u.attributes
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(attr("u7", "orgRecord"), Some(Value::Bool(false)));
    assert_eq!(attr("u7", "lastActive"), None, "nothing invented");
    assert_eq!(attr("u5", "lastActive"), Some(Value::Null));
    assert_eq!(attr("u5", "dormant"), Some(Value::Bool(true)));
    assert_eq!(
        attr("u2", "accountStatus"),
        Some(Value::Text("closed".into()))
    );
    // u3's second record adds confluence and makes the claim managed.
    assert_eq!(
        attr("u3", "lastActiveByProduct"),
        Some(Value::Timestamps(vec![
            ("confluence".into(), NOON),
            ("jira".into(), NOON - 3 * 86_400)
        ]))
    );
    assert_eq!(attr("u3", "lastActive"), Some(Value::Timestamp(NOON)));
    assert_eq!(
        attr("u3", "claimStatus"),
        Some(Value::Text("managed".into()))
    );
    assert_eq!(attr("u1", "dormant"), Some(Value::Bool(false)));
    let rows: Vec<_> = entitlements
        .iter()
        .filter(|e| e.privilege_name == "access in last 90 days")
        .collect();
    assert_eq!(rows.len(), 1249, "a row per user the organization knows");
    assert!(rows.iter().any(|r| r.identity == "u5" && !r.value));
    assert!(rows.iter().any(|r| r.identity == "u1" && r.value));
    // 1250 users: pages of 1000 and 250, searched in chunks of 100; each
    // chunk's ~100 records come 40 a page.
    let searches = ex
        .transport()
        .lines()
        .iter()
        .filter(|l| l.contains("/admin/"))
        .count();
    assert_eq!(searches, 10 * 3 + 2 * 3 + 2, "{searches}");
}

#[test]
fn next_batch_fails_on_a_cursor_that_repeats() {
    let transport = FakeTransport::new(move |req: &HttpRequest| {
        if req.path().starts_with("/admin/") {
            return json(200, json!({"data": [], "links": {"next": "same"}}));
        }
        tenant(3, vec![])(req)
    });
    let window = ActivityWindow {
        now: NOON,
        days: 90,
    };
    let mut ex = Extraction::with_activity(
        org_api(),
        site(),
        Some(window),
        transport,
        2,
        RetryPolicy::default(),
    );
    let err = loop {
        match ex.next_batch() {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("the run must fail"),
            Err(e) => break e,
        }
    };
    let text = err.to_string();
    assert!(text.contains("repeats the cursor"), "{text}");
    assert!(text.contains("organization"), "names the step: {text}");
}

#[test]
fn resume_refuses_a_cursor_made_with_another_organization_setting() {
    let transport = FakeTransport::new(tenant(1500, vec![]));
    let mut ex = Extraction::new(api(), site(), transport, 2, RetryPolicy::default());
    ex.next_batch().unwrap();
    let cursor = ex.resume_cursor().unwrap();
    let err = Extraction::resume(
        org_api(),
        FakeTransport::new(tenant(1500, vec![])),
        2,
        RetryPolicy::default(),
        &cursor,
    )
    .err()
    .expect("refused");
    assert!(err.to_string().contains("appConfig.adminApiKey"), "{err}");
}
