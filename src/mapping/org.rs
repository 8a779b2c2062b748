//! What the organization admin API says of a user: account status, claim
//! status and last activity, merged over the account's records, and the
//! attributes and the `access in last N days` entitlement row they add to
//! the user's entity.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::{Entitlement, Entity, Value};
use crate::jira::models::OrgUser;
use crate::time;

/// One account as the organization knows it, over all its records (an
/// account in several directories has one each).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRecord {
    /// `active`, `inactive` or `closed`, as the first record that says gives it.
    pub account_status: Option<String>,
    /// `managed` or `unmanaged`; `managed` wins, as a claim in one
    /// directory is a claim.
    pub claim_status: Option<String>,
    /// Product key to its latest activity, seconds since the epoch. A
    /// product with no timestamp (never used) is left out.
    pub products: BTreeMap<String, i64>,
}

impl OrgRecord {
    /// Adds one record of the account. Err names a timestamp that is not
    /// RFC 3339: a broken answer, never skipped silently.
    pub fn merge(&mut self, u: &OrgUser) -> Result<(), String> {
        if self.account_status.is_none() {
            self.account_status = u.account_status.clone();
        }
        match (&self.claim_status, &u.claim_status) {
            (_, Some(c)) if c == "managed" => self.claim_status = Some(c.clone()),
            (None, Some(c)) => self.claim_status = Some(c.clone()),
            _ => {}
        }
        for p in u.product_access.iter().flatten() {
            let Some(text) = p.last_active_timestamp.as_deref() else {
                continue;
            };
            let at = time::parse_rfc3339(text).ok_or_else(|| {
                format!(
                    "productAccess[{}].lastActiveTimestamp of account {} is not an RFC 3339 time",
                    crate::error::printable(&p.key),
                    crate::error::printable(&u.account_id)
                )
            })?;
            let latest = self.products.entry(p.key.clone()).or_insert(at);
            *latest = (*latest).max(at);
        }
        Ok(())
    }

    /// The latest activity in any product.
    pub fn last_active(&self) -> Option<i64> {
        self.products.values().copied().max()
    }
}

/// When an extraction judges dormancy: its start, and the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityWindow {
    /// Seconds since the epoch when the extraction started.
    pub now: i64,
    /// `appConfig.dormantAfterDays`.
    pub days: u32,
}

impl ActivityWindow {
    /// Never active, or last active before the window began.
    pub fn is_dormant(&self, last_active: Option<i64>) -> bool {
        last_active.is_none_or(|at| at < self.now - i64::from(self.days) * 86_400)
    }

    /// BalkanID's privilege for recent activity: `access in last 90 days`.
    pub fn privilege_name(&self) -> String {
        format!("access in last {} days", self.days)
    }
}

/// Adds what the organization says to a user's entity, and returns the
/// user's `access in last N days` row. A user the organization did not
/// return gets `orgRecord: false` and no row: nothing is invented.
pub fn enrich(
    user: &mut Entity,
    record: Option<&OrgRecord>,
    window: &ActivityWindow,
) -> Option<Entitlement> {
    let Some(record) = record else {
        user.attributes.push(("orgRecord", Value::Bool(false)));
        return None;
    };
    let last_active = record.last_active();
    let dormant = window.is_dormant(last_active);
    user.attributes.extend([
        (
            "lastActive",
            last_active.map_or(Value::Null, Value::Timestamp),
        ),
        (
            "lastActiveByProduct",
            Value::Timestamps(
                record
                    .products
                    .iter()
                    .map(|(key, at)| (key.clone(), *at))
                    .collect(),
            ),
        ),
        ("accountStatus", Value::from(record.account_status.clone())),
        ("claimStatus", Value::from(record.claim_status.clone())),
        ("dormant", Value::Bool(dormant)),
        ("orgRecord", Value::Bool(true)),
    ]);
    Some(Entitlement {
        identity: user.id.clone(),
        privilege_name: window.privilege_name(),
        value: !dormant,
        connection: None,
        resource: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jira::models::ProductActivity;

    const NOON: i64 = 1_795_780_800; // 2026-11-27T12:00:00Z
    const DAY: i64 = 86_400;

    fn record(id: &str, status: &str, claim: &str, products: &[(&str, Option<&str>)]) -> OrgUser {
        OrgUser {
            account_id: id.into(),
            account_status: Some(status.into()),
            claim_status: Some(claim.into()),
            product_access: Some(
                products
                    .iter()
                    .map(|(key, at)| ProductActivity {
                        key: (*key).into(),
                        id: Some(format!("ari:cloud:{key}::site/c1")),
                        last_active_timestamp: at.map(str::to_owned),
                    })
                    .collect(),
            ),
        }
    }

    fn user(id: &str) -> Entity {
        crate::mapping::user(&crate::jira::models::User {
            account_id: id.into(),
            account_type: Some("atlassian".into()),
            active: Some(true),
            display_name: Some("Jo".into()),
            email_address: None,
        })
    }

    fn attr<'a>(e: &'a Entity, name: &str) -> &'a Value {
        &e.attributes.iter().find(|(k, _)| *k == name).unwrap().1
    }

    #[test]
    fn merge_keeps_the_latest_per_product_over_records() {
        let mut r = OrgRecord::default();
        r.merge(&record(
            "a",
            "active",
            "unmanaged",
            &[
                ("jira", Some("2026-11-20T12:00:00.123456789Z")),
                ("confluence", None),
            ],
        ))
        .unwrap();
        r.merge(&record(
            "a",
            "closed",
            "managed",
            &[("jira", Some("2026-11-27T14:00:00+02:00"))],
        ))
        .unwrap();
        assert_eq!(r.products, BTreeMap::from([("jira".to_owned(), NOON)]));
        assert_eq!(
            r.account_status.as_deref(),
            Some("active"),
            "the first says"
        );
        assert_eq!(
            r.claim_status.as_deref(),
            Some("managed"),
            "a claim is a claim"
        );
        assert_eq!(r.last_active(), Some(NOON));
    }

    #[test]
    fn merge_refuses_a_broken_timestamp_naming_it() {
        let err = OrgRecord::default()
            .merge(&record(
                "a",
                "active",
                "managed",
                &[("jira", Some("yesterday"))],
            ))
            .unwrap_err();
        assert!(
            err.contains("lastActiveTimestamp") && err.contains("jira"),
            "{err}"
        );
    }

    #[test]
    fn enrich_adds_the_attributes_and_the_row() {
        let window = ActivityWindow {
            now: NOON + 10 * DAY,
            days: 90,
        };
        let mut r = OrgRecord::default();
        r.merge(&record(
            "a",
            "active",
            "managed",
            &[("jira", Some("2026-11-27T12:00:00Z"))],
        ))
        .unwrap();
        let mut e = user("a");
        let row = enrich(&mut e, Some(&r), &window).unwrap();
        assert_eq!(attr(&e, "lastActive"), &Value::Timestamp(NOON));
        assert_eq!(
            attr(&e, "lastActiveByProduct"),
            &Value::Timestamps(vec![("jira".into(), NOON)])
        );
        assert_eq!(attr(&e, "accountStatus"), &Value::Text("active".into()));
        assert_eq!(attr(&e, "claimStatus"), &Value::Text("managed".into()));
        assert_eq!(attr(&e, "dormant"), &Value::Bool(false));
        assert_eq!(attr(&e, "orgRecord"), &Value::Bool(true));
        assert_eq!(row.privilege_name, "access in last 90 days");
        assert!(row.value);
        assert_eq!(row.identity, "a");
    }

    #[test]
    fn enrich_never_active_is_dormant_and_unknown_gets_no_row() {
        let window = ActivityWindow {
            now: NOON,
            days: 30,
        };
        let mut never = user("n");
        let row = enrich(&mut never, Some(&OrgRecord::default()), &window).unwrap();
        assert_eq!(attr(&never, "lastActive"), &Value::Null);
        assert_eq!(attr(&never, "dormant"), &Value::Bool(true));
        assert!(!row.value);
        assert_eq!(row.privilege_name, "access in last 30 days");
        let mut unknown = user("u");
        assert!(enrich(&mut unknown, None, &window).is_none());
        assert_eq!(attr(&unknown, "orgRecord"), &Value::Bool(false));
        assert!(unknown.attributes.iter().all(|(k, _)| *k != "lastActive"));
    }

    #[test]
    fn is_dormant_at_the_edge_of_the_window() {
        let window = ActivityWindow {
            now: NOON,
            days: 90,
        };
        assert!(!window.is_dormant(Some(NOON - 90 * DAY)));
        assert!(window.is_dormant(Some(NOON - 90 * DAY - 1)));
        assert!(window.is_dormant(None));
    }
}
