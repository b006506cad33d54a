//! Running one statement to a terminal state: submit asynchronously (`wait_timeout: 0s`, so
//! the statement id is known at once and Cancel always works), poll with backoff, report the
//! state and elapsed time, cancel on request, and turn FAILED/CANCELED/CLOSED into errors
//! that carry the server's message. Throttling (429/503 `Retry-After`) is waited out by
//! [`Api`], which never resubmits an accepted statement.

use super::params::Parameter;
use super::wire::{Manifest, ResultData, StatementResponse, StatementState};
use crate::api::Api;
use crate::api_path::segment;
use crate::{ErrorCode, ErrorInfo};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How results come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Disposition {
    /// EXTERNAL_LINKS + ARROW_STREAM: chunks downloaded in parallel from cloud storage.
    ExternalArrow,
    /// EXTERNAL_LINKS + JSON_ARRAY: the same downloads, as JSON text (for comparison and for
    /// workspaces whose results cannot be read as Arrow).
    ExternalJson,
    /// INLINE + JSON_ARRAY: rows inside the API answers (small results, or when cloud storage
    /// is unreachable).
    InlineJson,
    /// EXTERNAL_LINKS + CSV: RFC 4180 text. Brickdesk asks for Arrow or JSON itself; CSV is
    /// read because a Genie full-result download may come in it (its format is not
    /// documented, see docs/api-fidelity.md).
    ExternalCsv,
}

impl Disposition {
    /// How rows of a finished statement come, from its manifest's `format` and whether its
    /// first chunk is a link; an unknown format is read as Arrow, the API's binary default.
    pub fn of(format: Option<&str>, linked: bool) -> Self {
        match (format, linked) {
            (Some("JSON_ARRAY"), false) => Self::InlineJson,
            (Some("JSON_ARRAY"), true) => Self::ExternalJson,
            (Some("CSV"), _) => Self::ExternalCsv,
            _ => Self::ExternalArrow,
        }
    }
}

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StatementRequest {
    pub warehouse_id: String,
    pub statement: String,
    #[serde(default)]
    pub catalog: Option<String>,
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    /// Like `LIMIT`, and marks the result truncated when it cuts rows.
    #[serde(default)]
    pub row_limit: Option<u32>,
    pub disposition: Disposition,
}

/// Where a statement is, for the UI.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub statement_id: String,
    pub state: StatementState,
    pub elapsed_ms: f64,
}

/// A cancel button: [`Cancel::cancel`] from anywhere, the running statement notices at once.
#[derive(Debug, Default)]
pub struct Cancel {
    requested: AtomicBool,
    notify: Notify,
}

impl Cancel {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn cancel(&self) {
        self.requested.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// Resolves once cancelled (at once if it already is).
    pub async fn cancelled(&self) {
        let notified = self.notify.notified();
        if self.is_cancelled() {
            return;
        }
        notified.await;
    }
}

/// A statement that succeeded: its id, manifest and first chunk.
#[derive(Debug)]
pub struct Succeeded {
    pub statement_id: String,
    pub manifest: Manifest,
    pub first: Option<ResultData>,
    pub disposition: Disposition,
}

/// Poll delays: quick at first (most statements take well under a second), then backing off.
const POLL_DELAYS_MS: [u64; 9] = [50, 100, 200, 300, 500, 800, 1_200, 2_000, 3_000];
const MAX_POLL_DELAY: Duration = Duration::from_secs(5);

fn poll_delay(attempt: usize) -> Duration {
    POLL_DELAYS_MS
        .get(attempt)
        .map_or(MAX_POLL_DELAY, |ms| Duration::from_millis(*ms))
}

#[derive(Serialize)]
struct ExecuteBody<'a> {
    warehouse_id: &'a str,
    statement: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    catalog: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    schema: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    parameters: Vec<super::params::WireParameter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    row_limit: Option<u32>,
    disposition: &'static str,
    format: &'static str,
    wait_timeout: &'static str,
    /// `LZ4_FRAME` for linked Arrow results, as both official drivers on this API ask
    /// (databricks-jdbc's recorded requests; databricks-sql-python `backend/sea/backend.py`):
    /// two to three times fewer bytes on the wire.
    #[serde(skip_serializing_if = "Option::is_none")]
    result_compression: Option<&'static str>,
}

/// Runs `request` until it is terminal; `progress` hears every poll.
pub async fn run(
    api: &Api,
    request: &StatementRequest,
    cancel: &Cancel,
    progress: impl Fn(Progress),
) -> Result<Succeeded, ErrorInfo> {
    if request.statement.trim().is_empty() {
        return Err(ErrorInfo::new(
            ErrorCode::InvalidInput,
            "There is no SQL to run.",
        ));
    }
    let parameters = request
        .parameters
        .iter()
        .map(Parameter::to_wire)
        .collect::<Result<Vec<_>, _>>()?;
    let (disposition, format) = match request.disposition {
        Disposition::ExternalArrow => ("EXTERNAL_LINKS", "ARROW_STREAM"),
        Disposition::ExternalJson => ("EXTERNAL_LINKS", "JSON_ARRAY"),
        Disposition::InlineJson => ("INLINE", "JSON_ARRAY"),
        Disposition::ExternalCsv => ("EXTERNAL_LINKS", "CSV"),
    };
    let mut body = ExecuteBody {
        warehouse_id: &request.warehouse_id,
        statement: &request.statement,
        catalog: request.catalog.as_deref().filter(|c| !c.is_empty()),
        schema: request.schema.as_deref().filter(|s| !s.is_empty()),
        parameters,
        row_limit: request.row_limit,
        disposition,
        format,
        wait_timeout: "0s",
        result_compression: (request.disposition == Disposition::ExternalArrow
            && api.compresses_results())
        .then_some("LZ4_FRAME"),
    };
    let started = Instant::now();
    let mut response: StatementResponse = match api.post("/api/2.0/sql/statements", &body).await {
        // A warehouse that does not know the field refuses the request before running it:
        // asked again without it, the statement runs once.
        Err(error) if body.result_compression.is_some() && refuses_compression(&error) => {
            tracing::info!("the warehouse refused result_compression; asking without it");
            body.result_compression = None;
            api.post("/api/2.0/sql/statements", &body).await
        }
        other => other,
    }
    .map_err(|e| super::warehouses::explain_denied(e, &request.warehouse_id))?;
    let id = response.statement_id.clone();
    let path = format!("/api/2.0/sql/statements/{}", segment(&id));
    let mut cancel_sent = false;
    let mut attempt = 0;
    loop {
        progress(Progress {
            statement_id: id.clone(),
            state: response.status.state,
            elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
        });
        if response.status.state.is_terminal() {
            break;
        }
        if cancel.is_cancelled() && !cancel_sent {
            cancel_sent = true;
            tracing::info!(statement = %id, "cancelling");
            let _: serde_json::Value = api
                .post(&format!("{path}/cancel"), &serde_json::json!({}))
                .await?;
            // Learn the outcome quickly: the cancel may lose the race.
            attempt = 0;
        }
        let delay = poll_delay(attempt);
        attempt += 1;
        if cancel_sent {
            tokio::time::sleep(delay).await;
        } else {
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = cancel.cancelled() => continue,
            }
        }
        response = api.get(&path).await?;
    }
    finish(response, cancel_sent, request.disposition)
}

/// One look at a statement (`GET /api/2.0/sql/statements/{id}`).
pub async fn poll_once(api: &Api, statement_id: &str) -> Result<StatementResponse, ErrorInfo> {
    api.get(&format!(
        "/api/2.0/sql/statements/{}",
        segment(statement_id)
    ))
    .await
}

fn finish(
    response: StatementResponse,
    cancel_sent: bool,
    disposition: Disposition,
) -> Result<Succeeded, ErrorInfo> {
    let status = response.status;
    let server_message = status
        .error
        .as_ref()
        .and_then(|e| e.message.clone())
        .unwrap_or_default();
    match status.state {
        StatementState::Succeeded if cancel_sent => Err(cancelled()),
        StatementState::Succeeded => Ok(Succeeded {
            statement_id: response.statement_id,
            manifest: response.manifest.unwrap_or_else(|| Manifest {
                format: None,
                schema: super::wire::Schema::default(),
                total_chunk_count: 0,
                total_row_count: 0,
                total_byte_count: None,
                chunks: Vec::new(),
                truncated: false,
                result_compression: None,
            }),
            first: response.result,
            disposition,
        }),
        StatementState::Failed => {
            let message = if server_message.is_empty() {
                "The statement failed without a message from the warehouse.".to_owned()
            } else {
                server_message
            };
            let message = match status.sql_state {
                Some(state) if !state.is_empty() => format!("{message} (SQLSTATE {state})"),
                _ => message,
            };
            Err(ErrorInfo::new(ErrorCode::Server, message))
        }
        StatementState::Canceled if cancel_sent => Err(cancelled()),
        StatementState::Canceled => Err(ErrorInfo::new(
            ErrorCode::Cancelled,
            if server_message.is_empty() {
                "The warehouse cancelled the statement.".to_owned()
            } else {
                format!("The warehouse cancelled the statement: {server_message}")
            },
        )),
        StatementState::Closed => Err(ErrorInfo::new(
            ErrorCode::NotFound,
            "The result is no longer available (results are kept for an hour). Run the \
             statement again.",
        )),
        StatementState::Pending | StatementState::Running | StatementState::Other => {
            Err(ErrorInfo::new(
                ErrorCode::Internal,
                "The statement stopped being polled before it finished.",
            ))
        }
    }
}

/// A refusal of the request because of `result_compression` (400 naming the field).
fn refuses_compression(error: &ErrorInfo) -> bool {
    error.code == ErrorCode::InvalidInput
        && error.message.to_lowercase().contains("result_compression")
}

fn cancelled() -> ErrorInfo {
    ErrorInfo::new(ErrorCode::Cancelled, "You cancelled the statement.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_starts_fast_and_backs_off_to_a_cap() {
        assert_eq!(poll_delay(0), Duration::from_millis(50));
        assert!(poll_delay(3) > poll_delay(2));
        assert_eq!(poll_delay(100), MAX_POLL_DELAY);
        let first_second: u64 = POLL_DELAYS_MS.iter().take(5).sum();
        assert!(first_second <= 1_200, "five polls in the first ~second");
    }
}
