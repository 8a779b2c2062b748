//! Groups and their members: `GET /rest/api/3/group/bulk` and
//! `GET /rest/api/3/group/member`, both `PageBean` listings.

use super::client::Api;
use super::transport::HttpRequest;

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
