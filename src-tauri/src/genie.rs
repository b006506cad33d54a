//! Genie commands: spaces and favourites, asking (events over a channel), questions kept
//! across restarts, conversation history, feedback, running an expired answer again, getting
//! all rows of a capped answer (run events over a channel), Genie's own chart picture, and
//! opening a link from an answer. One line each into the core.

use crate::state::AppState;
use brickdesk_core::genie::all_rows::AllRows;
use brickdesk_core::genie::answer::{Answer, QueryAnswer, Rating};
use brickdesk_core::genie::{ConversationSummary, GenieEvent, MessageRef, Space, space_id_from};
use brickdesk_core::local::genie::{Favourite, OutboxEntry};
use brickdesk_core::sql::runs::RunEvent;
use brickdesk_core::{ErrorCode, ErrorInfo};
use tauri::State;
use tauri::ipc::Channel;

#[tauri::command]
#[specta::specta]
pub async fn list_spaces(
    state: State<'_, AppState>,
    workspace_id: String,
) -> Result<Vec<Space>, ErrorInfo> {
    state
        .genie
        .spaces(&state.workspaces.api(&workspace_id).await?)
        .await
}

/// A space by a pasted Genie link or its id (a space shared by a colleague).
#[tauri::command]
#[specta::specta]
pub async fn open_space(
    state: State<'_, AppState>,
    workspace_id: String,
    link: String,
) -> Result<Space, ErrorInfo> {
    let id = space_id_from(&link).ok_or_else(|| {
        ErrorInfo::new(
            ErrorCode::InvalidInput,
            "Paste a Genie link (…/genie/rooms/…) or a space ID.",
        )
    })?;
    let api = state.workspaces.api(&workspace_id).await?;
    state.genie.space(&api, &id).await
}

#[tauri::command]
#[specta::specta]
pub fn genie_favourites(
    state: State<'_, AppState>,
    workspace_id: String,
) -> Result<Vec<Favourite>, ErrorInfo> {
    state.genie.store().favourites(&workspace_id)
}

#[tauri::command]
#[specta::specta]
pub fn set_genie_favourite(
    state: State<'_, AppState>,
    workspace_id: String,
    space: Favourite,
    pinned: bool,
) -> Result<Vec<Favourite>, ErrorInfo> {
    let store = state.genie.store();
    store.set_favourite(&workspace_id, &space.space_id, &space.title, pinned)?;
    store.favourites(&workspace_id)
}

#[tauri::command]
#[specta::specta]
pub async fn ask_genie(
    state: State<'_, AppState>,
    workspace_id: String,
    space_id: String,
    conversation_id: Option<String>,
    question: String,
    events: Channel<GenieEvent>,
) -> Result<Answer, ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    let send = |event| drop(events.send(event));
    let conversation = conversation_id.as_deref();
    state
        .genie
        .ask(
            &api,
            &workspace_id,
            &space_id,
            conversation,
            &question,
            &send,
        )
        .await
}

/// Questions still on their way (after a restart too), oldest first.
#[tauri::command]
#[specta::specta]
pub fn pending_questions(
    state: State<'_, AppState>,
    workspace_id: String,
) -> Result<Vec<OutboxEntry>, ErrorInfo> {
    state.genie.pending(&workspace_id)
}

/// Drives every kept question of the workspace to its answer.
#[tauri::command]
#[specta::specta]
pub async fn resume_questions(
    state: State<'_, AppState>,
    workspace_id: String,
    events: Channel<GenieEvent>,
) -> Result<(), ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    let send = |event| drop(events.send(event));
    state.genie.resume(&api, &workspace_id, &send).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_conversations(
    state: State<'_, AppState>,
    workspace_id: String,
    space_id: String,
) -> Result<Vec<ConversationSummary>, ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    state.genie.conversations(&api, &space_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn open_conversation(
    state: State<'_, AppState>,
    workspace_id: String,
    space_id: String,
    conversation_id: String,
) -> Result<Vec<Answer>, ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    state
        .genie
        .conversation(&api, &space_id, &conversation_id)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_conversation(
    state: State<'_, AppState>,
    workspace_id: String,
    space_id: String,
    conversation_id: String,
) -> Result<(), ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    state
        .genie
        .delete_conversation(&api, &space_id, &conversation_id)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn send_feedback(
    state: State<'_, AppState>,
    workspace_id: String,
    message: MessageRef,
    rating: Rating,
) -> Result<(), ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    state.genie.feedback(&api, &message, rating).await
}

#[tauri::command]
#[specta::specta]
pub async fn run_answer_again(
    state: State<'_, AppState>,
    workspace_id: String,
    message: MessageRef,
    attachment_id: String,
) -> Result<QueryAnswer, ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    state.genie.run_again(&api, &message, &attachment_id).await
}

/// Every row of an answer Genie cut at its cap, into a new run (`events` as a SQL run's).
#[tauri::command]
#[specta::specta]
pub async fn get_all_rows(
    state: State<'_, AppState>,
    workspace_id: String,
    message: MessageRef,
    attachment_id: String,
    events: Channel<RunEvent>,
) -> Result<AllRows, ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    let send = |event| drop(events.send(event));
    state
        .genie
        .all_rows(&api, &workspace_id, &message, &attachment_id, send)
        .await
}

/// The PNG of a chart Genie drew for an answer.
#[tauri::command]
#[specta::specta]
pub async fn genie_visualization(
    state: State<'_, AppState>,
    workspace_id: String,
    message: MessageRef,
    attachment_id: String,
) -> Result<Vec<u8>, ErrorInfo> {
    let api = state.workspaces.api(&workspace_id).await?;
    state
        .genie
        .visualization(&api, &message, &attachment_id)
        .await
}

/// Opens a link from an answer in the system browser (the UI asked the user first): web and
/// e-mail links only, a mail link without its query (`brickdesk_core::genie::links`).
#[tauri::command]
#[specta::specta]
pub fn open_link(url: String) -> Result<(), ErrorInfo> {
    crate::sign_in::open_browser(brickdesk_core::genie::links::openable(&url)?.as_str())
}
