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
