//! `compression-benchmark`: what asking for LZ4-compressed results (`result_compression:
//! LZ4_FRAME`, as both official Statement Execution drivers do) saves, for issue 25. For each N
//! (1,000,000 and 10,000,000 rows of the SQL benchmark's six columns) and each link (loopback,
//! and an emulated shared line of `--link-mbit` megabits a second, 100 by default, in front of
//! the result downloads), through `brickdesk-core` with compression off and on: the bytes on
//! the wire, the download phase into a result (median of the rounds), and beside it the raw
//! parallel download of the same links (bytes not decoded), interleaved in alternating order.
//! `--rows 1000000` measures those sizes only; `--rounds N` sets the rounds at loopback (the
//! emulated line takes one, its time being the bytes over the line).
//! `cargo build --release -p brickdesk-emulator -p brickdesk-bench --bins && target/release/compression-benchmark`

// Printing the figures is this program's job.
#![allow(clippy::print_stdout)]

use anyhow::{Result, bail};
use brickdesk_bench::measure::{fetch_into_result, median, raw_download, six_columns};
use brickdesk_bench::{api, emulator};
use brickdesk_core::api::Api;
use brickdesk_core::sql::execute::{self, Cancel, Disposition, StatementRequest};
use std::time::{Duration, Instant};

struct Measured {
    wire_bytes: u64,
    compressed: bool,
    download: Duration,
    raw: Duration,
}

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

async fn measure(api: &Api, rows: u64, lz4: bool, rounds: usize) -> Result<Measured> {
    let api = api.clone().with_compressed_results(lz4);
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
    let done = execute::run(&api, &request, &Cancel::default(), |_| {})
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let compressed = done.manifest.is_lz4();
    let (id, chunks) = (done.statement_id.clone(), done.manifest.total_chunk_count);
    let (manifest, disposition) = (done.manifest.clone(), done.disposition);
    let again = || execute::Succeeded {
        statement_id: id.clone(),
        manifest: manifest.clone(),
        first: None,
        disposition,
    };
    let mut first = Some(done);
    let (mut downloads, mut raws, mut wire_bytes) = (Vec::new(), Vec::new(), 0);
    for round in 0..rounds {
        let raw_first = round % 2 == 1;
        if raw_first {
            let (time, bytes) = raw_download(&api, &id, chunks, true).await?;
            raws.push(time);
            wire_bytes = bytes;
        }
        let this = first.take().unwrap_or_else(again);
        let (set, download, _) = fetch_into_result(&api, this, 1 << 30, submitted).await?;
        let loaded = set.read().map(|s| s.loaded_rows()).unwrap_or(0);
        if loaded != rows {
            bail!("brought {loaded} rows instead of {rows}");
        }
        drop(set);
        downloads.push(download);
        if !raw_first {
            let (time, bytes) = raw_download(&api, &id, chunks, true).await?;
            raws.push(time);
            wire_bytes = bytes;
        }
    }
    Ok(Measured {
        wire_bytes,
        compressed,
        download: median(&mut downloads),
        raw: median(&mut raws),
    })
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let sizes: Vec<u64> = match flag(&args, "--rows") {
        Some(list) => list
            .split(',')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|e| anyhow::anyhow!("--rows takes numbers separated by commas ({e})"))?,
        None => vec![1_000_000, 10_000_000],
    };
    let mbit: f64 = flag(&args, "--link-mbit")
        .map(str::parse)
        .transpose()?
        .unwrap_or(100.0);
    let rounds: usize = flag(&args, "--rounds")
        .map(str::parse)
        .transpose()?
        .unwrap_or(3);
    println!("Six columns; Arrow external links; compression off and on (LZ4 frames)");
    println!(
        "{:>14} {:>11} {:>5} {:>10} {:>7} {:>10} {:>12} {:>9} {:>6}",
        "link", "rows", "LZ4", "on wire", "saved", "download", "rows/s", "raw", "ratio"
    );
    let mbit_text = format!("{mbit} Mbit/s");
    let links = [
        ("loopback", None, rounds),
        (mbit_text.as_str(), Some(mbit), 1),
    ];
    for (name, line, rounds) in links {
        let line_arg = line.map(|m| m.to_string());
        let extra: Vec<&str> = match &line_arg {
            Some(m) => vec!["--link-mbit", m.as_str()],
            None => vec![],
        };
        let emulator = emulator(&extra)?;
        let api = api(&emulator.url).await?;
        // Warm-up: the warehouse, the connection pool, the emulator's engine.
        measure(&api, 100_000, true, 1).await?;
        for &rows in &sizes {
            let plain = measure(&api, rows, false, rounds).await?;
            let lz4 = measure(&api, rows, true, rounds).await?;
            if plain.compressed || !lz4.compressed {
                bail!(
                    "the emulator did not answer as asked (plain {}, lz4 {})",
                    plain.compressed,
                    lz4.compressed
                );
            }
            for m in [&plain, &lz4] {
                let rate = rows as f64 / m.download.as_secs_f64().max(1e-9);
                println!(
                    "{:>14} {:>11} {:>5} {:>7.0} MB {:>6.0} % {:>8.2} s {:>12.0} {:>7.2} s {:>6.2}",
                    name,
                    rows,
                    if m.compressed { "on" } else { "off" },
                    m.wire_bytes as f64 / 1e6,
                    100.0 * (1.0 - m.wire_bytes as f64 / plain.wire_bytes.max(1) as f64),
                    m.download.as_secs_f64(),
                    rate,
                    m.raw.as_secs_f64(),
                    m.raw.as_secs_f64() / m.download.as_secs_f64().max(1e-9),
                );
            }
        }
        drop(emulator);
    }
    Ok(())
}
