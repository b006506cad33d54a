//! A proxy that asks for the user's network password: the core tells (`ProxySignInNeeded`, at
//! most every 30 seconds per proxy, never after "Not now" for an hour), the UI asks, and the
//! answer goes straight into the keychain through one command. The password only ever
//! travels into Rust.

use crate::state::AppState;
use brickdesk_core::ErrorInfo;
use brickdesk_core::proxy::ProxySignInRequest;
use brickdesk_core::sensitive::Sensitive;
use serde::{Deserialize, Serialize};
use tauri::State;

/// A proxy needs the user's sign-in.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct ProxySignInNeeded(pub ProxySignInRequest);

/// Forwards the core's requests to the web view.
pub fn install(app: &tauri::AppHandle, workspaces: &brickdesk_core::service::Workspaces) {
    let handle = app.clone();
    workspaces.on_proxy_sign_in_needed(std::sync::Arc::new(move |needed| {
        use tauri_specta::Event as _;
        let _ = ProxySignInNeeded(needed).emit(&handle);
    }));
}

/// Async, so that the keychain write is off the main (UI) thread.
#[tauri::command]
#[specta::specta]
pub async fn save_proxy_sign_in(
    state: State<'_, AppState>,
    proxy: String,
    username: String,
    password: String,
) -> Result<(), ErrorInfo> {
    state
        .workspaces
        .save_proxy_sign_in(&proxy, &username, Sensitive::new(password))
        .await
}

/// The user closed the sign-in without answering: not asked again for a while.
#[tauri::command]
#[specta::specta]
pub fn dismiss_proxy_sign_in(state: State<'_, AppState>, proxy: String) -> Result<(), ErrorInfo> {
    state.workspaces.dismiss_proxy_sign_in(&proxy)
}
