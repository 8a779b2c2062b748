//! The organization admin API on `api.atlassian.com/admin`: the directory's
//! user search, which gives each account's status, claim status and last
//! activity per product. Built with [`OrgApi`], which carries only the
//! organization API key.

use serde_json::json;

use crate::jira::call::Call;
use crate::jira::client::OrgApi;
use crate::jira::endpoints::Endpoint;
use crate::jira::models::OrgUserPage;

/// The most records a page of the search holds: the `limit` the connector
/// asks for (the admin API's list operations cap `limit` at 100).
pub const PAGE_SIZE: u64 = super::page_size(Endpoint::OrgUserSearch);

/// The most account ids one search names: a page's worth, so that a search
/// usually fits one page (an account in two directories has two records).
pub const IDS_PER_SEARCH: usize = PAGE_SIZE as usize;

/// One page of the search for `account_ids` in every directory (`-`), with
/// their last activity; `cursor` is the previous page's `links.next`. The
/// whole body is sent again with the cursor, as Atlassian's clients do.
pub fn org_user_search_page(
    org: &OrgApi,
    account_ids: &[String],
    cursor: Option<&str>,
) -> Call<OrgUserPage> {
    let mut body = json!({
        "accountIds": account_ids,
        "limit": PAGE_SIZE,
        "expand": ["productAccess"],
    });
    if let Some(cursor) = cursor {
        body["cursor"] = json!(cursor);
    }
    org.call(Endpoint::OrgUserSearch, &body)
}
