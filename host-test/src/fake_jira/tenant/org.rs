//! The Atlassian organization a site belongs to, as its organization admin
//! API (`api.atlassian.com/admin/...`) shows it: its id, the organization
//! API key it accepts, and its accounts with their account status, claim
//! status, directories and last activity per product.
//!
//! Timestamps are written relative to today at midnight UTC
//! ([`today_midnight_utc`]) as whole days back plus twelve hours, so that a
//! test run never sees one cross a day-count boundary, and in the forms
//! Atlassian sends (nine fractional digits, none, an offset): [`stamp`].

use std::time::{SystemTime, UNIX_EPOCH};

/// An organization: the admin API's view of the site's accounts.
#[derive(Clone, PartialEq, Eq)]
pub struct Org {
    pub org_id: String,
    /// The organization API key (`Authorization: Bearer`).
    pub api_key: String,
    /// The most records one page of the user search holds, whatever `limit`
    /// asks for (Atlassian's own cap is `limit`'s maximum, 100).
    pub page_cap: usize,
    /// The key is valid but may not read the directories: the search answers
    /// 403 (`ADMIN-403-3`).
    pub key_forbidden: bool,
    /// In the organization's order, which the search keeps.
    pub accounts: Vec<OrgAccount>,
}

/// Never shows the key.
impl std::fmt::Debug for Org {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Org")
            .field("org_id", &self.org_id)
            .field("api_key", &"<redacted>")
            .field("page_cap", &self.page_cap)
            .field("key_forbidden", &self.key_forbidden)
            .field("accounts", &self.accounts)
            .finish()
    }
}

/// One account of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    pub account_id: String,
    /// `active`, `inactive` or `closed`.
    pub account_status: String,
    /// `managed` or `unmanaged`.
    pub claim_status: String,
    /// In how many of the organization's directories the account is (1 or
    /// 2; other values count as the nearest): the search with directory `-`
    /// returns one record per directory.
    pub directories: u8,
    /// Every product the account has, over all its records: see
    /// [`OrgAccount::products_in`] for which record shows which.
    pub products: Vec<ProductActivity>,
}

/// One `productAccess` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductActivity {
    /// `jira-software`, `jira-servicedesk`, `confluence`...
    pub key: String,
    /// The product instance's ARI, e.g. `ari:cloud:jira-software::site/<cloudId>`.
    pub id: String,
    /// `lastActiveTimestamp` exactly as the fake sends it (RFC 3339), or
    /// `None` to send `null`.
    pub last_active: Option<String>,
}

impl OrgAccount {
    /// How many records the search returns for the account: one per directory.
    pub fn records(&self) -> usize {
        usize::from(self.directories.clamp(1, 2))
    }

    /// The composite `status`: `active`, or `deactivated` when the account
    /// is `inactive` or `closed`.
    pub fn status(&self) -> &'static str {
        match self.account_status.as_str() {
            "inactive" | "closed" => "deactivated",
            _ => "active",
        }
    }

    /// The products the record of `directory` (0 or 1) shows: all of them
    /// for an account in one directory; for one in two, the first directory
    /// shows all but the last product and the second only the last, so a
    /// client sees the whole only by merging the two.
    pub fn products_in(&self, directory: usize) -> &[ProductActivity] {
        if self.records() == 1 {
            return &self.products;
        }
        let split = self.products.len().saturating_sub(1);
        if directory == 0 {
            &self.products[..split]
        } else {
            &self.products[split..]
        }
    }
}

impl Org {
    /// The search's records (account, directory), in the order it returns
    /// them: every account's first-directory record in the organization's
    /// order, then the second-directory records in the same order; only the
    /// accounts `keep` accepts.
    pub fn records(&self, keep: impl Fn(&OrgAccount) -> bool) -> Vec<(&OrgAccount, usize)> {
        let kept: Vec<&OrgAccount> = self.accounts.iter().filter(|a| keep(a)).collect();
        Self::in_search_order(kept)
    }

    /// Like [`Org::records`] for the accounts at `positions` in the
    /// organization's list (any order, duplicates allowed): a search that
    /// names its account ids costs their number, not the organization's size.
    pub fn records_at(&self, mut positions: Vec<usize>) -> Vec<(&OrgAccount, usize)> {
        positions.sort_unstable();
        positions.dedup();
        let kept = positions
            .into_iter()
            .filter_map(|i| self.accounts.get(i))
            .collect();
        Self::in_search_order(kept)
    }

    fn in_search_order(kept: Vec<&OrgAccount>) -> Vec<(&OrgAccount, usize)> {
        let first = kept.iter().map(|a| (*a, 0));
        let second = kept.iter().filter(|a| a.records() == 2).map(|a| (*a, 1));
        first.chain(second).collect()
    }
}

pub const SAMPLE_ORG_ID: &str = "8a1f3c5e-0b2d-4e6f-9a7c-1d3e5f7a9b0c";
pub const SAMPLE_ADMIN_KEY: &str = "ATCTT3xFfGN0org-admin-key-for-tests";
/// The cloud id of another site of the organization (a Confluence site).
pub const OTHER_CLOUD_ID: &str = "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

/// Days from 1970-01-01 to a civil date (proleptic Gregorian), after Howard
/// Hinnant's `days_from_civil`.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day count from 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Today at 00:00 UTC, in seconds since the epoch.
pub fn today_midnight_utc() -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs() as i64;
    now - now.rem_euclid(86_400)
}

/// How a timestamp is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `2026-11-27T12:00:00.123456789Z`: nine fractional digits, this many
    /// nanoseconds.
    Nanos(u32),
    /// `2026-11-27T12:00:00Z`.
    Whole,
    /// The same instant at an offset of this many minutes east of UTC, with
    /// no fraction: `2026-11-27T14:00:00+02:00`.
    Offset(i32),
    /// At an offset, with three fractional digits: `...07:00:00.250-05:00`.
    OffsetMillis(i32, u32),
}

/// RFC 3339 text for `unix` seconds (plus the form's fraction).
pub fn rfc3339(unix: i64, form: Form) -> String {
    let (offset, fraction) = match form {
        Form::Nanos(n) => (None, format!(".{n:09}")),
        Form::Whole => (None, String::new()),
        Form::Offset(m) => (Some(m), String::new()),
        Form::OffsetMillis(m, ms) => (Some(m), format!(".{ms:03}")),
    };
    let local = unix + i64::from(offset.unwrap_or(0)) * 60;
    let (y, mo, d) = civil_from_days(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400);
    let zone = match offset {
        None => "Z".to_owned(),
        Some(m) => {
            let sign = if m < 0 { '-' } else { '+' };
            format!("{sign}{:02}:{:02}", m.abs() / 60, m.abs() % 60)
        }
    };
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}{fraction}{zone}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The forms in turn, by `i`: nine fractional digits (varying with `i`),
/// none, `+02:00`, and `-05:00` with milliseconds.
pub fn form_of(i: usize) -> Form {
    match i % 4 {
        0 => Form::Nanos(((i as u64 * 7_919_731 + 123_456_789) % 1_000_000_000) as u32),
        1 => Form::Whole,
        2 => Form::Offset(120),
        _ => Form::OffsetMillis(-300, (i % 1000) as u32),
    }
}

/// The timestamp `days` days before `today` (a midnight UTC) at 12:00 UTC,
/// written in `form`.
pub fn stamp(today: i64, days: i64, form: Form) -> String {
    rfc3339(today - days * 86_400 + 12 * 3600, form)
}

/// A day count kept at least five days away from 90 (the default dormancy
/// window): 85..=95 move on by twenty.
pub fn clear_of_90(days: i64) -> i64 {
    if (85..=95).contains(&days) {
        days + 20
    } else {
        days
    }
}

/// A product of a site.
pub fn product(key: &str, cloud_id: &str, last_active: Option<String>) -> ProductActivity {
    ProductActivity {
        key: key.to_owned(),
        id: format!("ari:cloud:{key}::site/{cloud_id}"),
        last_active,
    }
}

/// An account in one directory.
pub fn account(
    account_id: &str,
    account_status: &str,
    claim_status: &str,
    products: Vec<ProductActivity>,
) -> OrgAccount {
    OrgAccount {
        account_id: account_id.to_owned(),
        account_status: account_status.to_owned(),
        claim_status: claim_status.to_owned(),
        directories: 1,
        products,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn timestamps_in_every_form() {
        let noon = days_from_civil(2026, 11, 27) * 86_400 + 12 * 3600;
        assert_eq!(
            rfc3339(noon, Form::Nanos(123_456_789)),
            "2026-11-27T12:00:00.123456789Z"
        );
        assert_eq!(rfc3339(noon, Form::Whole), "2026-11-27T12:00:00Z");
        assert_eq!(
            rfc3339(noon, Form::Offset(120)),
            "2026-11-27T14:00:00+02:00"
        );
        assert_eq!(
            rfc3339(noon, Form::OffsetMillis(-300, 250)),
            "2026-11-27T07:00:00.250-05:00"
        );
        // An offset can move the local date.
        assert_eq!(
            rfc3339(noon, Form::Offset(13 * 60)),
            "2026-11-28T01:00:00+13:00"
        );
        let today = days_from_civil(2026, 12, 1) * 86_400;
        assert_eq!(stamp(today, 4, Form::Whole), "2026-11-27T12:00:00Z");
        assert_eq!(today_midnight_utc() % 86_400, 0);
    }

    /// Seconds since the epoch of the RFC 3339 texts the fake writes.
    fn parse(text: &str) -> i64 {
        let n = |r: std::ops::Range<usize>| text[r].parse::<i64>().unwrap();
        let days = days_from_civil(n(0..4), n(5..7) as u32, n(8..10) as u32);
        let local = days * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19);
        let offset = if text.ends_with('Z') {
            0
        } else {
            let tail = &text[text.len() - 6..];
            let minutes =
                tail[1..3].parse::<i64>().unwrap() * 60 + tail[4..].parse::<i64>().unwrap();
            if tail.starts_with('-') {
                -minutes
            } else {
                minutes
            }
        };
        local - offset * 60
    }

    /// Every timestamp of a tenant's organization is at noon UTC a whole
    /// number of days back from today, never within five days of 90.
    fn days_back(t: &super::super::Tenant) -> Vec<i64> {
        let today = today_midnight_utc();
        let org = t.org.as_ref().unwrap();
        org.accounts
            .iter()
            .flat_map(|a| &a.products)
            .filter_map(|p| p.last_active.as_deref())
            .map(|text| {
                let back = today + 12 * 3600 - parse(text);
                assert_eq!(back % 86_400, 0, "{text}");
                let days = back / 86_400;
                assert!(!(85..=95).contains(&days), "{text}: {days} days back");
                days
            })
            .collect()
    }

    #[test]
    fn sample_org_has_every_case() {
        let t = super::super::Tenant::sample();
        let org = t.org.as_ref().unwrap();
        assert_eq!(org.page_cap, 2);
        let jira_only: Vec<&str> = t
            .users
            .iter()
            .filter(|u| u.account_type == "atlassian" && t.org_account(&u.account_id).is_none())
            .map(|u| u.account_id.as_str())
            .collect();
        assert_eq!(
            jira_only.len(),
            1,
            "one Atlassian account unknown to the org"
        );
        let has = |f: &dyn Fn(&OrgAccount) -> bool| org.accounts.iter().any(f);
        assert!(has(&|a| a.products.is_empty()), "never active");
        assert!(has(
            &|a| !a.products.is_empty() && a.products.iter().all(|p| p.last_active.is_none())
        ));
        assert!(has(&|a| a.account_status == "closed"));
        assert!(has(&|a| a.account_status == "inactive"));
        assert!(has(&|a| a.claim_status == "unmanaged"));
        assert!(has(&|a| a.records() == 2 && a.products.len() > 1));
        assert!(has(&|a| a
            .products
            .iter()
            .any(|p| p.id.ends_with(OTHER_CLOUD_ID))
            && t.user(&a.account_id).is_some()));
        assert!(t.user(super::super::ORG_ONLY_ACCOUNT).is_none());
        let texts: Vec<&str> = org
            .accounts
            .iter()
            .flat_map(|a| &a.products)
            .filter_map(|p| p.last_active.as_deref())
            .collect();
        assert!(
            texts.iter().any(|s| s.len() == 30 && s.ends_with('Z')),
            "nine digits"
        );
        assert!(
            texts.iter().any(|s| s.len() == 20 && s.ends_with('Z')),
            "none"
        );
        assert!(texts.iter().any(|s| s.ends_with("+02:00")));
        assert!(texts.iter().any(|s| s.ends_with("-05:00")));
        let days = days_back(&t);
        assert!(days.iter().any(|d| *d < 90) && days.iter().any(|d| *d > 90));
        let config: serde_json::Value =
            serde_json::from_str(&t.config_json(super::super::TokenKind::Unscoped)).unwrap();
        assert_eq!(config["appConfig"]["adminApiKey"], SAMPLE_ADMIN_KEY);
        assert_eq!(config["appConfig"]["orgId"], SAMPLE_ORG_ID);
        let plain = t
            .clone()
            .without_org()
            .config_json(super::super::TokenKind::Unscoped);
        assert!(!plain.contains("adminApiKey") && !plain.contains("orgId"));
    }

    #[test]
    fn generated_org_leaves_out_every_97th() {
        let t = super::super::Tenant::generate(1_000, 3);
        let org = t.org.as_ref().unwrap();
        assert_eq!(org.page_cap, 100);
        assert_eq!(org.accounts.len(), 1 + 1_000 - 11);
        for (n, u) in t.users.iter().enumerate().skip(1) {
            assert_eq!(t.org_account(&u.account_id).is_none(), (n - 1) % 97 == 0);
        }
        let days = days_back(&t);
        assert!(days.iter().any(|d| *d < 90) && days.iter().any(|d| *d > 90));
        assert!(org.accounts.iter().any(|a| a.records() == 2));
    }

    #[test]
    fn two_directories_split_the_products() {
        let mut a = account(
            "x",
            "active",
            "managed",
            vec![
                product("jira-software", "c", None),
                product("confluence", "c", None),
            ],
        );
        assert_eq!(a.products_in(0).len(), 2);
        a.directories = 2;
        assert_eq!(a.products_in(0)[0].key, "jira-software");
        assert_eq!(a.products_in(0).len(), 1);
        assert_eq!(a.products_in(1)[0].key, "confluence");
        a.products.clear();
        assert!(a.products_in(0).is_empty() && a.products_in(1).is_empty());
        assert_eq!(a.status(), "active");
        a.account_status = "closed".into();
        assert_eq!(a.status(), "deactivated");
    }
}
