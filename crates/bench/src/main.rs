//! `sql-benchmark`: fetches a 1,000,000-row × 6-column result from the emulator three ways and
//! prints rows/s, MB/s, time to the first window of rows and peak RSS for each:
//!
//! - (a) EXTERNAL_LINKS + ARROW_STREAM through `brickdesk-core` (download and decode);
//! - (b) EXTERNAL_LINKS + JSON_ARRAY through `brickdesk-core` (INLINE cannot carry this result:
//!   the API fails INLINE results over 25 MiB, so the JSON chunks come through links too);
//! - (c) a raw baseline: the same Arrow links downloaded in parallel, not decoded.
//!
//! The emulator runs as its own process (`target/debug/brickdesk-emulator`, or `--emulator
//! URL`), so the figures are this process's alone. Run it as documented in
//! `docs/benchmarks.md`:
//! `cargo build -p brickdesk-emulator && cargo run --release -p brickdesk-bench`.

// Printing the figures is this program's job.
#![allow(clippy::print_stdout)]

use anyhow::{Result, bail};
use brickdesk_bench::measure::{fetch_into_result, peak_rss_mib, raw_download, reset_peak_rss};
use brickdesk_bench::{api, emulator};
use brickdesk_core::api::Api;
use brickdesk_core::sql::execute::{self, Cancel, Disposition, StatementRequest, Succeeded};
use brickdesk_core::sql::fetch::PARALLEL_CHUNKS;
use brickdesk_core::sql::result_set::DEFAULT_MEMORY_LIMIT;
use std::time::{Duration, Instant};

const ROWS: u64 = 1_000_000;
/// Rounds of (a) and (c), interleaved so both see the same machine; (b) is slower, fewer.
const RUNS: usize = 9;
const JSON_RUNS: usize = 3;
/// Six columns of the kinds business results have: integers, a double, text, a flag, a date.
const QUERY: &str = "SELECT id, id * 3 AS tripled, cast(id AS DOUBLE) / 7 AS ratio, \
    concat('customer-', cast(id AS STRING)) AS label, id % 5 = 0 AS flagged, \
    date_add(DATE'2020-01-01', cast(id % 1000 AS INT)) AS day FROM range(1000000)";

fn request(disposition: Disposition) -> StatementRequest {
    StatementRequest {
        warehouse_id: "a1b2c3d4e5f60718".into(),
        statement: QUERY.into(),
        catalog: None,
        schema: None,
        parameters: vec![],
        row_limit: None,
        disposition,
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Figures {
    execute: Duration,
    first_window: Duration,
    download: Duration,
    rows: u64,
    bytes: u64,
    peak_mib: f64,
}

async fn execute(api: &Api, disposition: Disposition) -> Result<(Succeeded, Duration)> {
    let started = Instant::now();
    let done = execute::run(api, &request(disposition), &Cancel::default(), |_| {})
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    Ok((done, started.elapsed()))
}

/// (a) and (b): execute, then download and decode into a result set.
async fn through_core(api: &Api, disposition: Disposition) -> Result<Figures> {
    reset_peak_rss();
    let submitted = Instant::now();
    let (done, execute) = execute(api, disposition).await?;
    let bytes = done.manifest.total_byte_count.unwrap_or(0);
    let (set, download, first_window) =
        fetch_into_result(api, done, DEFAULT_MEMORY_LIMIT, submitted).await?;
    let rows = set.read().map(|s| s.loaded_rows()).unwrap_or(0);
    if rows != ROWS {
        bail!("{disposition:?} brought {rows} rows instead of {ROWS}");
    }
    Ok(Figures {
        execute,
        first_window,
        download,
        rows,
        bytes,
        peak_mib: peak_rss_mib().unwrap_or(f64::NAN),
    })
}

/// (c): the same Arrow links, fetched in parallel with a plain client, bytes counted only.
/// The bytes are kept until the end, as (a) keeps its rows: a download that dropped each chunk
/// would reuse the same warm memory for the next one and skip the page faults that holding
/// 60 MB costs any client, so the ratio would not measure decoding.
async fn raw_baseline(api: &Api) -> Result<Figures> {
    reset_peak_rss();
    let (done, execute) = execute(api, Disposition::ExternalArrow).await?;
    let count = done.manifest.total_chunk_count;
    let (download, bytes) = raw_download(api, &done.statement_id, count, true).await?;
    Ok(Figures {
        execute,
        first_window: Duration::ZERO,
        download,
        rows: ROWS,
        bytes,
        peak_mib: peak_rss_mib().unwrap_or(f64::NAN),
    })
}

fn median(mut runs: Vec<Figures>) -> Figures {
    runs.sort_by_key(|f| f.download);
    runs[runs.len() / 2]
}

fn rate(f: &Figures) -> (f64, f64) {
    let secs = f.download.as_secs_f64().max(1e-9);
    (f.rows as f64 / secs, f.bytes as f64 / secs / 1e6)
}

#[tokio::main]
async fn main() -> Result<()> {
    let emulator = emulator(&[])?;
    let api = api(&emulator.url).await?;
    // Warm up: start the warehouse and the emulator's caches.
    let _ = execute(&api, Disposition::ExternalArrow).await?;
    let mut arrow = Vec::new();
    let mut json = Vec::new();
    let mut raw = Vec::new();
    let mut ratios = Vec::new();
    for round in 0..RUNS {
        let a = through_core(&api, Disposition::ExternalArrow).await?;
        let c = raw_baseline(&api).await?;
        ratios.push(rate(&a).0 / rate(&c).0);
        arrow.push(a);
        raw.push(c);
        if round < JSON_RUNS {
            json.push(through_core(&api, Disposition::ExternalJson).await?);
        }
    }
    ratios.sort_by(f64::total_cmp);
    let (a, b, c) = (median(arrow), median(json), median(raw));
    println!(
        "Result: {ROWS} rows x 6 columns; {PARALLEL_CHUNKS} parallel downloads; medians of {RUNS} \
         runs ((b): {JSON_RUNS})"
    );
    println!(
        "{:<42} {:>12} {:>9} {:>10} {:>10} {:>12} {:>10}",
        "variant", "rows/s", "MB/s", "execute", "download", "first rows", "peak RSS"
    );
    for (name, f) in [
        ("(a) EXTERNAL_LINKS + ARROW_STREAM, core", a),
        ("(b) EXTERNAL_LINKS + JSON_ARRAY, core", b),
        ("(c) raw parallel download of (a)'s links", c),
    ] {
        let (rows, mb) = rate(&f);
        let first = if f.first_window.is_zero() {
            "-".to_owned()
        } else {
            format!("{:.0} ms", f.first_window.as_secs_f64() * 1e3)
        };
        println!(
            "{name:<42} {rows:>12.0} {mb:>9.1} {:>8.0}ms {:>8.0}ms {first:>12} {:>7.0} MiB",
            f.execute.as_secs_f64() * 1e3,
            f.download.as_secs_f64() * 1e3,
            f.peak_mib
        );
    }
    let ratio = |x: &Figures| rate(x).0 / rate(&c).0;
    println!(
        "(a)/(c) = {:.2} (median of the per-round ratios; range {:.2}–{:.2})   (b)/(c) = {:.2}   \
         (rows/s over the download phase)",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1],
        ratio(&b)
    );
    println!(
        "bytes: (a)/(c) {:.1} MB of Arrow, (b) {:.1} MB of JSON",
        a.bytes as f64 / 1e6,
        b.bytes as f64 / 1e6
    );
    Ok(())
}
