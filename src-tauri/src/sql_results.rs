//! What users do with a result: sort and filter it, copy rows for a spreadsheet, export it to
//! CSV or Excel through the OS save dialog. The dialog is opened here, in Rust, so the web UI
//! never names a path to write to. One line each into the core otherwise.

use crate::save_dialog::{self, SaveAs};
use crate::state::AppState;
use brickdesk_core::ErrorInfo;
use brickdesk_core::sql::export::{ExportDone, ExportFormat, ExportProgress};
use brickdesk_core::sql::formulas::FormulaSafety;
use brickdesk_core::sql::result_set::ResultSummary;
use brickdesk_core::sql::view::{ViewProgress, ViewSpec};
use brickdesk_core::sql::workbook::AnswerReport;
use std::path::PathBuf;
use tauri::State;
use tauri::ipc::Channel;

#[tauri::command]
#[specta::specta]
pub async fn set_result_view(
    state: State<'_, AppState>,
    run_id: u32,
    view: ViewSpec,
    on_progress: Channel<ViewProgress>,
) -> Result<ResultSummary, ErrorInfo> {
    let send = move |progress| drop(on_progress.send(progress));
    state.runs.set_view(run_id, view, send).await
}

/// Stops the sort or filter being computed; the rows keep the view they had.
#[tauri::command]
#[specta::specta]
pub fn cancel_result_view(state: State<'_, AppState>, run_id: u32) -> Result<(), ErrorInfo> {
    state.runs.cancel_view(run_id)
}

/// Puts view rows `from..to` on the clipboard as tab-separated text; returns the row count.
#[tauri::command]
#[specta::specta]
pub fn copy_result_rows(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    run_id: u32,
    from: u32,
    to: u32,
    protect_formulas: bool,
) -> Result<u32, ErrorInfo> {
    let safety = FormulaSafety {
        protect: protect_formulas,
    };
    let text = state.runs.copy_rows(run_id, from, to, safety)?;
    crate::clipboard::copy(&app, text)?;
    Ok(to.saturating_sub(from))
}

/// How to export a result.
#[derive(Debug, Clone, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportOptions {
    pub format: ExportFormat,
    /// Offered in the save dialog (made a plain file name first).
    pub file_name: String,
    /// Cells a spreadsheet would run as formulas are made inert (CSV).
    pub protect_formulas: bool,
    /// An Excel export of a Genie answer: its About sheet and chart.
    #[serde(default)]
    pub report: Option<AnswerReport>,
}

/// Asks where to save, then exports; `None` when the user closed the dialog.
#[tauri::command]
#[specta::specta]
pub async fn export_result(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    run_id: u32,
    options: ExportOptions,
    progress: Channel<ExportProgress>,
) -> Result<Option<ExportDone>, ErrorInfo> {
    let ExportOptions {
        format,
        file_name,
        protect_formulas,
        report,
    } = options;
    let Some(path) = choose_path(&app, &file_name, format).await else {
        return Ok(None);
    };
    let send = move |p: ExportProgress| drop(progress.send(p));
    let safety = FormulaSafety {
        protect: protect_formulas,
    };
    state
        .runs
        .export(run_id, (format, safety, report), path, send)
        .await
        .map(Some)
}

#[tauri::command]
#[specta::specta]
pub fn cancel_export(state: State<'_, AppState>, run_id: u32) -> Result<(), ErrorInfo> {
    state.runs.cancel_export(run_id)
}

/// A file name without folders or characters the OS refuses, ending in the format's extension.
fn safe_name(name: &str, format: ExportFormat) -> String {
    format!("{}.{}", plain_stem(name), format.extension())
}

/// `name` as a file name without extension: no folders, no characters the OS refuses.
pub fn plain_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " -_.()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let stem = stem.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if stem.is_empty() {
        "result".into()
    } else {
        stem.into()
    }
}

async fn choose_path(app: &tauri::AppHandle, name: &str, format: ExportFormat) -> Option<PathBuf> {
    let filter = match format {
        ExportFormat::Csv => ("CSV (comma-separated)", "csv"),
        ExportFormat::Xlsx => ("Excel workbook", "xlsx"),
    };
    let file_name = safe_name(name, format);
    let what = SaveAs {
        title: "Export result",
        file_name: &file_name,
        filter,
    };
    save_dialog::ask(app, what).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_names_are_plain_file_names() {
        assert_eq!(safe_name("Trips 2016", ExportFormat::Csv), "Trips 2016.csv");
        assert_eq!(
            safe_name("../../etc/passwd", ExportFormat::Xlsx),
            "_.._etc_passwd.xlsx"
        );
        assert_eq!(safe_name("", ExportFormat::Csv), "result.csv");
        assert_eq!(safe_name("a:b*c?", ExportFormat::Csv), "a_b_c_.csv");
    }
}
