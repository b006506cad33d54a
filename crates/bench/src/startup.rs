//! `startup-benchmark`: how long Brickdesk takes from launch to its first screen, beside a
//! blank Tauri 2 app (`crates/bench/blank-app`: one window, one page, one command) on the same
//! machine in the same run, and how large the binaries and the Linux installer are.
//!
//! "First screen" is the moment the page has loaded and made its first command: Brickdesk
//! logs `first screen ready` in `app_info`, which its UI calls as it mounts; the blank app's
//! page calls its one command the same way. Each launch gets a fresh, empty profile (its own
//! HOME and XDG folders), so nothing is restored; the OS file cache is warm after the first
//! launch, as on a laptop that ran the app before. Launches of the two apps alternate.
//!
//! Needs a display: `scripts/lib/desktop-session.sh cargo run --release -p brickdesk-bench
//! --bin startup-benchmark` after `tauri build --bundles deb` and
//! `cargo build --release -p brickdesk-blank-app` (see docs/benchmarks.md).

// Printing the figures is this program's job.
#![allow(clippy::print_stdout)]

use anyhow::{Context, Result, bail};
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 10;
const MARKER: &str = "first screen ready";
const TIMEOUT: Duration = Duration::from_secs(60);

/// Launches `binary` with an empty profile; the time until it logs its first screen.
fn launch(binary: &Path) -> Result<Duration> {
    let profile = tempfile_dir()?;
    let dir = |name: &str| {
        let path = profile.join(name);
        std::fs::create_dir_all(&path).map(|()| path)
    };
    let started = Instant::now();
    let mut child = Command::new(binary)
        .env("HOME", &profile)
        .env("XDG_CONFIG_HOME", dir("config")?)
        .env("XDG_DATA_HOME", dir("data")?)
        .env("XDG_CACHE_HOME", dir("cache")?)
        .env("XDG_STATE_HOME", dir("state")?)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let stderr = child.stderr.take().context("stderr")?;
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains(MARKER) {
                let _ = sender.send(started.elapsed());
            }
        }
    });
    let elapsed = receiver.recv_timeout(TIMEOUT);
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&profile);
    elapsed.with_context(|| format!("{} did not show its first screen", binary.display()))
}

/// A new empty folder under the OS temp folder.
fn tempfile_dir() -> Result<PathBuf> {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("brickdesk-startup-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path)?;
    Ok(path)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(mut times: Vec<Duration>) -> (f64, f64, f64) {
    times.sort();
    (
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
    )
}

fn mib(path: &Path) -> Option<f64> {
    std::fs::metadata(path)
        .ok()
        .map(|m| m.len() as f64 / (1024.0 * 1024.0))
}

fn main() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let release = root.join("target/release");
    let app = release.join("brickdesk");
    let blank = release.join("brickdesk-blank-app");
    for binary in [&app, &blank] {
        if !binary.is_file() {
            bail!(
                "{} is missing: build it in release first (docs/benchmarks.md)",
                binary.display()
            );
        }
    }
    // One launch each that is not counted: the first reads everything from disk.
    launch(&app)?;
    launch(&blank)?;
    let (mut app_times, mut blank_times) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        app_times.push(launch(&app)?);
        blank_times.push(launch(&blank)?);
    }
    let (app_median, app_min, app_max) = summary(app_times);
    let (blank_median, blank_min, blank_max) = summary(blank_times);
    println!("Start-up to the first screen, {RUNS} launches each (median, min–max):");
    println!("  Brickdesk          {app_median:7.0} ms  ({app_min:.0}–{app_max:.0})");
    println!("  blank Tauri 2 app  {blank_median:7.0} ms  ({blank_min:.0}–{blank_max:.0})");
    println!(
        "  Brickdesk costs    {:+7.0} ms  ({:.2}× the blank app)",
        app_median - blank_median,
        app_median / blank_median
    );
    println!("Sizes:");
    for (label, path) in [("brickdesk binary", &app), ("blank app binary", &blank)] {
        if let Some(size) = mib(path) {
            println!("  {label:18} {size:7.1} MiB");
        }
    }
    let debs = root.join("target/release/bundle/deb");
    for entry in std::fs::read_dir(&debs).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "deb")
            && let Some(size) = mib(&path)
        {
            println!(
                "  {:18} {size:7.1} MiB",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
        }
    }
    Ok(())
}
