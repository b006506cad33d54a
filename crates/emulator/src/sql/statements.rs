//! The statement table and lifecycle.
//!
//! `PENDING` (waiting for the warehouse, which a statement starts if it is stopped) →
//! `RUNNING` → `SUCCEEDED` | `FAILED` | `CANCELED`; a `SUCCEEDED` result is `CLOSED` once it
//! is older than the result lifetime. Results are cut into chunks of `chunk_rows` rows;
//! INLINE chunks are JSON rows (the whole result at most 25 MiB, or the statement fails),
//! EXTERNAL_LINKS chunks are rendered bytes served from the file route.

use super::engine::{Batches, Engine, Parameter};
use super::render;
use super::spill::ChunkFile;
use crate::store::Subject;
use crate::warehouses::{WarehouseState, Warehouses};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use futures_util::StreamExt as _;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The INLINE disposition's result size limit.
pub const INLINE_LIMIT_BYTES: usize = 25 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Inline,
    ExternalLinks,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JsonArray,
    ArrowStream,
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::JsonArray => "JSON_ARRAY",
            Self::ArrowStream => "ARROW_STREAM",
            Self::Csv => "CSV",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Pending,
    Running,
    Succeeded,
    Failed,
    Canceled,
    Closed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Running => "RUNNING",
            Self::Succeeded => "SUCCEEDED",
            Self::Failed => "FAILED",
            Self::Canceled => "CANCELED",
            Self::Closed => "CLOSED",
        }
    }

    pub fn is_terminal(self) -> bool {
        !matches!(self, Self::Pending | Self::Running)
    }
}

/// What a statement was asked to do (validated by the route).
#[derive(Debug, Clone)]
pub struct Request {
    pub sql: String,
    pub warehouse_id: String,
    pub catalog: Option<String>,
    pub schema: Option<String>,
    pub parameters: Vec<Parameter>,
    pub disposition: Disposition,
    pub format: Format,
    pub row_limit: Option<u64>,
    pub byte_limit: Option<u64>,
    /// The external ARROW_STREAM chunks are LZ4 frames (`result_compression: LZ4_FRAME`,
    /// asked for and honoured).
    pub lz4: bool,
}

#[derive(Debug)]
pub enum ChunkData {
    Inline(Vec<Vec<Value>>),
    External(axum::body::Bytes),
    /// Rendered like `External`, kept in the result's chunk file at `(offset, len)`.
    Spilled {
        offset: u64,
        len: u64,
    },
}

#[derive(Debug)]
pub struct Chunk {
    pub row_offset: u64,
    pub row_count: u64,
    pub data: ChunkData,
    /// The Arrow stream's size before LZ4, for a compressed chunk: the manifest's
    /// `chunks[].byte_count` is the uncompressed size, the link's the bytes served.
    pub uncompressed: Option<u64>,
}

#[derive(Debug)]
pub struct ResultSet {
    pub schema: SchemaRef,
    pub chunks: Vec<Chunk>,
    pub total_rows: u64,
    pub truncated: bool,
    /// Where chunks past the in-memory budget are.
    pub spill: Option<ChunkFile>,
}

impl ResultSet {
    /// The size of external chunk `index` before compression, as the manifest reports it.
    pub fn uncompressed_byte_count(&self, index: usize) -> Option<u64> {
        self.chunks
            .get(index)?
            .uncompressed
            .or_else(|| self.byte_count(index))
    }

    /// The rendered size of external chunk `index` (`None` for INLINE rows).
    pub fn byte_count(&self, index: usize) -> Option<u64> {
        match &self.chunks.get(index)?.data {
            ChunkData::External(bytes) => Some(bytes.len() as u64),
            ChunkData::Spilled { len, .. } => Some(*len),
            ChunkData::Inline(_) => None,
        }
    }

    /// The rendered bytes of external chunk `index`, from memory or the chunk file.
    pub fn bytes(&self, index: usize) -> Option<std::io::Result<axum::body::Bytes>> {
        match &self.chunks.get(index)?.data {
            ChunkData::External(bytes) => Some(Ok(bytes.clone())),
            ChunkData::Spilled { offset, len } => {
                let file = self.spill.as_ref()?;
                Some(file.read(*offset, *len))
            }
            ChunkData::Inline(_) => None,
        }
    }

    /// Bytes kept on disk.
    pub fn spilled_bytes(&self) -> u64 {
        self.spill.as_ref().map_or(0, ChunkFile::len)
    }
}

/// A failed statement's `status.error` and `sql_state`.
#[derive(Debug, Clone)]
pub struct Failure {
    pub error_code: &'static str,
    pub message: String,
    pub sql_state: Option<&'static str>,
}

/// A statement as clients see it; responses are built from a copy taken under the lock.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub id: String,
    pub owner: Subject,
    pub request: Request,
    pub state: State,
    pub failure: Option<Failure>,
    pub result: Option<Arc<ResultSet>>,
}

/// A statement in the table: what clients see, and the bookkeeping they never see.
#[derive(Debug)]
struct Statement {
    view: Snapshot,
    finished_at: Option<Instant>,
    task: Option<tokio::task::AbortHandle>,
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub chunk_rows: u64,
    pub result_ttl: Duration,
    pub min_run: Duration,
    /// Rendered external chunks of one result kept in memory; the rest go to its chunk file.
    pub memory_bytes: u64,
}

#[derive(Debug)]
pub struct Statements {
    table: Mutex<HashMap<String, Statement>>,
    limits: Limits,
}

impl Statements {
    pub fn new(limits: Limits) -> Self {
        Self {
            table: Mutex::new(HashMap::new()),
            limits,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Statement>> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn insert(&self, id: String, owner: Subject, request: Request) {
        let view = Snapshot {
            id: id.clone(),
            owner,
            request,
            state: State::Pending,
            failure: None,
            result: None,
        };
        let statement = Statement {
            view,
            finished_at: None,
            task: None,
        };
        self.lock().insert(id, statement);
    }

    /// Every statement's id, text and state, for tests that check what a client shows.
    pub fn list(&self) -> Vec<(String, String, &'static str)> {
        self.lock()
            .values()
            .map(|s| {
                let v = &s.view;
                (v.id.clone(), v.request.sql.clone(), v.state.as_str())
            })
            .collect()
    }

    pub fn set_task(&self, id: &str, task: tokio::task::AbortHandle) {
        if let Some(statement) = self.lock().get_mut(id) {
            statement.task = Some(task);
        }
    }

    /// The statement now; a `SUCCEEDED` result past its lifetime becomes `CLOSED`.
    pub fn snapshot(&self, id: &str) -> Option<Snapshot> {
        let mut table = self.lock();
        let statement = table.get_mut(id)?;
        if statement.view.state == State::Succeeded
            && statement
                .finished_at
                .is_some_and(|at| at.elapsed() >= self.limits.result_ttl)
        {
            statement.view.state = State::Closed;
            statement.view.result = None;
        }
        Some(statement.view.clone())
    }

    /// Moves a non-terminal statement to `state`; returns whether it did.
    fn transition(
        &self,
        id: &str,
        state: State,
        failure: Option<Failure>,
        result: Option<Arc<ResultSet>>,
    ) -> bool {
        let mut table = self.lock();
        let Some(statement) = table.get_mut(id) else {
            return false;
        };
        if statement.view.state.is_terminal() {
            return false;
        }
        statement.view.state = state;
        statement.view.failure = failure;
        statement.view.result = result;
        if state.is_terminal() {
            statement.finished_at = Some(Instant::now());
        }
        true
    }

    /// Cancels a running statement (a receipt only: it may already have finished).
    pub fn cancel(&self, id: &str) {
        let task = self.lock().get_mut(id).and_then(|s| {
            if s.view.state.is_terminal() {
                None
            } else {
                s.task.take()
            }
        });
        if self.transition(id, State::Canceled, None, None)
            && let Some(task) = task
        {
            task.abort();
        }
    }

    /// Runs a statement: waits for (and starts) its warehouse, executes, stores the result.
    pub async fn execute(
        self: Arc<Self>,
        id: String,
        engine: Arc<Engine>,
        warehouses: Arc<Warehouses>,
    ) {
        let Some(snapshot) = self.snapshot(&id) else {
            return;
        };
        let request = snapshot.request;
        if let Err(failure) = wait_for_warehouse(&warehouses, &request.warehouse_id).await {
            self.transition(&id, State::Failed, Some(failure), None);
            return;
        }
        if !self.transition(&id, State::Running, None, None) {
            return;
        }
        let started = Instant::now();
        let outcome = engine
            .run_stream(
                &request.sql,
                &request.parameters,
                request.catalog.as_deref(),
                request.schema.as_deref(),
            )
            .await;
        let outcome = match outcome {
            Ok((schema, batches)) => {
                Ok(build_result(schema, batches, &request, &self.limits).await)
            }
            Err(error) => Err(error),
        };
        if let Some(rest) = self.limits.min_run.checked_sub(started.elapsed()) {
            tokio::time::sleep(rest).await;
        }
        match outcome {
            Ok(Ok(result)) => self.transition(&id, State::Succeeded, None, Some(Arc::new(result))),
            Ok(Err(failure)) => self.transition(&id, State::Failed, Some(failure), None),
            Err(error) => self.transition(
                &id,
                State::Failed,
                Some(Failure {
                    error_code: "BAD_REQUEST",
                    message: error.message,
                    sql_state: Some(error.sql_state),
                }),
                None,
            ),
        };
    }
}

/// Waits until the warehouse runs; a stopped one is started, as the real service does. A
/// start that fails (the warehouse goes back to STOPPED with a FAILED health) fails the
/// statement.
async fn wait_for_warehouse(warehouses: &Warehouses, id: &str) -> Result<(), Failure> {
    let mut starting_seen = false;
    loop {
        match warehouses.state(id) {
            Some((WarehouseState::Running, _)) => return Ok(()),
            Some((WarehouseState::Stopped, true)) if starting_seen => {
                return Err(Failure {
                    error_code: "INTERNAL_ERROR",
                    message: format!(
                        "The SQL warehouse {id} failed to start. Check its health, or try another warehouse."
                    ),
                    sql_state: None,
                });
            }
            Some((WarehouseState::Stopped, _)) => {
                warehouses.start(id, false);
                starting_seen = true;
            }
            Some((WarehouseState::Starting, _)) => starting_seen = true,
            Some(_) => {}
            None => {
                return Err(Failure {
                    error_code: "NOT_FOUND",
                    message: format!("Warehouse {id} does not exist."),
                    sql_state: None,
                });
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Reads the rows as the statement produces them, applies `row_limit`/`byte_limit`, and cuts
/// and renders each chunk as soon as its rows are in, so only one chunk's rows are held at a
/// time (plus the rendered chunks within the memory budget; the rest go to the chunk file).
async fn build_result(
    schema: SchemaRef,
    mut batches: Batches,
    request: &Request,
    limits: &Limits,
) -> Result<ResultSet, Failure> {
    let row_limit = request.row_limit.unwrap_or(u64::MAX);
    let chunk_rows = limits.chunk_rows.max(1);
    let mut chunks = Chunker {
        schema,
        request,
        memory_bytes: limits.memory_bytes,
        chunks: Vec::new(),
        inline_bytes: 0,
        in_memory: 0,
        spill: None,
        offset: 0,
    };
    let (mut pending, mut pending_rows) = (Vec::new(), 0u64);
    let (mut kept, mut seen_bytes, mut truncated) = (0u64, 0u64, false);
    while let Some(batch) = batches.next().await {
        let batch = batch.map_err(|error| Failure {
            error_code: "BAD_REQUEST",
            message: error.message,
            sql_state: Some(error.sql_state),
        })?;
        let rows = batch.num_rows() as u64;
        if rows == 0 {
            continue;
        }
        if kept >= row_limit {
            truncated = true;
            break;
        }
        let mut take = rows.min(row_limit - kept);
        if let Some(limit) = request.byte_limit {
            // As the service estimates it: the bytes a row takes in this batch.
            let per_row = (batch.get_array_memory_size() as u64 / rows).max(1);
            take = take.min(limit.saturating_sub(seen_bytes) / per_row);
            seen_bytes += per_row * take;
        }
        if take < rows {
            truncated = true;
        }
        if take > 0 {
            pending.push(batch.slice(0, take as usize));
            pending_rows += take;
            kept += take;
        }
        while pending_rows >= chunk_rows {
            let rows = take_front(&mut pending, chunk_rows);
            chunks.push(&rows, chunk_rows)?;
            pending_rows -= chunk_rows;
        }
        if truncated {
            break;
        }
    }
    if pending_rows > 0 {
        chunks.push(&pending, pending_rows)?;
    }
    Ok(ResultSet {
        schema: chunks.schema,
        chunks: chunks.chunks,
        total_rows: kept,
        truncated,
        spill: chunks.spill,
    })
}

/// The chunks of a result being cut.
struct Chunker<'a> {
    schema: SchemaRef,
    request: &'a Request,
    memory_bytes: u64,
    chunks: Vec<Chunk>,
    inline_bytes: usize,
    in_memory: u64,
    spill: Option<ChunkFile>,
    offset: u64,
}

impl Chunker<'_> {
    /// Renders `rows` (`count` of them) as the next chunk, for the disposition and format.
    fn push(&mut self, rows: &[RecordBatch], count: u64) -> Result<(), Failure> {
        let schema = &self.schema;
        let mut uncompressed = None;
        let data = match (self.request.disposition, self.request.format) {
            (Disposition::Inline, _) => {
                let json = render::json_rows(rows);
                self.inline_bytes += render::json_size(&json);
                if self.inline_bytes > INLINE_LIMIT_BYTES {
                    return Err(Failure {
                        error_code: "BAD_REQUEST",
                        message: "The result is larger than the 25 MiB INLINE limit. Use disposition EXTERNAL_LINKS for large results.".into(),
                        sql_state: Some("54000"),
                    });
                }
                ChunkData::Inline(json)
            }
            (Disposition::ExternalLinks, Format::JsonArray) => {
                ChunkData::External(render::json_chunk(rows).into())
            }
            (Disposition::ExternalLinks, Format::Csv) => {
                ChunkData::External(render::csv_chunk(schema, rows, self.offset == 0).into())
            }
            (Disposition::ExternalLinks, Format::ArrowStream) if self.request.lz4 => {
                let (frames, plain) = render::arrow_chunk_lz4(schema, rows);
                uncompressed = Some(plain);
                ChunkData::External(frames.into())
            }
            (Disposition::ExternalLinks, Format::ArrowStream) => {
                ChunkData::External(render::arrow_chunk(schema, rows).into())
            }
        };
        let data = match data {
            ChunkData::External(bytes)
                if self.in_memory + bytes.len() as u64 > self.memory_bytes =>
            {
                spill_chunk(&mut self.spill, &bytes)?
            }
            ChunkData::External(bytes) => {
                self.in_memory += bytes.len() as u64;
                ChunkData::External(bytes)
            }
            other => other,
        };
        self.chunks.push(Chunk {
            row_offset: self.offset,
            row_count: count,
            data,
            uncompressed,
        });
        self.offset += count;
        Ok(())
    }
}

/// Splits the first `count` rows off `pending` (zero-copy slices).
fn take_front(pending: &mut Vec<RecordBatch>, count: u64) -> Vec<RecordBatch> {
    let mut out = Vec::new();
    let mut want = count as usize;
    while want > 0 && !pending.is_empty() {
        let rows = pending[0].num_rows();
        if rows <= want {
            out.push(pending.remove(0));
            want -= rows;
        } else {
            out.push(pending[0].slice(0, want));
            pending[0] = pending[0].slice(want, rows - want);
            want = 0;
        }
    }
    out
}

/// Writes a rendered chunk to the result's chunk file (made on first use).
fn spill_chunk(spill: &mut Option<ChunkFile>, bytes: &[u8]) -> Result<ChunkData, Failure> {
    let failed = |e: std::io::Error| Failure {
        error_code: "INTERNAL_ERROR",
        message: format!("The emulator could not keep a result chunk on disk: {e}."),
        sql_state: None,
    };
    if spill.is_none() {
        *spill = Some(ChunkFile::create().map_err(failed)?);
    }
    let file = spill
        .as_mut()
        .ok_or_else(|| failed(std::io::Error::other("no file")))?;
    let (offset, len) = file.append(bytes).map_err(failed)?;
    Ok(ChunkData::Spilled { offset, len })
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Int64Array;
    use datafusion::arrow::datatypes::{DataType, Field, Schema};

    #[test]
    fn the_front_rows_are_split_off_across_batches() {
        let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)]));
        let batch = |from: i64| {
            RecordBatch::try_new(
                schema.clone(),
                vec![Arc::new(Int64Array::from_iter_values(from..from + 10))],
            )
            .expect("batch")
        };
        let ids = |rows: &[RecordBatch]| -> Vec<i64> {
            rows.iter()
                .flat_map(|b| {
                    b.column(0)
                        .as_any()
                        .downcast_ref::<Int64Array>()
                        .expect("i64")
                        .values()
                        .to_vec()
                })
                .collect()
        };
        let mut pending = vec![batch(0), batch(10), batch(20)];
        assert_eq!(
            ids(&take_front(&mut pending, 8)),
            (0..8).collect::<Vec<_>>()
        );
        assert_eq!(
            ids(&take_front(&mut pending, 15)),
            (8..23).collect::<Vec<_>>()
        );
        assert_eq!(
            ids(&pending),
            (23..30).collect::<Vec<_>>(),
            "the rest stays"
        );
        assert!(take_front(&mut pending, 100).len() == 1 && pending.is_empty());
    }
}
