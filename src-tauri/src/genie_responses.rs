//! Ask anything (Genie One) and Agent mode commands: which previews the workspace has, asking
//! (each new state of the answer over a channel), Stop, responses kept across restarts, and the
//! history. One line each into the core.

use crate::state::AppState;
use brickdesk_core::ErrorInfo;
use brickdesk_core::genie::responses::ResponseSummary;
use brickdesk_core::genie::responses::features::GenieFeatures;
use brickdesk_core::genie::responses::view::{ResponseView, Surface};
use tauri::State;
use tauri::ipc::Channel;

#[tauri::command]
#[specta::specta]
pub async fn genie_features(
    state: State<'_, AppState>,
    workspace_id: String,
) -> Result<GenieFeatures, ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    Ok(state.responses.check_features(&api, &workspace_id).await)
}

/// Asks on `surface`; `conversation_id` continues a conversation.
#[tauri::command]
#[specta::specta]
pub async fn ask_genie_response(
    state: State<'_, AppState>,
    workspace_id: String,
    surface: Surface,
    question: String,
    conversation_id: Option<String>,
    updates: Channel<ResponseView>,
) -> Result<ResponseView, ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    let send = |view| drop(updates.send(view));
    let conversation = conversation_id.as_deref();
    state
        .responses
        .ask(&api, &workspace_id, surface, &question, conversation, &send)
        .await
}

#[tauri::command]
#[specta::specta]
pub fn stop_genie_response(state: State<'_, AppState>, id: u32) -> Result<(), ErrorInfo> {
    state.responses.stop(id)
}

/// Finishes every response of the workspace that was in flight when Brickdesk quit.
#[tauri::command]
#[specta::specta]
pub async fn resume_genie_responses(
    state: State<'_, AppState>,
    workspace_id: String,
    updates: Channel<ResponseView>,
) -> Result<(), ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    let send = |view| drop(updates.send(view));
    state.responses.resume(&api, &workspace_id, &send).await
}

#[tauri::command]
#[specta::specta]
pub fn genie_response_history(
    state: State<'_, AppState>,
    workspace_id: String,
) -> Result<Vec<ResponseSummary>, ErrorInfo> {
    state.responses.history(&workspace_id)
}

#[tauri::command]
#[specta::specta]
pub async fn open_genie_response(
    state: State<'_, AppState>,
    workspace_id: String,
    id: u32,
) -> Result<ResponseView, ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    state.responses.response(&api, &workspace_id, id)
}

/// An Agent-mode conversation from the agent's history (started in Databricks or elsewhere),
/// read back whole; read-only.
#[tauri::command]
#[specta::specta]
pub async fn open_agent_conversation(
    state: State<'_, AppState>,
    workspace_id: String,
    agent_id: String,
    conversation_id: String,
) -> Result<Vec<ResponseView>, ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    state
        .responses
        .agent_conversation(&api, &agent_id, &conversation_id)
        .await
}

#[tauri::command]
#[specta::specta]
pub fn delete_genie_response(state: State<'_, AppState>, id: u32) -> Result<(), ErrorInfo> {
    state.responses.delete(id)
}
