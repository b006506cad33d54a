//! The rows behind a Genie answer: a query attachment's result (`query-result`, or
//! `execute-query` to run it again), read as the Statement Execution object it is.
//!
//! Its `status.state` is checked like any statement's: still PENDING or RUNNING is asked again
//! (Databricks' own `databricks-ai-bridge` Genie client does the same), FAILED, CANCELED and
//! CLOSED say what happened instead of showing "0 rows". Further chunks are followed through
//! the statement's chunk endpoint; whether Genie's statements allow that is unconfirmed, so a
//! refusal keeps the rows that came and marks the answer as cut short.

use super::progress;
use super::wire::{QueryResultResponse, WireMessage};
use crate::api::Api;
use crate::api_path::segment;
use crate::sql::StatementState;
use crate::sql::result_set::{ResultSet, ResultSummary};
use crate::sql::runs::Runs;
use crate::sql::wire::{ResultData, StatementResponse};
use crate::{ErrorCode, ErrorInfo};
use std::time::{Duration, Instant};

/// How long a result that is still running is waited for: databricks-ai-bridge's
/// `poll_query_results` waits 500 polls of 0.5 s, 250 s.
const RESULT_WAIT: Duration = Duration::from_secs(250);
/// Chunks followed at most (Genie caps answers at a few thousand rows).
const MAX_CHUNKS: usize = 1_000;

fn messages_path(space: &str, conversation: &str) -> String {
    format!(
        "/api/2.0/genie/spaces/{}/conversations/{}/messages",
        segment(space),
        segment(conversation)
    )
}

/// " (Databricks said: …)" with the statement's error message, or nothing.
pub(super) fn databricks_said(statement: &StatementResponse) -> String {
    statement
        .status
        .error
        .as_ref()
        .and_then(|e| e.message.as_deref())
        .map(|m| format!(" (Databricks said: {})", m.trim_end_matches('.')))
        .unwrap_or_default()
}

/// Why a finished result has no rows to show.
fn unusable(statement: &StatementResponse) -> Option<ErrorInfo> {
    let said = databricks_said(statement);
    match statement.status.state {
        StatementState::Failed => Some(ErrorInfo::new(
            ErrorCode::Server,
            format!("The query Genie wrote did not run{said}. Try rephrasing the question."),
        )),
        StatementState::Canceled => Some(ErrorInfo::new(
            ErrorCode::Cancelled,
            "The query behind this answer was cancelled before it finished. Click \"Run again\" \
             for its rows.",
        )),
        StatementState::Closed => Some(ErrorInfo::new(
            ErrorCode::NotFound,
            "The data behind this answer has expired. Click \"Run again\" for fresh results.",
        )),
        _ => None,
    }
}

/// The rows of a query attachment, as a result in `runs`.
pub async fn fetch_rows(
    api: &Api,
    runs: &Runs,
    message: &WireMessage,
    attachment_id: &str,
    execute: bool,
) -> Result<(u32, ResultSummary), ErrorInfo> {
    let base = format!(
        "{}/{}/attachments/{}",
        messages_path(&message.space_id, &message.conversation_id),
        segment(&message.message_id),
        segment(attachment_id)
    );
    let result_path = format!("{base}/query-result");
    let mut response: QueryResultResponse = if execute {
        api.post(&format!("{base}/execute-query"), &serde_json::json!({}))
            .await?
    } else {
        api.get(&result_path).await?
    };
    let started = Instant::now();
    let mut attempt = 0;
    while !response.statement_response.status.state.is_terminal() {
        if started.elapsed() >= RESULT_WAIT {
            return Err(ErrorInfo::new(
                ErrorCode::Server,
                "Genie's query is still running after four minutes. Open the conversation again \
                 later for its rows.",
            ));
        }
        tokio::time::sleep(progress::poll_delay(attempt)).await;
        attempt += 1;
        response = api.get(&result_path).await?;
    }
    let statement = response.statement_response;
    if let Some(problem) = unusable(&statement) {
        return Err(problem);
    }
    let manifest = statement.manifest.unwrap_or_default();
    let columns = manifest.schema.columns.clone();
    let mut set = ResultSet::new(
        columns.clone(),
        manifest.total_row_count,
        manifest.truncated,
    );
    let mut next = push_rows(&mut set, &columns, statement.result)?;
    let mut followed = 0;
    while let Some(index) = next {
        followed += 1;
        if followed > MAX_CHUNKS {
            set.mark_truncated();
            break;
        }
        let path = format!(
            "/api/2.0/sql/statements/{}/result/chunks/{index}",
            segment(&statement.statement_id)
        );
        match api.get::<ResultData>(&path).await {
            Ok(data) => next = push_rows(&mut set, &columns, Some(data))?,
            Err(error) => {
                tracing::warn!(chunk = index, error = %error.message, "a Genie result chunk was refused; showing the rows that came");
                set.mark_truncated();
                break;
            }
        }
    }
    set.finish();
    let summary = set.summary();
    Ok((runs.adopt(api.clone(), set), summary))
}

/// Adds a chunk's rows; the chunk that comes next, if any.
fn push_rows(
    set: &mut ResultSet,
    columns: &[crate::sql::wire::Column],
    data: Option<ResultData>,
) -> Result<Option<u64>, ErrorInfo> {
    let Some(data) = data else {
        return Ok(None);
    };
    let rows = data.data_array.unwrap_or_default();
    if !rows.is_empty() {
        set.push(crate::sql::inline::batch(columns, &rows)?)?;
    }
    Ok(data.next_chunk_index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(status: serde_json::Value) -> StatementResponse {
        serde_json::from_value(serde_json::json!({"statement_id": "s", "status": status}))
            .expect("statement")
    }

    #[test]
    fn a_finished_result_without_rows_says_why() {
        let failed = unusable(&statement(serde_json::json!({
            "state": "FAILED", "error": {"error_code": "BAD_REQUEST", "message": "Division by zero."}
        })))
        .expect("failed");
        assert_eq!(failed.code, ErrorCode::Server);
        assert!(
            failed.message.contains("Division by zero"),
            "{}",
            failed.message
        );
        let cancelled =
            unusable(&statement(serde_json::json!({"state": "CANCELED"}))).expect("cancelled");
        assert!(cancelled.message.contains("Run again"));
        let closed = unusable(&statement(serde_json::json!({"state": "CLOSED"}))).expect("closed");
        assert_eq!(closed.code, ErrorCode::NotFound);
        assert!(unusable(&statement(serde_json::json!({"state": "SUCCEEDED"}))).is_none());
    }
}
