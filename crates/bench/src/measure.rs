//! What the SQL benchmarks measure with: this process's peak memory, and the raw baseline (a
//! result's external links downloaded in parallel with a plain client, not decoded).

use anyhow::{Context, Result};
use brickdesk_core::api::Api;
use brickdesk_core::sql::fetch::PARALLEL_CHUNKS;
use brickdesk_core::sql::wire::ResultData;
use futures_util::StreamExt as _;
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The scale benchmarks' six columns (numbers, a ratio, text, a flag, a date) of `range(rows)`.
pub fn six_columns(rows: u64) -> String {
    format!(
        "SELECT id, id * 3 AS tripled, cast(id AS DOUBLE) / 7 AS ratio, \
         concat('customer-', cast(id AS STRING)) AS label, id % 5 = 0 AS flagged, \
         date_add(DATE'2020-01-01', cast(id % 1000 AS INT)) AS day FROM range({rows})"
    )
}

/// The median of `times` (sorted in place).
pub fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// Peak resident memory since the last reset, in MiB (Linux; `None` elsewhere).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

pub fn reset_peak_rss() {
    // "5" resets the peak to the current resident size (Linux ≥ 4.0).
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .write(true)
        .open("/proc/self/clear_refs")
    {
        let _ = file.write_all(b"5");
    }
}

/// Downloads chunks `0..count` of statement `id` through their external links, one task per
/// chunk and [`PARALLEL_CHUNKS`] at a time, as the core does; the time and bytes. `keep`
/// holds every body until the end (as a result keeps its rows) instead of dropping each.
pub async fn raw_download(api: &Api, id: &str, count: u64, keep: bool) -> Result<(Duration, u64)> {
    let bytes = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    // A plain client with reqwest's defaults, as any download tool would use.
    let http = reqwest::Client::new();
    let downloads = futures_util::stream::iter(0..count)
        .map(|index| {
            let (api, http, id, bytes) = (api.clone(), http.clone(), id.to_owned(), bytes.clone());
            let task = tokio::spawn(async move {
                let data: ResultData = api
                    .get(&format!(
                        "/api/2.0/sql/statements/{id}/result/chunks/{index}"
                    ))
                    .await
                    .map_err(|e| anyhow::anyhow!(e.message))?;
                let link = data
                    .external_links
                    .and_then(|mut l| l.pop())
                    .context("no link")?;
                let mut request = http.get(link.external_link.expose().as_str());
                for (name, value) in &link.http_headers {
                    request = request.header(name.as_str(), value.expose().as_str());
                }
                let body: bytes::Bytes = request.send().await?.error_for_status()?.bytes().await?;
                bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                anyhow::Ok(body)
            });
            async move { task.await? }
        })
        .buffer_unordered(PARALLEL_CHUNKS);
    futures_util::pin_mut!(downloads);
    let mut kept = Vec::new();
    while let Some(result) = downloads.next().await {
        let body = result?;
        if keep {
            kept.push(body);
        }
    }
    let took = started.elapsed();
    drop(kept);
    Ok((took, bytes.load(Ordering::Relaxed)))
}

/// Downloads `done`'s rows into a result with the given memory limit, as the app does; the
/// result, the download phase, and the time from `submitted` until the grid's first page
/// (100 rows) could be read.
pub async fn fetch_into_result(
    api: &Api,
    done: brickdesk_core::sql::execute::Succeeded,
    memory_limit: usize,
    submitted: Instant,
) -> Result<(
    brickdesk_core::sql::result_set::SharedResult,
    Duration,
    Duration,
)> {
    use brickdesk_core::sql::execute::Cancel;
    use brickdesk_core::sql::result_set::ResultSet;
    let set = ResultSet::new(
        done.manifest.schema.columns.clone(),
        done.manifest.total_row_count,
        done.manifest.truncated,
    )
    .with_memory_limit(memory_limit)
    .shared();
    let first = std::sync::Mutex::new(None);
    let started = Instant::now();
    brickdesk_core::sql::fetch::fetch(api, done, &set, &Cancel::default(), |_| {
        let mut first = first.lock().unwrap_or_else(|p| p.into_inner());
        if first.is_none() {
            // The grid's first page, as the UI would ask for it.
            let shown = set
                .read()
                .map(|s| s.window(0, 100).map_or(0, |w| w.rows.len()))
                .unwrap_or(0);
            if shown > 0 {
                *first = Some(submitted.elapsed());
            }
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!(e.message))?;
    let download = started.elapsed();
    let first = first
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .unwrap_or_default();
    Ok((set, download, first))
}
