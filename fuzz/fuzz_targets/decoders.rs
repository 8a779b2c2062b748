//! Every Jira response decoder, and the mappers behind them: arbitrary bytes
//! either decode and map, or fail with a typed error; nothing panics.
#![no_main]

use extractor_jira::jira::call::Reply;
use extractor_jira::jira::client::Api;
use extractor_jira::jira::endpoints::Endpoint;
use extractor_jira::jira::failure::error_messages;
use extractor_jira::jira::models::{
    ApplicationRole, GroupDetails, OrgUserPage, PermissionScheme, PermissionSchemes, Permissions,
    Project, ProjectRole, TenantInfo, User,
};
use extractor_jira::jira::page::PageBean;
use extractor_jira::jira::transport::HttpResponse;
use extractor_jira::{config::Config, mapping};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let config =
        Config::parse(r#"{"appConfig": {"token": "fuzz@example.com:T", "siteName": "acme"}}"#)
            .unwrap();
    let api = Api::site(config.site(), config.credentials());
    let request = api.get("/rest/api/3/fuzz", &[]);
    let response = HttpResponse {
        status: 200,
        headers: Vec::new(),
        body: data.to_vec(),
    };
    let _ = error_messages(data);
    if let Ok(text) = std::str::from_utf8(data)
        && let Some(at) = extractor_jira::time::parse_rfc3339(text)
    {
        // What is read is written back and read again to the same second
        // (an offset can carry a time past year 9999 or before year 0,
        // which RFC 3339 cannot write).
        let written = extractor_jira::time::iso8601(at);
        if written.len() == 20 {
            assert_eq!(extractor_jira::time::parse_rfc3339(&written), Some(at), "{text}");
        }
        drop(extractor_jira::time::balkanid(at));
    }
    if let Ok(page) = Reply::<OrgUserPage>::new(
        Endpoint::OrgUserSearch,
        request.clone(),
        response.clone(),
        1,
    )
    .decode()
    {
        let window = mapping::ActivityWindow { now: 1_795_780_800, days: 90 };
        let mut record = mapping::OrgRecord::default();
        for u in &page.data {
            if record.merge(u).is_err() {
                break;
            }
        }
        let mut user = mapping::user(&User {
            account_id: "a".into(),
            account_type: None,
            active: None,
            display_name: None,
            email_address: None,
        });
        drop(mapping::enrich(&mut user, Some(&record), &window));
    }

    if let Ok(users) =
        Reply::<Vec<User>>::new(Endpoint::Users, request.clone(), response.clone(), 1).decode()
    {
        users.iter().for_each(|u| drop(mapping::user(u)));
    }
    if let Ok(page) =
        Reply::<PageBean<GroupDetails>>::new(Endpoint::Groups, request.clone(), response.clone(), 1)
            .decode()
    {
        page.values.iter().for_each(|g| drop(mapping::group(g)));
        let _ = page.facts(0);
    }
    if let Ok(page) =
        Reply::<PageBean<User>>::new(Endpoint::GroupMembers, request.clone(), response.clone(), 1)
            .decode()
    {
        page.values
            .iter()
            .for_each(|u| drop(mapping::membership(u, "g", "group g")));
    }
    if let Ok(page) =
        Reply::<PageBean<Project>>::new(Endpoint::Projects, request.clone(), response.clone(), 1)
            .decode()
    {
        page.values.iter().for_each(|p| drop(mapping::project(p)));
    }
    if let Ok(roles) =
        Reply::<Vec<ProjectRole>>::new(Endpoint::GlobalRoles, request.clone(), response.clone(), 1)
            .decode()
    {
        roles.iter().for_each(|r| drop(mapping::role(r)));
    }
    if let Ok(role) = Reply::<ProjectRole>::new(
        Endpoint::ProjectRoleActors,
        request.clone(),
        response.clone(),
        1,
    )
    .decode()
    {
        let _ = mapping::project_role("10000", "EX", &role);
    }
    if let Ok(roles) = Reply::<Vec<ApplicationRole>>::new(
        Endpoint::ApplicationRoles,
        request.clone(),
        response.clone(),
        1,
    )
    .decode()
    {
        roles
            .iter()
            .for_each(|a| drop(mapping::application_role(a, "cloud")));
    }
    if let Ok(schemes) = Reply::<PermissionSchemes>::new(
        Endpoint::PermissionSchemes,
        request.clone(),
        response.clone(),
        1,
    )
    .decode()
    {
        schemes
            .permission_schemes
            .iter()
            .for_each(|s| drop(mapping::permission_scheme(s)));
    }
    if let Ok(scheme) = Reply::<PermissionScheme>::new(
        Endpoint::ProjectPermissionScheme,
        request.clone(),
        response.clone(),
        1,
    )
    .decode()
    {
        let _ = mapping::uses_scheme("10000", scheme.id);
        // Whatever holders a scheme names, resolving them for a project
        // never panics.
        let products = ["jira-software".to_owned()].into();
        let groups_by_name = [("admins".to_owned(), "g-1".to_owned())].into();
        let account_types = Default::default();
        let roles = [10002].into();
        let _ = mapping::project_grants(
            mapping::ProjectScope {
                id: "10000",
                lead: Some("lead"),
                roles: &roles,
            },
            scheme.id,
            &mapping::grant_facts(&scheme),
            mapping::Directory {
                products: &products,
                groups_by_name: &groups_by_name,
                account_types: &account_types,
            },
        )
        .conditional_attribute();
    }
    if let Ok(catalogue) =
        Reply::<Permissions>::new(Endpoint::Permissions, request.clone(), response.clone(), 1)
            .decode()
    {
        catalogue
            .permissions
            .iter()
            .for_each(|(k, p)| drop(mapping::permission(k, p)));
    }
    let _ = Reply::<TenantInfo>::new(Endpoint::TenantInfo, request.clone(), response.clone(), 1)
        .decode();
});
