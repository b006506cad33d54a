//! Brickdesk's Tauri shell.
//!
//! Boundary: this crate wires plugins, windows, deep links and typed IPC to `brickdesk-core`.
//! Each domain is one small module whose commands are one-line calls into the core; no
//! Databricks logic lives here. Tokens never leave Rust: commands and events carry only
//! secret-free types from the core.

mod app_info;
mod chart_image;
mod clipboard;
mod deep_links;
mod diagnostics;
mod genie;
mod genie_responses;
mod ipc;
#[cfg(target_os = "linux")]
mod link_handler;
mod logging;
mod navigation;
mod proxy_sign_in;
mod renamed;
mod save_dialog;
mod self_test;
mod sign_in;
mod sql;
mod sql_library;
mod sql_results;
mod state;
mod test_hooks;
mod workspaces;

pub use ipc::specta_builder;

/// Starts the app. Called by `main`.
pub fn run() {
    app_info::mark_start();
    logging::init();
    let builder = ipc::specta_builder();
    let result = tauri::Builder::default()
        // Registered first, as its docs ask: a second launch forwards argv here and exits.
        .plugin(tauri_plugin_single_instance::init(
            deep_links::on_second_instance,
        ))
        .plugin(navigation::guard())
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            use tauri::Manager as _;
            // Before any file there is opened (the log is the first).
            let moved = renamed::move_former_folders(app);
            match app.path().app_log_dir() {
                Ok(dir) => logging::open_file(&dir),
                Err(error) => tracing::warn!(%error, "no log folder; logging to stderr only"),
            }
            tracing::info!(
                version = %app.package_info().version,
                os = std::env::consts::OS,
                "Brickdesk started"
            );
            if moved > 0 {
                tracing::info!(moved, "moved the app's folders from its former identifier");
            }
            builder.mount_events(app);
            let workspaces = state::manage(app).map_err(|e| e.message)?;
            proxy_sign_in::install(app.handle(), &workspaces);
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
        .build(tauri::generate_context!());
    let app = match result {
        Ok(app) => app,
        Err(error) => {
            tracing::error!(%error, "Brickdesk could not start");
            eprintln!(
                "Brickdesk could not start: {error}. On Linux, check that WebKitGTK 4.1 is \
                 installed and that a display is available."
            );
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            on_exit(handle);
        }
    });
}

/// Statements still running are cancelled on their warehouses before the app goes, so a
/// closed laptop lid does not leave a warehouse busy (at most a few seconds).
fn on_exit(handle: &tauri::AppHandle) {
    use tauri::Manager;
    if let Some(state) = handle.try_state::<state::AppState>() {
        let runs = state.runs.clone();
        tauri::async_runtime::block_on(runs.shutdown(std::time::Duration::from_secs(3)));
    }
}
