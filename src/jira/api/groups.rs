//! Groups and their members: `GET /rest/api/3/group/bulk` and
//! `GET /rest/api/3/group/member`, both `PageBean` listings.

use crate::jira::client::Api;
use crate::jira::transport::{HttpRequest, Method};

/// `group/bulk` page size (Jira's default and cap).
pub const GROUPS_PAGE_SIZE: u64 = 50;
/// `group/member` allows 1 to 50 per page.
pub const MEMBERS_PAGE_SIZE: u64 = 50;

pub fn bulk_page(api: &Api, start_at: u64) -> HttpRequest {
    api.get(
        "/rest/api/3/group/bulk",
        &[
            ("startAt", &start_at.to_string()),
            ("maxResults", &GROUPS_PAGE_SIZE.to_string()),
        ],
    )
}

/// One page of a group's members, inactive users included. By `groupId`:
/// names can change and can hold any character.
pub fn members_page(api: &Api, group_id: &str, start_at: u64) -> HttpRequest {
    api.get(
        "/rest/api/3/group/member",
        &[
            ("groupId", group_id),
            ("includeInactiveUsers", "true"),
            ("startAt", &start_at.to_string()),
            ("maxResults", &MEMBERS_PAGE_SIZE.to_string()),
        ],
    )
}

/// `POST /group/user?groupId=`: add a user to a group.
pub fn add_member(api: &Api, group_id: &str, account_id: &str) -> HttpRequest {
    api.with_json(
        Method::Post,
        "/rest/api/3/group/user",
        &[("groupId", group_id)],
        &serde_json::json!({ "accountId": account_id }),
    )
}

/// `DELETE /group/user?groupId=&accountId=`: remove a user from a group.
pub fn remove_member(api: &Api, group_id: &str, account_id: &str) -> HttpRequest {
    api.request(
        Method::Delete,
        "/rest/api/3/group/user",
        &[("groupId", group_id), ("accountId", account_id)],
        None,
    )
}

/// `POST /group`: create a group.
pub fn create(api: &Api, name: &str) -> HttpRequest {
    api.with_json(
        Method::Post,
        "/rest/api/3/group",
        &[],
        &serde_json::json!({ "name": name }),
    )
}

/// `DELETE /group?groupId=[&swapGroupId=]`: delete a group.
pub fn delete(api: &Api, group_id: &str, swap_group_id: Option<&str>) -> HttpRequest {
    let mut query = vec![("groupId", group_id)];
    if let Some(swap) = swap_group_id {
        query.push(("swapGroupId", swap));
    }
    api.request(Method::Delete, "/rest/api/3/group", &query, None)
}

/// One group by id or by name, through `group/bulk`.
pub fn find(api: &Api, by: GroupKey<'_>) -> HttpRequest {
    let (key, value) = match by {
        GroupKey::Id(id) => ("groupId", id),
        GroupKey::Name(name) => ("groupName", name),
    };
    api.get("/rest/api/3/group/bulk", &[(key, value)])
}

/// How to look a group up.
#[derive(Debug, Clone, Copy)]
pub enum GroupKey<'a> {
    Id(&'a str),
    Name(&'a str),
}
