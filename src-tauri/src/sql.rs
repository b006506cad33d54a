//! SQL commands: warehouses, catalogs and schemas, parameter markers, running a statement
//! (events over a channel), cancel, windows of rows, closing a result. One line each into the
//! core. Sorting, Copy and export are in `sql_results`; history and tabs in `sql_library`.

use crate::state::AppState;
use brickdesk_core::ErrorInfo;
use brickdesk_core::sql::StatementRequest;
use brickdesk_core::sql::result_set::{ResultSummary, RowWindow};
use brickdesk_core::sql::runs::RunEvent;
use brickdesk_core::sql::warehouses::{self, Warehouse};
use brickdesk_core::sql::{catalogs, params};
use std::time::Duration;
use tauri::State;
use tauri::ipc::Channel;

/// How long a warehouse may take to start before the UI is told it did not.
const START_TIMEOUT: Duration = Duration::from_secs(20 * 60);

#[tauri::command]
#[specta::specta]
pub async fn list_warehouses(
    state: State<'_, AppState>,
    workspace_id: String,
) -> Result<Vec<Warehouse>, ErrorInfo> {
    warehouses::list(&state.workspaces.api(&workspace_id).await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn start_warehouse(
    state: State<'_, AppState>,
    workspace_id: String,
    warehouse_id: String,
    progress: Channel<Warehouse>,
) -> Result<Warehouse, ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    warehouses::start(&api, &warehouse_id, START_TIMEOUT, |w| {
        drop(progress.send(w.clone()))
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn list_catalogs(
    state: State<'_, AppState>,
    workspace_id: String,
    warehouse_id: Option<String>,
) -> Result<Vec<String>, ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    catalogs::catalogs(&api, warehouse_id.as_deref()).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_schemas(
    state: State<'_, AppState>,
    workspace_id: String,
    catalog: String,
    warehouse_id: Option<String>,
) -> Result<Vec<String>, ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    catalogs::schemas(&api, &catalog, warehouse_id.as_deref()).await
}

/// The tables and views of `catalog.schema`, for the schema browser and autocomplete.
#[tauri::command]
#[specta::specta]
pub async fn list_tables(
    state: State<'_, AppState>,
    workspace_id: String,
    catalog: String,
    schema: String,
    warehouse_id: Option<String>,
) -> Result<Vec<catalogs::TableEntry>, ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    catalogs::tables(&api, &catalog, &schema, warehouse_id.as_deref()).await
}

/// The columns of `catalog.schema.table`, in table order.
#[tauri::command]
#[specta::specta]
pub async fn list_columns(
    state: State<'_, AppState>,
    workspace_id: String,
    catalog: String,
    schema: String,
    table: String,
    warehouse_id: Option<String>,
) -> Result<Vec<catalogs::ColumnEntry>, ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    catalogs::columns(&api, &catalog, &schema, &table, warehouse_id.as_deref()).await
}

/// The `:name` parameters of `sql`, in order.
#[tauri::command]
#[specta::specta]
pub fn sql_parameters(sql: String) -> Vec<String> {
    params::markers(&sql)
}

#[tauri::command]
#[specta::specta]
pub async fn run_statement(
    state: State<'_, AppState>,
    workspace_id: String,
    request: StatementRequest,
    events: Channel<RunEvent>,
) -> Result<ResultSummary, ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    state
        .runs
        .run(api, &workspace_id, request, |event| {
            drop(events.send(event))
        })
        .await
}

#[tauri::command]
#[specta::specta]
pub fn cancel_statement(state: State<'_, AppState>, run_id: u32) -> Result<(), ErrorInfo> {
    state.runs.cancel(run_id)
}

#[tauri::command]
#[specta::specta]
pub fn result_window(
    state: State<'_, AppState>,
    run_id: u32,
    offset: u32,
    limit: u32,
) -> Result<RowWindow, ErrorInfo> {
    state.runs.window(run_id, offset, limit)
}

#[tauri::command]
#[specta::specta]
pub fn close_result(state: State<'_, AppState>, run_id: u32) {
    state.runs.close(run_id);
}
