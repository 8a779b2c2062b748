//! The site itself: `GET /_edge/tenant_info`, anonymous, for the cloud id a
//! scoped token needs.

use crate::config::SiteName;
use crate::jira::call::Call;
use crate::jira::client::anonymous_call;
use crate::jira::endpoints::Endpoint;
use crate::jira::models::TenantInfo;

pub fn tenant_info(site: &SiteName) -> Call<TenantInfo> {
    anonymous_call(site, Endpoint::TenantInfo)
}
