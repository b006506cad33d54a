//! The SQL runner's memory: statement history (search, re-run, delete), saved queries and the
//! editor tabs restored per workspace. One line each into the core's local database.

use crate::state::AppState;
use brickdesk_core::ErrorInfo;
use brickdesk_core::local::history::HistoryEntry;
use brickdesk_core::local::saved::{NewSavedQuery, SavedQuery};
use brickdesk_core::local::workbench::Workbench;
use tauri::State;

/// Entries one search returns at most.
const HISTORY_PAGE: u32 = 200;

#[tauri::command]
#[specta::specta]
pub fn sql_history(
    state: State<'_, AppState>,
    workspace_id: String,
    query: String,
) -> Result<Vec<HistoryEntry>, ErrorInfo> {
    state.history.search(&workspace_id, &query, HISTORY_PAGE)
}

#[tauri::command]
#[specta::specta]
pub fn delete_history_entry(state: State<'_, AppState>, id: u32) -> Result<(), ErrorInfo> {
    state.history.delete(id)
}

#[tauri::command]
#[specta::specta]
pub fn load_workbench(
    state: State<'_, AppState>,
    workspace_id: String,
) -> Result<Workbench, ErrorInfo> {
    state.workbenches.load(&workspace_id)
}

#[tauri::command]
#[specta::specta]
pub fn save_workbench(
    state: State<'_, AppState>,
    workspace_id: String,
    workbench: Workbench,
) -> Result<(), ErrorInfo> {
    state.workbenches.save(&workspace_id, &workbench)
}

#[tauri::command]
#[specta::specta]
pub fn saved_queries(
    state: State<'_, AppState>,
    workspace_id: String,
) -> Result<Vec<SavedQuery>, ErrorInfo> {
    state.saved.list(&workspace_id)
}

/// Saves under the query's name, replacing a query of that name.
#[tauri::command]
#[specta::specta]
pub fn save_query(
    state: State<'_, AppState>,
    workspace_id: String,
    query: NewSavedQuery,
) -> Result<SavedQuery, ErrorInfo> {
    state.saved.save(&workspace_id, &query)
}

#[tauri::command]
#[specta::specta]
pub fn delete_saved_query(state: State<'_, AppState>, id: u32) -> Result<(), ErrorInfo> {
    state.saved.delete(id)
}
