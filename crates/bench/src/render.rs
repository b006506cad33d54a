//! `render-benchmark`: what a misbehaving or huge Genie stream costs to read and show, for
//! issue 26, each beside a baseline of the same bytes without the hard part. In process, no
//! emulator: the core's stream reader and renderer on generated bodies.
//!
//! - A finished report of 50,000 inline citations and 200,000 stray `[`, rendered (text,
//!   steps, citations), beside a report of the same length in plain words.
//! - 20,000 text deltas of 50 bytes, each its own network chunk, read and shown as they grow
//!   (at most every 100 ms), beside the same text in one delta.
//!
//! `cargo run --release -p brickdesk-bench --bin render-benchmark`

// Printing the figures is this program's job.
#![allow(clippy::print_stdout)]

use anyhow::Result;
use brickdesk_bench::measure::median;
use brickdesk_core::genie::responses::state::ResponseState;
use brickdesk_core::genie::responses::stream;
use brickdesk_core::genie::responses::view;
use brickdesk_core::sql::execute::Cancel;
use serde_json::json;
use std::time::{Duration, Instant};

const ROUNDS: usize = 5;

fn finished(text: &str) -> ResponseState {
    let mut state = ResponseState::default();
    state.take_snapshot(&json!({
        "id": "r", "status": "completed",
        "output": [{"id": "m", "type": "message", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": []}]}]
    }));
    state
}

fn cited_report() -> String {
    let mut text = String::from("Revenue by region.");
    for n in 1..=50_000u32 {
        text.push_str(&format!(
            " Fact \\[[{n}](https://h.example/genie?gra_focus=call_{n})\\] ["
        ));
    }
    text.push_str(&"[".repeat(200_000));
    text
}

fn time_render(text: &str) -> Duration {
    let state = finished(text);
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            let rendered = view::render(&state);
            std::hint::black_box(rendered.text_html.len());
            started.elapsed()
        })
        .collect();
    median(&mut times)
}

fn body(chunks: Vec<String>) -> reqwest::Response {
    let stream = futures_util::stream::iter(
        chunks
            .into_iter()
            .map(|c| Ok::<_, std::io::Error>(bytes::Bytes::from(c))),
    );
    reqwest::Response::from(
        http::Response::builder()
            .status(200)
            .body(reqwest::Body::wrap_stream(stream))
            .expect("a response"),
    )
}

fn delta_chunks(deltas: usize, size: usize) -> Vec<String> {
    let mut chunks = vec![
        "data: {\"type\":\"response.created\",\"response\":{\"id\":\"r\",\"conversation_id\":\"c\"}}\n\n".to_owned(),
        "data: {\"type\":\"response.output_item.added\",\"item\":{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[]}}\n\n".to_owned(),
    ];
    let delta = "x".repeat(size);
    for _ in 0..deltas {
        chunks.push(format!(
            "data: {{\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"content_index\":0,\"delta\":\"{delta}\"}}\n\n"
        ));
    }
    chunks.push(
        "data: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}\n\n"
            .to_owned(),
    );
    chunks
}

/// Reads a stream, rendering the view each time the reader shows it (as the app does).
async fn time_stream(deltas: usize, size: usize) -> (Duration, usize) {
    let mut times = Vec::new();
    let mut shown = 0;
    for _ in 0..ROUNDS {
        let response = body(delta_chunks(deltas, size));
        let mut state = ResponseState::default();
        shown = 0;
        let started = Instant::now();
        stream::read(
            response,
            &mut state,
            Duration::from_secs(60),
            &Cancel::default(),
            |state, _| {
                shown += 1;
                std::hint::black_box(view::render(state).text_html.len());
            },
        )
        .await;
        std::hint::black_box(view::render(&state).text_html.len());
        times.push(started.elapsed());
    }
    (median(&mut times), shown)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let report = cited_report();
    let plain = "Revenue rose. ".repeat(report.len() / 14);
    println!("Rendering a finished report (median of {ROUNDS})");
    println!(
        "  50,000 citations + 200,000 stray '[' ({:.1} MB): {}",
        report.len() as f64 / 1e6,
        ms(time_render(&report))
    );
    println!(
        "  baseline, plain words ({:.1} MB):               {}",
        plain.len() as f64 / 1e6,
        ms(time_render(&plain))
    );
    let (many, shown) = time_stream(20_000, 50).await;
    let (one, _) = time_stream(1, 1_000_000).await;
    println!("Reading and showing a streamed answer (median of {ROUNDS})");
    println!(
        "  20,000 deltas of 50 bytes: {} (shown {shown} times)",
        ms(many)
    );
    println!("  baseline, one delta of 1,000,000 bytes: {}", ms(one));
    Ok(())
}
