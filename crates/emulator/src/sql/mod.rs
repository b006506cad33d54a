//! Statement Execution API: execute, get, get chunk N, cancel.
//!
//! Request validation follows the reference (wait_timeout `0s` or `5s`–`50s`, ARROW_STREAM
//! and CSV only with EXTERNAL_LINKS, statements up to 16 MiB). Execution is asynchronous;
//! `wait_timeout` blocks the call up to that long, then `on_wait_timeout` applies.

pub mod data;
mod date_functions;
pub mod engine;
mod functions;
pub mod render;
mod spill;
pub mod statements;
mod wire_types;

use crate::auth::Caller;
use crate::config::ResultCompression;
use crate::errors::{ApiError, json_ok};
use crate::server::Shared;
use crate::store::Subject;
use crate::warehouses;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use engine::Parameter;
use serde_json::{Value, json};
use statements::{
    ChunkData, Disposition, Format, Request, ResultSet, Snapshot, State as StatementState,
};
use std::time::{Duration, Instant};

const MAX_STATEMENT_BYTES: usize = 16 * 1024 * 1024;

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "INVALID_PARAMETER_VALUE", message)
}

/// Reads an int64 that may arrive as a number or a decimal string.
fn lenient_u64(value: &Value) -> Option<Option<u64>> {
    match value {
        Value::Null => Some(None),
        Value::Number(n) => n.as_u64().map(Some),
        Value::String(s) => s.parse().ok().map(Some),
        _ => None,
    }
}

struct Wait {
    timeout: Duration,
    cancel_on_timeout: bool,
}

fn parse_request(body: &[u8], mode: ResultCompression) -> Result<(Request, Wait), ApiError> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Err(invalid("The request body must be a JSON object."));
    };
    let text = |name: &str| map.get(name).and_then(Value::as_str).map(str::to_owned);
    let Some(sql) = text("statement").filter(|s| !s.trim().is_empty()) else {
        return Err(invalid("statement is required."));
    };
    if sql.len() > MAX_STATEMENT_BYTES {
        return Err(invalid("statement is longer than 16 MiB."));
    }
    let Some(warehouse_id) = text("warehouse_id").filter(|s| !s.is_empty()) else {
        return Err(invalid("warehouse_id is required."));
    };
    let disposition = match text("disposition").as_deref() {
        None | Some("INLINE") => Disposition::Inline,
        Some("EXTERNAL_LINKS") => Disposition::ExternalLinks,
        Some(other) => {
            return Err(invalid(format!(
                "disposition must be INLINE or EXTERNAL_LINKS, not {other}."
            )));
        }
    };
    let format = match text("format").as_deref() {
        None | Some("JSON_ARRAY") => Format::JsonArray,
        Some("ARROW_STREAM") => Format::ArrowStream,
        Some("CSV") => Format::Csv,
        Some(other) => {
            return Err(invalid(format!(
                "format must be JSON_ARRAY, ARROW_STREAM or CSV, not {other}."
            )));
        }
    };
    if disposition == Disposition::Inline && format != Format::JsonArray {
        return Err(invalid(format!(
            "{} format is only supported with the EXTERNAL_LINKS disposition.",
            format.as_str()
        )));
    }
    let wait_timeout = text("wait_timeout").unwrap_or_else(|| "10s".into());
    let seconds = wait_timeout
        .strip_suffix('s')
        .and_then(|n| n.parse::<u64>().ok());
    let timeout = match seconds {
        Some(0) => Duration::ZERO,
        Some(n @ 5..=50) => Duration::from_secs(n),
        _ => {
            return Err(invalid(format!(
                "wait_timeout must be 0s or between 5s and 50s, not {wait_timeout}."
            )));
        }
    };
    let cancel_on_timeout = match text("on_wait_timeout").as_deref() {
        None | Some("CONTINUE") => false,
        Some("CANCEL") => true,
        Some(other) => {
            return Err(invalid(format!(
                "on_wait_timeout must be CONTINUE or CANCEL, not {other}."
            )));
        }
    };
    let limit = |name: &str| match map.get(name) {
        None => Ok(None),
        Some(value) => lenient_u64(value)
            .ok_or_else(|| invalid(format!("{name} must be a non-negative integer."))),
    };
    let (row_limit, byte_limit) = (limit("row_limit")?, limit("byte_limit")?);
    let parameters: Vec<Parameter> = match map.get("parameters") {
        None | Some(Value::Null) => Vec::new(),
        Some(value) => serde_json::from_value(value.clone()).map_err(|e| {
            invalid(format!(
                "parameters must be a list of {{name, value, type}}: {e}"
            ))
        })?,
    };
    // `result_compression` (`LZ4_FRAME` or `NONE`, sdk-py `ResultCompression`; databricks-jdbc
    // sends it on every request, databricks-sql-python only to ask for LZ4). Only linked
    // ARROW_STREAM chunks are compressed: an INLINE JSON answer is text in the API's JSON.
    let lz4 = match text("result_compression").as_deref() {
        None | Some("NONE") => false,
        Some("LZ4_FRAME") if mode == ResultCompression::Refused => {
            return Err(invalid(
                "Invalid result_compression: the field is not supported here.",
            ));
        }
        Some("LZ4_FRAME") => {
            mode == ResultCompression::Honoured
                && disposition == Disposition::ExternalLinks
                && format == Format::ArrowStream
        }
        Some(other) => {
            return Err(invalid(format!(
                "result_compression must be LZ4_FRAME or NONE, not {other}."
            )));
        }
    };
    let request = Request {
        sql,
        warehouse_id,
        catalog: text("catalog"),
        schema: text("schema"),
        parameters,
        disposition,
        format,
        row_limit,
        byte_limit,
        lz4,
    };
    Ok((
        request,
        Wait {
            timeout,
            cancel_on_timeout,
        },
    ))
}

/// `POST /api/2.0/sql/statements`
pub async fn execute(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (request, wait) = parse_request(&body, shared.config.result_compression)?;
    warehouses::check_access(&shared, &caller, &request.warehouse_id)?;
    // A statement on a stopped warehouse starts it at once, as the real service does; an
    // injected start failure applies to that start too.
    if let Some((crate::warehouses::WarehouseState::Stopped, _)) =
        shared.warehouses.state(&request.warehouse_id)
    {
        warehouses::start_honouring_faults(&shared, &request.warehouse_id);
    }
    let id = submit(&shared, caller.subject.clone(), request);
    let mut snapshot = wait_until_terminal(&shared, &id, wait.timeout).await;
    if wait.timeout > Duration::ZERO
        && wait.cancel_on_timeout
        && snapshot.as_ref().is_some_and(|s| !s.state.is_terminal())
    {
        shared.statements.cancel(&id);
        snapshot = shared.statements.snapshot(&id);
    }
    match snapshot {
        Some(snapshot) => Ok(json_ok(statement_json(&shared, &snapshot))),
        None => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "The statement disappeared.",
        )),
    }
}

/// Registers a statement for `owner` and starts running it; returns its id. Genie runs its
/// generated SQL through here too, so both APIs agree on ids, schemas and rows.
pub(crate) fn submit(shared: &Shared, owner: Subject, request: Request) -> String {
    let hex = shared.store.next_hex("statement");
    let id = format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    );
    shared.statements.insert(id.clone(), owner, request);
    let task = tokio::spawn(shared.statements.clone().execute(
        id.clone(),
        shared.engine.clone(),
        shared.warehouses.clone(),
    ));
    shared.statements.set_task(&id, task.abort_handle());
    id
}

/// The statement once it is terminal, or as it is when `timeout` has passed.
pub(crate) async fn wait_until_terminal(
    shared: &Shared,
    id: &str,
    timeout: Duration,
) -> Option<Snapshot> {
    let deadline = Instant::now() + timeout;
    let mut snapshot = shared.statements.snapshot(id);
    while let Some(current) = &snapshot {
        if current.state.is_terminal() || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        snapshot = shared.statements.snapshot(id);
    }
    snapshot
}

/// The statement, if the caller owns it.
fn owned(shared: &Shared, caller: &Caller, id: &str) -> Result<Snapshot, ApiError> {
    match shared.statements.snapshot(id) {
        Some(snapshot) if snapshot.owner == caller.subject => Ok(snapshot),
        Some(_) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "PERMISSION_DENIED",
            "You cannot access this statement.",
        )),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_DOES_NOT_EXIST",
            format!("Statement {id} does not exist or has been purged."),
        )),
    }
}

/// `GET /api/2.0/sql/statements/{id}`
pub async fn get(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let snapshot = owned(&shared, &caller, &id)?;
    Ok(json_ok(statement_json(&shared, &snapshot)))
}

/// `GET /api/2.0/sql/statements/{id}/result/chunks/{index}`
pub async fn chunk(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((id, index)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let snapshot = owned(&shared, &caller, &id)?;
    let Some(result) = snapshot
        .result
        .as_ref()
        .filter(|_| snapshot.state == StatementState::Succeeded)
    else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_STATE",
            format!(
                "Statement {id} is {}; results are only available for SUCCEEDED statements.",
                snapshot.state.as_str()
            ),
        ));
    };
    match index
        .parse::<usize>()
        .ok()
        .filter(|i| *i < result.chunks.len())
    {
        Some(index) => Ok(json_ok(chunk_json(&shared, &snapshot, result, index))),
        None => Err(invalid(format!(
            "Chunk index {index} is out of range (the result has {} chunks).",
            result.chunks.len()
        ))),
    }
}

/// `POST /api/2.0/sql/statements/{id}/cancel`
pub async fn cancel(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    owned(&shared, &caller, &id)?;
    shared.statements.cancel(&id);
    Ok(json_ok(json!({})))
}

/// The `StatementResponse` object (also embedded in Genie's query-result responses).
pub(crate) fn statement_json(shared: &Shared, snapshot: &Snapshot) -> Value {
    let mut status = json!({ "state": snapshot.state.as_str() });
    if let Some(failure) = &snapshot.failure {
        status["error"] = json!({ "error_code": failure.error_code, "message": failure.message });
        if let Some(sql_state) = failure.sql_state {
            status["sql_state"] = json!(sql_state);
        }
    }
    let mut body = json!({ "statement_id": snapshot.id, "status": status });
    if let (StatementState::Succeeded, Some(result)) = (snapshot.state, &snapshot.result) {
        body["manifest"] = manifest_json(snapshot, result);
        if !result.chunks.is_empty() {
            body["result"] = chunk_json(shared, snapshot, result, 0);
        }
    }
    body
}

fn manifest_json(snapshot: &Snapshot, result: &ResultSet) -> Value {
    let external = snapshot.request.disposition == Disposition::ExternalLinks;
    let chunks: Vec<Value> = result
        .chunks
        .iter()
        .enumerate()
        .map(|(index, chunk)| {
            let mut value = json!({ "chunk_index": index, "row_offset": chunk.row_offset, "row_count": chunk.row_count });
            if let Some(bytes) = result.uncompressed_byte_count(index) {
                value["byte_count"] = json!(bytes);
            }
            value
        })
        .collect();
    let mut manifest = json!({
        "format": snapshot.request.format.as_str(),
        "schema": render::manifest_schema(&result.schema),
        "total_chunk_count": result.chunks.len(),
        "total_row_count": result.total_rows,
        "chunks": chunks,
        "truncated": result.truncated,
    });
    if external {
        let total: u64 = (0..result.chunks.len())
            .filter_map(|index| result.uncompressed_byte_count(index))
            .sum();
        manifest["total_byte_count"] = json!(total);
    }
    if snapshot.request.lz4 {
        manifest["result_compression"] = json!("LZ4_FRAME");
    }
    manifest
}

/// `ResultData` for chunk `index`: inline rows, or fresh external links: one, as the real
/// service sends today ("Currently only a single link is returned", databricks-sdk-py
/// `ResultData`), or up to `timings.external_links_per_response` for chunks `index..`, which
/// the API's list shape allows.
fn chunk_json(shared: &Shared, snapshot: &Snapshot, result: &ResultSet, index: usize) -> Value {
    let next = |index: usize| {
        (index + 1 < result.chunks.len()).then(|| {
            (
                index + 1,
                format!(
                    "/api/2.0/sql/statements/{}/result/chunks/{}",
                    snapshot.id,
                    index + 1
                ),
            )
        })
    };
    let chunk = &result.chunks[index];
    if let ChunkData::Inline(rows) = &chunk.data {
        let mut value = json!({
            "chunk_index": index,
            "row_offset": chunk.row_offset,
            "row_count": chunk.row_count,
            "data_array": rows,
        });
        if let Some((next_index, link)) = next(index) {
            value["next_chunk_index"] = json!(next_index);
            value["next_chunk_internal_link"] = json!(link);
        }
        return value;
    }
    let per_response = usize::try_from(shared.config.timings.external_links_per_response)
        .unwrap_or(1)
        .max(1);
    let links: Vec<Value> = (index..result.chunks.len().min(index + per_response))
        .filter_map(|at| {
            let chunk = &result.chunks[at];
            let bytes = result.byte_count(at)?;
            let link = shared.links.issue(
                &shared.store,
                &shared.statements,
                &snapshot.id,
                at,
                snapshot.request.format,
            );
            let mut value = json!({
                "chunk_index": at,
                "row_offset": chunk.row_offset,
                "row_count": chunk.row_count,
                "byte_count": bytes,
                "external_link": format!("{}/__files/{}", storage_base(shared), link.token),
                "expiration": link.expiration,
                "http_headers": { crate::files::KEY_HEADER: link.key },
            });
            if let Some((next_index, link)) = next(at) {
                value["next_chunk_index"] = json!(next_index);
                value["next_chunk_internal_link"] = json!(link);
            }
            Some(value)
        })
        .collect();
    json!({ "external_links": links })
}

/// Where result links point: the workspace's origin, or the configured storage host on the
/// same port (the emulator serves the files either way).
fn storage_base(shared: &crate::server::SharedState) -> String {
    let Some(host) = &shared.config.storage_host else {
        return shared.base_url.clone();
    };
    let Ok(mut base) = url::Url::parse(&shared.base_url) else {
        return shared.base_url.clone();
    };
    if base.set_host(Some(host)).is_err() {
        return shared.base_url.clone();
    }
    base.as_str().trim_end_matches('/').to_owned()
}
