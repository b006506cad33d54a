//! The `brickdesk` executable: everything lives in the library so tests can reach it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    brickdesk_app::run();
}
