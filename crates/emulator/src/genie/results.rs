//! A query attachment's data: its result (`query-result`), a re-run after the result expired
//! (`execute-query`), the full-result download (`downloads`, external links), and the chart
//! image of a visualization attachment.

use super::conversations::{not_found, owned_message};
use super::lifecycle;
use super::store::Status;
use crate::auth::Caller;
use crate::errors::{ApiError, json_ok};
use crate::faults::Fault;
use crate::server::Shared;
use crate::sql::statements::{Disposition, Format};
use crate::sql::{statement_json, wait_until_terminal};
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::time::Duration;

type AttachmentPath = (String, String, String, String);

/// Polls of a download that report `PENDING` before the real state shows.
const PENDING_POLLS: u32 = 2;

fn invalid_state(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "INVALID_STATE", message)
}

/// What a query attachment is, once the message and attachment are checked.
struct Attached {
    status: Status,
    sql: String,
    statement_id: Option<String>,
    expired: bool,
}

fn query_attachment(
    shared: &Shared,
    caller: &Caller,
    (space_id, conversation_id, message_id, attachment_id): (&str, &str, &str, &str),
) -> Result<(Attached, String), ApiError> {
    owned_message(shared, caller, (space_id, conversation_id, message_id))?;
    let inner = shared.genie.lock();
    let message = inner
        .messages
        .get(message_id)
        .ok_or_else(|| not_found("Message", message_id))?;
    let query = message
        .query
        .as_ref()
        .filter(|_| message.ids.query == attachment_id)
        .ok_or_else(|| {
            invalid_state(format!(
                "Attachment {attachment_id} of message {message_id} is not a query attachment."
            ))
        })?;
    let warehouse = shared
        .config
        .spaces
        .iter()
        .find(|s| s.space_id == space_id)
        .map(|s| s.warehouse_id.clone())
        .unwrap_or_default();
    Ok((
        Attached {
            status: message.status,
            sql: query.query.sql.clone(),
            statement_id: query.statement_id.clone(),
            expired: query.expired,
        },
        warehouse,
    ))
}

fn statement_response(shared: &Shared, statement_id: &str) -> Result<Response, ApiError> {
    let snapshot = shared
        .statements
        .snapshot(statement_id)
        .ok_or_else(|| not_found("Statement", statement_id))?;
    Ok(json_ok(
        json!({ "statement_response": statement_json(shared, &snapshot) }),
    ))
}

/// A statement response in `state`, with the error a failed one carries.
fn forced_state(statement_id: &str, state: &str) -> Response {
    let mut status = json!({ "state": state });
    if state == "FAILED" {
        status["error"] = json!({
            "error_code": "BAD_REQUEST",
            "message": "[DIVIDE_BY_ZERO] Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead.",
        });
        status["sql_state"] = json!("22012");
    }
    json_ok(json!({ "statement_response": { "statement_id": statement_id, "status": status } }))
}

/// `GET …/attachments/{attachment_id}/query-result`: usable from `EXECUTING_QUERY` on.
pub async fn query_result(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((space, conversation, message, attachment)): Path<AttachmentPath>,
) -> Result<Response, ApiError> {
    let ids = (&*space, &*conversation, &*message, &*attachment);
    let (attached, _) = query_attachment(&shared, &caller, ids)?;
    if attached.expired || attached.status == Status::QueryResultExpired {
        return Err(invalid_state(
            "The query result has expired. Run the query again with execute-query.",
        ));
    }
    match (attached.status, attached.statement_id) {
        (Status::ExecutingQuery | Status::Completed, Some(statement_id)) => {
            let path = format!(
                "/api/2.0/genie/spaces/{space}/conversations/{conversation}/messages/{message}/attachments/{attachment}/query-result"
            );
            if let Some(Fault::GenieResultState { state }) = shared.faults.take("GET", &path, |f| {
                matches!(f, Fault::GenieResultState { .. })
            }) {
                return Ok(forced_state(&statement_id, &state));
            }
            statement_response(&shared, &statement_id)
        }
        (status, _) => Err(invalid_state(format!(
            "Message {message} is {}; its query result is available once the query runs.",
            status.as_str()
        ))),
    }
}

/// `POST …/attachments/{attachment_id}/execute-query`: runs the attachment's SQL again (after
/// `QUERY_RESULT_EXPIRED`), and the message is `COMPLETED` again.
pub async fn execute_query(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((space, conversation, message, attachment)): Path<AttachmentPath>,
) -> Result<Response, ApiError> {
    let ids = (&*space, &*conversation, &*message, &*attachment);
    let (attached, warehouse) = query_attachment(&shared, &caller, ids)?;
    if !matches!(
        attached.status,
        Status::Completed | Status::QueryResultExpired
    ) {
        return Err(invalid_state(format!(
            "Message {message} is {}; only a finished answer can be run again.",
            attached.status.as_str()
        )));
    }
    let statement_id =
        lifecycle::run_statement(&shared, &caller.subject, &attached.sql, &warehouse);
    if let Some(m) = shared.genie.lock().messages.get_mut(&message) {
        m.status = Status::Completed;
        if let Some(q) = m.query.as_mut() {
            q.statement_id = Some(statement_id.clone());
            q.expired = false;
        }
    }
    let wait = Duration::from_millis(shared.config.genie.rerun_wait_ms);
    wait_until_terminal(&shared, &statement_id, wait).await;
    statement_response(&shared, &statement_id)
}

/// The first query attachment of a message, for the deprecated message-level routes.
fn first_query_attachment(shared: &Shared, message_id: &str) -> Result<String, ApiError> {
    let inner = shared.genie.lock();
    inner
        .messages
        .get(message_id)
        .filter(|m| m.query.is_some())
        .map(|m| m.ids.query.clone())
        .ok_or_else(|| invalid_state(format!("Message {message_id} has no query attachment.")))
}

/// Deprecated `GET …/messages/{message_id}/query-result`.
pub async fn legacy_query_result(
    state: State<Shared>,
    caller: Extension<Caller>,
    Path((space, conversation, message)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    super::conversations::owned_message(&state, &caller, (&space, &conversation, &message))?;
    let attachment = first_query_attachment(&state, &message)?;
    query_result(
        state,
        caller,
        Path((space, conversation, message, attachment)),
    )
    .await
}

/// Deprecated `POST …/messages/{message_id}/execute-query`.
pub async fn legacy_execute_query(
    state: State<Shared>,
    caller: Extension<Caller>,
    Path((space, conversation, message)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    super::conversations::owned_message(&state, &caller, (&space, &conversation, &message))?;
    let attachment = first_query_attachment(&state, &message)?;
    execute_query(
        state,
        caller,
        Path((space, conversation, message, attachment)),
    )
    .await
}

/// An unsigned JWT-shaped token whose last part binds it to the download id and the seed.
fn download_signature(shared: &Shared, download_id: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = b64.encode(json!({ "download_id": download_id }).to_string());
    let mac = Sha256::digest(format!("{}:{download_id}", shared.config.seed));
    format!("{header}.{claims}.{}", b64.encode(mac))
}

/// `POST …/attachments/{attachment_id}/downloads`: a new execution of the attachment's SQL with
/// the EXTERNAL_LINKS disposition and no row cap.
pub async fn start_download(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((space, conversation, message, attachment)): Path<AttachmentPath>,
) -> Result<Response, ApiError> {
    let ids = (&*space, &*conversation, &*message, &*attachment);
    let (attached, warehouse) = query_attachment(&shared, &caller, ids)?;
    if !matches!(
        attached.status,
        Status::Completed | Status::QueryResultExpired
    ) {
        return Err(invalid_state(format!(
            "Message {message} is {}; the full result can be downloaded once it is answered.",
            attached.status.as_str()
        )));
    }
    let statement_id = lifecycle::statement(
        &shared,
        &caller.subject,
        &attached.sql,
        &warehouse,
        Disposition::ExternalLinks,
        Format::Csv,
    );
    let download_id = super::conversations::genie_id(&shared, "download");
    let signature = download_signature(&shared, &download_id);
    shared.genie.lock().downloads.insert(
        download_id.clone(),
        super::store::Download {
            message_id: message.clone(),
            attachment_id: attachment.clone(),
            signature: signature.clone(),
            statement_id,
            polls: 0,
        },
    );
    Ok(json_ok(
        json!({ "download_id": download_id, "download_id_signature": signature }),
    ))
}

#[derive(Debug, Deserialize)]
pub struct DownloadQuery {
    download_id_signature: Option<String>,
}

/// `GET …/downloads/{download_id}?download_id_signature=…`
pub async fn poll_download(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((space, conversation, message, attachment, download_id)): Path<(
        String,
        String,
        String,
        String,
        String,
    )>,
    Query(query): Query<DownloadQuery>,
) -> Result<Response, ApiError> {
    owned_message(&shared, &caller, (&space, &conversation, &message))?;
    let Some(signature) = query.download_id_signature.filter(|s| !s.is_empty()) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER_VALUE",
            "download_id_signature is required.",
        ));
    };
    let (statement_id, polls) = {
        let mut inner = shared.genie.lock();
        let download = inner
            .downloads
            .get_mut(&download_id)
            .filter(|d| d.message_id == message && d.attachment_id == attachment)
            .ok_or_else(|| not_found("Download", &download_id))?;
        if download.signature != signature {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "PERMISSION_DENIED",
                "download_id_signature does not match the download.",
            ));
        }
        download.polls += 1;
        (download.statement_id.clone(), download.polls)
    };
    if polls <= PENDING_POLLS {
        return Ok(json_ok(json!({ "statement_response": {
            "statement_id": statement_id,
            "status": { "state": "PENDING" },
        }})));
    }
    statement_response(&shared, &statement_id)
}

/// The answer's numbers (its last column) as a plain bar chart, 480×240: the emulator's stand-in
/// for the picture Genie draws, so a client shows something that is recognisably the data.
fn chart_png(values: &[f64]) -> Vec<u8> {
    const W: usize = 480;
    const H: usize = 240;
    const PAD: usize = 16;
    let mut rgba = vec![255u8; W * H * 4];
    let mut paint = |x: usize, y: usize, color: [u8; 3]| {
        if x < W && y < H {
            let i = (y * W + x) * 4;
            rgba[i..i + 3].copy_from_slice(&color);
        }
    };
    for x in PAD..W - PAD {
        paint(x, H - PAD, [90, 90, 90]);
    }
    let top = values.iter().copied().fold(0.0_f64, f64::max);
    if top > 0.0 && !values.is_empty() {
        let slot = (W - 2 * PAD) / values.len();
        for (i, value) in values.iter().enumerate() {
            let height = ((value.max(0.0) / top) * (H - 2 * PAD) as f64) as usize;
            let left = PAD + i * slot + slot / 8;
            for x in left..left + (slot * 3 / 4).max(1) {
                for y in H - PAD - height..H - PAD {
                    paint(x, y, [217, 119, 6]);
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, W as u32, H as u32);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    if let Ok(mut writer) = encoder.write_header() {
        let _ = writer.write_image_data(&rgba);
    }
    out
}

/// The numbers of a statement's last column, from its inline rows.
fn last_column(shared: &Shared, statement_id: Option<&str>) -> Vec<f64> {
    let Some(result) = statement_id
        .and_then(|id| shared.statements.snapshot(id))
        .and_then(|s| s.result)
    else {
        return Vec::new();
    };
    result
        .chunks
        .iter()
        .filter_map(|c| match &c.data {
            crate::sql::statements::ChunkData::Inline(rows) => Some(rows.iter()),
            crate::sql::statements::ChunkData::External(_)
            | crate::sql::statements::ChunkData::Spilled { .. } => None,
        })
        .flatten()
        .take(50)
        .filter_map(|row| row.last()?.as_str()?.parse::<f64>().ok())
        .collect()
}

/// `GET …/attachments/{attachment_id}/download-visualization`: raw PNG bytes.
pub async fn visualization(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((space, conversation, message, attachment)): Path<AttachmentPath>,
) -> Result<Response, ApiError> {
    owned_message(&shared, &caller, (&space, &conversation, &message))?;
    let statement = {
        let inner = shared.genie.lock();
        let message = inner.messages.get(&message).filter(|m| {
            m.visualize
                && m.query.is_some()
                && m.status == Status::Completed
                && m.ids.viz == attachment
        });
        match message {
            Some(m) => m.query.as_ref().and_then(|q| q.statement_id.clone()),
            None => {
                return Err(invalid_state(format!(
                    "Attachment {attachment} is not a visualization of a completed message."
                )));
            }
        }
    };
    let png = chart_png(&last_column(&shared, statement.as_deref()));
    let mut response = png.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    Ok(response)
}
