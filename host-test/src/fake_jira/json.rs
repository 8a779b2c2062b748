//! Jira's JSON shapes, as Atlassian's OpenAPI spec defines them (`User`,
//! `UserDetails`, `GroupDetails`, `PageBean*`, `ErrorCollection`). Links are
//! always on the site, as Jira writes them even for gateway requests.

use serde_json::{Map, Value, json};

use super::tenant::{Email, Group, User};

fn avatar_urls(account_id: &str) -> Value {
    let base = format!(
        "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/{account_id}"
    );
    json!({
        "16x16": format!("{base}/16"),
        "24x24": format!("{base}/24"),
        "32x32": format!("{base}/32"),
        "48x48": format!("{base}/48"),
    })
}

/// `User` (from `/myself`, `/users/search`) and `UserDetails` (from
/// `/group/member`): the same fields the connector reads.
pub fn user(site_url: &str, u: &User) -> Value {
    let mut m = Map::new();
    m.insert(
        "self".into(),
        json!(format!(
            "{site_url}/rest/api/3/user?accountId={}",
            u.account_id
        )),
    );
    m.insert("accountId".into(), json!(u.account_id));
    m.insert("accountType".into(), json!(u.account_type));
    match &u.email {
        Email::Visible(e) => {
            m.insert("emailAddress".into(), json!(e));
        }
        Email::Null => {
            m.insert("emailAddress".into(), Value::Null);
        }
        Email::Absent => {}
    }
    m.insert("avatarUrls".into(), avatar_urls(&u.account_id));
    m.insert("displayName".into(), json!(u.display_name));
    m.insert("active".into(), json!(u.active));
    m.insert("timeZone".into(), json!("Australia/Sydney"));
    m.insert("locale".into(), json!("en_US"));
    Value::Object(m)
}

pub fn group(g: &Group) -> Value {
    json!({"groupId": g.group_id, "name": g.name})
}

/// A `PageBean*` envelope. `link` builds the URL of the page at an offset.
pub fn page_bean(
    values: Vec<Value>,
    start_at: u64,
    max_results: u64,
    total: u64,
    link: impl Fn(u64) -> String,
) -> Value {
    let is_last = start_at + max_results >= total;
    let mut m = Map::new();
    m.insert("self".into(), json!(link(start_at)));
    if !is_last {
        m.insert("nextPage".into(), json!(link(start_at + max_results)));
    }
    m.insert("maxResults".into(), json!(max_results));
    m.insert("startAt".into(), json!(start_at));
    m.insert("total".into(), json!(total));
    m.insert("isLast".into(), json!(is_last));
    m.insert("values".into(), Value::Array(values));
    Value::Object(m)
}

/// Jira's `ErrorCollection`.
pub fn errors(messages: &[&str]) -> Value {
    json!({"errorMessages": messages, "errors": {}})
}
