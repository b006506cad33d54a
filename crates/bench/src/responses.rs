//! `responses-benchmark`: how soon Brickdesk shows something after Ask on the two streamed
//! Genie surfaces, against the emulator with its default timings (Genie steps of 700 ms).
//!
//! For each question, from the moment `Responses::ask` is called (as the app does on Ask):
//! Genie's confirmation (`response.created`, the answer's card turns from "Sending" to
//! working), the first step (a progress note or the research plan), the first words of the
//! answer or report, and the whole answer. Ask anything asks "How many trips were there?"
//! (one query), Agent mode researches "How did the average fare develop?" (three queries) in
//! the NYC Taxi agent; each question starts a new conversation. Run it as documented in
//! `docs/benchmarks.md`:
//! `cargo build -p brickdesk-emulator && cargo run --release -p brickdesk-bench --bin responses-benchmark`.

// Printing the figures is this program's job.
#![allow(clippy::print_stdout)]

use anyhow::Result;
use brickdesk_bench::{api, emulator};
use brickdesk_core::genie::responses::Responses;
use brickdesk_core::genie::responses::view::{ResponseStatus, ResponseView, Surface};
use brickdesk_core::local::LocalDb;
use brickdesk_core::local::responses::ResponseStore;
use brickdesk_core::sql::runs::Runs;
use std::sync::{Arc, Mutex};
use std::time::Instant;

const ASK_ANYTHING: usize = 10;
const AGENT_MODE: usize = 5;
const TAXI: &str = "01f0c0ffee0000000000000000000001";

/// Milliseconds from Ask to each moment, for one question.
#[derive(Debug, Default, Clone, Copy)]
struct Moments {
    confirmed: Option<f64>,
    first_step: Option<f64>,
    first_text: Option<f64>,
    done: Option<f64>,
}

fn note(moments: &Mutex<Moments>, started: Instant, view: &ResponseView) {
    let ms = started.elapsed().as_secs_f64() * 1e3;
    let mut m = moments.lock().unwrap_or_else(|p| p.into_inner());
    if view.response_id.is_some() {
        m.confirmed.get_or_insert(ms);
    }
    if !view.steps.is_empty() {
        m.first_step.get_or_insert(ms);
    }
    if !view.text_html.is_empty() {
        m.first_text.get_or_insert(ms);
    }
    if view.status.is_over() {
        m.done.get_or_insert(ms);
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn p95(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let index = ((values.len() as f64 - 1.0) * 0.95).round() as usize;
    values.get(index).copied().unwrap_or(f64::NAN)
}

fn print_row(label: &str, all: &[Moments], pick: impl Fn(&Moments) -> Option<f64>) {
    let mut values: Vec<f64> = all.iter().filter_map(&pick).collect();
    println!(
        "  {label:<36} {:>8.0} ms {:>8.0} ms   ({} of {})",
        median(&mut values),
        p95(&mut values),
        values.len(),
        all.len()
    );
}

async fn measure(
    responses: &Responses,
    api: &brickdesk_core::api::Api,
    surface: Surface,
    question: &str,
    count: usize,
) -> Result<Vec<Moments>> {
    let mut all = Vec::new();
    for _ in 0..count {
        let moments = Mutex::new(Moments::default());
        let started = Instant::now();
        let last = responses
            .ask(api, "bench", surface.clone(), question, None, &|view| {
                note(&moments, started, &view);
            })
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?;
        anyhow::ensure!(
            last.status == ResponseStatus::Completed,
            "the answer did not complete: {:?}",
            last.problem
        );
        note(&moments, started, &last);
        all.push(moments.into_inner().unwrap_or_else(|p| p.into_inner()));
    }
    Ok(all)
}

#[tokio::main]
async fn main() -> Result<()> {
    let emulator = emulator(&[])?;
    let api = api(&emulator.url).await?;
    let responses = Responses::new(
        ResponseStore::new(Arc::new(LocalDb::in_memory())),
        Arc::new(Runs::default()),
    );
    // One uncounted question each, so the warehouse and connections are warm.
    measure(
        &responses,
        &api,
        Surface::AskAnything,
        "How many trips were there?",
        1,
    )
    .await?;
    let one = measure(
        &responses,
        &api,
        Surface::AskAnything,
        "How many trips were there?",
        ASK_ANYTHING,
    )
    .await?;
    let agent = Surface::AgentMode {
        agent_id: TAXI.into(),
    };
    let question = "How did the average fare develop?";
    measure(&responses, &api, agent.clone(), question, 1).await?;
    let research = measure(&responses, &api, agent, question, AGENT_MODE).await?;

    println!("Emulator default timings (Genie steps of 700 ms); from Ask, median and p95");
    println!("Ask anything ({ASK_ANYTHING} questions, one query each)");
    print_row("Genie confirms (response.created)", &one, |m| m.confirmed);
    print_row("first step shown", &one, |m| m.first_step);
    print_row("first words of the answer", &one, |m| m.first_text);
    print_row("whole answer", &one, |m| m.done);
    println!("Agent mode ({AGENT_MODE} researches, three queries each)");
    print_row("Genie confirms (response.created)", &research, |m| {
        m.confirmed
    });
    print_row("first step shown (the plan)", &research, |m| m.first_step);
    print_row("first words of the report", &research, |m| m.first_text);
    print_row("whole report", &research, |m| m.done);
    Ok(())
}
