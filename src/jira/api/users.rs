//! Users: `GET /rest/api/3/users/search` (a plain array paged by `startAt`),
//! `/myself`, `/user`, `/user/groups`, and a user's properties.

use crate::jira::call::{Call, NoBody};
use crate::jira::client::Api;
use crate::jira::endpoints::Endpoint;
use crate::jira::models::{EntityProperty, GroupName, PropertyKeys, User};

/// The most `users/search` returns per page.
pub const PAGE_SIZE: u64 = super::page_size(Endpoint::Users);

/// One page of every user: all account types, active and inactive.
pub fn users_page(api: &Api, start_at: u64) -> Call<Vec<User>> {
    api.call(
        Endpoint::Users,
        &[],
        &[
            ("startAt", &start_at.to_string()),
            ("maxResults", &PAGE_SIZE.to_string()),
        ],
        None,
    )
}

/// The calling account, to check the credential.
pub fn myself(api: &Api) -> Call<User> {
    api.call(Endpoint::Myself, &[], &[], None)
}

/// One user.
pub fn get_user(api: &Api, account_id: &str) -> Call<User> {
    api.call(Endpoint::GetUser, &[], &[("accountId", account_id)], None)
}

/// Every group the user is in.
pub fn user_groups(api: &Api, account_id: &str) -> Call<Vec<GroupName>> {
    api.call(
        Endpoint::UserGroups,
        &[],
        &[("accountId", account_id)],
        None,
    )
}

/// The keys of the user's properties.
pub fn user_property_keys(api: &Api, account_id: &str) -> Call<PropertyKeys> {
    let query = [("accountId", account_id)];
    api.call(Endpoint::UserPropertyKeys, &[], &query, None)
}

pub fn get_user_property(api: &Api, account_id: &str, key: &str) -> Call<EntityProperty> {
    let query = [("accountId", account_id)];
    api.call(Endpoint::GetUserProperty, &[&key], &query, None)
}

/// Sets a property, `value_json` being the JSON body as given.
pub fn set_user_property(api: &Api, account_id: &str, key: &str, value_json: &str) -> Call<NoBody> {
    let body = Some(value_json.as_bytes().to_vec());
    api.call(
        Endpoint::SetUserProperty,
        &[&key],
        &[("accountId", account_id)],
        body,
    )
}

pub fn delete_user_property(api: &Api, account_id: &str, key: &str) -> Call<NoBody> {
    let query = [("accountId", account_id)];
    api.call(Endpoint::DeleteUserProperty, &[&key], &query, None)
}
