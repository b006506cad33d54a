//! "Get all rows": the whole result of an answer Genie cut at its row cap (5,000 rows), into a
//! new run the grid, Copy and the exports read like any statement's.
//!
//! First through Genie's full-result download (`POST …/attachments/{id}/downloads`, then
//! `GET …/downloads/{download_id}?download_id_signature=…` until the statement it started is
//! done; databricks-sdk-py 0.162 `generate_download_full_query_result` /
//! `get_download_full_query_result`), whose rows come as external links in the format its
//! manifest names. Where a workspace does not offer the download (an older release, a
//! disabled feature) the answer's SQL runs again as a statement on the agent's warehouse, as
//! the user could in the SQL runner; that run is kept in the SQL history like theirs.

use super::wire::{DownloadStarted, QueryResultResponse, WireMessage};
use super::{MessageRef, progress};
use crate::api::Api;
use crate::api_path::segment;
use crate::sql::execute::{Cancel, Disposition, StatementRequest, Succeeded};
use crate::sql::runs::RunEvent;
use crate::sql::wire::StatementResponse;
use crate::sql::{StatementState, result_set::ResultSummary};
use crate::{ErrorCode, ErrorInfo};
use serde::Serialize;
use std::time::{Duration, Instant};

/// How long a download's statement is waited for before giving up.
const DOWNLOAD_WAIT: Duration = Duration::from_secs(30 * 60);

/// How the rows were got, for the answer's provenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum AllRowsSource {
    /// Genie's full-result download.
    Download,
    /// The answer's SQL, run again on the agent's warehouse.
    Rerun,
}

/// The whole result of an answer.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AllRows {
    pub run_id: u32,
    pub result: ResultSummary,
    pub source: AllRowsSource,
    /// The statement that produced these rows (not the answer's first one).
    pub statement_id: Option<String>,
    /// The warehouse a re-run used.
    pub warehouse_id: Option<String>,
}

fn attachment_path(answer: &MessageRef, attachment_id: &str) -> String {
    format!("{}/attachments/{}", answer.path(), segment(attachment_id))
}

/// Whether a refused download is worth a re-run: the workspace lacks or refuses the endpoint.
/// Not for a sign-in, the network or a rate limit, which a re-run would meet too.
fn try_rerun_after(error: &ErrorInfo) -> bool {
    !matches!(
        error.code,
        ErrorCode::NotSignedIn | ErrorCode::Network | ErrorCode::RateLimited | ErrorCode::Cancelled
    )
}

/// The download's statement once it is done, polled with Genie's backoff until then.
async fn wait_for_download(
    api: &Api,
    path: &str,
    cancel: &Cancel,
) -> Result<StatementResponse, ErrorInfo> {
    let started = Instant::now();
    let mut attempt = 0;
    loop {
        let polled: QueryResultResponse = api.get(path).await?;
        let statement = polled.statement_response;
        if statement.status.state.is_terminal() {
            return Ok(statement);
        }
        if started.elapsed() >= DOWNLOAD_WAIT {
            return Err(ErrorInfo::new(
                ErrorCode::Server,
                "Genie's download of all rows did not finish in 30 minutes. Try again later.",
            ));
        }
        tokio::select! {
            () = tokio::time::sleep(progress::poll_delay(attempt)) => {}
            () = cancel.cancelled() => {
                return Err(ErrorInfo::new(ErrorCode::Cancelled, "You stopped getting all rows."));
            }
        }
        attempt += 1;
    }
}

/// A finished download's statement, as a succeeded statement whose chunks can be fetched.
fn succeeded(statement: StatementResponse) -> Result<Succeeded, ErrorInfo> {
    let said = super::rows::databricks_said(&statement);
    match statement.status.state {
        StatementState::Succeeded => {
            let manifest = statement.manifest.unwrap_or_default();
            let linked = statement
                .result
                .as_ref()
                .is_some_and(|r| r.external_links.as_ref().is_some_and(|l| !l.is_empty()));
            Ok(Succeeded {
                disposition: Disposition::of(manifest.format.as_deref(), linked),
                statement_id: statement.statement_id,
                manifest,
                first: statement.result,
            })
        }
        StatementState::Canceled => Err(ErrorInfo::new(
            ErrorCode::Cancelled,
            format!("The download of all rows was cancelled{said}."),
        )),
        _ => Err(ErrorInfo::new(
            ErrorCode::Server,
            format!("Genie could not prepare all rows{said}. Try again."),
        )),
    }
}

impl super::Genie {
    /// Every row of an answer's query, into a new run (see the module docs); `events` hears
    /// the run start, its columns and the rows as they arrive, as a SQL run's do.
    pub async fn all_rows(
        &self,
        api: &Api,
        workspace_id: &str,
        answer: &MessageRef,
        attachment_id: &str,
        events: impl Fn(RunEvent),
    ) -> Result<AllRows, ErrorInfo> {
        let base = attachment_path(answer, attachment_id);
        match api
            .post::<_, DownloadStarted>(&format!("{base}/downloads"), &serde_json::json!({}))
            .await
        {
            Ok(started) => {
                let (run_id, cancel) = self.runs.start_external(api.clone(), &events);
                let signature = started.download_id_signature.unwrap_or_default();
                let path = format!(
                    "{base}/downloads/{}?download_id_signature={}",
                    segment(&started.download_id),
                    url::form_urlencoded::byte_serialize(signature.as_bytes()).collect::<String>()
                );
                let done = match wait_for_download(api, &path, &cancel)
                    .await
                    .and_then(succeeded)
                {
                    Ok(done) => done,
                    Err(error) => {
                        self.runs.close(run_id);
                        return Err(error);
                    }
                };
                let statement_id = Some(done.statement_id.clone());
                let result = self.runs.fetch_into(run_id, api, done, &events).await?;
                Ok(AllRows {
                    run_id,
                    result,
                    source: AllRowsSource::Download,
                    statement_id,
                    warehouse_id: None,
                })
            }
            Err(error) if try_rerun_after(&error) => {
                tracing::info!(error = %error.message, "Genie full-result download refused; running the answer's SQL again");
                self.rerun(api, workspace_id, answer, attachment_id, events)
                    .await
            }
            Err(error) => Err(error),
        }
    }

    /// The answer's SQL as a statement on its agent's warehouse.
    async fn rerun(
        &self,
        api: &Api,
        workspace_id: &str,
        answer: &MessageRef,
        attachment_id: &str,
        events: impl Fn(RunEvent),
    ) -> Result<AllRows, ErrorInfo> {
        let message: WireMessage = api.get(&answer.path()).await?;
        let query = message
            .attachments
            .iter()
            .find(|a| a.attachment_id.as_deref() == Some(attachment_id))
            .and_then(|a| a.query.as_ref())
            .ok_or_else(|| ErrorInfo::new(ErrorCode::NotFound, "This answer has no query."))?;
        if !query.parameters.is_empty() {
            return Err(ErrorInfo::new(
                ErrorCode::InvalidInput,
                "This workspace cannot download all rows of an answer, and this answer's query \
                 has parameters, so it cannot be run again here. Open it in the SQL runner.",
            ));
        }
        let sql = query.query.clone();
        let warehouse_id = self
            .space(api, &answer.space_id)
            .await?
            .warehouse_id
            .ok_or_else(|| {
                ErrorInfo::new(
                    ErrorCode::NotFound,
                    "This workspace cannot download all rows of an answer, and the agent does not \
                 say which SQL warehouse it uses. Run its SQL in the SQL runner.",
                )
            })?;
        let run_id = std::sync::Mutex::new(None);
        let statement_id = std::sync::Mutex::new(None);
        let request = StatementRequest {
            warehouse_id: warehouse_id.clone(),
            statement: sql,
            catalog: None,
            schema: None,
            parameters: Vec::new(),
            row_limit: None,
            disposition: Disposition::ExternalArrow,
        };
        let result = self
            .runs
            .run(api.clone(), workspace_id, request, |event| {
                match &event {
                    RunEvent::Started { run_id: id } => {
                        *run_id.lock().unwrap_or_else(|p| p.into_inner()) = Some(*id);
                    }
                    RunEvent::Status(p) => {
                        *statement_id.lock().unwrap_or_else(|p| p.into_inner()) =
                            Some(p.statement_id.clone());
                    }
                    _ => {}
                }
                events(event);
            })
            .await?;
        let run_id = run_id
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .ok_or_else(|| ErrorInfo::new(ErrorCode::Internal, "The re-run had no run id."))?;
        Ok(AllRows {
            run_id,
            result,
            source: AllRowsSource::Rerun,
            statement_id: statement_id.into_inner().unwrap_or_else(|p| p.into_inner()),
            warehouse_id: Some(warehouse_id),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_refused_endpoint_leads_to_a_re_run() {
        for code in [
            ErrorCode::NotFound,
            ErrorCode::PermissionDenied,
            ErrorCode::InvalidInput,
            ErrorCode::Server,
        ] {
            assert!(try_rerun_after(&ErrorInfo::new(code, "x")), "{code:?}");
        }
        for code in [
            ErrorCode::NotSignedIn,
            ErrorCode::Network,
            ErrorCode::RateLimited,
            ErrorCode::Cancelled,
        ] {
            assert!(!try_rerun_after(&ErrorInfo::new(code, "x")), "{code:?}");
        }
    }

    #[test]
    fn a_download_in_csv_arrow_or_json_is_read_in_that_format() {
        assert_eq!(Disposition::of(Some("CSV"), true), Disposition::ExternalCsv);
        assert_eq!(
            Disposition::of(Some("ARROW_STREAM"), true),
            Disposition::ExternalArrow
        );
        assert_eq!(
            Disposition::of(Some("JSON_ARRAY"), true),
            Disposition::ExternalJson
        );
        assert_eq!(
            Disposition::of(Some("JSON_ARRAY"), false),
            Disposition::InlineJson
        );
        assert_eq!(Disposition::of(None, true), Disposition::ExternalArrow);
    }
}
