//! One module per Jira resource: the calls the connector makes to it. Each
//! builder returns a [`Call`](crate::jira::call::Call) typed with the wire
//! model its answer decodes to, and takes its method, path and page size
//! from its endpoint's row in [`endpoints`](crate::jira::endpoints).

pub mod groups;
pub mod org;
pub mod permissions;
pub mod projects;
pub mod site;
pub mod users;

use crate::jira::endpoints::Endpoint;

/// A paged endpoint's page size, for the builders' constants: an endpoint
/// without one fails the build, not a run.
const fn page_size(endpoint: Endpoint) -> u64 {
    match endpoint.page_size() {
        Some(size) => size,
        None => panic!("not a paged endpoint"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::config::Config;
    use crate::jira::client::test_api;
    use crate::jira::transport::HttpRequest;

    /// The builder's name and the endpoint and request of the call it builds.
    macro_rules! built {
        ($module:ident :: $builder:ident ( $($arg:expr),* )) => {
            (stringify!($builder), $module::$builder($($arg),*).into_parts())
        };
    }

    fn every_call() -> Vec<(&'static str, (Endpoint, HttpRequest))> {
        let api = test_api();
        let api = &api;
        let config =
            Config::parse(r#"{"appConfig": {"token": "me@acme.com:TOKEN", "siteName": "acme"}}"#)
                .unwrap();
        let grant = serde_json::json!({"permission": "BROWSE_PROJECTS"});
        let org_config = Config::parse(
            r#"{"appConfig": {"token": "me@acme.com:TOKEN", "siteName": "acme", "adminApiKey": "ORGKEY", "orgId": "org-1"}}"#,
        )
        .unwrap();
        let org_api = crate::jira::client::OrgApi::new(org_config.org().unwrap());
        let ids = vec!["a1".to_owned(), "a2".to_owned()];
        vec![
            built!(org::org_user_search_page(&org_api, &ids, Some("c1"))),
            built!(site::tenant_info(config.site())),
            built!(users::myself(api)),
            built!(users::users_page(api, 2000)),
            built!(users::get_user(api, "a1")),
            built!(users::user_groups(api, "a1")),
            built!(users::user_property_keys(api, "a1")),
            built!(users::get_user_property(api, "a1", "k/1")),
            built!(users::set_user_property(api, "a1", "k/1", "{}")),
            built!(users::delete_user_property(api, "a1", "k/1")),
            built!(groups::groups_page(api, 50)),
            built!(groups::site_admin_groups_page(api, 0)),
            built!(groups::product_admin_groups_page(api, "jira-software", 0)),
            built!(groups::product_user_groups_page(api, "jira-software", 50)),
            built!(groups::group_members_page(api, "g 1", 0)),
            built!(groups::add_group_member(api, "g1", "a1")),
            built!(groups::remove_group_member(api, "g1", "a1")),
            built!(groups::create_group(api, "team")),
            built!(groups::delete_group(api, "g1", Some("g2"))),
            built!(groups::find_group(api, groups::GroupKey::Name("a&b"))),
            built!(projects::projects_page(api, 100)),
            built!(projects::global_roles(api)),
            built!(projects::project_roles(api, "10 01")),
            built!(projects::project_role_actors(api, "10001", 10002)),
            built!(projects::project_permission_scheme(api, "10001")),
            built!(projects::add_role_actor(
                api,
                "10001",
                7,
                projects::Actor::User("a1")
            )),
            built!(projects::remove_role_actor(
                api,
                "10001",
                7,
                projects::Actor::Group("g1")
            )),
            built!(permissions::application_roles(api)),
            built!(permissions::permission_schemes(api)),
            built!(permissions::permission_scheme(api, 0)),
            built!(permissions::permissions(api)),
            built!(permissions::my_permissions(
                api,
                &["ADMINISTER", "USER_PICKER"]
            )),
            built!(permissions::scheme_grants(api, 3)),
            built!(permissions::add_grant(api, 3, &grant)),
            built!(permissions::remove_grant(api, 3, 12)),
        ]
    }

    fn snake_case(name: &str) -> String {
        let mut out = String::new();
        for c in name.chars() {
            if c.is_ascii_uppercase() && !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }

    /// Whether `path` is `template` with each `{…}` one non-empty segment.
    fn fits(template: &str, path: &str) -> bool {
        let (template, path): (Vec<&str>, Vec<&str>) =
            (template.split('/').collect(), path.split('/').collect());
        template.len() == path.len()
            && template.iter().zip(&path).all(|(t, p)| {
                if t.starts_with('{') {
                    !p.is_empty()
                } else {
                    t == p
                }
            })
    }

    #[test]
    fn builders_are_named_after_their_endpoints() {
        let calls = every_call();
        for (builder, (endpoint, _)) in &calls {
            let name = builder.strip_suffix("_page").unwrap_or(builder);
            assert_eq!(snake_case(&format!("{endpoint:?}")), name);
        }
        let endpoints: HashSet<Endpoint> = calls.iter().map(|(_, (e, _))| *e).collect();
        assert_eq!(endpoints.len(), calls.len(), "one builder per endpoint");
        assert_eq!(endpoints.len(), 35, "every endpoint has a builder");
    }

    #[test]
    fn builders_follow_their_rows() {
        for (builder, (endpoint, request)) in every_call() {
            let facts = endpoint.facts();
            assert_eq!(request.method, facts.method, "{builder}");
            assert!(fits(facts.path, request.path()), "{builder}: {request:?}");
            let paged = builder.ends_with("_page");
            assert_eq!(facts.page_size.is_some(), paged, "{builder}");
            match facts.page_size {
                // The admin API's search takes its page size in the body.
                Some(size) if endpoint.is_admin_api() => {
                    let body: serde_json::Value =
                        serde_json::from_slice(request.body.as_deref().unwrap()).unwrap();
                    assert_eq!(body["limit"], size, "{builder}");
                }
                Some(size) => {
                    let max = format!("maxResults={size}");
                    assert!(request.path_and_query.contains(&max), "{builder}");
                }
                None => {}
            }
        }
    }

    #[test]
    fn only_admin_calls_carry_the_organization_key() {
        for (builder, (endpoint, request)) in every_call() {
            let auth = request
                .headers
                .iter()
                .find(|(k, _)| k == "authorization")
                .map(|(_, v)| v.as_str());
            if endpoint.is_admin_api() {
                assert_eq!(auth, Some("Bearer ORGKEY"), "{builder}");
                assert_eq!(request.authority, crate::config::GATEWAY_HOST, "{builder}");
                let body: serde_json::Value =
                    serde_json::from_slice(request.body.as_deref().unwrap()).unwrap();
                assert_eq!(
                    body,
                    serde_json::json!({"accountIds": ["a1", "a2"], "limit": 100,
                        "expand": ["productAccess"], "cursor": "c1"})
                );
            } else {
                assert!(
                    auth.is_none_or(|a| a.starts_with("Basic ")),
                    "{builder}: {auth:?}"
                );
            }
        }
    }

    #[test]
    fn builders_encode_path_parameters() {
        let lines: Vec<String> = every_call()
            .into_iter()
            .map(|(_, (_, request))| request.line())
            .collect();
        for expected in [
            "GET /rest/api/3/user/properties/k%2F1?accountId=a1",
            "GET /rest/api/3/project/10%2001/roledetails",
            "GET /rest/api/3/project/10001/role/10002",
            "DELETE /rest/api/3/project/10001/role/7?groupId=g1",
            "GET /rest/api/3/permissionscheme/0?expand=all",
            "DELETE /rest/api/3/permissionscheme/3/permission/12",
            "DELETE /rest/api/3/group?groupId=g1&swapGroupId=g2",
            "GET /rest/api/3/group/bulk?groupName=a%26b",
            "GET /rest/api/3/mypermissions?permissions=ADMINISTER%2CUSER_PICKER",
            "GET /rest/api/3/group/bulk?accessType=site-admin&startAt=0&maxResults=50",
            "POST /admin/v2/orgs/org-1/directories/-/users/search",
            "GET /rest/api/3/group/bulk?accessType=user&applicationKey=jira-software&startAt=50&maxResults=50",
        ] {
            assert!(lines.iter().any(|l| l == expected), "{expected}: {lines:?}");
        }
    }
}
