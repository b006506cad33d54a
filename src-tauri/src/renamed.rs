//! The app's folders under its former identifier (`dev.brickdesk.app`), moved to the current
//! one at start-up, before anything in them is opened. The rule and its test are in the core
//! (`brickdesk_core::renamed_dirs`); this names the OS's folders for the app.

use tauri::Manager as _;

/// Moves each of the app's folders that exists only under the former name; returns how many
/// moved. A folder that cannot be moved stays where it is, and the app starts fresh there.
pub fn move_former_folders(app: &tauri::App) -> usize {
    let path = app.path();
    [
        path.app_config_dir(),
        path.app_data_dir(),
        path.app_local_data_dir(),
        path.app_cache_dir(),
        path.app_log_dir(),
    ]
    .into_iter()
    .flatten()
    .filter(|dir| match brickdesk_core::renamed_dirs::move_former(dir) {
        Ok(moved) => moved,
        Err(error) => {
            tracing::warn!(%error, dir = %dir.display(), "could not move a folder of the app");
            false
        }
    })
    .count()
}
