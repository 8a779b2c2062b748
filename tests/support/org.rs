//! What the organization admin API adds to the site's users (issue 15),
//! computed from the fake tenant's own data: its organization's accounts and
//! the timestamp texts the fake sends, read here by a parser of this file's
//! own, never by the connector's code.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use host_test::fake_jira::Tenant;
use serde_json::{Value, json};

/// The window when the config sets none.
pub const DEFAULT_DORMANT_AFTER_DAYS: i64 = 90;

/// BalkanID's Privilege Name of the last-activity entitlement.
pub fn access_privilege(days: i64) -> String {
    format!("access in last {days} days")
}

/// Now, in seconds since the epoch.
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs() as i64
}

fn leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn month_days(year: i64) -> [i64; 12] {
    [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
}

/// Days since 1970-01-01 of a date from 1970 on, counted year by year.
fn days_since_epoch(year: i64, month: usize, day: i64) -> i64 {
    let years: i64 = (1970..year).map(|y| if leap(y) { 366 } else { 365 }).sum();
    let months: i64 = month_days(year)[..month - 1].iter().sum();
    years + months + day - 1
}

/// Seconds since the epoch of an RFC 3339 timestamp (`YYYY-MM-DDTHH:MM:SS`,
/// any fraction, then `Z` or `±HH:MM`), the fraction dropped. Panics on
/// anything else: the fake's data is wrong then.
pub fn parse_rfc3339(text: &str) -> i64 {
    let bad = || panic!("not an RFC 3339 timestamp: {text:?}");
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        bad();
    }
    let n = |from: usize, to: usize| -> i64 { text[from..to].parse().unwrap_or_else(|_| bad()) };
    let local = days_since_epoch(n(0, 4), n(5, 7) as usize, n(8, 10)) * 86_400
        + n(11, 13) * 3600
        + n(14, 16) * 60
        + n(17, 19);
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            bad();
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "Z" => 0,
        zone if zone.len() == 6 && (zone.starts_with('+') || zone.starts_with('-')) => {
            let minutes = n(text.len() - 5, text.len() - 3) * 60 + n(text.len() - 2, text.len());
            if zone.starts_with('-') {
                -minutes
            } else {
                minutes
            }
        }
        _ => bad(),
    };
    local - offset * 60
}

/// `YYYY-MM-DDTHH:MM:SSZ`, in UTC.
pub fn format_utc(unix: i64) -> String {
    let (mut days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let mut year = 1970;
    loop {
        let len = if leap(year) { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        year += 1;
    }
    let mut month = 0;
    for (i, len) in month_days(year).into_iter().enumerate() {
        if days < len {
            month = i + 1;
            break;
        }
        days -= len;
    }
    format!(
        "{year:04}-{month:02}-{:02}T{:02}:{:02}:{:02}Z",
        days + 1,
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The attributes the organization adds to the user entity of `account_id`:
/// for an account the organization returns, `lastActive` (the latest
/// non-null timestamp over every product entry of every record, in UTC to
/// the second, or null), `lastActiveByProduct` (`key=timestamp` per product
/// key, the latest of each, sorted by key, null ones left out),
/// `accountStatus`, `claimStatus`, `dormant` (`lastActive` null or before
/// `now_unix - dormant_after_days` days) and `orgRecord: true`; for a user
/// the organization does not return, only `orgRecord: false`; without an
/// organization, nothing.
pub fn expected_user_attributes(
    t: &Tenant,
    account_id: &str,
    now_unix: i64,
    dormant_after_days: i64,
) -> Vec<(&'static str, Value)> {
    if t.org.is_none() {
        return Vec::new();
    }
    let Some(a) = t.org_account(account_id) else {
        return vec![("orgRecord", json!(false))];
    };
    let mut by_key: BTreeMap<&str, i64> = BTreeMap::new();
    for directory in 0..a.records() {
        for p in a.products_in(directory) {
            if let Some(text) = &p.last_active {
                let at = parse_rfc3339(text);
                let latest = by_key.entry(p.key.as_str()).or_insert(at);
                *latest = (*latest).max(at);
            }
        }
    }
    let last = by_key.values().copied().max();
    let dormant = last.is_none_or(|l| l < now_unix - dormant_after_days * 86_400);
    let by_product: Vec<String> = by_key
        .iter()
        .map(|(key, at)| format!("{key}={}", format_utc(*at)))
        .collect();
    vec![
        (
            "lastActive",
            last.map_or(Value::Null, |l| json!(format_utc(l))),
        ),
        ("lastActiveByProduct", json!(by_product)),
        ("accountStatus", json!(a.account_status)),
        ("claimStatus", json!(a.claim_status)),
        ("dormant", json!(dormant)),
        ("orgRecord", json!(true)),
    ]
}

/// Over the tenant's Jira users: how many the organization returns as
/// dormant (never active included), how many of those were never active,
/// and how many the organization does not return. All zero without an
/// organization.
pub fn dormancy_counts(
    t: &Tenant,
    now_unix: i64,
    dormant_after_days: i64,
) -> (usize, usize, usize) {
    let (mut dormant, mut never, mut unknown) = (0, 0, 0);
    for u in &t.users {
        let attributes = expected_user_attributes(t, &u.account_id, now_unix, dormant_after_days);
        let get = |k: &str| attributes.iter().find(|(n, _)| *n == k).map(|(_, v)| v);
        match get("orgRecord") {
            None => {}
            Some(Value::Bool(false)) => unknown += 1,
            Some(_) => {
                dormant += usize::from(get("dormant") == Some(&json!(true)));
                never += usize::from(get("lastActive") == Some(&Value::Null));
            }
        }
    }
    (dormant, never, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_and_written() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
        assert_eq!(
            format_utc(parse_rfc3339("2026-11-27T12:00:00.123456789Z")),
            "2026-11-27T12:00:00Z"
        );
        assert_eq!(
            parse_rfc3339("2026-11-27T14:00:00+02:00"),
            parse_rfc3339("2026-11-27T12:00:00Z")
        );
        assert_eq!(
            format_utc(parse_rfc3339("2026-11-27T07:00:00.250-05:00")),
            "2026-11-27T12:00:00Z"
        );
        assert_eq!(
            format_utc(parse_rfc3339("2024-03-01T01:00:00+02:00")),
            "2024-02-29T23:00:00Z"
        );
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn sample_users_attributes() {
        let t = Tenant::sample();
        let now = now_unix();
        let today = now - now.rem_euclid(86_400);
        let noon = |days: i64| json!(format_utc(today - days * 86_400 + 12 * 3600));
        let of = |id: &str| -> Value {
            Value::Object(
                expected_user_attributes(&t, id, now, 90)
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
            )
        };
        let dev = |i: u32| format!("712020:{:08x}-dev{i:02}", 0x5eed_0000u32 + i);
        // Emma: her latest product only in her second directory's record.
        let emma = of("5b10ac8d82e05b22cc7d4ef5");
        assert_eq!(emma["lastActive"], noon(5));
        assert_eq!(
            emma["lastActiveByProduct"],
            json!([
                format!("confluence={}", noon(5).as_str().unwrap()),
                format!("jira-software={}", noon(30).as_str().unwrap()),
            ])
        );
        assert_eq!(
            (&emma["dormant"], &emma["orgRecord"]),
            (&json!(false), &json!(true))
        );
        // Never active; a null timestamp only: the same.
        for i in [1, 2] {
            let a = of(&dev(i));
            assert_eq!(a["lastActive"], Value::Null);
            assert_eq!(a["lastActiveByProduct"], json!([]));
            assert_eq!(a["dormant"], true);
        }
        // Closed, 120 days ago (written at -05:00 with a fraction).
        let closed = of(&dev(0));
        assert_eq!(closed["accountStatus"], "closed");
        assert_eq!(
            (&closed["lastActive"], &closed["dormant"]),
            (&noon(120), &json!(true))
        );
        // Another site's Confluence counts.
        let other = of(&dev(3));
        assert_eq!(
            (&other["lastActive"], &other["dormant"]),
            (&noon(1), &json!(false))
        );
        assert_eq!(other["claimStatus"], "unmanaged");
        // Jira Software on two sites: the latest of the two.
        let twice = of(&dev(4));
        assert_eq!(
            twice["lastActiveByProduct"],
            json!([format!("jira-software={}", noon(5).as_str().unwrap())])
        );
        // Unknown to the organization: Developer 57 and the apps.
        assert_eq!(of(&dev(57)), json!({"orgRecord": false}));
        assert_eq!(
            of("557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"),
            json!({"orgRecord": false})
        );
        assert!(expected_user_attributes(&t.clone().without_org(), &dev(3), now, 90).is_empty());
        // Dormant: the deactivated admin, developers 00, 01, 02, and the
        // sixteen of 06-56 last active 120 or 400 days ago.
        assert_eq!(dormancy_counts(&t, now, 90), (20, 2, 5));
        // A longer window wakes some.
        assert_eq!(dormancy_counts(&t, now, 500).0, 2);
    }
}
