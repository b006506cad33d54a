//! Downloading a succeeded statement's chunks into a [`ResultSet`], in row order, a few at a
//! time in parallel.
//!
//! ARROW_STREAM chunks come from pre-signed cloud-storage links: they get the link's own
//! headers and never a Databricks credential, and neither the URL nor the headers are logged.
//! A link that has expired (or that storage refuses) is asked for again through the chunk
//! endpoint; a connection that drops mid-download is retried. Each chunk must bring the rows
//! the manifest promised, so nothing is lost or counted twice. JSON_ARRAY chunks (linked or
//! INLINE, where they come from the API itself) are strings, typed by the column types.
//! Chunks the manifest marks `LZ4_FRAME` are decompressed first ([`super::lz4`]); a chunk
//! attached to an answer (`result.attachment`) is read from it, not downloaded again.

use super::execute::{Cancel, Disposition, Succeeded};
use super::result_set::SharedResult;
use super::wire::{ChunkInfo, Column, ExternalLink, ResultData};
use crate::api::Api;
use crate::api_path::segment;
use crate::net::transport_error;
use crate::{ErrorCode, ErrorInfo};
use arrow_array::RecordBatch;
use futures_util::StreamExt as _;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// Chunks downloaded at once.
pub const PARALLEL_CHUNKS: usize = 4;
/// Chunks downloaded ahead of the one rows are added from, besides those downloading: the most
/// held outside the result's memory limit is `PARALLEL_CHUNKS + READ_AHEAD` chunks.
const READ_AHEAD: usize = 2;
/// Tries per chunk (a fresh link or a retried connection each time).
const ATTEMPTS: u32 = 4;

/// How far the download is.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FetchProgress {
    pub loaded_rows: u32,
    pub total_rows: u32,
    pub chunks_done: u32,
    pub chunk_count: u32,
}

/// One chunk's rows, and the memory they hold together.
struct Chunk {
    batches: Vec<RecordBatch>,
    held_bytes: usize,
    /// The Arrow IPC stream the batches were decoded from, which a spill writes as it is.
    ipc: Option<bytes::Bytes>,
}

impl Chunk {
    /// Batches built from parsed values, each owning its buffers.
    fn owned(batches: Vec<RecordBatch>) -> Self {
        let held_bytes = batches.iter().map(RecordBatch::get_array_memory_size).sum();
        Self {
            batches,
            held_bytes,
            ipc: None,
        }
    }
}

fn server_error(message: String) -> ErrorInfo {
    ErrorInfo::new(ErrorCode::Server, message)
}

/// Why a download failed, and whether cloud storage was unreachable (every try for a chunk
/// failed to connect, dropped, or was refused), which INLINE results can work around.
#[derive(Debug)]
pub struct FetchFailure {
    pub error: ErrorInfo,
    pub storage_unreachable: bool,
}

impl From<ErrorInfo> for FetchFailure {
    fn from(error: ErrorInfo) -> Self {
        Self {
            error,
            storage_unreachable: false,
        }
    }
}

/// Downloads every chunk of `done` into `into`, then marks it complete.
pub async fn fetch(
    api: &Api,
    done: Succeeded,
    into: &SharedResult,
    cancel: &Cancel,
    progress: impl Fn(FetchProgress),
) -> Result<(), ErrorInfo> {
    fetch_classified(api, done, into, cancel, progress)
        .await
        .map_err(|f| f.error)
}

/// [`fetch`], saying whether a failure was cloud storage being unreachable.
pub async fn fetch_classified(
    api: &Api,
    done: Succeeded,
    into: &SharedResult,
    cancel: &Cancel,
    progress: impl Fn(FetchProgress),
) -> Result<(), FetchFailure> {
    let manifest = &done.manifest;
    let mut chunks = manifest.chunks.clone();
    if chunks.is_empty() {
        chunks = (0..manifest.total_chunk_count)
            .map(|chunk_index| ChunkInfo {
                chunk_index,
                row_offset: 0,
                row_count: 0,
                byte_count: None,
            })
            .collect();
    }
    chunks.sort_by_key(|c| c.chunk_index);
    let chunk_count = chunks.len();
    let total_rows = manifest.total_row_count;
    let columns = Arc::new(manifest.schema.columns.clone());
    let disposition = done.disposition;
    let lz4 = manifest.is_lz4();
    let mut first = done.first;
    // The first response may already carry links for several chunks (the API returns a list
    // "to return multiple links in a single response", databricks-sdk-py `ResultData`): each
    // goes to the chunk it names, whatever order they come in.
    let mut given_links = first
        .as_mut()
        .and_then(|data| data.external_links.take())
        .map(links_by_chunk)
        .unwrap_or_default();
    // Chunks still downloading when this returns early (an error, Cancel) are stopped.
    let spawned = AbortOnDrop::default();
    // PARALLEL_CHUNKS download at a time, from a window of READ_AHEAD more: rows are added in
    // order, and a slow chunk at the head must not leave the connections idle behind it.
    let permits = Arc::new(tokio::sync::Semaphore::new(PARALLEL_CHUNKS));
    // Each chunk is its own task, so downloads and decoding use every core; they are awaited
    // in order, so rows land in order.
    let downloads = futures_util::stream::iter(chunks.into_iter().map(|chunk| {
        let given = if chunk.chunk_index == 0 {
            first.take()
        } else {
            None
        };
        let link = given_links.remove(&chunk.chunk_index);
        let (api, id, columns) = (api.clone(), done.statement_id.clone(), columns.clone());
        let permits = permits.clone();
        let task = tokio::spawn(async move {
            // Never closed, so the permit always comes.
            let _permit = permits.acquire_owned().await.ok();
            let announced = chunk.byte_count;
            let unpack = move |bytes: bytes::Bytes| unpack(bytes, lz4, announced);
            match disposition {
                Disposition::ExternalArrow => {
                    let decode_arrow = |bytes: bytes::Bytes| decode(unpack(bytes)?);
                    match given
                        .as_ref()
                        .map(ResultData::attached)
                        .transpose()?
                        .flatten()
                    {
                        Some(attached) => Ok(decode_arrow(attached)?),
                        None => linked_chunk(&api, &id, &chunk, link, decode_arrow).await,
                    }
                }
                Disposition::ExternalJson => {
                    let decode_json = |bytes: bytes::Bytes| {
                        let bytes = unpack(bytes)?;
                        let rows: Vec<Vec<Option<String>>> = serde_json::from_slice(&bytes)
                            .map_err(|e| {
                                server_error(format!("A result chunk is not valid JSON ({e})."))
                            })?;
                        Ok(Chunk::owned(vec![super::inline::batch(&columns, &rows)?]))
                    };
                    linked_chunk(&api, &id, &chunk, link, decode_json).await
                }
                Disposition::ExternalCsv => {
                    let decode_csv = |bytes: bytes::Bytes| {
                        let bytes = unpack(bytes)?;
                        let rows = csv_rows(&bytes, &columns)?;
                        Ok(Chunk::owned(vec![super::inline::batch(&columns, &rows)?]))
                    };
                    linked_chunk(&api, &id, &chunk, link, decode_csv).await
                }
                Disposition::InlineJson => inline_chunk(&api, &id, &chunk, given, &columns)
                    .await
                    .map_err(FetchFailure::from),
            }
        });
        spawned.add(task.abort_handle());
        async move {
            task.await.unwrap_or_else(|_| {
                Err(FetchFailure::from(ErrorInfo::new(
                    ErrorCode::Internal,
                    "Downloading a result chunk stopped unexpectedly.",
                )))
            })
        }
    }))
    .buffered(PARALLEL_CHUNKS + READ_AHEAD);
    futures_util::pin_mut!(downloads);
    let mut chunks_done = 0u32;
    while let Some(batches) = downloads.next().await {
        if cancel.is_cancelled() {
            return Err(ErrorInfo::new(
                ErrorCode::Cancelled,
                "You stopped downloading the result.",
            )
            .into());
        }
        let chunk = batches?;
        chunks_done += 1;
        let loaded = {
            let mut set = into.write().unwrap_or_else(|p| p.into_inner());
            // Rows that cannot be kept (the disk is full, or past the result's disk limit) end
            // the download, not the result: what arrived stays, marked as cut short and why.
            let pushed = match &chunk.ipc {
                Some(ipc) => set.push_arrow_chunk(chunk.batches, chunk.held_bytes, ipc),
                None => set.push_chunk(chunk.batches, chunk.held_bytes),
            };
            if let Err(error) = pushed {
                tracing::warn!(code = ?error.code, rows = set.loaded_rows(), "result stopped short");
                set.stop_short(error.message);
                return Ok(());
            }
            set.loaded_rows()
        };
        progress(FetchProgress {
            loaded_rows: u32::try_from(loaded).unwrap_or(u32::MAX),
            total_rows: u32::try_from(total_rows).unwrap_or(u32::MAX),
            chunks_done,
            chunk_count: u32::try_from(chunk_count).unwrap_or(u32::MAX),
        });
    }
    into.write().unwrap_or_else(|p| p.into_inner()).finish();
    Ok(())
}

/// Aborts every task it was given when dropped (finished tasks are unaffected).
#[derive(Default)]
struct AbortOnDrop(std::sync::Mutex<Vec<tokio::task::AbortHandle>>);

impl AbortOnDrop {
    fn add(&self, handle: tokio::task::AbortHandle) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(handle);
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        let handles = self.0.get_mut().unwrap_or_else(|p| p.into_inner());
        handles.iter().for_each(tokio::task::AbortHandle::abort);
    }
}

/// Links keyed by the chunk each one names (databricks-sql-python's `LinkFetcher` keys them
/// the same way). A link without `chunk_index` reads as chunk 0, as there.
fn links_by_chunk(links: Vec<ExternalLink>) -> std::collections::HashMap<u64, ExternalLink> {
    links.into_iter().map(|l| (l.chunk_index, l)).collect()
}

/// The link for chunk `index` among those a response carries.
fn link_for(links: Option<Vec<ExternalLink>>, index: u64) -> Option<ExternalLink> {
    links
        .into_iter()
        .flatten()
        .find(|link| link.chunk_index == index)
}

/// The chunk's `ResultData` from the API (a fresh link for EXTERNAL_LINKS).
async fn chunk_data(api: &Api, id: &str, index: u64) -> Result<ResultData, ErrorInfo> {
    api.get(&format!(
        "/api/2.0/sql/statements/{}/result/chunks/{index}",
        segment(id)
    ))
    .await
}

enum Download {
    /// The link is not https (and the workspace is not on this computer): never fetched.
    Insecure,
    /// Storage refused the link (expired or revoked): ask for a new one.
    Refused,
    /// The connection failed or dropped mid-body: try again.
    Dropped(ErrorInfo),
    /// Longer than announced (or than any chunk may be): not read, not retried.
    TooLarge(ErrorInfo),
}

/// Whether a result link may be fetched: https, or plain http only for a workspace on this
/// computer (the emulator serves its links over loopback). Presigned URLs carry credentials.
pub fn link_allowed(link: &str, workspace_on_loopback: bool) -> bool {
    match url::Url::parse(link) {
        Ok(url) if url.scheme() == "https" => true,
        Ok(url) if url.scheme() == "http" => workspace_on_loopback,
        _ => false,
    }
}

async fn download(
    http: &reqwest::Client,
    link: &ExternalLink,
    announced: Option<u64>,
    workspace_on_loopback: bool,
) -> Result<bytes::Bytes, Download> {
    if !link_allowed(link.external_link.expose(), workspace_on_loopback) {
        return Err(Download::Insecure);
    }
    // No Authorization header: the URL carries its own short-lived credential.
    let mut request = http.get(link.external_link.expose().as_str());
    for (name, value) in &link.http_headers {
        request = request.header(name.as_str(), value.expose().as_str());
    }
    let response = request
        .send()
        .await
        .map_err(|e| Download::Dropped(transport_error(&e, "cloud storage")))?;
    let status = response.status();
    if matches!(status.as_u16(), 400 | 401 | 403 | 404 | 410) {
        return Err(Download::Refused);
    }
    if !status.is_success() {
        return Err(Download::Dropped(server_error(format!(
            "Cloud storage answered {status} for a result chunk."
        ))));
    }
    let limit = crate::http_body::chunk_limit(link.byte_count.or(announced));
    crate::http_body::read(response, limit)
        .await
        .map_err(|e| match e {
            crate::http_body::BodyError::Transport(e) => {
                Download::Dropped(transport_error(&e, "cloud storage"))
            }
            crate::http_body::BodyError::TooLarge { limit } => {
                Download::TooLarge(crate::http_body::too_large("Cloud storage", limit))
            }
        })
}

/// A chunk as it was before compression: LZ4 frames are decompressed when the manifest says
/// so, or when the body starts with the frame magic anyway (Arrow IPC streams start with
/// `FF FF FF FF`, so the two cannot be confused).
fn unpack(
    bytes: bytes::Bytes,
    lz4: bool,
    announced: Option<u64>,
) -> Result<bytes::Bytes, ErrorInfo> {
    if lz4 || super::lz4::is_lz4(&bytes) {
        let limit = super::lz4::expanded_limit(announced, bytes.len());
        Ok(super::lz4::decompress(&bytes, limit)?.into())
    } else {
        Ok(bytes)
    }
}

/// Arrow IPC stream bytes into batches, zero-copy: the arrays point into the downloaded
/// buffer (unaligned buffers are copied by the decoder where Arrow requires alignment), so
/// the chunk holds the download's size.
fn decode(bytes: bytes::Bytes) -> Result<Chunk, ErrorInfo> {
    let held_bytes = bytes.len();
    let ipc = bytes.clone();
    let invalid = |e: arrow_schema::ArrowError| {
        server_error(format!("A result chunk is not valid Arrow data ({e})."))
    };
    let mut buffer = arrow_buffer::Buffer::from(bytes);
    let mut decoder = arrow_ipc::reader::StreamDecoder::new();
    let mut batches = Vec::new();
    while !buffer.is_empty() {
        match decoder.decode(&mut buffer).map_err(invalid)? {
            Some(batch) => batches.push(batch),
            None if buffer.is_empty() => break,
            None => {}
        }
    }
    decoder.finish().map_err(invalid)?;
    Ok(Chunk {
        batches,
        held_bytes,
        ipc: Some(ipc),
    })
}

/// A CSV chunk's rows as text, typed later by the column types like JSON_ARRAY cells.
///
/// A first record that repeats the column names is a header and skipped. `null`, and an empty
/// field in a column that is not a string, is NULL: which of the two Databricks writes is
/// unconfirmed, so both are read.
fn csv_rows(bytes: &[u8], columns: &[Column]) -> Result<Vec<Vec<Option<String>>>, ErrorInfo> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(bytes);
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record =
            record.map_err(|e| server_error(format!("A result chunk is not valid CSV ({e}).")))?;
        if index == 0
            && record.len() == columns.len()
            && record.iter().zip(columns).all(|(cell, c)| cell == c.name)
        {
            continue;
        }
        let row = record
            .iter()
            .zip(columns)
            .map(|(cell, column)| {
                let is_text = matches!(column.type_name.as_str(), "STRING" | "CHAR" | "VARCHAR");
                if cell == "null" || (cell.is_empty() && !is_text) {
                    None
                } else {
                    Some(cell.to_owned())
                }
            })
            .collect();
        rows.push(row);
    }
    Ok(rows)
}

fn rows(batches: &[RecordBatch]) -> u64 {
    batches.iter().map(|b| b.num_rows() as u64).sum()
}

/// One chunk from its external link, decoded by `decode` (Arrow IPC or JSON).
async fn linked_chunk(
    api: &Api,
    id: &str,
    chunk: &ChunkInfo,
    given: Option<ExternalLink>,
    decode: impl Fn(bytes::Bytes) -> Result<Chunk, ErrorInfo>,
) -> Result<Chunk, FetchFailure> {
    let mut link = given;
    let mut last_error = None;
    // The last try reached storage but brought the wrong rows (not a network problem).
    let mut data_wrong = false;
    for attempt in 0..ATTEMPTS {
        let current = match link.take() {
            Some(l) if !l.is_expired() => l,
            _ => {
                let data = chunk_data(api, id, chunk.chunk_index).await?;
                if let Some(attached) = data.attached()? {
                    return Ok(decode(attached)?);
                }
                link_for(data.external_links, chunk.chunk_index).ok_or_else(|| {
                    server_error(format!(
                        "The workspace sent no download link for result chunk {}.",
                        chunk.chunk_index
                    ))
                })?
            }
        };
        match download(
            api.http(),
            &current,
            chunk.byte_count,
            api.host().is_loopback(),
        )
        .await
        {
            Ok(bytes) => {
                let decoded = decode(bytes)?;
                let expected = if chunk.row_count > 0 {
                    chunk.row_count
                } else {
                    current.row_count
                };
                if expected == 0 || rows(&decoded.batches) == expected {
                    return Ok(decoded);
                }
                data_wrong = true;
                last_error = Some(server_error(format!(
                    "Result chunk {} had {} rows instead of {expected}.",
                    chunk.chunk_index,
                    rows(&decoded.batches)
                )));
                link = Some(current);
            }
            Err(Download::Insecure) => {
                return Err(FetchFailure::from(server_error(format!(
                    "The workspace sent a download link for result chunk {} that is not \
                     https. Brickdesk only downloads results over encrypted connections.",
                    chunk.chunk_index
                ))));
            }
            Err(Download::TooLarge(error)) => return Err(FetchFailure::from(error)),
            Err(Download::Refused) => {
                tracing::debug!(
                    chunk = chunk.chunk_index,
                    "link refused; asking for a new one"
                );
            }
            Err(Download::Dropped(error)) => {
                tracing::debug!(
                    chunk = chunk.chunk_index,
                    attempt,
                    "download failed; retrying"
                );
                data_wrong = false;
                last_error = Some(error);
                link = Some(current);
                tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt + 1))).await;
            }
        }
    }
    Err(FetchFailure {
        error: last_error.unwrap_or_else(|| {
            server_error(format!(
                "Cloud storage kept refusing result chunk {}. If your network blocks your cloud \
                 provider's storage, ask IT to allow it (see the admin guide).",
                chunk.chunk_index
            ))
        }),
        storage_unreachable: !data_wrong,
    })
}

async fn inline_chunk(
    api: &Api,
    id: &str,
    chunk: &ChunkInfo,
    given: Option<ResultData>,
    columns: &[Column],
) -> Result<Chunk, ErrorInfo> {
    let data = match given {
        Some(data) if data.data_array.is_some() => data,
        _ => chunk_data(api, id, chunk.chunk_index).await?,
    };
    let rows = data.data_array.unwrap_or_default();
    Ok(Chunk::owned(vec![super::inline::batch(columns, &rows)?]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::result_set::ResultSet;
    use arrow_array::{Int64Array, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    /// One Arrow IPC stream of `batches` batches of 8,192 rows, as a workspace sends a chunk.
    fn chunk_bytes(batches: usize) -> bytes::Bytes {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("label", DataType::Utf8, true),
        ]));
        let mut out = Vec::new();
        let mut writer =
            arrow_ipc::writer::StreamWriter::try_new(&mut out, &schema).expect("writer");
        for b in 0..batches {
            let ids: Vec<i64> = (0..8192).map(|i| (b * 8192 + i) as i64).collect();
            let labels: Vec<String> = ids.iter().map(|i| format!("customer-{i}")).collect();
            let batch = RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(Int64Array::from(ids)),
                    Arc::new(StringArray::from(labels)),
                ],
            )
            .expect("batch");
            writer.write(&batch).expect("write");
        }
        writer.finish().expect("finish");
        drop(writer);
        bytes::Bytes::from(out)
    }

    #[test]
    fn result_links_must_be_https_unless_the_workspace_is_local() {
        assert!(link_allowed("https://storage.example/chunk?sig=x", false));
        assert!(!link_allowed("http://storage.example/chunk?sig=x", false));
        assert!(!link_allowed("http://127.0.0.1:9/chunk", false));
        assert!(link_allowed("http://127.0.0.1:9/__files/x", true));
        assert!(!link_allowed("file:///etc/passwd", true));
        assert!(!link_allowed("not a url", true));
    }

    #[test]
    fn a_zero_copy_chunk_counts_its_download_once() {
        let bytes = chunk_bytes(13);
        let size = bytes.len();
        let chunk = decode(bytes).expect("decode");
        assert_eq!(chunk.held_bytes, size);
        assert_eq!(rows(&chunk.batches), 13 * 8192);
        // Each batch reports the shared download as its own: summing would count it 13 times.
        let summed: usize = chunk
            .batches
            .iter()
            .map(RecordBatch::get_array_memory_size)
            .sum();
        assert!(summed > 5 * size, "{summed} vs {size}");

        // Three such chunks fit in a limit of four: nothing goes to disk.
        let mut set = ResultSet::new(vec![], 3 * 13 * 8192, false).with_memory_limit(4 * size);
        for _ in 0..3 {
            let chunk = decode(chunk_bytes(13)).expect("decode");
            set.push_chunk(chunk.batches, chunk.held_bytes)
                .expect("rows kept");
        }
        assert!(!set.summary().spilled, "rows went to disk below the limit");
        // A fifth chunk does not fit: it is spilled, and every row is still there.
        for _ in 0..2 {
            let chunk = decode(chunk_bytes(13)).expect("decode");
            set.push_chunk(chunk.batches, chunk.held_bytes)
                .expect("rows kept");
        }
        let summary = set.summary();
        assert!(summary.spilled);
        assert_eq!(summary.loaded_rows, 5 * 13 * 8192);
    }

    #[test]
    fn a_spilled_chunk_is_its_downloaded_stream_and_reads_back_the_same() {
        let mut spilled = ResultSet::new(vec![], 2 * 13 * 8192, false).with_memory_limit(0);
        let mut kept = ResultSet::new(vec![], 2 * 13 * 8192, false);
        for _ in 0..2 {
            let bytes = chunk_bytes(13);
            let chunk = decode(bytes.clone()).expect("decode");
            let ipc = chunk.ipc.clone().expect("an Arrow chunk keeps its stream");
            assert_eq!(ipc, bytes, "the stream as it came");
            spilled
                .push_arrow_chunk(chunk.batches.clone(), chunk.held_bytes, &ipc)
                .expect("spilled");
            kept.push_chunk(chunk.batches, chunk.held_bytes)
                .expect("kept");
        }
        assert!(spilled.summary().spilled && !kept.summary().spilled);
        assert_eq!(spilled.memory_bytes(), 0);
        for (offset, limit) in [
            (0, 10),
            (8190, 5),
            (13 * 8192 - 2, 4),
            (2 * 13 * 8192 - 3, 10),
        ] {
            assert_eq!(
                spilled.window(offset, limit).expect("spilled"),
                kept.window(offset, limit).expect("kept"),
                "window {offset}+{limit}"
            );
        }
    }
}
