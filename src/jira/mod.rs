//! Talking to Jira Cloud's REST API v3: the endpoints and their facts
//! (`endpoints`), typed calls and their replies (`call`), what a failed
//! request means (`failure`), one module of call builders per resource
//! (`api`), where calls go and sending them one at a time (`client`), paging
//! (`page`), sending (`transport` and its implementations, `executor`), and
//! the wire types (`models`).

pub mod api;
pub mod call;
pub mod client;
pub mod connect;
pub mod endpoints;
pub mod executor;
pub mod failure;
pub mod models;
pub mod page;
pub mod transport;
#[cfg(target_arch = "wasm32")]
pub mod wasi_transport;
