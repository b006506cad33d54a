//! Tauri's build step (its context: the config and the bundled page).

fn main() {
    tauri_build::build();
}
