//! Users: `GET /rest/api/3/users/search`, a plain array paged by `startAt`.

use super::client::Api;
use super::transport::HttpRequest;

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
