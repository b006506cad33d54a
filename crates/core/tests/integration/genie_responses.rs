//! Ask anything (Genie One) and Agent mode through `brickdesk-core` against the in-process
//! emulator: answers and reports as their streams build them, citations and supporting tables,
//! streams cut mid-way read back through the API without asking twice, Stop, `response.failed`,
//! a workspace without the previews, and a response in flight when the app quit, finished after
//! the restart.

use crate::common;

use brickdesk_core::ErrorCode;
use brickdesk_core::api::Api;
use brickdesk_core::genie::responses::Responses;
use brickdesk_core::genie::responses::features::Availability;
use brickdesk_core::genie::responses::view::{ResponseStatus, ResponseView, StepKind, Surface};
use brickdesk_core::local::LocalDb;
use brickdesk_core::local::responses::ResponseStore;
use brickdesk_core::sql::runs::Runs;
use brickdesk_core::workspace::DEMO_ID;
use brickdesk_emulator::Config;
use brickdesk_emulator::config::Timings;
use brickdesk_emulator::genie::GeniePreviews;
use common::*;
use serde_json::json;
use std::sync::{Arc, Mutex};

const SALES: &str = "01f0c0ffee0000000000000000000002";
const ONE: &str = "/api/2.0/genie/one/responses";

fn quick(step_ms: u64) -> Config {
    Config {
        timings: Timings {
            genie_step_ms: step_ms,
            warehouse_start_ms: 50,
            ..Timings::default()
        },
        ..alice()
    }
}

fn responses(db: &Arc<LocalDb>) -> Responses {
    Responses::new(ResponseStore::new(db.clone()), Arc::new(Runs::default()))
}

fn agent(space: &str) -> Surface {
    Surface::AgentMode {
        agent_id: space.into(),
    }
}

/// Asks and collects every view sent on the way.
async fn ask(
    r: &Responses,
    api: &Api,
    surface: Surface,
    question: &str,
) -> (ResponseView, Vec<ResponseView>) {
    let seen = Mutex::new(Vec::new());
    let last = r
        .ask(api, DEMO_ID, surface, question, None, &|v| {
            seen.lock().expect("seen").push(v)
        })
        .await
        .expect("an answer");
    (last, seen.into_inner().expect("seen"))
}

/// Agent mode researches "How has revenue developed?" in a task; its views come on the channel.
fn research_in_background(
    r: &Arc<Responses>,
    api: &Api,
) -> (
    tokio::task::JoinHandle<Result<ResponseView, brickdesk_core::ErrorInfo>>,
    tokio::sync::mpsc::UnboundedReceiver<ResponseView>,
) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let (r, api) = (r.clone(), api.clone());
    let task = tokio::spawn(async move {
        let send = move |v| drop(tx.send(v));
        r.ask(
            &api,
            DEMO_ID,
            agent(SALES),
            "How has revenue developed?",
            None,
            &send,
        )
        .await
    });
    (task, rx)
}

fn posts(log: &[(String, String, u64)], suffix: &str) -> usize {
    log.iter()
        .filter(|(m, p, _)| m == "POST" && p.ends_with(suffix))
        .count()
}

#[tokio::test]
async fn ask_anything_answers_with_a_cited_table_as_the_stream_grows() {
    let (f, api) = signed_in_demo("responses-one", quick(30)).await;
    let db = Arc::new(LocalDb::in_memory());
    let r = responses(&db);
    let features = r.check_features(&api, DEMO_ID).await;
    assert_eq!(features.ask_anything, Availability::Available);
    assert_eq!(features.agent_mode, Availability::Unknown, "never guessed");
    let (last, seen) = ask(
        &r,
        &api,
        Surface::AskAnything,
        "What is the revenue by region?",
    )
    .await;
    assert_eq!(seen[0].status, ResponseStatus::Sending);
    assert!(
        seen.iter()
            .any(|v| v.status == ResponseStatus::Working && v.text_streaming)
    );
    assert_eq!(last.status, ResponseStatus::Completed, "{:?}", last.problem);
    assert!(last.text_html.contains("EUROPE"), "{}", last.text_html);
    assert!(
        last.text_html.contains("<table>"),
        "Genie One's Markdown table"
    );
    assert_eq!(last.citations[0].asset_type, "TABLE");
    assert!(last.citations[0].title.starts_with("samples.tpch."));
    assert!(
        last.steps
            .iter()
            .all(|s| s.kind == StepKind::Note && s.done)
    );
    // A follow-up continues the conversation; both are in the history.
    let follow = r
        .ask(
            &api,
            DEMO_ID,
            Surface::AskAnything,
            "now by year",
            last.conversation_id.as_deref(),
            &|_| {},
        )
        .await
        .expect("follow-up");
    assert_eq!(follow.conversation_id, last.conversation_id);
    assert!(follow.text_html.contains("1995"), "{}", follow.text_html);
    let history = r.history(DEMO_ID).expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].question, "now by year");
    assert_eq!(history[1].status, ResponseStatus::Completed);
    let kept = r.response(&api, DEMO_ID, last.id).expect("kept");
    assert_eq!(kept.text_html, last.text_html);
    drop(f);
}

#[tokio::test]
async fn agent_mode_reports_with_numbered_citations_and_tables_in_the_grid() {
    let (f, api) = signed_in_demo("responses-agent", quick(30)).await;
    let db = Arc::new(LocalDb::in_memory());
    let r = responses(&db);
    let question = "How has revenue developed, and where does it come from?";
    let (last, seen) = ask(&r, &api, agent(SALES), question).await;
    assert_eq!(last.status, ResponseStatus::Completed, "{:?}", last.problem);
    let queries: Vec<_> = last
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Query)
        .collect();
    assert!((2..=4).contains(&queries.len()), "{:?}", last.steps);
    assert!(queries.iter().all(|q| q.done && q.sql.is_some()));
    assert!(last.steps[0].title.contains("steps"), "the plan first");
    // Steps ticked off live: some view had a query step that was not done yet.
    assert!(
        seen.iter()
            .any(|v| v.steps.iter().any(|s| s.kind == StepKind::Query && !s.done))
    );
    assert!(
        seen.iter().any(|v| v.text_streaming),
        "the report streamed in"
    );
    assert_eq!(last.citations.len(), queries.len());
    for (n, citation) in last.citations.iter().enumerate() {
        assert_eq!(citation.number, Some(n as u32 + 1));
        assert_eq!(citation.asset_type, "QUERY");
        assert_eq!(citation.sql, queries[n].sql);
    }
    assert!(last.text_html.contains("[1]") && !last.text_html.contains("gra_focus"));
    assert_eq!(last.tables.len(), queries.len());
    // The first looks at the total, the next over time: a label and a measure.
    let run_id = last.tables[1].run_id.expect("a result");
    let window = r.runs().window(run_id, 0, 100).expect("rows");
    assert!(window.rows.len() >= 5, "{:?}", window.rows);
    assert_eq!(window.rows[0].len(), 2);
    assert_eq!(features_agent(&r, &api).await, Availability::Available);
    drop(f);
}

async fn features_agent(r: &Responses, api: &Api) -> Availability {
    r.check_features(api, DEMO_ID).await.agent_mode
}

#[tokio::test]
async fn a_stream_cut_mid_way_is_read_back_whole_and_the_question_is_sent_once() {
    let (f, api) = signed_in_demo("responses-cut", quick(30)).await;
    let db = Arc::new(LocalDb::in_memory());
    let r = responses(&db);
    add_faults(
        &f,
        json!({ "path": "/api/2.0/genie/*/responses", "count": 2,
                "fault": { "kind": "stream_cut", "after_events": 3, "abrupt": true } }),
    )
    .await;
    for (surface, question) in [
        (Surface::AskAnything, "How many trips were there?"),
        (agent(SALES), "How has revenue developed?"),
    ] {
        let (last, seen) = ask(&r, &api, surface.clone(), question).await;
        assert!(
            seen.iter()
                .any(|v| v.status == ResponseStatus::Reconnecting),
            "{surface:?}"
        );
        assert_eq!(last.status, ResponseStatus::Completed, "{:?}", last.problem);
        assert!(!last.citations.is_empty(), "{surface:?}");
        if surface == Surface::AskAnything {
            assert!(last.text_html.contains("21,932"), "{}", last.text_html);
        } else {
            assert!(!last.tables.is_empty());
        }
    }
    let log = logged_requests(&f, "/api/2.0/genie/").await;
    assert_eq!(posts(&log, "/one/responses"), 1, "never asked twice");
    assert_eq!(posts(&log, &format!("{SALES}/responses")), 1);
    assert!(
        log.iter()
            .any(|(m, p, _)| m == "GET" && p.contains("/one/conversations/"))
    );
    assert!(
        log.iter()
            .any(|(m, p, _)| m == "GET" && p.ends_with("/items"))
    );
}

#[tokio::test]
async fn stop_cancels_agent_mode_at_its_next_step() {
    let (f, api) = signed_in_demo("responses-stop", quick(300)).await;
    let db = Arc::new(LocalDb::in_memory());
    let r = Arc::new(responses(&db));
    let (asking, mut rx) = research_in_background(&r, &api);
    // Stop once the first query shows.
    while let Some(view) = rx.recv().await {
        if view.steps.iter().any(|s| s.kind == StepKind::Query) {
            r.stop(view.id).expect("stop");
            break;
        }
    }
    let last = asking.await.expect("task").expect("view");
    assert_eq!(last.status, ResponseStatus::Stopped);
    assert_eq!(
        last.problem.as_ref().map(|p| p.code),
        Some(ErrorCode::Cancelled)
    );
    assert!(last.text_html.is_empty(), "no report after Stop");
    let log = logged_requests(&f, "/api/2.0/genie/").await;
    assert_eq!(posts(&log, "/cancel"), 1);
    assert!(r.stop(last.id).is_err(), "over already");
}

#[tokio::test]
async fn a_failed_response_says_what_databricks_said() {
    let (f, api) = signed_in_demo("responses-failed", quick(20)).await;
    add_faults(
        &f,
        json!({ "path": ONE, "count": 1, "fault": { "kind": "response_failed",
                "message": "The warehouse is out of capacity." } }),
    )
    .await;
    let db = Arc::new(LocalDb::in_memory());
    let r = responses(&db);
    let (last, _) = ask(&r, &api, Surface::AskAnything, "How many trips were there?").await;
    assert_eq!(last.status, ResponseStatus::Failed);
    let problem = last.problem.expect("a problem");
    assert!(
        problem.message.contains("out of capacity"),
        "{}",
        problem.message
    );
}

#[tokio::test]
async fn a_workspace_without_the_previews_says_so_and_remembers() {
    let config = Config {
        genie_previews: GeniePreviews {
            genie_one_api: false,
            agent_mode_api: false,
            ..GeniePreviews::default()
        },
        ..quick(20)
    };
    let (f, api) = signed_in_demo("responses-off", config).await;
    let db = Arc::new(LocalDb::in_memory());
    let r = responses(&db);
    let features = r.check_features(&api, DEMO_ID).await;
    let Availability::Unavailable { reason } = features.ask_anything else {
        panic!("{features:?}");
    };
    assert!(reason.contains("Genie One API"), "{reason}");
    let error = r
        .ask(&api, DEMO_ID, agent(SALES), "Why?", None, &|_| {})
        .await
        .expect_err("off");
    assert_eq!(error.code, ErrorCode::Unavailable);
    assert!(
        error.message.contains("Agent Mode API"),
        "{}",
        error.message
    );
    assert!(matches!(
        r.check_features(&api, DEMO_ID).await.agent_mode,
        Availability::Unavailable { .. }
    ));
    assert!(
        r.history(DEMO_ID).expect("history").is_empty(),
        "nothing was asked"
    );
    drop(f);
}

#[tokio::test]
async fn a_response_in_flight_when_the_app_quit_is_finished_after_the_restart() {
    let (f, api) = signed_in_demo("responses-restart", quick(150)).await;
    let db = Arc::new(LocalDb::in_memory());
    let first = Arc::new(responses(&db));
    let (asking, mut rx) = research_in_background(&first, &api);
    while let Some(view) = rx.recv().await {
        if view.response_id.is_some() {
            break;
        }
    }
    asking.abort(); // The app quits mid-stream.
    let _ = asking.await;
    // A question that never got its ids, as if the app died right after sending it.
    let store = ResponseStore::new(db.clone());
    store
        .add(DEMO_ID, "{\"kind\":\"askAnything\"}", "Lost?", None, 1)
        .expect("add");
    let after = responses(&db);
    let seen = Mutex::new(Vec::new());
    after
        .resume(&api, DEMO_ID, &|v| seen.lock().expect("seen").push(v))
        .await
        .expect("resume");
    let seen = seen.into_inner().expect("seen");
    let finished: Vec<&ResponseView> = seen.iter().filter(|v| v.status.is_over()).collect();
    assert_eq!(finished.len(), 2, "{seen:?}");
    let report = finished
        .iter()
        .find(|v| v.question == "How has revenue developed?")
        .expect("the report");
    assert_eq!(
        report.status,
        ResponseStatus::Completed,
        "{:?}",
        report.problem
    );
    assert!(!report.citations.is_empty());
    let lost = finished
        .iter()
        .find(|v| v.question == "Lost?")
        .expect("lost");
    assert_eq!(lost.status, ResponseStatus::Unconfirmed);
    let log = logged_requests(&f, "/api/2.0/genie/").await;
    assert_eq!(
        posts(&log, &format!("{SALES}/responses")),
        1,
        "not asked again"
    );
    assert_eq!(
        posts(&log, "/one/responses"),
        0,
        "the unconfirmed one is not sent"
    );
}

/// Ask anything streamed in the dialect databricks/cli reads (`metadata.ui_type`, query
/// previews, a chart referenced from the text, the answer as a message or as an
/// `output_final_response` call, a question back as `ask_user_questions`): thoughts are
/// progress, the answer is never lost, the chart is a table, and a question looks like one.
#[tokio::test]
async fn ask_anything_in_the_clis_dialect_shows_thoughts_the_answer_its_chart_and_questions() {
    use brickdesk_emulator::genie::GenieOneDialect;
    for dialect in [GenieOneDialect::UiType, GenieOneDialect::UiTypeFinalCall] {
        let mut config = quick(20);
        config.genie_previews = GeniePreviews {
            genie_one_dialect: dialect,
            ..GeniePreviews::default()
        };
        let (_f, api) = signed_in_demo("responses-cli-dialect", config).await;
        let db = Arc::new(LocalDb::in_memory());
        let r = responses(&db);
        let (last, seen) = ask(
            &r,
            &api,
            Surface::AskAnything,
            "What is the revenue by region?",
        )
        .await;
        assert_eq!(
            last.status,
            ResponseStatus::Completed,
            "{dialect:?}: {:?}",
            last.problem
        );
        assert!(
            last.text_html.contains("EUROPE"),
            "{dialect:?}: {}",
            last.text_html
        );
        assert!(
            !last.text_html.contains("#viz_"),
            "{dialect:?}: the chart reference left the text"
        );
        assert!(!last.asks_back, "{dialect:?}");
        let notes: Vec<&str> = last
            .steps
            .iter()
            .filter(|s| s.kind == StepKind::Note)
            .map(|s| s.title.as_str())
            .collect();
        assert!(
            notes.iter().any(|n| n.starts_with("Searching the data")),
            "{dialect:?}: thoughts are progress: {notes:?}"
        );
        assert!(
            !last.text_html.contains("Searching the data"),
            "{dialect:?}: a thought never shows as the answer"
        );
        let query = last
            .steps
            .iter()
            .find(|s| s.kind == StepKind::Query)
            .expect("the query as a step");
        assert!(query.sql.as_deref().is_some_and(|s| s.contains("SELECT")));
        assert!(
            query
                .detail_html
                .as_deref()
                .is_some_and(|d| d.contains("<table>"))
        );
        assert_eq!(
            last.tables.len(),
            1,
            "{dialect:?}: the chart's data is a supporting table"
        );
        assert!(
            last.tables[0]
                .summary
                .as_ref()
                .is_some_and(|s| s.loaded_rows > 1)
        );
        assert!(
            seen.iter()
                .any(|v| v.status == ResponseStatus::Working && !v.steps.is_empty()),
            "{dialect:?}: live progress"
        );
    }
}

#[tokio::test]
async fn a_question_back_in_the_clis_dialect_reads_as_a_question() {
    use brickdesk_emulator::genie::GenieOneDialect;
    let mut config = quick(20);
    config.genie_previews = GeniePreviews {
        genie_one_dialect: GenieOneDialect::UiType,
        ..GeniePreviews::default()
    };
    let (_f, api) = signed_in_demo("responses-cli-question", config).await;
    let r = responses(&Arc::new(LocalDb::in_memory()));
    let (first, _) = ask(
        &r,
        &api,
        Surface::AskAnything,
        "What is the revenue by region?",
    )
    .await;
    assert!(!first.asks_back);
    // A follow-up the data cannot answer: Genie asks back what to change.
    let last = r
        .ask(
            &api,
            DEMO_ID,
            Surface::AskAnything,
            "Show me the weather",
            first.conversation_id.as_deref(),
            &|_| {},
        )
        .await
        .expect("an answer");
    assert_eq!(last.status, ResponseStatus::Completed, "{:?}", last.problem);
    assert!(last.asks_back, "{}", last.text_html);
    assert!(last.text_html.contains("<strong>"), "{}", last.text_html);
}

/// The Genie One API takes OAuth sign-ins only: a workspace signed in with a personal access
/// token says so (and what to do) instead of failing, and asks nothing.
#[tokio::test]
async fn ask_anything_on_a_personal_access_token_says_it_needs_a_browser_sign_in() {
    let f = fixture("responses-pat", quick(20), false).await;
    // A token the emulator accepts, standing in for a personal access token.
    let token: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/oidc/v1/token", f.emulator.base_url))
        .basic_auth("kpi-bot", Some("kpi-bot-secret"))
        .form(&[("grant_type", "client_credentials"), ("scope", "all-apis")])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let id = f
        .service
        .add(
            brickdesk_core::service::NewWorkspace {
                name: "Token".into(),
                host: f.emulator.base_url.clone(),
                auth: brickdesk_core::profiles::AuthKind::PersonalAccessToken,
                redirect: None,
                access: None,
                secret: token["access_token"].as_str().map(str::to_owned),
            },
            |_| {},
        )
        .await
        .expect("added")
        .active_id
        .expect("active");
    let api = f.service.api(&id).await.expect("api");
    let r = responses(&Arc::new(LocalDb::in_memory()));
    let features = r.check_features(&api, &id).await;
    let Availability::Unavailable { reason } = features.ask_anything else {
        panic!("{features:?}");
    };
    assert!(reason.contains("browser sign-in"), "{reason}");
    let error = r
        .ask(
            &api,
            &id,
            Surface::AskAnything,
            "What is the revenue by region?",
            None,
            &|_| {},
        )
        .await
        .expect_err("not asked");
    assert_eq!(error.code, ErrorCode::Unavailable);
    assert_eq!(
        posts(&logged_requests(&f, ONE).await, "/responses"),
        0,
        "nothing was sent"
    );
}

#[tokio::test]
async fn an_agent_mode_conversation_started_elsewhere_is_in_the_history_and_opens_read_only() {
    let (f, api) = signed_in_demo("responses-elsewhere", quick(20)).await;
    let genie = brickdesk_core::genie::Genie::new(
        brickdesk_core::local::genie::GenieStore::new(Arc::new(LocalDb::in_memory())),
        Arc::new(Runs::default()),
        5,
    );
    // A chat first, then research "on another machine" (its own local store), then a
    // follow-up to it: the research conversation was updated last.
    let chat = genie
        .ask(
            &api,
            DEMO_ID,
            SALES,
            None,
            "What is the revenue by region?",
            &|_| {},
        )
        .await
        .expect("chat");
    let elsewhere = responses(&Arc::new(LocalDb::in_memory()));
    let (first, _) = ask(&elsewhere, &api, agent(SALES), "How has revenue developed?").await;
    assert_eq!(
        first.status,
        ResponseStatus::Completed,
        "{:?}",
        first.problem
    );
    let conversation = first.conversation_id.clone().expect("a conversation");
    let follow_up = elsewhere
        .ask(
            &api,
            DEMO_ID,
            agent(SALES),
            "Which region grew fastest?",
            Some(&conversation),
            &|_| {},
        )
        .await
        .expect("follow-up");
    assert_eq!(
        follow_up.status,
        ResponseStatus::Completed,
        "{:?}",
        follow_up.problem
    );

    // Here, with nothing kept locally: both conversations, the research first.
    let history = genie.conversations(&api, SALES).await.expect("history");
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[0].conversation_id, conversation);
    assert!(history[0].agent_mode);
    assert_eq!(history[1].conversation_id, chat.conversation_id);
    assert!(!history[1].agent_mode);

    let here = responses(&Arc::new(LocalDb::in_memory()));
    let views = here
        .agent_conversation(&api, SALES, &conversation)
        .await
        .expect("opened");
    assert_eq!(views.len(), 2);
    assert_eq!(views[0].question, "How has revenue developed?");
    assert_eq!(views[1].question, "Which region grew fastest?");
    for (view, asked) in views.iter().zip([&first, &follow_up]) {
        assert_eq!(view.status, ResponseStatus::Completed);
        assert_eq!(
            view.text_html, asked.text_html,
            "the same report as streamed"
        );
        assert_eq!(view.steps.len(), asked.steps.len());
        assert_eq!(view.citations, asked.citations);
        assert_eq!(view.tables.len(), asked.tables.len());
        let run = view.tables[0].run_id.expect("its rows in the grid");
        assert!(
            !here
                .runs()
                .window(run, 0, 10)
                .expect("rows")
                .rows
                .is_empty()
        );
    }
    assert!(
        here.history(DEMO_ID).expect("local").is_empty(),
        "read-only: nothing kept"
    );

    // Deleted like a chat; then it cannot be opened, in words.
    genie
        .delete_conversation(&api, SALES, &conversation)
        .await
        .expect("deleted");
    let gone = here
        .agent_conversation(&api, SALES, &conversation)
        .await
        .expect_err("gone");
    assert_eq!(gone.code, ErrorCode::NotFound);
    assert!(
        gone.message.contains("cannot be opened"),
        "{}",
        gone.message
    );
    assert_eq!(
        genie.conversations(&api, SALES).await.expect("list").len(),
        1
    );
    drop(f);
}
