//! "Copy diagnostics": the core's report (no secrets; see `brickdesk_core::diagnostics`) with
//! what only the shell knows (versions, the deep-link registration, recent warnings), put on the
//! clipboard for a helpdesk ticket and returned for the UI to show.

use crate::logging::recent_problems;
use crate::state::AppState;
use brickdesk_core::ErrorInfo;
use brickdesk_core::diagnostics::{DiagnosticsInput, report};
use brickdesk_core::self_test::LinkRegistration;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub fn copy_diagnostics(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
) -> Result<String, ErrorInfo> {
    let version = app.package_info().version.to_string();
    let deep_link = match crate::self_test::link_registration(&app) {
        LinkRegistration::Registered => "registered to this app".to_owned(),
        LinkRegistration::NotRegistered => {
            "not registered (use the loopback redirect, or reinstall)".to_owned()
        }
        LinkRegistration::Unknown(error) => format!("unknown ({error})"),
    };
    let list = state.workspaces.list();
    let problems = recent_problems();
    let text = report(&DiagnosticsInput {
        app_version: &version,
        os: std::env::consts::OS,
        arch: std::env::consts::ARCH,
        workspaces: &list,
        discovered: &state.workspaces.discovered(),
        policy: state.workspaces.policy(),
        keychain: state.workspaces.keychain_check(),
        deep_link: &deep_link,
        recent_problems: &problems,
        proxy_problems: &state.workspaces.proxies().problems(),
        log_file: crate::logging::file_path(),
    });
    crate::clipboard::copy(&app, text.clone())?;
    Ok(text)
}
