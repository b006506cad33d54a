//! Text onto the system clipboard, written from Rust: the web UI has no clipboard access.

use brickdesk_core::{ErrorCode, ErrorInfo};
use tauri_plugin_clipboard_manager::ClipboardExt as _;

pub fn copy(app: &tauri::AppHandle, text: String) -> Result<(), ErrorInfo> {
    app.clipboard().write_text(text).map_err(|e| {
        ErrorInfo::new(
            ErrorCode::Internal,
            format!("Brickdesk could not use the clipboard ({e})."),
        )
    })
}
