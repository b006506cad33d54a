//! `brickdesk-emulator`: a local, Databricks-compatible workspace for tests and the demo.
//!
//! Boundary: it speaks the real Databricks REST/OAuth wire format (see
//! `shared/reference/databricks-api.md`) and nothing Brickdesk-specific, so anything that works
//! against it should work against a real workspace. Routes that only exist here live under
//! `/__emulator/`. It binds loopback only, over HTTP or (for CA and proxy tests) HTTPS with a
//! test CA of its own.

mod admin;
mod auth;
mod authorize;
mod catalogs;
pub mod config;
mod discovery;
mod errors;
pub mod faults;
mod files;
pub mod genie;
mod link_speed;
mod pages;
mod request_log;
mod scim;
mod server;
pub mod sql;
pub mod store;
pub mod test_proxy;
pub mod tls;
mod token;
mod unified;
pub mod warehouses;

pub use config::Config;
pub use server::{Emulator, router};
