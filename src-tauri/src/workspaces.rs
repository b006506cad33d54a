//! Workspace switcher commands: list, select, add. One line each into the core registry.

use crate::state::AppState;
use brickdesk_core::ErrorInfo;
use brickdesk_core::workspace::WorkspaceList;
use serde::{Deserialize, Serialize};
use tauri::State;

/// The list or the active workspace changed outside a command (e.g. through a deep link).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct WorkspacesChanged(pub WorkspaceList);

#[tauri::command]
#[specta::specta]
pub fn list_workspaces(state: State<'_, AppState>) -> Result<WorkspaceList, ErrorInfo> {
    Ok(state.workspaces().list().clone())
}

#[tauri::command]
#[specta::specta]
pub fn select_workspace(
    state: State<'_, AppState>,
    id: String,
) -> Result<WorkspaceList, ErrorInfo> {
    state.workspaces().select(&id).cloned()
}

#[tauri::command]
#[specta::specta]
pub fn add_workspace(
    state: State<'_, AppState>,
    name: String,
    host: String,
) -> Result<WorkspaceList, ErrorInfo> {
    state.workspaces().add(&name, &host).cloned()
}
