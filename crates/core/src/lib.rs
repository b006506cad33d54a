//! `brickdesk-core` is the Databricks client behind Brickdesk.
//!
//! Boundary: this crate knows Databricks (hosts, OAuth, REST, SQL, Genie) and the desktop
//! concerns that are pure logic (deep-link validation, profiles). It knows nothing about Tauri
//! or any UI toolkit; `src-tauri` is a thin shell over it, and CI proves that no `tauri*` crate
//! is in this crate's dependency tree. Types that cross to the UI derive `specta::Type` so the
//! shell can export them without wrapper types.

pub mod api;
pub mod api_path;
pub mod auth;
pub mod deep_link;
pub mod diagnostics;
pub mod error;
pub mod files;
pub mod genie;
pub mod host;
pub mod http_body;
pub mod local;
pub mod log_file;
pub mod net;
pub mod policy;
pub mod profiles;
pub mod proxy;
pub mod renamed_dirs;
pub mod self_test;
pub mod sensitive;
pub mod service;
pub mod sql;
pub mod sse;
pub mod svg;
pub mod vault;
pub mod workspace;

pub use error::{ErrorCode, ErrorInfo};
pub use sensitive::Sensitive;
