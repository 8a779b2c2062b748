//! Groups and their members: `GET /rest/api/3/group/bulk` and
//! `/group/member`, both `PageBean` listings, and the group writes.

use crate::jira::call::{Call, NoBody};
use crate::jira::client::{Api, json_body};
use crate::jira::endpoints::Endpoint;
use crate::jira::models::{GroupDetails, User};
use crate::jira::page::PageBean;

/// `group/bulk` page size (Jira's default and cap).
pub const GROUPS_PAGE_SIZE: u64 = super::page_size(Endpoint::Groups);
/// `group/member` allows 1 to 50 per page.
pub const MEMBERS_PAGE_SIZE: u64 = super::page_size(Endpoint::GroupMembers);

pub fn groups_page(api: &Api, start_at: u64) -> Call<PageBean<GroupDetails>> {
    api.call(
        Endpoint::Groups,
        &[],
        &[
            ("startAt", &start_at.to_string()),
            ("maxResults", &GROUPS_PAGE_SIZE.to_string()),
        ],
        None,
    )
}

/// One page of the site-admin groups (`accessType=site-admin`).
pub fn site_admin_groups_page(api: &Api, start_at: u64) -> Call<PageBean<GroupDetails>> {
    tier_page(api, Endpoint::SiteAdminGroups, "site-admin", None, start_at)
}

/// One page of a product's admin groups (`accessType=admin`).
pub fn product_admin_groups_page(
    api: &Api,
    application_key: &str,
    start_at: u64,
) -> Call<PageBean<GroupDetails>> {
    let endpoint = Endpoint::ProductAdminGroups;
    tier_page(api, endpoint, "admin", Some(application_key), start_at)
}

/// One page of the groups that give a product (`accessType=user`).
pub fn product_user_groups_page(
    api: &Api,
    application_key: &str,
    start_at: u64,
) -> Call<PageBean<GroupDetails>> {
    let endpoint = Endpoint::ProductUserGroups;
    tier_page(api, endpoint, "user", Some(application_key), start_at)
}

/// `group/bulk` filtered by access tier: the same `PageBean` of groups as
/// the plain listing, so it is paged the same way.
fn tier_page(
    api: &Api,
    endpoint: Endpoint,
    access_type: &str,
    application_key: Option<&str>,
    start_at: u64,
) -> Call<PageBean<GroupDetails>> {
    let (start_at, max) = (start_at.to_string(), GROUPS_PAGE_SIZE.to_string());
    let mut query = vec![("accessType", access_type)];
    if let Some(key) = application_key {
        query.push(("applicationKey", key));
    }
    query.extend([("startAt", start_at.as_str()), ("maxResults", max.as_str())]);
    api.call(endpoint, &[], &query, None)
}

/// One page of a group's members, inactive users included. By `groupId`:
/// names can change and can hold any character.
pub fn group_members_page(api: &Api, group_id: &str, start_at: u64) -> Call<PageBean<User>> {
    api.call(
        Endpoint::GroupMembers,
        &[],
        &[
            ("groupId", group_id),
            ("includeInactiveUsers", "true"),
            ("startAt", &start_at.to_string()),
            ("maxResults", &MEMBERS_PAGE_SIZE.to_string()),
        ],
        None,
    )
}

pub fn add_group_member(api: &Api, group_id: &str, account_id: &str) -> Call<NoBody> {
    let body = json_body(&serde_json::json!({ "accountId": account_id }));
    api.call(
        Endpoint::AddGroupMember,
        &[],
        &[("groupId", group_id)],
        body,
    )
}

pub fn remove_group_member(api: &Api, group_id: &str, account_id: &str) -> Call<NoBody> {
    let query = [("groupId", group_id), ("accountId", account_id)];
    api.call(Endpoint::RemoveGroupMember, &[], &query, None)
}

pub fn create_group(api: &Api, name: &str) -> Call<GroupDetails> {
    let body = json_body(&serde_json::json!({ "name": name }));
    api.call(Endpoint::CreateGroup, &[], &[], body)
}

/// Deletes a group, moving its restrictions to `swap_group_id` if given.
pub fn delete_group(api: &Api, group_id: &str, swap_group_id: Option<&str>) -> Call<NoBody> {
    let mut query = vec![("groupId", group_id)];
    if let Some(swap) = swap_group_id {
        query.push(("swapGroupId", swap));
    }
    api.call(Endpoint::DeleteGroup, &[], &query, None)
}

/// One group by id or by name, through `group/bulk`.
pub fn find_group(api: &Api, by: GroupKey<'_>) -> Call<PageBean<GroupDetails>> {
    let (key, value) = match by {
        GroupKey::Id(id) => ("groupId", id),
        GroupKey::Name(name) => ("groupName", name),
    };
    api.call(Endpoint::FindGroup, &[], &[(key, value)], None)
}

/// How to look a group up.
#[derive(Debug, Clone, Copy)]
pub enum GroupKey<'a> {
    Id(&'a str),
    Name(&'a str),
}
