//! `genie-benchmark`: how soon Brickdesk shows a Genie answer once it is ready, and how many
//! HTTP requests an answered message costs, beside the official Python SDK's
//! `start_conversation_and_wait` on the same emulator in the same run.
//!
//! Latency is the time from the emulator marking a message COMPLETED (the message's
//! `last_updated_timestamp`) to Brickdesk emitting its answer (`GenieEvent::Answered`, rows
//! included) or the SDK's waiter returning. Both clocks are this machine's. Requests are
//! counted in the emulator's request log. Run it as documented in `docs/benchmarks.md`:
//! `cargo build -p brickdesk-emulator && cargo run --release -p brickdesk-bench --bin genie-benchmark`.

// Printing the figures is this program's job.
#![allow(clippy::print_stdout)]

use anyhow::{Context, Result};
use brickdesk_bench::{api, emulator};
use brickdesk_core::api::Api;
use brickdesk_core::genie::limiter::Limiter;
use brickdesk_core::genie::{Genie, GenieEvent};
use brickdesk_core::local::LocalDb;
use brickdesk_core::local::genie::GenieStore;
use brickdesk_core::sql::runs::Runs;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const QUESTIONS: usize = 20;
const SPACE: &str = "01f0c0ffee0000000000000000000001";
const QUESTION: &str = "How many trips were there?";
/// Genie steps take this long each in the emulator (six steps to an answer).
const STEP_MS: u64 = 300;

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

/// The emulator's request log for Genie paths: how many requests so far.
async fn genie_requests(url: &str) -> Result<usize> {
    let log: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "{url}/__emulator/requests?path_prefix=/api/2.0/genie/"
        ))
        .send()
        .await?
        .json()
        .await?;
    Ok(log["requests"].as_array().map_or(0, Vec::len))
}

async fn completed_ms(api: &Api, conversation: &str, message: &str) -> Result<f64> {
    let value: serde_json::Value = api
        .get(&format!(
            "/api/2.0/genie/spaces/{SPACE}/conversations/{conversation}/messages/{message}"
        ))
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    value["last_updated_timestamp"]
        .as_f64()
        .context("no last_updated_timestamp")
}

#[derive(Debug, Default)]
struct Figures {
    latencies_ms: Vec<f64>,
    requests: Vec<usize>,
}

impl Figures {
    fn quantile(&self, q: f64) -> f64 {
        let mut sorted = self.latencies_ms.clone();
        sorted.sort_by(f64::total_cmp);
        let index = ((sorted.len() as f64 - 1.0) * q).round() as usize;
        sorted.get(index).copied().unwrap_or(f64::NAN)
    }

    fn requests_per_message(&self) -> f64 {
        self.requests.iter().sum::<usize>() as f64 / self.requests.len().max(1) as f64
    }
}

async fn brickdesk(url: &str, api: &Api) -> Result<Figures> {
    let genie = Genie::with_limiter(
        GenieStore::new(Arc::new(LocalDb::in_memory())),
        Arc::new(Runs::default()),
        Limiter::new(1_000),
    );
    let mut figures = Figures::default();
    for _ in 0..QUESTIONS {
        let before = genie_requests(url).await?;
        let emitted = Mutex::new(None);
        let answer = genie
            .ask(api, "bench", SPACE, None, QUESTION, &|event| {
                if matches!(event, GenieEvent::Answered { .. }) {
                    *emitted.lock().unwrap_or_else(|p| p.into_inner()) = Some(now_ms());
                }
            })
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?;
        let emitted = emitted
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .context("no answer event")?;
        figures.requests.push(genie_requests(url).await? - before);
        let completed = completed_ms(api, &answer.conversation_id, &answer.message_id).await?;
        figures.latencies_ms.push(emitted - completed);
    }
    Ok(figures)
}

/// The SDK's figures, from `genie_sdk.py` run by the SDK suite's virtual environment.
fn sdk(url: &str) -> Result<Option<Figures>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join("target/compat-venv/bin/python");
    if !python.is_file() {
        println!(
            "(SDK comparison skipped: run ./scripts/test.sh once to create target/compat-venv)"
        );
        return Ok(None);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("genie_sdk.py");
    let output = std::process::Command::new(python)
        .arg(script)
        .args([url, SPACE, QUESTION, &QUESTIONS.to_string()])
        .output()?;
    anyhow::ensure!(
        output.status.success(),
        "genie_sdk.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let numbers = |key: &str| -> Vec<f64> {
        value[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_f64)
            .collect()
    };
    Ok(Some(Figures {
        latencies_ms: numbers("latencies_ms"),
        requests: numbers("requests")
            .into_iter()
            .map(|n| n as usize)
            .collect(),
    }))
}

fn print(name: &str, f: &Figures) {
    println!(
        "{name:<46} {:>9.0} ms {:>9.0} ms {:>12.1}",
        f.quantile(0.5),
        f.quantile(0.95),
        f.requests_per_message()
    );
}

#[tokio::main]
async fn main() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("brickdesk-genie-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let config = dir.join("emulator.json");
    std::fs::write(
        &config,
        serde_json::json!({
            "timings": { "genie_step_ms": STEP_MS },
            "genie": { "questions_per_minute": 10_000 },
        })
        .to_string(),
    )?;
    let config_arg = config.to_string_lossy().into_owned();
    let emulator = emulator(&["--config", &config_arg])?;
    let api = api(&emulator.url).await?;
    // Warm up: the space's warehouse starts with the first question.
    let warm = Genie::with_limiter(
        GenieStore::new(Arc::new(LocalDb::in_memory())),
        Arc::new(Runs::default()),
        Limiter::new(1_000),
    );
    warm.ask(&api, "bench", SPACE, None, QUESTION, &|_| {})
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let ours = brickdesk(&emulator.url, &api).await?;
    let theirs = sdk(&emulator.url)?;
    println!(
        "{QUESTIONS} questions each; Genie steps of {STEP_MS} ms (about {:.1} s to an answer)",
        STEP_MS as f64 * 6.0 / 1e3
    );
    println!(
        "{:<46} {:>12} {:>12} {:>12}",
        "COMPLETED → answer shown", "median", "p95", "requests/msg"
    );
    print("Brickdesk (brickdesk-core Genie::ask)", &ours);
    if let Some(theirs) = &theirs {
        print("Python SDK 0.156.0 start_conversation_and_wait", theirs);
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
