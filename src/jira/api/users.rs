//! Users: `GET /rest/api/3/users/search`, a plain array paged by `startAt`.

use crate::jira::client::{Api, encode};
use crate::jira::transport::{HttpRequest, Method};

/// The most `users/search` returns per page.
pub const PAGE_SIZE: u64 = 1000;

pub const SEARCH_PATH: &str = "/rest/api/3/users/search";

/// One page of every user: all account types, active and inactive.
pub fn search_page(api: &Api, start_at: u64) -> HttpRequest {
    api.get(
        SEARCH_PATH,
        &[
            ("startAt", &start_at.to_string()),
            ("maxResults", &PAGE_SIZE.to_string()),
        ],
    )
}

/// The calling account, to check the credential.
pub fn myself(api: &Api) -> HttpRequest {
    api.get("/rest/api/3/myself", &[])
}

/// `GET /user?accountId=`: one user.
pub fn get(api: &Api, account_id: &str) -> HttpRequest {
    api.get("/rest/api/3/user", &[("accountId", account_id)])
}

/// `GET /user/groups?accountId=`: every group the user is in.
pub fn groups(api: &Api, account_id: &str) -> HttpRequest {
    api.get("/rest/api/3/user/groups", &[("accountId", account_id)])
}

/// `GET /user/properties?accountId=`: the keys of the user's properties.
pub fn property_keys(api: &Api, account_id: &str) -> HttpRequest {
    api.get("/rest/api/3/user/properties", &[("accountId", account_id)])
}

fn property_path(key: &str) -> String {
    format!("/rest/api/3/user/properties/{}", encode(key))
}

/// `GET /user/properties/{key}?accountId=`.
pub fn get_property(api: &Api, account_id: &str, key: &str) -> HttpRequest {
    api.get(&property_path(key), &[("accountId", account_id)])
}

/// `PUT /user/properties/{key}?accountId=` with the value as the JSON body.
pub fn set_property(api: &Api, account_id: &str, key: &str, value_json: &str) -> HttpRequest {
    api.request(
        Method::Put,
        &property_path(key),
        &[("accountId", account_id)],
        Some(value_json.as_bytes().to_vec()),
    )
}

/// `DELETE /user/properties/{key}?accountId=`.
pub fn delete_property(api: &Api, account_id: &str, key: &str) -> HttpRequest {
    api.request(
        Method::Delete,
        &property_path(key),
        &[("accountId", account_id)],
        None,
    )
}
