//! The statements the UI runs, by run id: each one's cancel button, its statement id once
//! known, and its rows, which the grid reads a window at a time until the tab closes.
//!
//! A run reports over one event stream: `started` (the run id, so Cancel works at once),
//! `status` on every poll, `columns` when it succeeds, `rows` as chunks arrive. Quitting the
//! app cancels every statement still running on its warehouse.

use super::execute::{self, Cancel, Progress, StatementRequest};
use super::fetch::{self, FetchProgress};
use super::result_set::{ResultSet, ResultSummary, RowWindow, SharedResult};
use crate::api::Api;
use crate::{ErrorCode, ErrorInfo};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a run tells the UI while it goes.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(
    tag = "kind",
    content = "data",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum RunEvent {
    Started { run_id: u32 },
    Status(Progress),
    Columns(ResultSummary),
    Rows(FetchProgress),
}

struct Run {
    cancel: Arc<Cancel>,
    api: Api,
    statement_id: Option<String>,
    result: Option<SharedResult>,
}

#[derive(Default)]
pub struct Runs {
    next: AtomicU32,
    runs: Mutex<HashMap<u32, Run>>,
}

impl std::fmt::Debug for Runs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runs")
            .field("count", &self.lock().len())
            .finish()
    }
}

fn gone() -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::NotFound,
        "That result was closed. Run the statement again.",
    )
}

impl Runs {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u32, Run>> {
        self.runs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `request` with `api`, downloading its rows; returns the final summary.
    pub async fn run(
        &self,
        api: Api,
        request: StatementRequest,
        events: impl Fn(RunEvent),
    ) -> Result<ResultSummary, ErrorInfo> {
        let run_id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let cancel = Cancel::new();
        self.lock().insert(
            run_id,
            Run {
                cancel: cancel.clone(),
                api: api.clone(),
                statement_id: None,
                result: None,
            },
        );
        events(RunEvent::Started { run_id });
        let done = execute::run(&api, &request, &cancel, |progress| {
            if let Some(run) = self.lock().get_mut(&run_id) {
                run.statement_id = Some(progress.statement_id.clone());
            }
            events(RunEvent::Status(progress));
        })
        .await;
        let done = match done {
            Ok(done) => done,
            Err(error) => {
                self.lock().remove(&run_id);
                return Err(error);
            }
        };
        let set = ResultSet::new(
            done.manifest.schema.columns.clone(),
            done.manifest.total_row_count,
            done.manifest.truncated,
        )
        .shared();
        match self.lock().get_mut(&run_id) {
            Some(run) => run.result = Some(set.clone()),
            None => return Err(gone()),
        }
        events(RunEvent::Columns(read(&set).summary()));
        fetch::fetch(&api, done, &set, &cancel, |progress| {
            events(RunEvent::Rows(progress));
        })
        .await?;
        Ok(read(&set).summary())
    }

    /// Asks the run to stop (its statement is cancelled on the warehouse).
    pub fn cancel(&self, run_id: u32) -> Result<(), ErrorInfo> {
        let runs = self.lock();
        let run = runs.get(&run_id).ok_or_else(gone)?;
        run.cancel.cancel();
        Ok(())
    }

    pub fn window(&self, run_id: u32, offset: u32, limit: u32) -> Result<RowWindow, ErrorInfo> {
        let set = self.result(run_id)?;
        let window = read(&set).window(offset, limit.min(MAX_WINDOW));
        Ok(window)
    }

    pub fn summary(&self, run_id: u32) -> Result<ResultSummary, ErrorInfo> {
        Ok(read(&self.result(run_id)?).summary())
    }

    /// The rows of a run, for export.
    pub fn result(&self, run_id: u32) -> Result<SharedResult, ErrorInfo> {
        self.lock()
            .get(&run_id)
            .and_then(|r| r.result.clone())
            .ok_or_else(gone)
    }

    /// Forgets a run (its tab closed), cancelling it if it still runs.
    pub fn close(&self, run_id: u32) {
        if let Some(run) = self.lock().remove(&run_id) {
            run.cancel.cancel();
        }
    }

    /// Cancels every statement still running, on the warehouse too, waiting at most `limit`
    /// (the app is quitting: a statement left running would keep a warehouse busy).
    pub async fn shutdown(&self, limit: Duration) {
        let running: Vec<(Api, String)> = self
            .lock()
            .drain()
            .filter(|(_, run)| run.result.is_none())
            .filter_map(|(_, run)| {
                run.cancel.cancel();
                run.statement_id.map(|id| (run.api, id))
            })
            .collect();
        let cancels = running.iter().map(|(api, id)| async move {
            let path = format!("/api/2.0/sql/statements/{id}/cancel");
            let _ = api
                .post::<_, serde_json::Value>(&path, &serde_json::json!({}))
                .await;
        });
        let _ = tokio::time::timeout(limit, futures_util::future::join_all(cancels)).await;
    }
}

/// The most rows one window may ask for (a screenful is a few dozen).
const MAX_WINDOW: u32 = 2_000;

fn read(set: &SharedResult) -> std::sync::RwLockReadGuard<'_, ResultSet> {
    set.read().unwrap_or_else(|p| p.into_inner())
}
