//! The wasmtime host for extractor-jira: loads the component, gives it
//! `wasi:http` (with an allowlist, an optional redirect and a request log),
//! and runs it. It also carries a fake Jira tenant for tests and demos, and
//! the client for BalkanID's Bulk upload API with a fake of that API.

pub mod access;
pub mod action;
pub mod balkanid;
pub mod bench;
pub mod cli;
pub mod fake_jira;
pub mod oci;
pub mod outbound;
pub mod output;
pub mod pool;
pub mod runtime;
pub mod serve;
pub mod testing;
pub mod trust;

pub use runtime::{CallError, Extracted, Plugin, Runtime, default_component_path};
