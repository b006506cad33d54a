//! Genie answers in the shapes real workspaces send beyond the everyday ones: an answer with
//! a question back (two text attachments), rows in several chunks, a result still running or
//! failed, lists in several pages, and a workspace that throttles or fails while Genie works.

use crate::common;

use brickdesk_core::ErrorCode;
use brickdesk_core::api::Api;
use brickdesk_core::genie::answer::{Answer, TextPurpose};
use brickdesk_core::genie::limiter::Limiter;
use brickdesk_core::genie::wire::MessageStatus;
use brickdesk_core::genie::{Genie, MessageRef};
use brickdesk_core::local::LocalDb;
use brickdesk_core::local::genie::GenieStore;
use brickdesk_core::sql::runs::Runs;
use brickdesk_core::workspace::DEMO_ID;
use brickdesk_emulator::Config;
use brickdesk_emulator::config::Timings;
use common::*;
use serde_json::json;
use std::sync::Arc;

const TAXI: &str = "01f0c0ffee0000000000000000000001";

fn quick() -> Config {
    let mut config = Config {
        timings: Timings {
            genie_step_ms: 40,
            ..Timings::default()
        },
        ..alice()
    };
    config.genie.questions_per_minute = 100;
    config
}

fn genie() -> Genie {
    Genie::with_limiter(
        GenieStore::new(Arc::new(LocalDb::in_memory())),
        Arc::new(Runs::default()),
        Limiter::new(100),
    )
}

async fn ask(genie: &Genie, api: &Api, conversation: Option<&str>, question: &str) -> Answer {
    genie
        .ask(api, DEMO_ID, TAXI, conversation, question, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{question}: {e}"))
}

fn message(answer: &Answer) -> MessageRef {
    MessageRef {
        space_id: answer.space_id.clone(),
        conversation_id: answer.conversation_id.clone(),
        message_id: answer.message_id.clone(),
    }
}

#[tokio::test]
async fn an_answer_with_a_question_back_shows_both_for_what_they_are() {
    let (_f, api) = signed_in_demo("genie-two-texts", quick()).await;
    let answer = ask(&genie(), &api, None, "How many trips were there recently?").await;
    let purposes: Vec<TextPurpose> = answer.texts.iter().map(|t| t.purpose).collect();
    assert_eq!(
        purposes,
        [TextPurpose::Answer, TextPurpose::FollowUpQuestion]
    );
    assert!(
        answer.texts[0].html.contains("21,932"),
        "{:?}",
        answer.texts
    );
    assert!(
        answer.texts[1].html.contains("Which period"),
        "{:?}",
        answer.texts
    );
}

#[tokio::test]
async fn rows_in_several_chunks_are_all_shown() {
    let mut config = quick();
    config.timings.chunk_rows = 1;
    let (_f, api) = signed_in_demo("genie-chunks", config).await;
    let genie = genie();
    let answer = ask(&genie, &api, None, "How many trips were there by month?").await;
    let query = answer.query.as_ref().expect("query");
    let result = query.result.as_ref().expect("rows");
    assert_eq!(
        result.loaded_rows, 2,
        "January and February, one chunk each"
    );
    assert!(!query.truncated);
    let window = genie
        .runs()
        .window(query.run_id.expect("run"), 0, 10)
        .expect("window");
    assert_eq!(window.rows.len(), 2);
}

#[tokio::test]
async fn a_failed_or_closed_result_says_so_instead_of_showing_no_rows() {
    let (f, api) = signed_in_demo("genie-result-state", quick()).await;
    let genie = genie();
    let first = ask(&genie, &api, None, "How many trips were there?").await;
    let result_path = "/api/2.0/genie/spaces/*/attachments/*/query-result";
    for (state, code, words) in [
        ("FAILED", ErrorCode::Server, "Division by zero"),
        ("CLOSED", ErrorCode::NotFound, "Run again"),
        ("CANCELED", ErrorCode::Cancelled, "Run again"),
    ] {
        add_faults(
            &f,
            json!({"path": result_path, "fault": {"kind": "genie_result_state", "state": state}, "count": 1}),
        )
        .await;
        let opened = genie
            .conversation(&api, TAXI, &first.conversation_id)
            .await
            .expect("open");
        let problem = opened[0].problem.as_ref().expect("a problem");
        assert_eq!(problem.code, code, "{state}: {}", problem.message);
        assert!(
            problem.message.contains(words),
            "{state}: {}",
            problem.message
        );
        assert!(opened[0].query.as_ref().expect("query").result.is_none());
        assert_eq!(opened[0].can_run_again, state != "FAILED", "{state}");
    }
}

#[tokio::test]
async fn a_result_still_running_is_waited_for() {
    let mut config = quick();
    config.timings.statement_ms = 1_200;
    config.genie.rerun_wait_ms = 100;
    let (f, api) = signed_in_demo("genie-result-running", config).await;
    let genie = genie();
    let first = ask(&genie, &api, None, "How many trips were there?").await;
    admin(&f, "/__emulator/genie/expire-results").await;
    let attachment = first.query.as_ref().expect("query").attachment_id.clone();
    // execute-query answers while the re-run is still RUNNING; the rows come once it is done.
    let fresh = genie
        .run_again(&api, &message(&first), &attachment)
        .await
        .expect("run again");
    assert_eq!(fresh.result.expect("rows").loaded_rows, 1);
}

#[tokio::test]
async fn conversations_and_messages_are_read_past_the_first_page() {
    let mut config = quick();
    config.genie.max_page_size = 1;
    let (_f, api) = signed_in_demo("genie-pages", config).await;
    let genie = genie();
    let first = ask(&genie, &api, None, "How many trips were there?").await;
    ask(&genie, &api, Some(&first.conversation_id), "Now by month").await;
    ask(&genie, &api, None, "What was the average fare?").await;
    let conversations = genie.conversations(&api, TAXI).await.expect("list");
    assert_eq!(conversations.len(), 2, "{conversations:?}");
    let opened = genie
        .conversation(&api, TAXI, &first.conversation_id)
        .await
        .expect("open");
    assert_eq!(opened.len(), 2, "both messages");
    assert!(genie.spaces(&api).await.expect("spaces").len() >= 2);
}

#[tokio::test]
async fn throttled_or_failing_polls_keep_the_question_until_genie_answers() {
    let (f, api) = signed_in_demo("genie-poll-faults", quick()).await;
    // More 429s than the API layer waits out, then a 500: polling backs off and carries on.
    add_faults(
        &f,
        json!([
            {"method": "GET", "path": "/api/2.0/genie/spaces/*/conversations/*/messages/*",
             "fault": {"kind": "status", "status": 429, "retry_after_secs": 1}, "count": 4},
            {"method": "GET", "path": "/api/2.0/genie/spaces/*/conversations/*/messages/*",
             "fault": {"kind": "status", "status": 500}, "count": 1},
        ]),
    )
    .await;
    let answer = ask(&genie(), &api, None, "How many trips were there?").await;
    assert_eq!(answer.status, MessageStatus::Completed);
    let polls: Vec<u64> = logged_requests(&f, "/api/2.0/genie/")
        .await
        .into_iter()
        .filter(|(method, path, _)| method == "GET" && path.contains("/messages/"))
        .map(|(_, _, status)| status)
        .collect();
    assert_eq!(&polls[..5], [429, 429, 429, 429, 500], "{polls:?}");
}
