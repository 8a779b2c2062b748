//! Talking to Jira Cloud's REST API v3: building requests (`client` and one
//! module per resource), paging (`page`), sending (`transport` and its
//! implementations, `executor`), and the wire types (`models`).

pub mod api;
pub mod client;
pub mod connect;
pub mod endpoints;
pub mod executor;
pub mod models;
pub mod page;
pub mod transport;
#[cfg(target_arch = "wasm32")]
pub mod wasi_transport;
