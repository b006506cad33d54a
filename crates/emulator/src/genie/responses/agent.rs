//! Agent mode (Beta, formerly Research Agent) in one Genie agent:
//! `POST /api/2.0/genie/agents/{id}/responses` streams a research plan, a real statement per
//! step (`function_call` `execute_sql` and its `function_call_output`), and a report whose
//! inline citations link to the queries they rest on; `…/responses/{r}/cancel` stops it at the
//! next step and answers with a `GenieMessage` (databricks-sdk-py 0.162
//! `GenieAPI.genie_cancel_response`); `GET …/conversations/{c}/items` lists the conversation,
//! which is how a client reads a report whose stream ended early (there is no GET of one
//! agent-mode response). Item shapes follow the API reference "Create an agent mode response"
//! and two recorded streams (docs/api-fidelity.md).

use super::one::{armed_failure, body_json};
use super::script::{self, Table};
use super::{Api, continued, only_fields, question_of, require_preview, start_run};
use crate::auth::Caller;
use crate::errors::{ApiError, json_ok};
use crate::genie::SpaceConfig;
use crate::genie::analyst::{self, Query};
use crate::genie::spaces::{accessible, dataset_of};
use crate::server::Shared;
use crate::store::Subject;
use axum::body::Bytes;
use axum::extract::{Path, Query as QueryString, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const AGENT: &str = "/api/2.0/genie/agents/{agent_id}";

pub fn routes() -> Router<Shared> {
    let conversation = format!("{AGENT}/conversations/{{conversation_id}}");
    Router::new()
        .route(&format!("{AGENT}/responses"), post(create))
        .route(
            &format!("{conversation}/responses/{{response_id}}/cancel"),
            post(cancel),
        )
        .route(&format!("{conversation}/items"), get(items))
}

fn preview(shared: &Shared, method: &str, path: &str) -> Result<(), ApiError> {
    let on = shared.config.genie_previews.agent_mode_api;
    require_preview(shared, on, "Genie Agents Agent Mode API", method, path)
}

/// `POST /api/2.0/genie/agents/{agent_id}/responses`
async fn create(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(agent_id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let path = format!("/api/2.0/genie/agents/{agent_id}/responses");
    preview(&shared, "POST", &path)?;
    let space = accessible(&shared, &caller, &agent_id)?.clone();
    let body = body_json(&body)?;
    only_fields(&body, &["input", "conversation_id"])?;
    let question = question_of(&body["input"], false)?;
    let api = Api::Agent {
        agent_id: agent_id.clone(),
    };
    let thread = continued(&shared, &body, &caller.subject, &api)?;
    let context = thread
        .as_ref()
        .and_then(|t| t.context)
        .map(|(_, plan)| plan);
    let failure = armed_failure(&shared, &path);
    let run_id = start_run(&shared, thread, api, &caller.subject, &question);
    let job = Job {
        run_id: run_id.clone(),
        space,
        question,
        context,
        failure,
    };
    tokio::spawn(research(shared.clone(), caller, job));
    Ok(super::stream(&shared, run_id, &path))
}

struct Job {
    run_id: String,
    space: SpaceConfig,
    question: String,
    context: Option<analyst::Plan>,
    failure: Option<(String, String)>,
}

fn reasoning(id: &str, text: &str) -> Value {
    json!({
        "type": "reasoning",
        "id": id,
        "status": "completed",
        "content": [{ "type": "reasoning_text", "text": text }],
        "summary": [],
    })
}

fn call(id: &str, query: &Query) -> Value {
    let arguments = json!({ "title": query.title, "sql": query.sql }).to_string();
    json!({
        "type": "function_call",
        "id": id,
        "call_id": id,
        "status": "completed",
        "name": "execute_sql",
        "arguments": arguments,
    })
}

fn call_output(call_id: &str, output: &str, done: bool) -> Value {
    json!({
        "type": "function_call_output",
        "id": format!("{call_id}_output"),
        "call_id": call_id,
        "status": if done { "completed" } else { "in_progress" },
        "output": output,
    })
}

/// Why the run stops before its next step, if it must.
fn interrupted(shared: &Shared, job: &Job, started: Instant) -> Option<(&'static str, Value)> {
    if shared.genie.responses.cancel_requested(&job.run_id) {
        return Some((
            "cancelled",
            script::error("CANCELLED", "The response was cancelled."),
        ));
    }
    let limit = Duration::from_secs(shared.config.genie_previews.agent_timeout_secs);
    (started.elapsed() >= limit).then(|| {
        (
            "failed",
            script::error(
                "DEADLINE_EXCEEDED",
                "Agent mode stopped after its 30-minute limit.",
            ),
        )
    })
}

/// A finished step: the query, its call id and its rows.
struct Finding {
    query: Query,
    call_id: String,
    table: Table,
}

async fn research(shared: Shared, caller: Caller, job: Job) {
    let started = Instant::now();
    let step = Duration::from_millis(shared.config.timings.genie_step_ms);
    let run_id = job.run_id.as_str();
    let dataset = dataset_of(&job.space);
    let id = |kind: &str| super::new_id(&shared, kind);
    tokio::time::sleep(step / 2).await;
    let Some(queries) = analyst::research(dataset, &job.question, job.context.as_ref()) else {
        let text = format!(
            "I can only research questions about {}. Try, for example: \"{}\"",
            dataset.topic,
            job.space
                .sample_questions
                .first()
                .map_or("What changed last year?", String::as_str)
        );
        if report(&shared, run_id, &text, &[], step).await {
            script::finish(&shared, run_id, None);
        }
        return;
    };
    let plan: Vec<String> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| format!("{}. {}", i + 1, q.title))
        .collect();
    let plan = format!(
        "I'll research this in {} steps:\n{}",
        queries.len(),
        plan.join("\n")
    );
    if !script::add_done(&shared, run_id, reasoning(&id("item"), &plan)) {
        return;
    }
    let mut findings = Vec::new();
    for (i, query) in queries.into_iter().enumerate() {
        tokio::time::sleep(step).await;
        if let Some(stop) = interrupted(&shared, &job, started) {
            script::finish(&shared, run_id, Some(stop));
            return;
        }
        if i == 1
            && let Some((code, message)) = &job.failure
        {
            script::finish(
                &shared,
                run_id,
                Some(("failed", script::error(code, message))),
            );
            return;
        }
        let call_id = id("call");
        if !script::add_done(&shared, run_id, call(&call_id, &query)) {
            return;
        }
        let title = format!("**{}**", query.title);
        let Some(index) = script::add(&shared, run_id, call_output(&call_id, &title, false)) else {
            return;
        };
        let ran = script::run_query(
            &shared,
            &caller.subject,
            &query.sql,
            &job.space.warehouse_id,
        );
        match ran.await {
            Ok(table) => {
                let output = format!("{title}\n\n{}", script::markdown_table(&table, 100));
                if !script::replace(
                    &shared,
                    run_id,
                    index,
                    call_output(&call_id, &output, true),
                    true,
                ) {
                    return;
                }
                findings.push(Finding {
                    query,
                    call_id,
                    table,
                });
            }
            Err(error) => {
                let output = format!("{title}\n\nThe query failed: {error}");
                script::replace(
                    &shared,
                    run_id,
                    index,
                    call_output(&call_id, &output, true),
                    true,
                );
            }
        }
    }
    tokio::time::sleep(step).await;
    if let Some(stop) = interrupted(&shared, &job, started) {
        script::finish(&shared, run_id, Some(stop));
        return;
    }
    if !script::add_done(
        &shared,
        run_id,
        reasoning(&id("item"), "Writing final response"),
    ) {
        return;
    }
    let conversation = {
        let mut inner = shared.genie.responses.lock();
        let conversation = inner.runs.get(run_id).map(|r| r.conversation_id.clone());
        if let (Some(c), Some(first)) = (&conversation, findings.first())
            && let Some(thread) = inner.threads.get_mut(c)
        {
            thread.context = Some((dataset.name, first.query.plan));
        }
        conversation.unwrap_or_default()
    };
    let text = report_text(&shared, &job, &conversation, &findings);
    if report(&shared, run_id, &text, &findings, step).await {
        script::finish(&shared, run_id, None);
    }
}

/// The report: a heading, one finding per query with its citation as the inline link Genie
/// writes (`\[[n](…&gra_focus={call_id})\]`), and a short conclusion.
fn report_text(shared: &Shared, job: &Job, conversation: &str, findings: &[Finding]) -> String {
    let dataset = dataset_of(&job.space);
    let mut text = format!("## {}\n\n", job.question.trim().trim_end_matches('?'));
    for (n, finding) in findings.iter().enumerate() {
        let link = format!(
            "{}/genie/rooms/{}/chats/{conversation}?o={}&gra_focus={}",
            shared.base_url, job.space.space_id, shared.config.workspace_id, finding.call_id
        );
        let summary = analyst::summarize(dataset, &finding.query.plan, &finding.table.rows);
        text.push_str(&format!(
            "- **{}.** {summary} \\[[{}]({link})\\]\n",
            finding.query.title,
            n + 1
        ));
    }
    let tables: Vec<&str> = dataset
        .tables
        .iter()
        .copied()
        .filter(|t| findings.iter().any(|f| f.query.sql.contains(*t)))
        .collect();
    text.push_str(&format!(
        "\nThese figures come from {} ({} {}). The supporting tables follow.",
        tables.join(", "),
        findings.len(),
        if findings.len() == 1 {
            "query"
        } else {
            "queries"
        }
    ));
    text
}

/// Streams the report message; when it is done it also carries a part per supporting table
/// with its typed preview (`metadata`).
async fn report(
    shared: &Shared,
    run_id: &str,
    text: &str,
    findings: &[Finding],
    step: Duration,
) -> bool {
    let id = super::new_id(shared, "item");
    let build = |partial: &str, done: bool| {
        let mut content =
            vec![json!({ "type": "output_text", "text": partial, "annotations": [] })];
        if done {
            content.extend(findings.iter().map(|f| {
                json!({
                    "type": "output_text",
                    "text": format!("**{}**\n\n{}", f.query.title, script::markdown_table(&f.table, 20)),
                    "annotations": [],
                    "metadata": script::table_metadata(&f.table, &f.query.sql, 100),
                })
            }));
        }
        json!({
            "type": "message",
            "id": id,
            "role": "assistant",
            "status": if done { "completed" } else { "in_progress" },
            "content": content,
        })
    };
    script::stream_message(shared, run_id, text, step, build).await
}

/// `POST …/responses/{r}/cancel`: asks the run to stop at its next step, waits (briefly) for
/// it to end, and answers with its terminal state as a `GenieMessage`.
async fn cancel(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((agent_id, conversation_id, response_id)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let path = format!(
        "/api/2.0/genie/agents/{agent_id}/conversations/{conversation_id}/responses/{response_id}/cancel"
    );
    preview(&shared, "POST", &path)?;
    let space = accessible(&shared, &caller, &agent_id)?;
    let api = Api::Agent {
        agent_id: agent_id.clone(),
    };
    let found = {
        let mut inner = shared.genie.responses.lock();
        match inner.runs.get_mut(&response_id) {
            Some(run)
                if run.owner == caller.subject
                    && run.conversation_id == conversation_id
                    && run.api == api =>
            {
                run.cancel_requested = true;
                true
            }
            _ => false,
        }
    };
    if !found {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_DOES_NOT_EXIST",
            format!("Response {response_id} does not exist in conversation {conversation_id}."),
        ));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let (status, question, created) = loop {
        let state = {
            let inner = shared.genie.responses.lock();
            inner.runs.get(&response_id).map(|r| {
                (
                    r.is_terminal(),
                    r.status,
                    r.question.clone(),
                    r.created_secs,
                )
            })
        };
        match state {
            Some((true, status, question, created)) => break (status, question, created),
            Some((false, _, question, created)) if Instant::now() >= deadline => {
                break ("in_progress", question, created);
            }
            None => break ("cancelled", String::new(), 0),
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    };
    let status = match status {
        "completed" => "COMPLETED",
        "failed" => "FAILED",
        "in_progress" => "EXECUTING_QUERY",
        _ => "CANCELLED",
    };
    let now = crate::genie::store::now_ms();
    Ok(json_ok(json!({
        "message_id": response_id,
        "id": response_id,
        "space_id": space.space_id,
        "conversation_id": conversation_id,
        "content": question,
        "status": status,
        "created_timestamp": created * 1000,
        "last_updated_timestamp": now,
    })))
}

#[derive(Debug, Deserialize)]
struct ItemsQuery {
    limit: Option<i64>,
    after: Option<String>,
    order: Option<String>,
}

/// `GET …/conversations/{c}/items`: each question (`{response_id}_input`), then its response's
/// output items, and a system message for one that failed; `limit` 1–100 (default 100),
/// `after` an item id, `order` `asc` (default) or `desc`.
async fn items(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((agent_id, conversation_id)): Path<(String, String)>,
    QueryString(query): QueryString<ItemsQuery>,
) -> Result<Response, ApiError> {
    let path = format!("/api/2.0/genie/agents/{agent_id}/conversations/{conversation_id}/items");
    preview(&shared, "GET", &path)?;
    accessible(&shared, &caller, &agent_id)?;
    let limit = match query.limit {
        None => 100,
        Some(n) if (1..=100).contains(&n) => n as usize,
        Some(_) => return Err(super::invalid("limit must be between 1 and 100.")),
    };
    let api = Api::Agent { agent_id };
    let inner = shared.genie.responses.lock();
    let thread = match inner.threads.get(&conversation_id) {
        Some(t) if t.owner == caller.subject && t.api == api => t,
        _ => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "RESOURCE_DOES_NOT_EXIST",
                format!("Conversation {conversation_id} does not exist."),
            ));
        }
    };
    let mut all = Vec::new();
    for run in thread.runs.iter().filter_map(|id| inner.runs.get(id)) {
        all.push(json!({
            "type": "message",
            "id": format!("{}_input", run.id),
            "role": "user",
            "status": "completed",
            "content": [{ "type": "input_text", "text": run.question }],
        }));
        all.extend(run.output.iter().cloned());
        if let Some(error) = &run.error {
            all.push(json!({
                "type": "message",
                "id": format!("{}_error", run.id),
                "role": "system",
                "status": "completed",
                "content": [{ "type": "output_text", "text": error["message"], "annotations": [] }],
            }));
        }
    }
    match query.order.as_deref() {
        None | Some("asc") => {}
        Some("desc") => all.reverse(),
        Some(_) => return Err(super::invalid("order must be asc or desc.")),
    }
    let start = match &query.after {
        None => 0,
        Some(after) => {
            all.iter()
                .position(|i| i["id"].as_str() == Some(after))
                .ok_or_else(|| super::invalid("after is not an item of this conversation."))?
                + 1
        }
    };
    let page: Vec<Value> = all.iter().skip(start).take(limit).cloned().collect();
    let has_more = start + page.len() < all.len();
    Ok(json_ok(json!({
        "object": "list",
        "data": page,
        "first_id": page.first().map(|i| i["id"].clone()),
        "last_id": page.last().map(|i| i["id"].clone()),
        "has_more": has_more,
    })))
}

/// The caller's Agent-mode conversations in `agent_id`, as list-conversations shows them
/// beside the chats (`agent_type: GENIE_CONVERSATION_TYPE_AGENT`, API reference "List
/// conversations"), each with its last update in milliseconds for the merged order.
pub fn summaries(shared: &Shared, agent_id: &str, owner: &Subject) -> Vec<(i64, Value)> {
    let api = Api::Agent {
        agent_id: agent_id.to_owned(),
    };
    let inner = shared.genie.responses.lock();
    inner
        .threads
        .values()
        .filter(|t| t.api == api && &t.owner == owner)
        .map(|t| {
            (
                t.updated_ms,
                json!({
                    "conversation_id": t.id,
                    "title": t.title,
                    "created_timestamp": t.created_secs * 1000,
                    "agent_type": "GENIE_CONVERSATION_TYPE_AGENT",
                }),
            )
        })
        .collect()
}

/// Deletes the caller's Agent-mode conversation (conversation management "supports both
/// modes", API reference); `false` when there is none.
pub fn delete_conversation(
    shared: &Shared,
    agent_id: &str,
    conversation_id: &str,
    owner: &Subject,
) -> bool {
    let api = Api::Agent {
        agent_id: agent_id.to_owned(),
    };
    let mut inner = shared.genie.responses.lock();
    match inner.threads.get(conversation_id) {
        Some(t) if t.api == api && &t.owner == owner => {
            if let Some(thread) = inner.threads.remove(conversation_id) {
                for run in &thread.runs {
                    inner.runs.remove(run);
                }
            }
            true
        }
        _ => false,
    }
}
