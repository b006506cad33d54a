//! The steps both response scripts are made of: output items added, updated and done (each an
//! event carrying the whole item, as the docs describe `response.output_item.*`), text that
//! grows over several updates, a real statement on the emulator's engine with its rows as a
//! Markdown table, and the terminal `response.completed` / `response.failed`.

use super::Run;
use crate::genie::lifecycle;
use crate::server::Shared;
use crate::sql::render::databricks_type;
use crate::sql::statements::State as StatementState;
use crate::store::Subject;
use serde_json::{Value, json};
use std::time::Duration;

/// A statement's result as the scripts cite it.
#[derive(Debug, Clone)]
pub struct Table {
    /// `(name, type_text)`.
    pub columns: Vec<(String, String)>,
    pub rows: Vec<Vec<Value>>,
    pub total_rows: u64,
}

/// Runs `sql` as Genie does (the emulator's statement list shows it) and waits for its rows.
pub async fn run_query(
    shared: &Shared,
    owner: &Subject,
    sql: &str,
    warehouse_id: &str,
) -> Result<Table, String> {
    let statement_id = lifecycle::run_statement(shared, owner, sql, warehouse_id);
    let done =
        crate::sql::wait_until_terminal(shared, &statement_id, Duration::from_secs(600)).await;
    let Some(done) = done else {
        return Err("The query disappeared.".into());
    };
    match (done.state, done.result) {
        (StatementState::Succeeded, Some(result)) => Ok(Table {
            columns: result
                .schema
                .fields()
                .iter()
                .map(|f| (f.name().clone(), databricks_type(f.data_type()).1))
                .collect(),
            rows: lifecycle::inline_rows(&result),
            total_rows: result.total_rows,
        }),
        (_, _) => Err(done
            .failure
            .map_or_else(|| "The query did not finish.".into(), |f| f.message)),
    }
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => "NULL".into(),
        Value::String(s) => s.replace('|', "\\|"),
        other => other.to_string(),
    }
}

/// The rows as a Markdown table, at most `max_rows` of them.
pub fn markdown_table(table: &Table, max_rows: usize) -> String {
    let names: Vec<&str> = table.columns.iter().map(|(n, _)| n.as_str()).collect();
    let mut text = format!(
        "| {} |\n|{}|\n",
        names.join(" | "),
        vec![" --- "; names.len()].join("|")
    );
    for row in table.rows.iter().take(max_rows) {
        let cells: Vec<String> = row.iter().map(cell).collect();
        text.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    text
}

/// Agent mode's typed preview of a table in a report part (`metadata`): every cell a string.
pub fn table_metadata(table: &Table, sql: &str, max_rows: usize) -> Value {
    let rows: Vec<Vec<Value>> = table
        .rows
        .iter()
        .take(max_rows)
        .map(|row| {
            row.iter()
                .map(|v| match v {
                    Value::Null => Value::Null,
                    Value::String(s) => json!(s),
                    other => json!(other.to_string()),
                })
                .collect()
        })
        .collect();
    json!({
        "sql": sql,
        "columns": table.columns.iter().map(|(n, t)| json!({"name": n, "type": t})).collect::<Vec<_>>(),
        "preview_rows": rows,
        "status": "available",
        "total_row_count": table.total_rows,
    })
}

/// Adds `item` to the run's output with `response.output_item.added`; its output index.
pub fn add(shared: &Shared, run_id: &str, item: Value) -> Option<usize> {
    let mut index = None;
    shared.genie.responses.emit(
        run_id,
        "response.output_item.added",
        |run| {
            run.output.push(item.clone());
            index = Some(run.output.len() - 1);
        },
        |run| item_event(run, run.output.len() - 1),
    );
    index
}

fn item_event(run: &Run, index: usize) -> Value {
    json!({ "output_index": index, "item": run.output[index] })
}

/// Replaces the item at `index` with `.updated` (still going) or `.done` (final).
pub fn replace(shared: &Shared, run_id: &str, index: usize, item: Value, done: bool) -> bool {
    let kind = if done {
        "response.output_item.done"
    } else {
        "response.output_item.updated"
    };
    shared.genie.responses.emit(
        run_id,
        kind,
        |run| {
            if let Some(slot) = run.output.get_mut(index) {
                *slot = item;
            }
        },
        |run| item_event(run, index),
    )
}

/// An item added and at once done (a plan, a query call).
pub fn add_done(shared: &Shared, run_id: &str, item: Value) -> bool {
    add(shared, run_id, item.clone()).is_some_and(|i| replace(shared, run_id, i, item, true))
}

/// A message whose text grows over a few `.updated` events before its `.done`: how the text
/// of an answer or report streams in. `message(text, done)` builds the item.
pub async fn stream_message(
    shared: &Shared,
    run_id: &str,
    text: &str,
    step: Duration,
    message: impl Fn(&str, bool) -> Value,
) -> bool {
    let Some(index) = add(shared, run_id, message("", false)) else {
        return false;
    };
    let words: Vec<&str> = text.split_inclusive(' ').collect();
    let parts = 4.min(words.len().max(1));
    let per_part = words.len().div_ceil(parts).max(1);
    for end in (per_part..words.len()).step_by(per_part) {
        tokio::time::sleep(step / 4).await;
        if !replace(
            shared,
            run_id,
            index,
            message(&words[..end].concat(), false),
            false,
        ) {
            return false;
        }
    }
    tokio::time::sleep(step / 4).await;
    replace(shared, run_id, index, message(text, true), true)
}

/// Ends the run: `response.completed` with the whole output, or `response.failed` with the
/// error (and `status`, `failed` unless cancelled).
pub fn finish(shared: &Shared, run_id: &str, failure: Option<(&'static str, Value)>) {
    let (kind, status, error) = match failure {
        None => ("response.completed", "completed", None),
        Some((status, error)) => ("response.failed", status, Some(error)),
    };
    shared.genie.responses.emit(
        run_id,
        kind,
        |run| {
            run.status = status;
            run.error = error;
        },
        |run| json!({ "response": run.json() }),
    );
}

/// An error object for `response.failed` (its shape is unconfirmed; docs/api-fidelity.md).
pub fn error(code: &str, message: &str) -> Value {
    json!({ "code": code, "message": message })
}
