//! One module per Jira resource: the requests the connector sends for it.

pub mod groups;
pub mod permissions;
pub mod projects;
pub mod users;
