//! Genie One (Beta): `POST /api/2.0/genie/one/responses` streams an answer drawn from every
//! Genie agent's data the caller may read, with no agent picked first, and
//! `GET /api/2.0/genie/one/conversations/{c}/responses/{r}` reads a response as it stands (the
//! documented way back after a stream ends early). Sources: the API reference pages "Create a
//! response" and "Get a response" and the guide "Use the Genie One API".
//!
//! The answer comes from the readable dataset the question matches best; data the caller may
//! not read is never searched, named or cited. Progress arrives as assistant messages whose
//! `phase` is not `final_answer` (the phase values other than `final_answer` are unconfirmed),
//! or, in the CLI's dialect (`genie_previews.genie_one_dialect`), as `ui_type` items.

use super::script::{self, Table};
use super::{Api, continued, only_fields, question_of, require_preview, start_run};
use crate::auth::Caller;
use crate::errors::{ApiError, json_ok};
use crate::faults::Fault;
use crate::genie::analyst::{self, Answer};
use crate::genie::spaces::dataset_of;
use crate::genie::{GenieOneDialect, SpaceConfig};
use crate::server::Shared;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{Value, json};
use std::time::Duration;

const RESPONSES: &str = "/api/2.0/genie/one/responses";

pub fn routes() -> Router<Shared> {
    Router::new()
        .route(RESPONSES, post(create))
        .route("/api/2.0/genie/one/conversations", get(list))
        .route(
            "/api/2.0/genie/one/conversations/{conversation_id}/responses/{response_id}",
            get(read),
        )
}

fn preview(shared: &Shared, method: &str, path: &str) -> Result<(), ApiError> {
    let on = shared.config.genie_previews.genie_one_api;
    require_preview(shared, on, "Genie One API", method, path)
}

pub fn body_json(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| super::invalid(format!("Malformed request: {e}.")))
}

/// The first `ResponseFailed` fault armed for `path`, as `(code, message)`.
pub fn armed_failure(shared: &Shared, path: &str) -> Option<(String, String)> {
    match shared
        .faults
        .take("POST", path, |f| matches!(f, Fault::ResponseFailed { .. }))
    {
        Some(Fault::ResponseFailed { code, message }) => Some((
            code.unwrap_or_else(|| "INTERNAL_ERROR".into()),
            message.unwrap_or_else(|| "Genie could not finish this response.".into()),
        )),
        _ => None,
    }
}

/// `POST /api/2.0/genie/one/responses`
async fn create(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    preview(&shared, "POST", RESPONSES)?;
    let body = body_json(&body)?;
    only_fields(&body, &["input", "conversation_id"])?;
    let question = question_of(&body["input"], true)?;
    let thread = continued(&shared, &body, &caller.subject, &Api::One)?;
    let readable: Vec<SpaceConfig> = shared
        .config
        .spaces
        .iter()
        .filter(|s| !shared.config.is_denied(&caller.subject, &s.space_id))
        .cloned()
        .collect();
    let context = thread.as_ref().and_then(|t| t.context);
    let failure = armed_failure(&shared, RESPONSES);
    let run_id = start_run(&shared, thread, Api::One, &caller.subject, &question);
    let job = Job {
        run_id: run_id.clone(),
        question,
        readable,
        context,
        failure,
    };
    tokio::spawn(answer(shared.clone(), caller, job));
    Ok(super::stream(&shared, run_id, RESPONSES))
}

struct Job {
    run_id: String,
    question: String,
    readable: Vec<SpaceConfig>,
    context: Option<(&'static str, analyst::Plan)>,
    failure: Option<(String, String)>,
}

/// The space whose data answers `question` best; a follow-up stays with its conversation's
/// data unless it clearly asks about other data.
fn choose<'a>(
    readable: &'a [SpaceConfig],
    question: &str,
    context: Option<&str>,
) -> Option<&'a SpaceConfig> {
    let scored = readable
        .iter()
        .map(|s| (analyst::relevance(dataset_of(s), question), s))
        .max_by_key(|(score, _)| *score);
    let previous = context.and_then(|name| readable.iter().find(|s| s.dataset == name));
    match (scored, previous) {
        (Some((score, best)), Some(previous)) if score == 0 || best.dataset == previous.dataset => {
            Some(previous)
        }
        (Some((score, best)), _) if score > 0 => Some(best),
        (_, previous) => previous,
    }
}

fn message(id: &str, text: &str, phase: &str, done: bool, annotations: &[Value]) -> Value {
    json!({
        "type": "message",
        "id": id,
        "role": "assistant",
        "status": if done { "completed" } else { "in_progress" },
        "phase": phase,
        "create_time": super::rfc3339(super::now_secs()),
        "content": [{ "type": "output_text", "text": text, "annotations": annotations }],
    })
}

/// A message of the CLI's dialect: `metadata.ui_type` instead of `phase`.
fn ui_typed(mut item: Value, ui_type: &str) -> Value {
    if let Value::Object(map) = &mut item {
        map.remove("phase");
        map.insert(
            "metadata".into(),
            json!({ "ui_type": ui_type, "source_internal_ids": [] }),
        );
    }
    item
}

fn dialect(shared: &Shared) -> GenieOneDialect {
    shared.config.genie_previews.genie_one_dialect
}

fn progress(shared: &Shared, run_id: &str, text: &str) -> bool {
    let id = super::new_id(shared, "item");
    let item = message(&id, text, "commentary", true, &[]);
    let item = match dialect(shared) {
        GenieOneDialect::Phase => item,
        _ => ui_typed(item, "THOUGHT"),
    };
    script::add_done(shared, run_id, item)
}

/// The final answer's item in the stream's dialect.
fn final_item(
    dialect: GenieOneDialect,
    id: &str,
    text: &str,
    done: bool,
    annotations: &[Value],
) -> Value {
    let item = message(id, text, "final_answer", done, annotations);
    match dialect {
        GenieOneDialect::Phase => item,
        GenieOneDialect::UiType => ui_typed(item, "FINAL_RESPONSE"),
        GenieOneDialect::UiTypeFinalCall => json!({
            "type": "function_call",
            "id": id,
            "call_id": id,
            "status": if done { "completed" } else { "in_progress" },
            "name": "output_final_response",
            "arguments": json!({ "response": text }).to_string(),
        }),
    }
}

/// The query as the CLI's dialect shows it: an `execute_sql` call, its `QUERY_EXECUTION`
/// preview and, for more than one row, a `VIZ` chart; the reference the answer's text carries.
fn query_items(
    shared: &Shared,
    run_id: &str,
    sql: &str,
    title: &str,
    table: &Table,
) -> Option<String> {
    let call = super::new_id(shared, "call");
    let statement = super::new_id(shared, "stmt");
    let arguments = json!({ "sql": sql, "title": title }).to_string();
    let added = script::add_done(
        shared,
        run_id,
        json!({"type": "function_call", "id": call, "call_id": call, "status": "completed",
               "name": "execute_sql", "arguments": arguments}),
    ) && script::add_done(
        shared,
        run_id,
        json!({"type": "function_call_output", "id": format!("{call}_output"), "call_id": call,
        "status": "completed", "metadata": {
            "ui_type": "QUERY_EXECUTION", "statement_id": statement,
            "result_data": {
                "columns": table.columns.iter().map(|(n, _)| json!({"name": n})).collect::<Vec<_>>(),
                "preview_rows": table.rows.iter().take(100).collect::<Vec<_>>(),
            }}}),
    );
    if !added || table.rows.len() < 2 || table.columns.len() < 2 {
        return None;
    }
    let viz = super::new_id(shared, "viz");
    let definition = json!({"renderSpec": {"widgetType": "bar", "frame": {"title": title},
        "encodings": {"x": {"fieldName": table.columns[0].0}, "y": {"fieldName": table.columns[1].0}}}});
    script::add_done(
        shared,
        run_id,
        json!({"type": "function_call_output", "id": format!("{viz}_output"), "call_id": viz,
               "status": "completed", "metadata": {"ui_type": "VIZ", "sql_id": statement,
               "embed_id": "viz_1", "viz_definition": definition.to_string()}}),
    )
    .then(|| format!("\n\n![{title}](#viz_1)"))
}

/// The tables a query reads, as Genie One's `asset` annotations.
fn citations(space: &SpaceConfig, sql: &str) -> Vec<Value> {
    dataset_of(space)
        .tables
        .iter()
        .filter(|t| sql.contains(*t))
        .map(|t| json!({ "type": "asset", "title": t, "asset_type": "TABLE", "identifier": t }))
        .collect()
}

fn answer_text(space: &SpaceConfig, plan: &analyst::Plan, table: &Table, listing: bool) -> String {
    let dataset = dataset_of(space);
    let mut text = if listing {
        analyst::summarize_listing(
            dataset,
            plan,
            table.total_rows,
            table.rows.len() as u64 != table.total_rows,
        )
    } else {
        analyst::summarize(dataset, plan, &table.rows)
    };
    if table.rows.len() > 1 {
        text.push_str("\n\n");
        text.push_str(&script::markdown_table(table, 20));
    }
    text.push_str(&format!("\n\nFrom the Genie agent **{}**.", space.title));
    text
}

async fn answer(shared: Shared, caller: Caller, job: Job) {
    let step = Duration::from_millis(shared.config.timings.genie_step_ms);
    let run_id = job.run_id.as_str();
    tokio::time::sleep(step / 2).await;
    let names: Vec<&str> = job.readable.iter().map(|s| s.title.as_str()).collect();
    let searching = format!("Searching the data you can use: {}.", names.join(", "));
    if !progress(&shared, run_id, &searching) {
        return;
    }
    if let Some((code, text)) = &job.failure {
        tokio::time::sleep(step).await;
        script::finish(&shared, run_id, Some(("failed", script::error(code, text))));
        return;
    }
    let final_id = super::new_id(&shared, "item");
    let say = |text: String, annotations: Vec<Value>| {
        let shared = shared.clone();
        let final_id = final_id.clone();
        async move {
            let dialect = dialect(&shared);
            let build = |t: &str, done: bool| final_item(dialect, &final_id, t, done, &annotations);
            if script::stream_message(&shared, run_id, &text, step, build).await {
                script::finish(&shared, run_id, None);
            }
        }
    };
    let context_name = job.context.map(|(name, _)| name);
    let Some(space) = choose(&job.readable, &job.question, context_name) else {
        let topics: Vec<String> = job
            .readable
            .iter()
            .map(|s| format!("- {}", dataset_of(s).topic))
            .collect();
        let text = format!(
            "I could not find data that answers this among what you can use. I can answer \
             questions about:\n\n{}",
            topics.join("\n")
        );
        say(text, Vec::new()).await;
        return;
    };
    let dataset = dataset_of(space);
    let plan = job
        .context
        .filter(|(name, _)| *name == space.dataset)
        .map(|(_, plan)| plan);
    let query = match analyst::answer(
        dataset,
        &job.question,
        plan.as_ref(),
        &space.sample_questions,
    ) {
        Answer::Clarify { text, .. } if dialect(&shared) != GenieOneDialect::Phase => {
            // The CLI's dialect asks back with a tool call (`adapter.go`, `ask_user_questions`).
            tokio::time::sleep(step).await;
            let id = super::new_id(&shared, "call");
            let arguments = json!({"questions": [{"question": text, "type": "text"}]}).to_string();
            if script::add_done(
                &shared,
                run_id,
                json!({"type": "function_call", "id": id, "call_id": id, "status": "completed",
                       "name": "ask_user_questions", "arguments": arguments}),
            ) {
                script::finish(&shared, run_id, None);
            }
            return;
        }
        Answer::Clarify { text, .. } => {
            say(text, Vec::new()).await;
            return;
        }
        Answer::Query(query) => query,
    };
    tokio::time::sleep(step).await;
    let tables: Vec<&str> = dataset
        .tables
        .iter()
        .copied()
        .filter(|t| query.sql.contains(*t))
        .collect();
    let running = format!("Querying {} in {}.", tables.join(", "), space.title);
    if !progress(&shared, run_id, &running) {
        return;
    }
    match script::run_query(&shared, &caller.subject, &query.sql, &space.warehouse_id).await {
        Ok(table) => {
            let mut text = answer_text(space, &query.plan, &table, query.listing);
            if dialect(&shared) != GenieOneDialect::Phase
                && let Some(reference) =
                    query_items(&shared, run_id, &query.sql, &space.title, &table)
            {
                text.push_str(&reference);
            }
            let remembered = (dataset.name, query.plan);
            let conversation = shared
                .genie
                .responses
                .lock()
                .runs
                .get(run_id)
                .map(|r| r.conversation_id.clone());
            if let Some(id) = conversation
                && let Some(thread) = shared.genie.responses.lock().threads.get_mut(&id)
            {
                thread.context = Some(remembered);
            }
            say(text, citations(space, &query.sql)).await;
        }
        Err(error) => {
            let failure = script::error("SQL_EXECUTION_EXCEPTION", &error);
            script::finish(&shared, run_id, Some(("failed", failure)));
        }
    }
}

#[derive(Debug, serde::Deserialize)]
struct ListQuery {
    page_size: Option<i64>,
    page_token: Option<String>,
}

/// `GET /api/2.0/genie/one/conversations`: the caller's conversations, most recently updated
/// first; `page_size` 0 means 20, more than 100 means 100, negative is refused.
async fn list(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    axum::extract::Query(query): axum::extract::Query<ListQuery>,
) -> Result<Response, ApiError> {
    preview(&shared, "GET", "/api/2.0/genie/one/conversations")?;
    if query.page_size.is_some_and(|n| n < 0) {
        return Err(super::invalid("page_size must not be negative."));
    }
    let page = crate::genie::spaces::Page {
        page_size: query.page_size.map(|n| n as usize),
        page_token: query.page_token,
    };
    let window = page.window(20, 100)?;
    let inner = shared.genie.responses.lock();
    let mut threads: Vec<&super::Thread> = inner
        .threads
        .values()
        .filter(|t| t.api == Api::One && t.owner == caller.subject)
        .collect();
    threads.sort_by(|a, b| b.updated_secs.cmp(&a.updated_secs).then(b.id.cmp(&a.id)));
    let items = threads
        .iter()
        .map(|t| {
            let status = t
                .runs
                .last()
                .and_then(|r| inner.runs.get(r))
                .map(|r| r.status);
            json!({
                "conversation_id": t.id,
                "title": t.title,
                "create_time": super::rfc3339(t.created_secs),
                "update_time": super::rfc3339(t.updated_secs),
                "status": status,
            })
        })
        .collect();
    Ok(crate::genie::spaces::paged("conversations", items, window))
}

/// `GET /api/2.0/genie/one/conversations/{c}/responses/{r}`: the response as it stands;
/// `in_progress` until it ends. Reading it does not run anything again.
async fn read(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((conversation_id, response_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let path =
        format!("/api/2.0/genie/one/conversations/{conversation_id}/responses/{response_id}");
    preview(&shared, "GET", &path)?;
    let inner = shared.genie.responses.lock();
    match inner.runs.get(&response_id) {
        Some(run)
            if run.owner == caller.subject
                && run.conversation_id == conversation_id
                && run.api == Api::One =>
        {
            Ok(json_ok(run.json()))
        }
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_DOES_NOT_EXIST",
            format!("Response {response_id} does not exist in conversation {conversation_id}."),
        )),
    }
}
