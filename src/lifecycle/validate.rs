//! The rules for the fields actions carry (account ids, group ids and names,
//! Jira's numeric ids), shared by the families, which check their own
//! actions with them before any request is sent.

use crate::error::{Error, Result};

pub(super) fn check(ok: bool, field: &str, reason: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_action(field, reason))
    }
}

pub(super) fn account_id(field: &str, v: &str) -> Result<()> {
    check(
        !v.is_empty()
            && v.len() <= 128
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_:".contains(&b)),
        field,
        "must be an Atlassian account id: 1 to 128 letters, digits, ':', '-' or '_'",
    )
}

/// Group ids are UUIDs, but an imported site can hold others; anything
/// printable is encoded safely, so only emptiness and control characters fail.
pub(super) fn free_text(field: &str, v: &str, what: &str) -> Result<()> {
    check(
        !v.trim().is_empty() && v.len() <= 255 && !v.chars().any(char::is_control),
        field,
        &format!("must be {what}: 1 to 255 characters, no control characters"),
    )
}

pub(super) fn numeric_id(field: &str, v: &str) -> Result<u64> {
    v.parse::<u64>()
        .ok()
        .filter(|_| !v.starts_with('+'))
        .ok_or_else(|| Error::invalid_action(field, "must be a number, as Jira's ids are"))
}
