//! Sign-in commands: start (after the core's preflight, opens the system browser), cancel,
//! sign out. One line each into the core; the browser is the shell's only part.

use crate::state::AppState;
use brickdesk_core::auth::preflight::RedirectAdvice;
use brickdesk_core::workspace::WorkspaceList;
use brickdesk_core::{ErrorCode, ErrorInfo};
use serde::{Deserialize, Serialize};
use tauri::State;

/// A sign-in finished with an error the user must see (the list carries the state).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct SignInFailed(pub ErrorInfo);

/// Starts signing in. When the preflight finds that the app connection does not accept the
/// workspace's sign-in address, no browser opens: the advice comes back instead (with the
/// address to use, when another one is registered).
#[tauri::command]
#[specta::specta]
pub async fn sign_in(
    state: State<'_, AppState>,
    id: String,
) -> Result<Option<RedirectAdvice>, ErrorInfo> {
    if let Some(advice) = state.workspaces.sign_in_preflight(&id).await? {
        return Ok(Some(advice));
    }
    match state.workspaces.begin_sign_in(&id).await? {
        Some(url) => open_browser(&url).map(|()| None),
        None => Ok(None),
    }
}

#[tauri::command]
#[specta::specta]
pub fn cancel_sign_in(state: State<'_, AppState>, id: String) -> Result<WorkspaceList, ErrorInfo> {
    Ok(state.workspaces.cancel_sign_in(&id))
}

#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, AppState>, id: String) -> Result<WorkspaceList, ErrorInfo> {
    state.workspaces.sign_out(&id).await
}

/// Opens `url` in the user's browser. `$BROWSER` wins when set (as for the Databricks CLI and
/// SDKs; `%s` marks where the URL goes), else the OS default browser.
pub(crate) fn open_browser(url: &str) -> Result<(), ErrorInfo> {
    let failed = |e: std::io::Error| {
        ErrorInfo::new(
            ErrorCode::Internal,
            format!(
                "Brickdesk could not open your web browser ({e}). Set a default browser and try again."
            ),
        )
    };
    match std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty())
    {
        Some(browser) => {
            let command = browser.split(':').next().unwrap_or_default().to_owned();
            let mut words: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
            if words.iter().any(|w| w.contains("%s")) {
                words.iter_mut().for_each(|w| *w = w.replace("%s", url));
            } else {
                words.push(url.to_owned());
            }
            let (program, args) = words
                .split_first()
                .ok_or_else(|| failed(std::io::Error::other("BROWSER is empty")))?;
            std::process::Command::new(program)
                .args(args)
                .spawn()
                .map(drop)
                .map_err(failed)
        }
        None => open::that_detached(url).map_err(failed),
    }
}
