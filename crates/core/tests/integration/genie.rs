//! Genie through `brickdesk-core` against the in-process emulator: a question with progress
//! steps to an answer with text, SQL, rows and follow-ups; a follow-up in the same
//! conversation; the client-side question budget (the sixth question waits, none lost or
//! sent twice); injected 429 and 5xx; an answer picked up after a restart; every terminal
//! state; feedback; history.

use crate::common;

use brickdesk_core::ErrorCode;
use brickdesk_core::api::Api;
use brickdesk_core::genie::answer::Rating;
use brickdesk_core::genie::limiter::Limiter;
use brickdesk_core::genie::progress::Step;
use brickdesk_core::genie::wire::MessageStatus;
use brickdesk_core::genie::{Genie, GenieEvent, MessageRef};
use brickdesk_core::local::LocalDb;
use brickdesk_core::local::genie::GenieStore;
use brickdesk_core::sql::runs::Runs;
use brickdesk_core::workspace::DEMO_ID;
use brickdesk_emulator::Config;
use brickdesk_emulator::config::Timings;
use common::*;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TAXI: &str = "01f0c0ffee0000000000000000000001";

fn quick(questions_per_minute: u32) -> Config {
    let mut config = Config {
        timings: Timings {
            genie_step_ms: 60,
            ..Timings::default()
        },
        ..alice()
    };
    config.genie.questions_per_minute = questions_per_minute;
    config
}

async fn signed_in(name: &str, config: Config) -> (Fixture, Api) {
    signed_in_demo(name, config).await
}

fn genie_on(db: Arc<LocalDb>, limiter: Limiter) -> Genie {
    Genie::with_limiter(GenieStore::new(db), Arc::new(Runs::default()), limiter)
}

fn genie() -> Genie {
    genie_on(Arc::new(LocalDb::in_memory()), Limiter::new(5))
}

/// Statuses of the Genie POSTs whose path contains `path_part`.
async fn posts(f: &Fixture, path_part: &str) -> Vec<u64> {
    logged_requests(f, "/api/2.0/genie/")
        .await
        .into_iter()
        .filter(|(method, path, _)| method == "POST" && path.contains(path_part))
        .map(|(_, _, status)| status)
        .collect()
}

#[tokio::test]
async fn a_question_shows_its_steps_and_answers_with_text_sql_rows_and_follow_ups() {
    let (_f, api) = signed_in("genie-answer", quick(100)).await;
    let genie = genie();
    let spaces = genie.spaces(&api).await.expect("spaces");
    let taxi = spaces
        .iter()
        .find(|s| s.space_id == TAXI)
        .expect("the taxi space");
    assert!(
        taxi.sample_questions
            .iter()
            .any(|q| q == "How many trips were there?")
    );

    let events = Mutex::new(Vec::new());
    let answer = genie
        .ask(
            &api,
            DEMO_ID,
            TAXI,
            None,
            "How many trips were there?",
            &|e| events.lock().expect("events").push(e),
        )
        .await
        .expect("an answer");
    let steps: Vec<Step> = events
        .lock()
        .expect("events")
        .iter()
        .filter_map(|e| match e {
            GenieEvent::Progress { step, .. } => Some(*step),
            _ => None,
        })
        .collect();
    let mut distinct = steps.clone();
    distinct.dedup();
    assert!(distinct.len() >= 3, "several plain steps: {distinct:?}");
    assert_eq!(answer.status, MessageStatus::Completed);
    let text = &answer.texts.first().expect("text").html;
    assert!(text.contains("21,932"), "{text}");
    let query = answer.query.as_ref().expect("a query");
    assert!(query.sql.to_lowercase().contains("count"), "{}", query.sql);
    let result = query.result.as_ref().expect("rows");
    assert_eq!(result.loaded_rows, 1);
    let run_id = query.run_id.expect("run id");
    let window = genie.runs().window(run_id, 0, 10).expect("window");
    assert_eq!(window.rows[0][0].as_deref(), Some("21932"));
    assert!(!answer.suggestions.is_empty());

    // A follow-up goes to the same conversation.
    let follow = answer.suggestions[0].clone();
    let second = genie
        .ask(
            &api,
            DEMO_ID,
            TAXI,
            Some(&answer.conversation_id),
            &follow,
            &|_| {},
        )
        .await
        .expect("follow-up");
    assert_eq!(second.conversation_id, answer.conversation_id);
    assert_ne!(second.message_id, answer.message_id);

    // History: the conversation is listed with a title, and opens with both answers.
    let conversations = genie.conversations(&api, TAXI).await.expect("list");
    assert_eq!(conversations.len(), 1);
    assert!(!conversations[0].title.is_empty());
    let opened = genie
        .conversation(&api, TAXI, &answer.conversation_id)
        .await
        .expect("open");
    assert_eq!(opened.len(), 2);
    assert_eq!(opened[0].question, "How many trips were there?");

    // Feedback shows on the message.
    let message = MessageRef {
        space_id: TAXI.into(),
        conversation_id: answer.conversation_id.clone(),
        message_id: answer.message_id.clone(),
    };
    genie
        .feedback(&api, &message, Rating::Positive)
        .await
        .expect("feedback");
    let opened = genie
        .conversation(&api, TAXI, &answer.conversation_id)
        .await
        .expect("open");
    assert_eq!(opened[0].rating, Some(Rating::Positive));

    genie
        .delete_conversation(&api, TAXI, &answer.conversation_id)
        .await
        .expect("delete");
    assert!(
        genie
            .conversations(&api, TAXI)
            .await
            .expect("list")
            .is_empty()
    );
}

#[tokio::test]
async fn the_sixth_question_in_the_window_waits_and_none_is_lost_or_sent_twice() {
    let (f, api) = signed_in("genie-budget", quick(100)).await;
    let genie = genie_on(
        Arc::new(LocalDb::in_memory()),
        Limiter::with_window(5, Duration::from_secs(2)),
    );
    let events = Mutex::new(Vec::new());
    let record = |e: GenieEvent| events.lock().expect("events").push(e);
    let questions: Vec<String> = (1..=6)
        .map(|i| format!("How many trips were there? ({i})"))
        .collect();
    let asks = questions
        .iter()
        .map(|q| genie.ask(&api, DEMO_ID, TAXI, None, q, &record));
    let answers = futures_util::future::join_all(asks).await;
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    let queued: Vec<u32> = events
        .lock()
        .expect("events")
        .iter()
        .filter_map(|e| match e {
            GenieEvent::Queued { question_id, .. } => Some(*question_id),
            _ => None,
        })
        .collect();
    assert!(!queued.is_empty(), "one question waited for the budget");
    let mut asked: Vec<String> = answers
        .into_iter()
        .map(|a| a.expect("answer").question)
        .collect();
    asked.sort();
    assert_eq!(asked, questions, "every question answered once");
    assert_eq!(
        posts(&f, "start-conversation").await.len(),
        6,
        "sent exactly once each"
    );
    assert!(genie.pending(DEMO_ID).expect("pending").is_empty());
}

#[tokio::test]
async fn throttling_and_server_errors_are_waited_out_without_asking_twice() {
    let (f, api) = signed_in("genie-faults", quick(100)).await;
    let faults = json!([
        {"method": "POST", "path": "/api/2.0/genie/spaces/*/start-conversation",
         "fault": {"kind": "status", "status": 429, "retry_after_secs": 1}, "count": 1},
        {"method": "GET", "path": "/api/2.0/genie/spaces/*/conversations/*/messages/*",
         "fault": {"kind": "status", "status": 503}, "count": 2},
    ]);
    add_faults(&f, faults).await;
    let answer = genie()
        .ask(
            &api,
            DEMO_ID,
            TAXI,
            None,
            "How many trips were there?",
            &|_| {},
        )
        .await
        .expect("answered despite the faults");
    assert_eq!(answer.status, MessageStatus::Completed);
    assert_eq!(
        posts(&f, "start-conversation").await,
        [429, 200],
        "one refused, one accepted"
    );
}

#[tokio::test]
async fn an_answer_in_flight_is_picked_up_after_a_restart() {
    let (f, api) = signed_in("genie-restart", quick(100)).await;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join(brickdesk_core::local::FILE_NAME);
    {
        let genie = genie_on(
            Arc::new(LocalDb::open(&path).expect("db").0),
            Limiter::new(5),
        );
        let sent = Mutex::new(false);
        let on_event = |e: GenieEvent| {
            if matches!(e, GenieEvent::Sent { .. }) {
                *sent.lock().expect("sent") = true;
            }
        };
        let ask = genie.ask(
            &api,
            DEMO_ID,
            TAXI,
            None,
            "How many trips were there?",
            &on_event,
        );
        // The app quits as soon as Genie has the question.
        let _ = tokio::time::timeout(Duration::from_millis(150), ask).await;
        assert!(
            *sent.lock().expect("sent"),
            "the question went out before the quit"
        );
    }
    let genie = genie_on(
        Arc::new(LocalDb::open(&path).expect("db").0),
        Limiter::new(5),
    );
    let pending = genie.pending(DEMO_ID).expect("pending");
    assert_eq!(pending.len(), 1, "kept across the restart");
    let answers = Mutex::new(Vec::new());
    genie
        .resume(&api, DEMO_ID, &|e| {
            if let GenieEvent::Answered { answer, .. } = e {
                answers.lock().expect("answers").push(answer);
            }
        })
        .await
        .expect("resume");
    let answers = answers.into_inner().expect("answers");
    assert_eq!(answers.len(), 1);
    assert!(answers[0].texts.iter().any(|t| t.html.contains("21,932")));
    assert_eq!(
        posts(&f, "start-conversation").await.len(),
        1,
        "not asked again"
    );
    assert!(genie.pending(DEMO_ID).expect("pending").is_empty());
}

#[tokio::test]
async fn failed_expired_and_denied_answers_say_what_to_do() {
    let mut config = quick(1);
    config.genie.over_limit = serde_json::from_value(json!("failed_message")).expect("mode");
    let (f, api) = signed_in("genie-terminal", config).await;
    let genie = genie_on(Arc::new(LocalDb::in_memory()), Limiter::new(100));
    let first = genie
        .ask(
            &api,
            DEMO_ID,
            TAXI,
            None,
            "How many trips were there?",
            &|_| {},
        )
        .await
        .expect("first");
    // Over the workspace's budget, this emulator mode fails the message itself.
    let failed = genie
        .ask(
            &api,
            DEMO_ID,
            TAXI,
            None,
            "How many trips were there?",
            &|_| {},
        )
        .await
        .expect("an answer that explains");
    assert_eq!(failed.status, MessageStatus::Failed);
    let problem = failed.problem.expect("a problem");
    assert_eq!(problem.code, ErrorCode::RateLimited, "{}", problem.message);

    // Expired results: the answer says so, and "Run again" brings fresh rows.
    admin(&f, "/__emulator/genie/expire-results").await;
    let opened = genie
        .conversation(&api, TAXI, &first.conversation_id)
        .await
        .expect("open");
    let expired = &opened[0];
    assert_eq!(expired.status, MessageStatus::QueryResultExpired);
    assert!(
        expired
            .problem
            .as_ref()
            .expect("problem")
            .message
            .contains("Run again")
    );
    let query = expired.query.as_ref().expect("query");
    let fresh = genie
        .run_again(
            &api,
            &MessageRef {
                space_id: TAXI.into(),
                conversation_id: first.conversation_id.clone(),
                message_id: first.message_id.clone(),
            },
            &query.attachment_id,
        )
        .await
        .expect("run again");
    assert_eq!(fresh.result.expect("rows").loaded_rows, 1);
}

#[tokio::test]
async fn a_space_without_access_explains_itself() {
    let bob = Config {
        auto_approve: Some("bob@example.com".into()),
        ..Config::default()
    };
    let (_f, api) = signed_in("genie-denied", bob).await;
    let genie = genie();
    let listed = genie.spaces(&api).await.expect("spaces");
    assert!(
        listed
            .iter()
            .all(|s| s.space_id != brickdesk_emulator::genie::SALES_SPACE_ID)
    );
    let error = genie
        .space(&api, brickdesk_emulator::genie::SALES_SPACE_ID)
        .await
        .expect_err("denied");
    assert_eq!(error.code, ErrorCode::PermissionDenied);
    assert!(error.message.contains("Ask its owner"), "{}", error.message);
}

#[tokio::test]
async fn ids_from_the_web_view_cannot_reach_another_endpoint() {
    let (f, api) = signed_in("genie-path-ids", alice()).await;
    let genie = genie();
    let before = logged_requests(&f, "/api/2.0/").await.len();
    // A `/` or `?` in an id stays inside its segment: the workspace hears of a space with an
    // odd id (and does not know it), never of SCIM or of the warehouses.
    let error = genie
        .space(&api, "../../sql/warehouses?x=")
        .await
        .expect_err("no such space");
    assert_eq!(error.code, ErrorCode::NotFound, "{}", error.message);
    let error = genie
        .delete_conversation(&api, TAXI, "../../../preview/scim/v2/Me")
        .await
        .expect_err("no such conversation");
    assert_eq!(error.code, ErrorCode::NotFound, "{}", error.message);
    // A bare `..` would be resolved by URL parsing, so it never leaves Brickdesk.
    let error = genie.space(&api, "..").await.expect_err("refused");
    assert_eq!(error.code, ErrorCode::InvalidInput);
    let heard: Vec<String> = logged_requests(&f, "/api/2.0/")
        .await
        .into_iter()
        .skip(before)
        .map(|(_, path, _)| path)
        .collect();
    assert!(
        heard
            .iter()
            .all(|p| !p.starts_with("/api/2.0/sql/warehouses")
                && !p.starts_with("/api/2.0/preview/scim")),
        "{heard:?}"
    );
    assert!(
        heard
            .iter()
            .any(|p| p.contains("..%2F..%2Fsql%2Fwarehouses%3Fx%3D")),
        "{heard:?}"
    );
}

#[tokio::test]
async fn agents_come_from_the_genie_agents_list_in_one_request_or_else_from_the_spaces() {
    let (f, api) = signed_in("genie-agents-list", quick(100)).await;
    let genie = genie();
    let listed = genie.spaces(&api).await.expect("agents");
    let log = logged_requests(&f, "/api/2.0/genie/").await;
    // The agents list, and the spaces list for agents made from dashboards (which the agents
    // list leaves out): two requests for every agent, none per agent.
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log[0].1.starts_with("/api/2.0/genie/agents"), "{log:?}");
    assert!(log[1].1.starts_with("/api/2.0/genie/spaces"), "{log:?}");
    let taxi = listed.iter().find(|s| s.space_id == TAXI).expect("taxi");
    assert_eq!(taxi.sample_questions[0], "How many trips were there?");
    assert_eq!(taxi.warehouse_id.as_deref(), Some("a1b2c3d4e5f60718"));

    // A workspace without the list: the spaces, and each space's details, as before.
    add_faults(
        &f,
        serde_json::json!({ "path": "/api/2.0/genie/agents", "fault": { "kind": "status", "status": 404 } }),
    )
    .await;
    let fallback = genie.spaces(&api).await.expect("spaces");
    assert_eq!(fallback, listed, "the same agents either way");
}

/// The Genie Agents list leaves out what it cannot read (named in `unreachable`) and agents
/// made from a dashboard (databricks-sdk-py 0.162 `list_genie_agents`): neither is missing
/// from Brickdesk's list.
#[tokio::test]
async fn unreachable_and_dashboard_agents_are_listed_too() {
    let mut config = quick(100);
    let mut dashboard = config.spaces[0].clone();
    dashboard.space_id = "01f0da5hb0a4d0000000000000000003".into();
    dashboard.title = "Sales dashboard".into();
    dashboard.from_dashboard = true;
    config.spaces.push(dashboard);
    config.spaces[1].unreachable_in_list = true;
    let sales = config.spaces[1].space_id.clone();
    let (_f, api) = signed_in("genie-agents-complete", config).await;
    let spaces = genie().spaces(&api).await.expect("spaces");
    let ids: Vec<&str> = spaces.iter().map(|s| s.space_id.as_str()).collect();
    assert!(ids.contains(&TAXI), "{ids:?}");
    assert!(
        ids.contains(&sales.as_str()),
        "the unreachable agent, read on its own: {ids:?}"
    );
    let read_alone = spaces.iter().find(|s| s.space_id == sales).expect("sales");
    assert!(
        !read_alone.sample_questions.is_empty(),
        "read in the full view"
    );
    assert!(
        spaces.iter().any(|s| s.title == "Sales dashboard"),
        "the dashboard's agent, from the spaces list: {ids:?}"
    );
    assert_eq!(ids.len(), 3, "{ids:?}");
}
