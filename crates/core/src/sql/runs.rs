//! The statements the UI runs, by run id: each one's cancel button, its statement id once
//! known, and its rows, which the grid reads a window at a time until the tab closes; the
//! sorted/filtered view, Copy and export of those rows; and the history entry each run leaves.
//!
//! A run reports over one event stream: `started` (the run id, so Cancel works at once),
//! `status` on every poll, `columns` when it succeeds, `rows` as chunks arrive. Quitting the
//! app cancels every statement still running on its warehouse.
//!
//! When a workspace's cloud storage cannot be reached (a firewall that allows the workspace
//! but not the storage account), a read-only query is run again with INLINE results, and the
//! workspace's later statements use INLINE directly until the app restarts.

use super::execute::{self, Cancel, Disposition, Progress, StatementRequest};
use super::export::{self, ExportDone, ExportFormat, ExportProgress};
use super::fetch::{self, FetchProgress};
use super::formulas::FormulaSafety;
use super::result_set::{ResultSet, ResultSummary, RowWindow, SharedResult};
use super::spill::{SharedSpillStore, SpillFolder};
use super::view::{self, ViewProgress, ViewSpec};
use super::workbook::AnswerReport;
use crate::api::Api;
use crate::api_path::segment;
use crate::local::history::{History, NewEntry, RunStatus};
use crate::{ErrorCode, ErrorInfo};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a run tells the UI while it goes.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(
    tag = "kind",
    content = "data",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum RunEvent {
    Started {
        run_id: u32,
    },
    Status(Progress),
    Columns(ResultSummary),
    Rows(FetchProgress),
    /// Cloud storage was unreachable; the statement runs again with INLINE results.
    InlineFallback {
        message: String,
    },
}

struct Run {
    cancel: Arc<Cancel>,
    api: Api,
    statement_id: Option<String>,
    result: Option<SharedResult>,
    export: Option<Arc<Cancel>>,
    /// The sort or filter being computed, stopped when another is asked for.
    view: Option<Arc<Cancel>>,
}

pub struct Runs {
    next: AtomicU32,
    runs: Mutex<HashMap<u32, Run>>,
    memory_limit: AtomicUsize,
    /// Where results past the memory limit spill.
    spill_store: Mutex<SharedSpillStore>,
    history: Option<History>,
    /// Workspace hosts whose cloud storage was unreachable this session.
    inline_only: Mutex<HashSet<String>>,
}

impl Default for Runs {
    fn default() -> Self {
        Self::new(None)
    }
}

impl std::fmt::Debug for Runs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runs")
            .field("count", &self.lock().len())
            .finish_non_exhaustive()
    }
}

fn gone() -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::NotFound,
        "That result was closed. Run the statement again.",
    )
}

impl Runs {
    /// `history` records every run (none in tests and the benchmark).
    pub fn new(history: Option<History>) -> Self {
        Self {
            next: AtomicU32::new(0),
            runs: Mutex::new(HashMap::new()),
            memory_limit: AtomicUsize::new(super::result_set::DEFAULT_MEMORY_LIMIT),
            spill_store: Mutex::new(SpillFolder::default().shared()),
            history,
            inline_only: Mutex::new(HashSet::new()),
        }
    }

    /// Rows of one result past this many bytes go to a temp file.
    pub fn set_memory_limit(&self, bytes: usize) {
        self.memory_limit.store(bytes, Ordering::Relaxed);
    }

    /// Results that pass the memory limit from now on spill to `store`.
    pub fn set_spill_store(&self, store: SharedSpillStore) {
        *self.spill_store.lock().unwrap_or_else(|p| p.into_inner()) = store;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u32, Run>> {
        self.runs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `request` with `api`, downloading its rows; returns the final summary. The run is
    /// recorded in `workspace_id`'s history, however it ends.
    pub async fn run(
        &self,
        api: Api,
        workspace_id: &str,
        request: StatementRequest,
        events: impl Fn(RunEvent),
    ) -> Result<ResultSummary, ErrorInfo> {
        let started_at = chrono::Utc::now();
        let clock = Instant::now();
        let result = self.execute(api, &request, &events).await;
        self.record(workspace_id, &request, started_at, clock.elapsed(), &result);
        result
    }

    fn record(
        &self,
        workspace_id: &str,
        request: &StatementRequest,
        started_at: chrono::DateTime<chrono::Utc>,
        duration: Duration,
        result: &Result<ResultSummary, ErrorInfo>,
    ) {
        let Some(history) = &self.history else { return };
        let (status, rows, error) = match result {
            Ok(summary) => (
                RunStatus::Succeeded,
                Some(u64::from(summary.total_rows)),
                None,
            ),
            Err(e) if e.code == ErrorCode::Cancelled => {
                (RunStatus::Cancelled, None, Some(e.message.as_str()))
            }
            Err(e) => (RunStatus::Failed, None, Some(e.message.as_str())),
        };
        let entry = NewEntry {
            statement: &request.statement,
            warehouse_id: &request.warehouse_id,
            catalog: request.catalog.as_deref(),
            schema: request.schema.as_deref(),
            parameters: &request.parameters,
            started_at,
            duration,
            row_count: rows,
            status,
            error,
        };
        // History is a convenience: failing to write it must not fail the statement.
        if let Err(error) = history.record(workspace_id, &entry) {
            tracing::warn!(%error, "statement not recorded in history");
        }
    }

    async fn execute(
        &self,
        api: Api,
        request: &StatementRequest,
        events: &impl Fn(RunEvent),
    ) -> Result<ResultSummary, ErrorInfo> {
        let (run_id, cancel) = self.register(api.clone(), None);
        events(RunEvent::Started { run_id });
        let host = api.host().as_str().to_owned();
        let mut request = request.clone();
        if request.disposition != Disposition::InlineJson && self.storage_blocked(&host) {
            request.disposition = Disposition::InlineJson;
        }
        loop {
            match self.attempt(run_id, &api, &request, &cancel, events).await {
                Err(failure)
                    if failure.storage_unreachable
                        && request.disposition != Disposition::InlineJson
                        && super::read_only::is_read_only(&request.statement)
                        && !cancel.is_cancelled() =>
                {
                    tracing::warn!("cloud storage unreachable; using INLINE results");
                    self.inline_only
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(host.clone());
                    events(RunEvent::InlineFallback {
                        message: format!(
                            "Cloud storage for large results could not be reached ({}). \
                             Brickdesk is running the statement again with results sent \
                             through the workspace (up to 25 MB). Ask IT to allow your \
                             cloud provider's storage to get larger results.",
                            failure.error.message
                        ),
                    });
                    request.disposition = Disposition::InlineJson;
                }
                Err(failure) => {
                    self.lock().remove(&run_id);
                    return Err(failure.error);
                }
                Ok(summary) => return Ok(summary),
            }
        }
    }

    fn storage_blocked(&self, host: &str) -> bool {
        self.inline_only
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(host)
    }

    /// One execution and download of `request`.
    async fn attempt(
        &self,
        run_id: u32,
        api: &Api,
        request: &StatementRequest,
        cancel: &Arc<Cancel>,
        events: &impl Fn(RunEvent),
    ) -> Result<ResultSummary, fetch::FetchFailure> {
        let done = execute::run(api, request, cancel, |progress| {
            if let Some(run) = self.lock().get_mut(&run_id) {
                run.statement_id = Some(progress.statement_id.clone());
            }
            events(RunEvent::Status(progress));
        })
        .await?;
        self.download_rows(run_id, api, done, events).await
    }

    /// Downloads the rows of `done` into run `run_id`: its result (within the memory limit),
    /// `columns`, then `rows` as chunks arrive.
    async fn download_rows(
        &self,
        run_id: u32,
        api: &Api,
        done: execute::Succeeded,
        events: &impl Fn(RunEvent),
    ) -> Result<ResultSummary, fetch::FetchFailure> {
        let set = self.new_result(&done.manifest);
        let cancel = {
            let mut runs = self.lock();
            let run = runs.get_mut(&run_id).ok_or_else(gone)?;
            run.statement_id = Some(done.statement_id.clone());
            run.result = Some(set.clone());
            run.cancel.clone()
        };
        events(RunEvent::Columns(read(&set).summary()));
        fetch::fetch_classified(api, done, &set, &cancel, |progress| {
            events(RunEvent::Rows(progress));
        })
        .await?;
        Ok(read(&set).summary())
    }

    /// A new run under the next id, with its cancel button.
    fn register(&self, api: Api, result: Option<SharedResult>) -> (u32, Arc<Cancel>) {
        let run_id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let cancel = Cancel::new();
        self.lock().insert(
            run_id,
            Run {
                cancel: cancel.clone(),
                api,
                statement_id: None,
                result,
                export: None,
                view: None,
            },
        );
        (run_id, cancel)
    }

    /// An empty result for a statement's rows, within this app's memory limit.
    fn new_result(&self, manifest: &super::wire::Manifest) -> SharedResult {
        ResultSet::new(
            manifest.schema.columns.clone(),
            manifest.total_row_count,
            manifest.truncated,
        )
        .with_memory_limit(self.memory_limit.load(Ordering::Relaxed))
        .with_spill_store(
            self.spill_store
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
        )
        .shared()
    }

    /// Keeps rows fetched elsewhere (a Genie answer) under a new run id, so the grid, Copy and
    /// export work on them as on a statement's.
    pub fn adopt(&self, api: Api, set: ResultSet) -> u32 {
        self.register(api, Some(set.shared())).0
    }

    /// Registers a run whose statement another API runs (a Genie full-result download): its
    /// id, said at once as `started`, and the cancel button the caller watches while it waits
    /// for the statement. [`Self::fetch_into`] then brings its rows.
    pub fn start_external(&self, api: Api, events: &impl Fn(RunEvent)) -> (u32, Arc<Cancel>) {
        let (run_id, cancel) = self.register(api, None);
        events(RunEvent::Started { run_id });
        (run_id, cancel)
    }

    /// Downloads the rows of `done` into the run [`Self::start_external`] registered, with
    /// the same events and memory limit as a statement's own run. A failure forgets the run.
    pub async fn fetch_into(
        &self,
        run_id: u32,
        api: &Api,
        done: execute::Succeeded,
        events: &impl Fn(RunEvent),
    ) -> Result<ResultSummary, ErrorInfo> {
        let fetched = self.download_rows(run_id, api, done, events).await;
        if fetched.is_err() {
            self.lock().remove(&run_id);
        }
        fetched.map_err(|failure| failure.error)
    }

    /// Asks the run to stop (its statement is cancelled on the warehouse).
    pub fn cancel(&self, run_id: u32) -> Result<(), ErrorInfo> {
        let runs = self.lock();
        let run = runs.get(&run_id).ok_or_else(gone)?;
        run.cancel.cancel();
        Ok(())
    }

    pub fn window(&self, run_id: u32, offset: u32, limit: u32) -> Result<RowWindow, ErrorInfo> {
        read(&self.result(run_id)?).window(offset, limit.min(MAX_WINDOW))
    }

    pub fn summary(&self, run_id: u32) -> Result<ResultSummary, ErrorInfo> {
        Ok(read(&self.result(run_id)?).summary())
    }

    /// Sorts and filters the rows (computed while the grid keeps reading the old view), with
    /// `progress` as it reads them. A newer view of the same result stops this one, as does
    /// [`Self::cancel_view`]; either way the old view stays.
    pub async fn set_view(
        &self,
        run_id: u32,
        spec: ViewSpec,
        progress: impl Fn(ViewProgress) + Send + 'static,
    ) -> Result<ResultSummary, ErrorInfo> {
        let set = self.result(run_id)?;
        let cancel = Cancel::new();
        {
            let mut runs = self.lock();
            let run = runs.get_mut(&run_id).ok_or_else(gone)?;
            if let Some(previous) = run.view.replace(cancel.clone()) {
                previous.cancel();
            }
        }
        let order = {
            let (set, cancel) = (set.clone(), cancel.clone());
            tokio::task::spawn_blocking(move || {
                let mut progress = progress;
                view::order(&read(&set), &spec, &cancel, &mut progress)
            })
            .await
            .map_err(|_| ErrorInfo::new(ErrorCode::Internal, "Sorting stopped unexpectedly."))?
        };
        if let Some(run) = self.lock().get_mut(&run_id)
            && run.view.as_ref().is_some_and(|v| Arc::ptr_eq(v, &cancel))
        {
            run.view = None;
        }
        let order = order?;
        if cancel.is_cancelled() {
            return Err(super::external_sort::stopped());
        }
        let mut writable = set.write().unwrap_or_else(|p| p.into_inner());
        writable.set_order(order);
        Ok(writable.summary())
    }

    /// Stops the sort or filter being computed for `run_id` (the rows keep their last view).
    pub fn cancel_view(&self, run_id: u32) -> Result<(), ErrorInfo> {
        let runs = self.lock();
        let run = runs.get(&run_id).ok_or_else(gone)?;
        if let Some(view) = &run.view {
            view.cancel();
        }
        Ok(())
    }

    /// View rows `from..to` as tab-separated text, for the clipboard.
    pub fn copy_rows(
        &self,
        run_id: u32,
        from: u32,
        to: u32,
        safety: FormulaSafety,
    ) -> Result<String, ErrorInfo> {
        read(&self.result(run_id)?).tsv(from, to, safety)
    }

    /// Writes the result's current view to `path`; [`Runs::cancel_export`] stops it.
    pub async fn export(
        &self,
        run_id: u32,
        (format, safety, report): (ExportFormat, FormulaSafety, Option<AnswerReport>),
        path: PathBuf,
        progress: impl Fn(ExportProgress) + Send + 'static,
    ) -> Result<ExportDone, ErrorInfo> {
        let set = self.result(run_id)?;
        let cancel = Cancel::new();
        {
            let mut runs = self.lock();
            let run = runs.get_mut(&run_id).ok_or_else(gone)?;
            if run.export.as_ref().is_some_and(|c| !c.is_cancelled()) {
                return Err(ErrorInfo::new(
                    ErrorCode::InvalidInput,
                    "This result is already being exported. Wait for it, or cancel it.",
                ));
            }
            run.export = Some(cancel.clone());
        }
        let job_cancel = cancel.clone();
        let done = tokio::task::spawn_blocking(move || {
            let request = export::ExportRequest {
                format,
                safety,
                report: report.as_ref(),
            };
            export::export(&read(&set), request, &path, &job_cancel, progress)
        })
        .await
        .map_err(|_| ErrorInfo::new(ErrorCode::Internal, "The export stopped unexpectedly."))?;
        if let Some(run) = self.lock().get_mut(&run_id) {
            run.export = None;
        }
        done
    }

    pub fn cancel_export(&self, run_id: u32) -> Result<(), ErrorInfo> {
        let runs = self.lock();
        let run = runs.get(&run_id).ok_or_else(gone)?;
        if let Some(cancel) = &run.export {
            cancel.cancel();
        }
        Ok(())
    }

    /// The rows of a run.
    pub fn result(&self, run_id: u32) -> Result<SharedResult, ErrorInfo> {
        self.lock()
            .get(&run_id)
            .and_then(|r| r.result.clone())
            .ok_or_else(gone)
    }

    /// Forgets a run (its tab closed), cancelling it (and its export) if it still runs.
    pub fn close(&self, run_id: u32) {
        if let Some(run) = self.lock().remove(&run_id) {
            run.cancel.cancel();
            if let Some(export) = run.export {
                export.cancel();
            }
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
            let path = format!("/api/2.0/sql/statements/{}/cancel", segment(id));
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
