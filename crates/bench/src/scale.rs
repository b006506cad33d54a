//! `scale-benchmark`: how Brickdesk's cost grows with the result, for issue 18. For each N
//! (1,000,000 and 10,000,000 rows; 30,000,000 with `--30m`) of the SQL benchmark's six columns,
//! through `brickdesk-core` against the emulator: the time to a finished statement, the
//! download phase (rows/s, MB/s) beside a raw parallel download of the same links in the same
//! run, the time to the first rows, this process's peak memory, whether the result went past
//! its memory limit to disk, and the time to read the last window (the grid scrolled to the
//! end). `--memory-limit-mib M` sets the result's memory limit (1024, the app's, by default).
//!
//! Not measured yet (issue 18 asks for them): CSV and XLSX export of the whole result.
//! `cargo build -p brickdesk-emulator && cargo run --release -p brickdesk-bench --bin scale-benchmark`

// Printing the figures is this program's job.
#![allow(clippy::print_stdout)]

use anyhow::{Result, bail};
use brickdesk_bench::measure::{fetch_into_result, peak_rss_mib, raw_download, reset_peak_rss};
use brickdesk_bench::{api, emulator};
use brickdesk_core::api::Api;
use brickdesk_core::sql::execute::{self, Cancel, Disposition, StatementRequest};
use std::time::{Duration, Instant};

fn query(rows: u64) -> String {
    format!(
        "SELECT id, id * 3 AS tripled, cast(id AS DOUBLE) / 7 AS ratio, \
         concat('customer-', cast(id AS STRING)) AS label, id % 5 = 0 AS flagged, \
         date_add(DATE'2020-01-01', cast(id % 1000 AS INT)) AS day FROM range({rows})"
    )
}

#[derive(Debug)]
struct Row {
    rows: u64,
    execute: Duration,
    first_rows: Duration,
    download: Duration,
    bytes: u64,
    peak_mib: f64,
    spilled: bool,
    last_window: Duration,
    raw: Duration,
}

async fn measure(api: &Api, rows: u64, memory_limit: usize) -> Result<Row> {
    reset_peak_rss();
    let request = StatementRequest {
        warehouse_id: "a1b2c3d4e5f60718".into(),
        statement: query(rows),
        catalog: None,
        schema: None,
        parameters: vec![],
        row_limit: None,
        disposition: Disposition::ExternalArrow,
    };
    let submitted = Instant::now();
    let done = execute::run(api, &request, &Cancel::default(), |_| {})
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let execute = submitted.elapsed();
    let (id, chunks) = (done.statement_id.clone(), done.manifest.total_chunk_count);
    let bytes = done.manifest.total_byte_count.unwrap_or(0);
    let (set, download, first_rows) = fetch_into_result(api, done, memory_limit, submitted).await?;
    let (loaded, spilled) = set
        .read()
        .map(|s| (s.loaded_rows(), s.summary().spilled))
        .unwrap_or((0, false));
    if loaded != rows {
        bail!("brought {loaded} rows instead of {rows}");
    }
    let at_end = Instant::now();
    let window = set
        .read()
        .map_err(|_| anyhow::anyhow!("the result's lock is poisoned"))?
        .window(u32::try_from(rows - 100).unwrap_or(u32::MAX), 100)
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let last_window = at_end.elapsed();
    if window.rows.len() != 100 {
        bail!("the last window held {} rows", window.rows.len());
    }
    let peak_mib = peak_rss_mib().unwrap_or(f64::NAN);
    drop(set);
    // The bodies are kept until the end, as the result keeps its rows (see `sql-benchmark`).
    let (raw, _) = raw_download(api, &id, chunks, true).await?;
    Ok(Row {
        rows,
        execute,
        first_rows,
        download,
        bytes,
        peak_mib,
        spilled,
        last_window,
        raw,
    })
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let mut sizes = vec![1_000_000u64, 10_000_000];
    if args.iter().any(|a| a == "--30m") {
        sizes.push(30_000_000);
    }
    let memory_mib: usize = args
        .iter()
        .position(|a| a == "--memory-limit-mib")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let emulator = emulator(&[])?;
    let api = api(&emulator.url).await?;
    let _warm = measure(&api, 100_000, memory_mib << 20).await?;
    println!("Memory limit {memory_mib} MiB; six columns; Arrow external links");
    println!(
        "{:>11} {:>9} {:>11} {:>9} {:>12} {:>9} {:>6} {:>10} {:>9} {:>10} {:>6}",
        "rows",
        "execute",
        "first rows",
        "download",
        "rows/s",
        "MB/s",
        "raw",
        "raw rows/s",
        "peak",
        "last rows",
        "disk"
    );
    for rows in sizes {
        let r = measure(&api, rows, memory_mib << 20).await?;
        let rate = |d: Duration| r.rows as f64 / d.as_secs_f64().max(1e-9);
        println!(
            "{:>11} {:>7.1} s {:>9.0} ms {:>7.1} s {:>12.0} {:>9.1} {:>6.2} {:>10.0} {:>5.0} MiB {:>7.1} ms {:>6}",
            r.rows,
            r.execute.as_secs_f64(),
            r.first_rows.as_secs_f64() * 1e3,
            r.download.as_secs_f64(),
            rate(r.download),
            r.bytes as f64 / 1e6 / r.download.as_secs_f64().max(1e-9),
            rate(r.download) / rate(r.raw),
            rate(r.raw),
            r.peak_mib,
            r.last_window.as_secs_f64() * 1e3,
            if r.spilled { "yes" } else { "no" }
        );
    }
    Ok(())
}
