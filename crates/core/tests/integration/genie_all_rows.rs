//! "Get all rows" through `brickdesk-core` against the in-process emulator: an answer Genie
//! cut at 5,000 of 50,000 rows is completed through Genie's full-result download (CSV chunks
//! behind external links), and, where the workspace refuses the download, by running the
//! answer's SQL again on the agent's warehouse; either way the rows are the statement's own.
//! Also Genie's own chart (`enable_visualization`, then `download-visualization`).

use crate::common;

use brickdesk_core::api::Api;
use brickdesk_core::genie::all_rows::AllRowsSource;
use brickdesk_core::genie::answer::Answer;
use brickdesk_core::genie::{Genie, MessageRef};
use brickdesk_core::local::LocalDb;
use brickdesk_core::local::genie::GenieStore;
use brickdesk_core::sql::runs::{RunEvent, Runs};
use brickdesk_core::workspace::DEMO_ID;
use brickdesk_emulator::Config;
use brickdesk_emulator::config::Timings;
use common::*;
use serde_json::json;
use std::sync::{Arc, Mutex};

const SALES: &str = "01f0c0ffee0000000000000000000002";
const ALL_LINES: u32 = 50_000;

fn quick() -> Config {
    let mut config = Config {
        timings: Timings {
            genie_step_ms: 20,
            ..Timings::default()
        },
        ..alice()
    };
    config.genie.questions_per_minute = 100;
    config
}

async fn capped_answer(name: &str) -> (Fixture, Api, Genie, Answer) {
    let (f, api) = signed_in_demo(name, quick()).await;
    let genie = Genie::new(
        GenieStore::new(Arc::new(LocalDb::in_memory())),
        Arc::new(Runs::default()),
        100,
    );
    let answer = genie
        .ask(&api, DEMO_ID, SALES, None, "List the order lines", &|_| {})
        .await
        .expect("an answer");
    let query = answer.query.as_ref().expect("a query");
    assert!(query.truncated, "Genie cut the answer");
    assert_eq!(query.result.as_ref().expect("rows").loaded_rows, 5_000);
    (f, api, genie, answer)
}

fn message(answer: &Answer) -> MessageRef {
    serde_json::from_value(json!({
        "spaceId": answer.space_id,
        "conversationId": answer.conversation_id,
        "messageId": answer.message_id,
    }))
    .expect("message ref")
}

/// The last row of the whole result, by the statement's own order (`l_orderkey,
/// l_linenumber`): the same whichever way the rows came.
fn last_row(genie: &Genie, run_id: u32) -> Vec<Option<String>> {
    genie
        .runs()
        .window(run_id, ALL_LINES - 1, 1)
        .expect("window")
        .rows
        .remove(0)
}

#[tokio::test]
async fn all_rows_come_through_genies_download() {
    let (_f, api, genie, answer) = capped_answer("all-rows-download").await;
    let attachment = answer.query.as_ref().expect("query").attachment_id.clone();
    let events = Mutex::new(Vec::new());
    let all = genie
        .all_rows(&api, DEMO_ID, &message(&answer), &attachment, |e| {
            events.lock().expect("events").push(e)
        })
        .await
        .expect("all rows");
    assert_eq!(all.source, AllRowsSource::Download);
    assert_eq!(all.result.loaded_rows, ALL_LINES);
    assert!(!all.result.truncated);
    let events = events.into_inner().expect("events");
    assert!(matches!(events.first(), Some(RunEvent::Started { run_id }) if *run_id == all.run_id));
    assert!(events.iter().any(|e| matches!(e, RunEvent::Rows(_))));
    let statement = all.statement_id.expect("the download's statement");
    assert_ne!(
        Some(statement.as_str()),
        answer
            .query
            .as_ref()
            .and_then(|q| q.statement_id.as_deref()),
        "a new execution, not the capped one"
    );
    let row = last_row(&genie, all.run_id);
    assert_eq!(row.len(), 7, "{row:?}");
    assert!(
        row.iter().all(Option::is_some),
        "CSV cells typed back: {row:?}"
    );
}

#[tokio::test]
async fn a_workspace_without_the_download_runs_the_sql_again() {
    let (f, api, genie, answer) = capped_answer("all-rows-rerun").await;
    add_faults(
        &f,
        json!([{"method": "POST",
                "path": "/api/2.0/genie/spaces/*/conversations/*/messages/*/attachments/*/downloads",
                "fault": {"kind": "status", "status": 404}, "count": 1}]),
    )
    .await;
    let attachment = answer.query.as_ref().expect("query").attachment_id.clone();
    let all = genie
        .all_rows(&api, DEMO_ID, &message(&answer), &attachment, |_| {})
        .await
        .expect("all rows");
    assert_eq!(all.source, AllRowsSource::Rerun);
    assert_eq!(all.warehouse_id.as_deref(), Some("5f6e7d8c9b0a1234"));
    assert_eq!(all.result.loaded_rows, ALL_LINES);
    let through_download = {
        let again = genie
            .all_rows(&api, DEMO_ID, &message(&answer), &attachment, |_| {})
            .await
            .expect("all rows, downloaded");
        assert_eq!(again.source, AllRowsSource::Download);
        last_row(&genie, again.run_id)
    };
    assert_eq!(last_row(&genie, all.run_id), through_download);
}

#[tokio::test]
async fn genie_draws_its_own_chart_when_asked_and_it_comes_as_a_png() {
    let (_f, api) = signed_in_demo("genie-viz", quick()).await;
    let genie = Genie::new(
        GenieStore::new(Arc::new(LocalDb::in_memory())),
        Arc::new(Runs::default()),
        100,
    );
    let answer = genie
        .ask(
            &api,
            DEMO_ID,
            SALES,
            None,
            "What is the revenue by region?",
            &|_| {},
        )
        .await
        .expect("an answer");
    let viz = answer.visualization.clone().expect("Genie's chart");
    let png = genie
        .visualization(&api, &message(&answer), &viz.attachment_id)
        .await
        .expect("the picture");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 500,
        "{} bytes",
        png.len()
    );
    let error = genie
        .visualization(&api, &message(&answer), "not-an-attachment")
        .await
        .expect_err("only the viz attachment has a picture");
    assert_ne!(error.code, brickdesk_core::ErrorCode::Internal);
}
