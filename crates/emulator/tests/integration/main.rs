//! The emulator's route tests, one module per area, in one test binary (a binary per file linked
//! DataFusion again for each, a quarter of a gigabyte of disk apiece). Every test starts its own
//! emulator on 127.0.0.1:0 and talks real HTTP to it.
//!
//! Run one area with a filter: `cargo test -p brickdesk-emulator --test integration statements::`.

mod common;

mod faults;
mod genie;
mod genie_responses;
mod oauth;
mod process;
mod routes;
mod statements;
mod tls;
mod warehouses;
mod wire_shapes;
