//! A message's life after it is accepted: `SUBMITTED → FETCHING_METADATA → FILTERING_CONTEXT →
//! ASKING_AI`, then for a query answer `PENDING_WAREHOUSE` (the statement waits for the warehouse,
//! starting it if it is stopped) `→ EXECUTING_QUERY → COMPLETED`, or `COMPLETED` at once for a
//! text-only answer. Each step is held `timings.genie_step_ms`. Injected faults end it `FAILED`
//! or `CANCELLED`; a SQL error ends it `FAILED` with `SQL_EXECUTION_EXCEPTION`.

use super::analyst::{self, Answer};
use super::datasets::Dataset;
use super::store::{QueryAttachment, Status, now_ms};
use crate::server::Shared;
use crate::sql::statements::{
    ChunkData, Disposition, Format, Request, ResultSet, State as StatementState,
};
use crate::store::Subject;
use std::time::Duration;

/// What a test asked to happen to the message instead of an answer.
#[derive(Debug, Clone)]
pub enum Outcome {
    Answer,
    Fail { error_type: String, error: String },
    Cancel,
}

/// Everything the task needs, captured when the message is accepted.
#[derive(Debug)]
pub struct Job {
    pub message_id: String,
    pub owner: Subject,
    pub dataset: &'static Dataset,
    pub warehouse_id: String,
    pub answer: Answer,
    pub outcome: Outcome,
}

/// Genie gives up on a query that runs longer than this.
const QUERY_TIMEOUT: Duration = Duration::from_secs(600);

pub async fn run(shared: Shared, job: Job) {
    let step = Duration::from_millis(shared.config.timings.genie_step_ms);
    let genie = &shared.genie;
    let id = job.message_id.as_str();
    for status in [
        Status::FetchingMetadata,
        Status::FilteringContext,
        Status::AskingAi,
    ] {
        tokio::time::sleep(step).await;
        if !genie.update(id, |m| m.status = status) {
            return;
        }
    }
    tokio::time::sleep(step).await;
    match job.outcome {
        Outcome::Answer => {}
        Outcome::Fail { error_type, error } => {
            fail(&shared, id, &error_type, &error);
            return;
        }
        Outcome::Cancel => {
            genie.update(id, |m| m.status = Status::Cancelled);
            return;
        }
    }
    let query = match job.answer {
        Answer::Clarify { text, suggestions } => {
            genie.update(id, |m| {
                m.texts = vec![(text, "FOLLOW_UP_QUESTION")];
                m.suggestions = suggestions;
                m.status = Status::Completed;
            });
            return;
        }
        Answer::Query(query) => query,
    };
    if shared.config.is_denied(&job.owner, &job.warehouse_id) {
        let error = format!(
            "You do not have CAN USE permission on the SQL warehouse {} this space uses. Ask \
             the space owner or a workspace admin for access.",
            job.warehouse_id
        );
        fail(&shared, id, "WAREHOUSE_ACCESS_MISSING_EXCEPTION", &error);
        return;
    }
    let attachment = QueryAttachment {
        query: query.clone(),
        statement_id: None,
        row_count: None,
        truncated: false,
        expired: false,
        updated_ms: now_ms(),
    };
    if !genie.update(id, |m| {
        m.query = Some(attachment);
        m.status = Status::PendingWarehouse;
    }) {
        return;
    }
    let statement_id = run_statement(&shared, &job.owner, &query.sql, &job.warehouse_id);
    if !genie.update(id, |m| {
        if let Some(q) = m.query.as_mut() {
            q.statement_id = Some(statement_id.clone());
        }
    }) {
        shared.statements.cancel(&statement_id);
        return;
    }
    // PENDING while the warehouse starts; the message shows EXECUTING_QUERY once it runs.
    loop {
        match shared.statements.snapshot(&statement_id) {
            Some(s) if s.state == StatementState::Pending => {}
            _ => break,
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    if !genie.update(id, |m| m.status = Status::ExecutingQuery) {
        shared.statements.cancel(&statement_id);
        return;
    }
    tokio::time::sleep(step).await;
    let Some(done) = crate::sql::wait_until_terminal(&shared, &statement_id, QUERY_TIMEOUT).await
    else {
        return;
    };
    match (done.state, done.result.as_deref()) {
        (StatementState::Succeeded, Some(result)) => {
            let rows = inline_rows(result);
            let text = if query.listing {
                analyst::summarize_listing(
                    job.dataset,
                    &query.plan,
                    result.total_rows,
                    result.truncated,
                )
            } else {
                analyst::summarize(job.dataset, &query.plan, &rows)
            };
            let suggestions = analyst::suggestions(job.dataset, &query.plan);
            genie.update(id, |m| {
                if let Some(q) = m.query.as_mut() {
                    q.row_count = Some(result.total_rows);
                    q.truncated = result.truncated;
                    q.updated_ms = now_ms();
                }
                m.texts = vec![(text, "TEXT_ATTACHMENT_PURPOSE_ANSWER")];
                if let Some(question) = &query.follow_up {
                    m.texts.push((question.clone(), "FOLLOW_UP_QUESTION"));
                }
                m.suggestions = suggestions;
                m.status = Status::Completed;
            });
        }
        (StatementState::Failed, _) => {
            let error = done
                .failure
                .map_or_else(|| "The query failed.".to_owned(), |f| f.message);
            fail(&shared, id, "SQL_EXECUTION_EXCEPTION", &error);
        }
        (StatementState::Pending | StatementState::Running, _) => fail(
            &shared,
            id,
            "GENERIC_SQL_EXEC_API_CALL_EXCEPTION",
            "The query did not finish within 10 minutes.",
        ),
        _ => {
            genie.update(id, |m| m.status = Status::Cancelled);
        }
    }
}

fn fail(shared: &Shared, id: &str, error_type: &str, error: &str) {
    shared.genie.update(id, |m| {
        m.error = Some((error_type.to_owned(), error.to_owned()));
        m.status = Status::Failed;
    });
}

/// The rows of an INLINE result, all chunks in order.
pub fn inline_rows(result: &ResultSet) -> Vec<Vec<serde_json::Value>> {
    result
        .chunks
        .iter()
        .filter_map(|c| match &c.data {
            ChunkData::Inline(rows) => Some(rows.iter().cloned()),
            ChunkData::External(_) | ChunkData::Spilled { .. } => None,
        })
        .flatten()
        .collect()
}

/// Runs `sql` for `owner` as Genie does: INLINE JSON rows, capped at the API's row limit.
pub fn run_statement(shared: &Shared, owner: &Subject, sql: &str, warehouse_id: &str) -> String {
    statement(
        shared,
        owner,
        sql,
        warehouse_id,
        Disposition::Inline,
        Format::JsonArray,
    )
}

pub fn statement(
    shared: &Shared,
    owner: &Subject,
    sql: &str,
    warehouse_id: &str,
    disposition: Disposition,
    format: Format,
) -> String {
    let row_limit = (disposition == Disposition::Inline).then_some(shared.config.genie.result_rows);
    let request = Request {
        sql: sql.to_owned(),
        warehouse_id: warehouse_id.to_owned(),
        catalog: None,
        schema: None,
        parameters: Vec::new(),
        disposition,
        format,
        row_limit,
        byte_limit: None,
        lz4: false,
    };
    crate::sql::submit(shared, owner.clone(), request)
}
