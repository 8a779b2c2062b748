//! Jira's wire types, as Atlassian's OpenAPI spec names them. Only the fields
//! the connector reads are declared; serde ignores the rest. Mapping to the
//! identity domain happens in `crate::mapping`, never here.

use serde::Deserialize;

/// `User` from `/myself` and `/users/search`, and `UserDetails` from
/// `/group/member`: the two share every field the connector reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub account_id: String,
    #[serde(default)]
    pub account_type: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub display_name: Option<String>,
    /// `null` or absent when the user's privacy settings hide it.
    #[serde(default)]
    pub email_address: Option<String>,
}

/// `GroupDetails` from `/group/bulk`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupDetails {
    pub group_id: String,
    pub name: String,
}

/// The answer of `/_edge/tenant_info`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantInfo {
    pub cloud_id: String,
}
