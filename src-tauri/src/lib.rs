//! Brickdesk's Tauri shell.
//!
//! Boundary: this crate wires plugins, windows, deep links and typed IPC to `brickdesk-core`.
//! Each domain is one small module whose commands are one-line calls into the core; no
//! Databricks logic lives here. Tokens never leave Rust: commands and events carry only
//! secret-free types from the core.

mod app_info;
mod deep_links;
mod ipc;
mod logging;
mod sign_in;
mod state;
mod workspaces;

pub use ipc::specta_builder;

/// Starts the app. Called by `main`.
pub fn run() {
    logging::init();
    let builder = ipc::specta_builder();
    let result = tauri::Builder::default()
        // Registered first, as its docs ask: a second launch forwards argv here and exits.
        .plugin(tauri_plugin_single_instance::init(
            deep_links::on_second_instance,
        ))
        .plugin(tauri_plugin_deep_link::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            let workspaces = state::manage(app).map_err(|e| e.message)?;
            let handle = app.handle().clone();
            workspaces.set_listener(std::sync::Arc::new(move |list| {
                use tauri_specta::Event;
                let _ = workspaces::WorkspacesChanged(list.clone()).emit(&handle);
            }));
            // Workspaces with a stored sign-in are checked in the background (SCIM Me).
            tauri::async_runtime::spawn(async move { workspaces.check_all().await });
            deep_links::install(app.handle());
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(error) = result {
        tracing::error!(%error, "Brickdesk could not start");
        eprintln!(
            "Brickdesk could not start: {error}. On Linux, check that WebKitGTK 4.1 is installed \
             and that a display is available."
        );
        std::process::exit(1);
    }
}
