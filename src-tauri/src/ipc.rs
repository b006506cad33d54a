//! The typed IPC surface: every command and event the UI can use, in one list.
//!
//! `ui/src/bindings.ts` is generated from this builder (see `tests/bindings.rs`); adding a
//! command here also needs an `allow-<command>` entry in `capabilities/main.json` and in
//! `build.rs`, because app commands are denied to the webview by default.

use crate::{
    app_info, chart_image, deep_links, diagnostics, genie, genie_responses, proxy_sign_in,
    self_test, sign_in, sql, sql_library, sql_results, workspaces,
};
use tauri_specta::{Builder, collect_commands, collect_events};

pub fn specta_builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        // Our IPC types have one shape in both directions: export one TS type per Rust type.
        .disable_serde_phases()
        .commands(collect_commands![
            app_info::app_info,
            diagnostics::copy_diagnostics,
            self_test::run_self_test,
            self_test::copy_self_test_report,
            self_test::save_self_test_report,
            workspaces::list_workspaces,
            workspaces::select_workspace,
            workspaces::add_workspace,
            workspaces::rename_workspace,
            workspaces::set_workspace_redirect,
            workspaces::set_workspace_access,
            workspaces::reorder_workspaces,
            workspaces::remove_workspace,
            workspaces::startup_notices,
            workspaces::databrickscfg_candidates,
            sign_in::sign_in,
            sign_in::cancel_sign_in,
            sign_in::sign_out,
            proxy_sign_in::save_proxy_sign_in,
            proxy_sign_in::dismiss_proxy_sign_in,
            genie::list_spaces,
            genie::open_space,
            genie::genie_favourites,
            genie::set_genie_favourite,
            genie::ask_genie,
            genie::pending_questions,
            genie::resume_questions,
            genie::list_conversations,
            genie::open_conversation,
            genie::delete_conversation,
            genie::send_feedback,
            genie::run_answer_again,
            genie::get_all_rows,
            genie::genie_visualization,
            genie_responses::genie_features,
            genie_responses::ask_genie_response,
            genie_responses::stop_genie_response,
            genie_responses::resume_genie_responses,
            genie_responses::genie_response_history,
            genie_responses::open_genie_response,
            genie_responses::open_agent_conversation,
            genie_responses::delete_genie_response,
            chart_image::copy_chart_image,
            chart_image::save_chart_image,
            genie::open_link,
            sql::list_warehouses,
            sql::start_warehouse,
            sql::sql_parameters,
            sql::run_statement,
            sql::cancel_statement,
            sql::result_window,
            sql::close_result,
            sql::list_catalogs,
            sql::list_schemas,
            sql::list_tables,
            sql::list_columns,
            sql_results::set_result_view,
            sql_results::cancel_result_view,
            sql_results::copy_result_rows,
            sql_results::export_result,
            sql_results::cancel_export,
            sql_library::sql_history,
            sql_library::delete_history_entry,
            sql_library::load_workbench,
            sql_library::save_workbench,
            sql_library::saved_queries,
            sql_library::save_query,
            sql_library::delete_saved_query,
        ])
        .events(collect_events![
            workspaces::WorkspacesChanged,
            deep_links::DeepLinkHandled,
            deep_links::DeepLinkRejected,
            sign_in::SignInFailed,
            proxy_sign_in::ProxySignInNeeded,
        ])
}
