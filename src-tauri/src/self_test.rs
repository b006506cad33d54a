//! The network self-test (Help → "Test connection"): the core runs the checks; this module adds
//! what only the shell knows (whether the OS sends our links to this app), streams each line
//! over a typed channel, and copies or saves the report for a helpdesk.

use crate::save_dialog::{self, SaveAs};
use crate::state::AppState;
use brickdesk_core::self_test::{self, CheckLine, LinkRegistration, SelfTestReport};
use brickdesk_core::{ErrorCode, ErrorInfo};
use tauri::State;
use tauri::ipc::Channel;
use tauri_plugin_deep_link::DeepLinkExt as _;

/// Whether `dev.brickdesk.app:` links reach this app, as the OS says (a blocking call: it may
/// ask `xdg-mime` or the registry).
pub fn link_registration(app: &tauri::AppHandle) -> LinkRegistration {
    let scheme = brickdesk_core::deep_link::SCHEME;
    match app.deep_link().is_registered(scheme) {
        Ok(true) => LinkRegistration::Registered,
        Ok(false) if registered_by_package(scheme) => LinkRegistration::Registered,
        Ok(false) => LinkRegistration::NotRegistered,
        Err(error) => LinkRegistration::Unknown(error.to_string()),
    }
}

/// The plugin knows only the handler it registers itself; on Linux an installed package's own
/// desktop entry counts too.
fn registered_by_package(scheme: &str) -> bool {
    #[cfg(target_os = "linux")]
    return crate::link_handler::default_handler_is_this_app(scheme);
    #[cfg(not(target_os = "linux"))]
    {
        let _ = scheme;
        false
    }
}

#[tauri::command]
#[specta::specta]
pub async fn run_self_test(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    workspace_id: String,
    on_line: Channel<CheckLine>,
) -> Result<SelfTestReport, ErrorInfo> {
    let handle = app.clone();
    let links = tauri::async_runtime::spawn_blocking(move || link_registration(&handle))
        .await
        .unwrap_or_else(|e| LinkRegistration::Unknown(e.to_string()));
    let send = |line: &CheckLine| drop(on_line.send(line.clone()));
    self_test::run(&state.workspaces, &workspace_id, links, send).await
}

/// Puts a report's text on the clipboard.
#[tauri::command]
#[specta::specta]
pub fn copy_self_test_report(app: tauri::AppHandle, text: String) -> Result<(), ErrorInfo> {
    crate::clipboard::copy(&app, text)
}

/// Saves a report's text where the user chooses; the path, or `None` if they cancelled.
#[tauri::command]
#[specta::specta]
pub async fn save_self_test_report(
    app: tauri::AppHandle,
    text: String,
) -> Result<Option<String>, ErrorInfo> {
    let what = SaveAs {
        title: "Save the connection test",
        file_name: "Brickdesk connection test.txt",
        filter: ("Text", "txt"),
    };
    let Some(path) = save_dialog::ask(&app, what).await else {
        return Ok(None);
    };
    // Through a private temporary file renamed over the target (brickdesk_core::files).
    brickdesk_core::files::write_replacing(&path, text.as_bytes()).map_err(|e| {
        ErrorInfo::new(
            ErrorCode::InvalidInput,
            format!(
                "Brickdesk could not save {}: {e}. Choose another folder.",
                path.display()
            ),
        )
    })?;
    Ok(Some(path.display().to_string()))
}
