//! `scale-benchmark`: how Brickdesk's cost grows with the result, for issue 18. For each N
//! (1,000,000 and 10,000,000 rows; 30,000,000 with `--30m`) of the SQL benchmark's six columns,
//! through `brickdesk-core` against the emulator: the time to a finished statement, the
//! download phase (rows/s, MB/s; the median of five rounds) beside a raw parallel download of
//! the same links in the same run (five rounds interleaved with the others, order alternating), the time to the first rows, this process's peak memory, whether the result went past
//! its memory limit to disk, and the time to read the last window (the grid scrolled to the
//! end). `--memory-limit-mib M` sets the result's memory limit (1024, the app's, by default).
//! Then, on the same result: CSV and Excel exports of every row (time, rows/s, peak memory,
//! file size, sheets) and a sort by the text column (time and peak memory), each phase's peak
//! measured from its own start. `--no-xlsx` leaves the Excel export out; `--keep-exports DIR`
//! keeps the files there (`rows-N.csv`, `rows-N.xlsx`), to open them in a spreadsheet;
//! `--rows 1000000,3000000` measures those sizes instead.
//! `cargo build -p brickdesk-emulator && cargo run --release -p brickdesk-bench --bin scale-benchmark`

// Printing the figures is this program's job.
#![allow(clippy::print_stdout)]

use anyhow::{Result, bail};
use brickdesk_bench::measure::{
    fetch_into_result, median, peak_rss_mib, raw_download, reset_peak_rss, six_columns,
};
use brickdesk_bench::{api, emulator};
use brickdesk_core::api::Api;
use brickdesk_core::sql::execute::{self, Cancel, Disposition, StatementRequest};
use brickdesk_core::sql::export::{self, ExportFormat, ExportRequest};
use brickdesk_core::sql::formulas::FormulaSafety;
use brickdesk_core::sql::result_set::SharedResult;
use brickdesk_core::sql::view::{self, ViewSpec};
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Row {
    rows: u64,
    execute: Duration,
    first_rows: Duration,
    download: Duration,
    bytes: u64,
    peak_mib: f64,
    rounds_peak_mib: f64,
    spilled: bool,
    last_window: Duration,
    raw: Duration,
    csv: Phase,
    xlsx: Option<Phase>,
    sort: Phase,
}

/// One export or sort of a whole result.
#[derive(Debug, Default)]
struct Phase {
    time: Duration,
    peak_mib: f64,
    /// The file's size (exports).
    bytes: u64,
    sheets: u32,
}

fn export_phase(
    set: &SharedResult,
    format: ExportFormat,
    keep: Option<&std::path::Path>,
) -> Result<Phase> {
    let dir = tempfile::tempdir()?;
    let rows = set.read().map(|s| s.loaded_rows()).unwrap_or(0);
    let name = format!("rows-{rows}.{}", format.extension());
    let path = keep.unwrap_or(dir.path()).join(name);
    reset_peak_rss();
    let started = Instant::now();
    let request = ExportRequest {
        format,
        safety: FormulaSafety::default(),
        report: None,
    };
    let set = set
        .read()
        .map_err(|_| anyhow::anyhow!("the result's lock is poisoned"))?;
    let done = export::export(&set, request, &path, &Cancel::default(), |_| {})
        .map_err(|e| anyhow::anyhow!(e.message))?;
    Ok(Phase {
        time: started.elapsed(),
        peak_mib: peak_rss_mib().unwrap_or(f64::NAN),
        bytes: std::fs::metadata(&path)?.len(),
        sheets: done.sheets,
    })
}

/// Sorts by the text column, descending (every key a string, none in order already).
fn sort_phase(set: &SharedResult) -> Result<Phase> {
    reset_peak_rss();
    let started = Instant::now();
    let spec = ViewSpec {
        sort_column: Some(3),
        descending: true,
        filter: String::new(),
    };
    let order = {
        let set = set
            .read()
            .map_err(|_| anyhow::anyhow!("the result's lock is poisoned"))?;
        view::order(&set, &spec, &Cancel::default(), &mut |_| {})
            .map_err(|e| anyhow::anyhow!(e.message))?
    };
    let time = started.elapsed();
    let peak_mib = peak_rss_mib().unwrap_or(f64::NAN);
    drop(order);
    Ok(Phase {
        time,
        peak_mib,
        ..Phase::default()
    })
}

/// Rounds of the download phase and the raw download, interleaved.
const ROUNDS: usize = 5;

/// What to measure besides the download.
#[derive(Debug, Clone, Copy)]
struct Options<'a> {
    memory_limit: usize,
    xlsx: bool,
    keep: Option<&'a std::path::Path>,
}

async fn measure(api: &Api, rows: u64, options: Options<'_>) -> Result<Row> {
    let Options {
        memory_limit,
        xlsx,
        keep,
    } = options;
    reset_peak_rss();
    let request = StatementRequest {
        warehouse_id: "a1b2c3d4e5f60718".into(),
        statement: six_columns(rows),
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
    // Later rounds fetch the same statement again, every chunk through its own link.
    let (manifest, disposition) = (done.manifest.clone(), done.disposition);
    let again = || execute::Succeeded {
        statement_id: id.clone(),
        manifest: manifest.clone(),
        first: None,
        disposition,
    };
    let mut first_round = Some(done);
    // Interleaved rounds of the same downloads, in alternating order, so neither side always
    // runs on a warmer machine; the medians are compared. The last round's result is kept
    // for the exports and the sort.
    let mut downloads = Vec::new();
    let mut raws = Vec::new();
    let mut peaks = Vec::new();
    let mut kept = None;
    let mut first_rows = Duration::ZERO;
    for round in 0..ROUNDS {
        // The last round's rows go before anything else is held, so no phase is measured
        // with them still in memory.
        drop(kept.take());
        let raw_first = round % 2 == 1;
        if raw_first {
            raws.push(raw_download(api, &id, chunks, true).await?.0);
        }
        let this = first_round.take().unwrap_or_else(again);
        reset_peak_rss();
        let (set, download, first) = fetch_into_result(api, this, memory_limit, submitted).await?;
        peaks.push(peak_rss_mib().unwrap_or(f64::NAN));
        downloads.push(download);
        if round == 0 {
            first_rows = first;
        }
        kept = Some(set);
        if !raw_first {
            raws.push(raw_download(api, &id, chunks, true).await?.0);
        }
    }
    let Some(set) = kept else {
        bail!("no result");
    };
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
    // The first round's peak: later rounds start with what the allocator kept of the round
    // before (freed on other threads' arenas) already resident; their peaks are printed too.
    let peak_mib = peaks.first().copied().unwrap_or(f64::NAN);
    let rounds_peak_mib = peaks.iter().copied().fold(0.0, f64::max);
    let csv = export_phase(&set, ExportFormat::Csv, keep)?;
    let xlsx = if xlsx {
        Some(export_phase(&set, ExportFormat::Xlsx, keep)?)
    } else {
        None
    };
    let sort = sort_phase(&set)?;
    drop(set);
    let (download, raw) = (median(&mut downloads), median(&mut raws));
    Ok(Row {
        rows,
        execute,
        first_rows,
        download,
        bytes,
        peak_mib,
        rounds_peak_mib,
        spilled,
        last_window,
        raw,
        csv,
        xlsx,
        sort,
    })
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let mut sizes = vec![1_000_000u64, 10_000_000];
    if args.iter().any(|a| a == "--30m") {
        sizes.push(30_000_000);
    }
    if let Some(list) = args
        .iter()
        .position(|a| a == "--rows")
        .and_then(|i| args.get(i + 1))
    {
        sizes = list
            .split(',')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|e| anyhow::anyhow!("--rows takes numbers separated by commas ({e})"))?;
    }
    let memory_mib: usize = args
        .iter()
        .position(|a| a == "--memory-limit-mib")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let emulator = emulator(&[])?;
    let api = api(&emulator.url).await?;
    let keep = args
        .iter()
        .position(|a| a == "--keep-exports")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from);
    let options = Options {
        memory_limit: memory_mib << 20,
        xlsx: !args.iter().any(|a| a == "--no-xlsx"),
        keep: keep.as_deref(),
    };
    let warm_up = Options {
        xlsx: false,
        keep: None,
        ..options
    };
    let _warm = measure(&api, 100_000, warm_up).await?;
    println!("Memory limit {memory_mib} MiB; six columns; Arrow external links");
    println!(
        "{:>11} {:>9} {:>11} {:>9} {:>12} {:>9} {:>6} {:>10} {:>9} {:>12} {:>10} {:>6}",
        "rows",
        "execute",
        "first rows",
        "download",
        "rows/s",
        "MB/s",
        "raw",
        "raw rows/s",
        "peak",
        "rounds' peak",
        "last rows",
        "disk"
    );
    let mut results = Vec::new();
    for rows in sizes {
        let r = measure(&api, rows, options).await?;
        let rate = |d: Duration| r.rows as f64 / d.as_secs_f64().max(1e-9);
        println!(
            "{:>11} {:>7.1} s {:>9.0} ms {:>7.2} s {:>12.0} {:>9.1} {:>6.2} {:>10.0} {:>5.0} MiB {:>8.0} MiB {:>7.1} ms {:>6}",
            r.rows,
            r.execute.as_secs_f64(),
            r.first_rows.as_secs_f64() * 1e3,
            r.download.as_secs_f64(),
            rate(r.download),
            r.bytes as f64 / 1e6 / r.download.as_secs_f64().max(1e-9),
            rate(r.download) / rate(r.raw),
            rate(r.raw),
            r.peak_mib,
            r.rounds_peak_mib,
            r.last_window.as_secs_f64() * 1e3,
            if r.spilled { "yes" } else { "no" }
        );
        results.push(r);
    }
    println!();
    println!("Exports and a sort of the same results (peak memory from each phase's start)");
    println!(
        "{:>11} {:>7} {:>10} {:>9} {:>9} {:>8} {:>10} {:>9} {:>9} {:>6} {:>8} {:>9}",
        "rows",
        "CSV",
        "rows/s",
        "size",
        "peak",
        "Excel",
        "rows/s",
        "size",
        "peak",
        "sheets",
        "sort",
        "peak"
    );
    for r in &results {
        let rate = |d: Duration| r.rows as f64 / d.as_secs_f64().max(1e-9);
        let mb = |b: u64| format!("{:.0} MB", b as f64 / 1e6);
        let excel = r.xlsx.as_ref().map_or_else(
            || format!("{:>8} {:>10} {:>9} {:>9} {:>6}", "-", "-", "-", "-", "-"),
            |x| {
                format!(
                    "{:>6.1} s {:>10.0} {:>9} {:>5.0} MiB {:>6}",
                    x.time.as_secs_f64(),
                    rate(x.time),
                    mb(x.bytes),
                    x.peak_mib,
                    x.sheets
                )
            },
        );
        println!(
            "{:>11} {:>5.1} s {:>10.0} {:>9} {:>5.0} MiB {excel} {:>6.1} s {:>5.0} MiB",
            r.rows,
            r.csv.time.as_secs_f64(),
            rate(r.csv.time),
            mb(r.csv.bytes),
            r.csv.peak_mib,
            r.sort.time.as_secs_f64(),
            r.sort.peak_mib,
        );
    }
    Ok(())
}
