//! The OS "Save as" dialog, opened from Rust so the web UI never names a path to write to.

use std::path::PathBuf;
use tauri_plugin_dialog::DialogExt as _;

/// What is being saved, for the dialog.
pub struct SaveAs<'a> {
    pub title: &'a str,
    /// A plain file name with its extension (no folders).
    pub file_name: &'a str,
    /// The file type's name and extension (`("Excel workbook", "xlsx")`).
    pub filter: (&'a str, &'a str),
}

/// Asks where to save, starting in Documents; `None` when the user closed the dialog.
pub async fn ask(app: &tauri::AppHandle, what: SaveAs<'_>) -> Option<PathBuf> {
    // Debug builds only (crate::test_hooks): the end-to-end tests cannot drive a dialog.
    if let Some(dir) = crate::test_hooks::read(crate::test_hooks::SAVE_DIR) {
        return Some(PathBuf::from(dir).join(what.file_name));
    }
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_title(what.title)
        .set_file_name(what.file_name)
        .add_filter(what.filter.0, &[what.filter.1]);
    if let Some(documents) = documents(app) {
        dialog = dialog.set_directory(documents);
    }
    dialog.save_file(move |chosen| drop(sender.send(chosen)));
    receiver
        .await
        .ok()
        .flatten()
        .and_then(|p| p.into_path().ok())
}

fn documents(app: &tauri::AppHandle) -> Option<PathBuf> {
    use tauri::Manager as _;
    app.path().document_dir().ok().filter(|d| d.is_dir())
}
