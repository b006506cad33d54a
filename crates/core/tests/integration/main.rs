//! The core's integration tests, one module per area, in one test binary: most of them link
//! the in-process emulator (and with it DataFusion), and a binary per file cost a quarter of a
//! gigabyte of disk and a link each. `keychain.rs` stays apart: it runs only inside a D-Bus
//! session with gnome-keyring (`scripts/test.sh`).
//!
//! Run one area with a filter: `cargo test -p brickdesk-core --test integration genie_responses::`.

mod common;

mod corporate_proxy;
mod diagnostics;
mod discovery;
mod genie;
mod genie_all_rows;
mod genie_responses;
mod genie_shapes;
mod large_results;
mod network;
mod preflight;
mod recorded_traffic;
mod result_bytes;
mod scopes;
mod self_test;
mod sign_in;
mod sql;
mod sql_shapes;
mod tolerant_reader;
mod unified_host;
mod workspaces;
