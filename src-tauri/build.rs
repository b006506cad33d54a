//! Declares the app's own commands to Tauri's ACL so that each one is denied to the webview
//! until a capability in `capabilities/` allows it: a new command is never exposed by accident.

/// Every `#[tauri::command]` of the app; keep in sync with `ipc::builder()`.
const COMMANDS: &[&str] = &[
    "app_info",
    "copy_diagnostics",
    "run_self_test",
    "copy_self_test_report",
    "save_self_test_report",
    "save_proxy_sign_in",
    "dismiss_proxy_sign_in",
    "list_workspaces",
    "select_workspace",
    "add_workspace",
    "rename_workspace",
    "set_workspace_redirect",
    "set_workspace_access",
    "reorder_workspaces",
    "remove_workspace",
    "startup_notices",
    "databrickscfg_candidates",
    "sign_in",
    "cancel_sign_in",
    "sign_out",
    "list_spaces",
    "open_space",
    "genie_favourites",
    "set_genie_favourite",
    "ask_genie",
    "pending_questions",
    "resume_questions",
    "list_conversations",
    "open_conversation",
    "delete_conversation",
    "send_feedback",
    "run_answer_again",
    "get_all_rows",
    "genie_visualization",
    "genie_features",
    "ask_genie_response",
    "stop_genie_response",
    "resume_genie_responses",
    "genie_response_history",
    "open_genie_response",
    "open_agent_conversation",
    "delete_genie_response",
    "copy_chart_image",
    "save_chart_image",
    "open_link",
    "list_warehouses",
    "start_warehouse",
    "sql_parameters",
    "run_statement",
    "cancel_statement",
    "result_window",
    "close_result",
    "list_catalogs",
    "list_schemas",
    "list_tables",
    "list_columns",
    "set_result_view",
    "cancel_result_view",
    "copy_result_rows",
    "export_result",
    "cancel_export",
    "sql_history",
    "delete_history_entry",
    "load_workbench",
    "save_workbench",
    "saved_queries",
    "save_query",
    "delete_saved_query",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A missing ui/dist is the usual cause: the UI must be built before the app.
        println!(
            "cargo::error=tauri build step failed: {error:#}. Run `npm --prefix ui run build` first."
        );
    }
}
