//! Workspace commands: list, select, add (with discovery progress), rename, sign-in return
//! (deep link or loopback), access (SQL only or everything), reorder, remove,
//! and the candidates an import from `~/.databrickscfg` offers.
//! One line each into the core's workspace service.

use crate::state::AppState;
use brickdesk_core::ErrorInfo;
use brickdesk_core::auth::discovery::DiscoveryStep;
use brickdesk_core::profiles::databrickscfg::{self, ImportReport};
use brickdesk_core::profiles::{Access, RedirectMode};
use brickdesk_core::service::NewWorkspace;
use brickdesk_core::workspace::WorkspaceList;
use serde::{Deserialize, Serialize};
use tauri::State;
use tauri::ipc::Channel;

/// The list or a sign-in state changed outside a command (a deep link, a background refresh).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct WorkspacesChanged(pub WorkspaceList);

#[tauri::command]
#[specta::specta]
pub fn list_workspaces(state: State<'_, AppState>) -> Result<WorkspaceList, ErrorInfo> {
    Ok(state.workspaces.list())
}

#[tauri::command]
#[specta::specta]
pub fn select_workspace(
    state: State<'_, AppState>,
    id: String,
) -> Result<WorkspaceList, ErrorInfo> {
    state.workspaces.select(&id)
}

#[tauri::command]
#[specta::specta]
pub async fn add_workspace(
    state: State<'_, AppState>,
    workspace: NewWorkspace,
    progress: Channel<DiscoveryStep>,
) -> Result<WorkspaceList, ErrorInfo> {
    state
        .workspaces
        .add(workspace, |step| drop(progress.send(step)))
        .await
}

#[tauri::command]
#[specta::specta]
pub fn rename_workspace(
    state: State<'_, AppState>,
    id: String,
    name: String,
) -> Result<WorkspaceList, ErrorInfo> {
    state.workspaces.rename(&id, &name)
}

#[tauri::command]
#[specta::specta]
pub fn set_workspace_redirect(
    state: State<'_, AppState>,
    id: String,
    redirect: RedirectMode,
) -> Result<WorkspaceList, ErrorInfo> {
    state.workspaces.set_redirect(&id, redirect)
}

#[tauri::command]
#[specta::specta]
pub async fn set_workspace_access(
    state: State<'_, AppState>,
    id: String,
    access: Access,
) -> Result<WorkspaceList, ErrorInfo> {
    state.workspaces.set_access(&id, access).await
}

#[tauri::command]
#[specta::specta]
pub fn reorder_workspaces(
    state: State<'_, AppState>,
    ids: Vec<String>,
) -> Result<WorkspaceList, ErrorInfo> {
    state.workspaces.reorder(&ids)
}

#[tauri::command]
#[specta::specta]
pub async fn remove_workspace(
    state: State<'_, AppState>,
    id: String,
) -> Result<WorkspaceList, ErrorInfo> {
    state.workspaces.remove(&id).await
}

/// Start-up notices (a recovered workspace list, an ignored policy), once.
#[tauri::command]
#[specta::specta]
pub fn startup_notices(state: State<'_, AppState>) -> Result<Vec<ErrorInfo>, ErrorInfo> {
    Ok(state.take_notices())
}

/// What `~/.databrickscfg` (or `DATABRICKS_CONFIG_FILE`) offers to import; nothing is added.
#[tauri::command]
#[specta::specta]
pub fn databrickscfg_candidates() -> Result<ImportReport, ErrorInfo> {
    databrickscfg::read_default()
}
