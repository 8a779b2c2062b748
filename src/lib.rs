//! extractor-jira: a Jira Cloud identity connector, built as a
//! `wasm32-wasip2` component exporting `balkanid:extractor/connector`.
//!
//! This file only declares the modules. The component's entry points are in
//! `component` (built for `wasm32` only), the generated bindings in
//! `bindings`; `ARCHITECTURE.md` maps the rest.

#[cfg(target_arch = "wasm32")]
mod bindings;

pub mod config;
pub mod domain;
pub mod error;
pub mod extract;
pub mod jira;
pub mod lifecycle;
pub mod mapping;
pub mod record;
pub mod service;
pub mod site;
pub mod time;

#[cfg(target_arch = "wasm32")]
mod component;
