//! The Genie Conversation API over real HTTP: spaces and permissions, the message state machine,
//! answers backed by real statements, follow-ups in context, history, feedback and comments,
//! expired results and re-runs, downloads, charts, the question limit, and injected failures.

use crate::common;

use brickdesk_emulator::Config;
use brickdesk_emulator::config::Timings;
use brickdesk_emulator::genie::{GenieLimits, OverLimit, SALES_SPACE_ID};
use common::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const TAXI: &str = "01f0c0ffee0000000000000000000001";
const SPACES: &str = "/api/2.0/genie/spaces";

struct Genie {
    server: Server,
    token: String,
}

fn quick_timings() -> Timings {
    Timings {
        warehouse_start_ms: 200,
        genie_step_ms: 30,
        ..Timings::default()
    }
}

fn genie_with(config: Config) -> Genie {
    let server = start(config);
    let token = token_for(&server);
    Genie { server, token }
}

fn genie_as(email: &str) -> Genie {
    genie_with(Config {
        timings: quick_timings(),
        genie: GenieLimits {
            questions_per_minute: 100,
            ..GenieLimits::default()
        },
        ..auto_approve(email)
    })
}

fn genie() -> Genie {
    genie_as("alice@example.com")
}

impl Genie {
    fn get(&self, path: &str) -> (u16, Value) {
        get_json(&self.server, path, Some(&self.token))
    }

    fn post(&self, path: &str, body: Value) -> (u16, Value) {
        post_json(&self.server, path, body, Some(&self.token))
    }

    fn delete(&self, path: &str) -> (u16, Value) {
        delete_json(&self.server, path, Some(&self.token))
    }

    /// Starts a conversation in `space`; `(conversation_id, message_id)`.
    fn start(&self, space: &str, question: &str) -> (String, String) {
        let (status, body) = self.post(
            &format!("{SPACES}/{space}/start-conversation"),
            json!({ "content": question }),
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["message"]["status"], "SUBMITTED", "{body}");
        assert_eq!(
            body["conversation"]["conversation_id"],
            body["conversation_id"]
        );
        (text(&body["conversation_id"]), text(&body["message_id"]))
    }

    fn follow_up(&self, space: &str, conversation: &str, question: &str) -> String {
        let (status, body) = self.post(
            &format!("{SPACES}/{space}/conversations/{conversation}/messages"),
            json!({ "content": question }),
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["id"], body["message_id"],
            "legacy id mirrors message_id"
        );
        text(&body["message_id"])
    }

    fn message_path(space: &str, conversation: &str, message: &str) -> String {
        format!("{SPACES}/{space}/conversations/{conversation}/messages/{message}")
    }

    /// Polls the message until it is terminal; the final message and every status seen.
    fn wait(&self, space: &str, conversation: &str, message: &str) -> (Value, Vec<String>) {
        let path = Self::message_path(space, conversation, message);
        let started = Instant::now();
        let mut seen: Vec<String> = Vec::new();
        loop {
            let (status, body) = self.get(&path);
            assert_eq!(status, 200, "{body}");
            let state = text(&body["status"]);
            if seen.last() != Some(&state) {
                seen.push(state.clone());
            }
            let terminal = ["COMPLETED", "FAILED", "CANCELLED", "QUERY_RESULT_EXPIRED"];
            if terminal.contains(&state.as_str()) {
                return (body, seen);
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "stuck in {state}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn ask(&self, space: &str, question: &str) -> (String, String, Value) {
        let (conversation, message) = self.start(space, question);
        let (body, _) = self.wait(space, &conversation, &message);
        (conversation, message, body)
    }
}

fn text(value: &Value) -> String {
    value.as_str().expect("a string").to_owned()
}

/// The attachment of `kind` (`query`, `text`, `suggested_questions`, `viz`).
fn attachment<'a>(message: &'a Value, kind: &str) -> Option<&'a Value> {
    message["attachments"]
        .as_array()?
        .iter()
        .find(|a| a.get(kind).is_some())
}

fn query_result(genie: &Genie, message: &Value) -> (u16, Value) {
    let id = &attachment(message, "query").expect("query attachment")["attachment_id"];
    genie.get(&format!(
        "{}/attachments/{}/query-result",
        Genie::message_path(
            message["space_id"].as_str().unwrap_or_default(),
            message["conversation_id"].as_str().unwrap_or_default(),
            message["message_id"].as_str().unwrap_or_default()
        ),
        id.as_str().unwrap_or_default()
    ))
}

#[test]
fn spaces_are_listed_per_user_and_denials_explain_themselves() {
    let alice = genie();
    let (status, body) = alice.get(SPACES);
    assert_eq!(status, 200, "{body}");
    let titles: Vec<&str> = body["spaces"]
        .as_array()
        .expect("spaces")
        .iter()
        .filter_map(|s| s["title"].as_str())
        .collect();
    assert_eq!(titles, ["NYC Taxi Trips", "Sales (TPC-H)"]);
    assert!(body["spaces"][0].get("serialized_space").is_none());

    let (_, first) = alice.get(&format!("{SPACES}?page_size=1"));
    assert_eq!(first["spaces"].as_array().map(Vec::len), Some(1));
    let token = text(&first["next_page_token"]);
    let (_, second) = alice.get(&format!("{SPACES}?page_size=1&page_token={token}"));
    assert_eq!(second["spaces"][0]["space_id"], SALES_SPACE_ID);
    assert!(second.get("next_page_token").is_none());

    let (status, space) = alice.get(&format!("{SPACES}/{TAXI}?include_serialized_space=true"));
    assert_eq!(status, 200, "{space}");
    let serialized: Value =
        serde_json::from_str(space["serialized_space"].as_str().expect("string")).expect("json");
    assert_eq!(
        serialized["config"]["sample_questions"][0]["question"][0],
        "How many trips were there?"
    );

    let bob = genie_as("bob@example.com");
    let (_, body) = bob.get(SPACES);
    assert_eq!(body["spaces"].as_array().map(Vec::len), Some(1));
    let (status, body) = bob.get(&format!("{SPACES}/{SALES_SPACE_ID}"));
    assert_eq!(
        (status, &body["error_code"]),
        (403, &json!("PERMISSION_DENIED"))
    );
    assert!(text(&body["message"]).contains("Sales (TPC-H)"), "{body}");
    let (status, _) = bob.post(
        &format!("{SPACES}/{SALES_SPACE_ID}/start-conversation"),
        json!({ "content": "revenue by region" }),
    );
    assert_eq!(status, 403);
    let (status, _) = bob.get(&format!("{SPACES}/{TAXI}?include_serialized_space=true"));
    assert_eq!(status, 403, "serialized_space needs CAN EDIT");
    let (status, body) = alice.get(&format!("{SPACES}/01f0000000000000000000000000dead"));
    assert_eq!(
        (status, &body["error_code"]),
        (404, &json!("RESOURCE_DOES_NOT_EXIST"))
    );
}

#[test]
fn a_question_moves_through_the_statuses_to_an_answer_backed_by_a_statement() {
    let genie = genie();
    let (conversation, message) = genie.start(TAXI, "How many trips were there?");
    let (answer, seen) = genie.wait(TAXI, &conversation, &message);
    let order = [
        "SUBMITTED",
        "FETCHING_METADATA",
        "FILTERING_CONTEXT",
        "ASKING_AI",
        "PENDING_WAREHOUSE",
        "EXECUTING_QUERY",
        "COMPLETED",
    ];
    let positions: Vec<usize> = seen
        .iter()
        .map(|s| order.iter().position(|o| o == s).expect("a known status"))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    assert!(seen.len() >= 4, "progress is visible: {seen:?}");

    let query = &attachment(&answer, "query").expect("query")["query"];
    assert_eq!(
        query["query"],
        "SELECT\n  COUNT(*) AS trips\nFROM samples.nyctaxi.trips"
    );
    assert_eq!(query["query_result_metadata"]["row_count"], 1);
    assert!(query["description"].as_str().is_some_and(|d| !d.is_empty()));
    assert!(query["thoughts"].as_array().is_some_and(|t| !t.is_empty()));
    let answer_text = &attachment(&answer, "text").expect("text")["text"];
    assert_eq!(answer_text["purpose"], "TEXT_ATTACHMENT_PURPOSE_ANSWER");
    assert_eq!(answer_text["content"], "There were **21,932** trips.");
    let suggestions = &attachment(&answer, "suggested_questions").expect("suggestions");
    assert_eq!(
        suggestions["suggested_questions"]["questions"][0],
        "Now by day"
    );

    let (status, result) = query_result(&genie, &answer);
    assert_eq!(status, 200, "{result}");
    let statement = &result["statement_response"];
    assert_eq!(statement["status"]["state"], "SUCCEEDED");
    assert_eq!(statement["result"]["data_array"], json!([["21932"]]));
    assert_eq!(
        statement["manifest"]["schema"]["columns"][0]["name"],
        "trips"
    );
    // Genie's statement is an ordinary statement of the caller.
    let (status, same) = genie.get(&format!(
        "/api/2.0/sql/statements/{}",
        text(&query["statement_id"])
    ));
    assert_eq!(
        (status, &same["statement_id"]),
        (200, &statement["statement_id"])
    );
}

#[test]
fn follow_ups_use_the_conversation_context() {
    let genie = genie();
    let (conversation, _, first) = genie.ask(TAXI, "What is the average fare?");
    assert!(text(&attachment(&first, "text").expect("text")["text"]["content"]).contains("$"));

    let message = genie.follow_up(TAXI, &conversation, "now by month");
    let (by_month, _) = genie.wait(TAXI, &conversation, &message);
    let sql = text(&attachment(&by_month, "query").expect("query")["query"]["query"]);
    assert!(
        sql.contains("AVG(fare_amount)") && sql.contains("GROUP BY"),
        "{sql}"
    );
    let (_, result) = query_result(&genie, &by_month);
    let rows = result["statement_response"]["result"]["data_array"]
        .as_array()
        .expect("rows")
        .clone();
    assert_eq!(rows.len(), 2, "January and February: {rows:?}");

    let message = genie.follow_up(TAXI, &conversation, "only February");
    let (february, _) = genie.wait(TAXI, &conversation, &message);
    let sql = text(&attachment(&february, "query").expect("query")["query"]["query"]);
    assert!(
        sql.contains("AVG(fare_amount)") && sql.contains("month(tpep_pickup_datetime) = 2"),
        "{sql}"
    );
    let content = text(&attachment(&february, "text").expect("text")["text"]["content"]);
    assert!(content.contains("February 2016"), "{content}");

    let (_, list) = genie.get(&format!(
        "{SPACES}/{TAXI}/conversations/{conversation}/messages"
    ));
    let questions: Vec<&str> = list["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert_eq!(
        questions,
        ["What is the average fare?", "now by month", "only February"]
    );
}

#[test]
fn unmappable_questions_get_a_clarifying_text_answer() {
    let genie = genie();
    let (_, _, answer) = genie.ask(TAXI, "Show me the weather");
    assert_eq!(answer["status"], "COMPLETED");
    assert!(attachment(&answer, "query").is_none());
    let clarify = &attachment(&answer, "text").expect("text")["text"];
    assert_eq!(clarify["purpose"], "FOLLOW_UP_QUESTION");
    assert!(text(&clarify["content"]).contains("NYC taxi trips"));
    let text_id = text(&attachment(&answer, "text").expect("text")["attachment_id"]);
    let (status, body) = genie.get(&format!(
        "{}/attachments/{text_id}/query-result",
        Genie::message_path(
            TAXI,
            &text(&answer["conversation_id"]),
            &text(&answer["message_id"])
        )
    ));
    assert_eq!(
        (status, &body["error_code"]),
        (400, &json!("INVALID_STATE"))
    );
}

#[test]
fn history_lists_newest_first_and_deletes() {
    let genie = genie();
    let (older, _, _) = genie.ask(TAXI, "How many trips were there?");
    let (newer, message, _) = genie.ask(TAXI, "What is the average fare?");
    let list_path = format!("{SPACES}/{TAXI}/conversations");
    let (_, list) = genie.get(&list_path);
    let ids: Vec<&str> = list["conversations"]
        .as_array()
        .expect("conversations")
        .iter()
        .filter_map(|c| c["conversation_id"].as_str())
        .collect();
    assert_eq!(ids, [newer.as_str(), older.as_str()]);
    assert_eq!(
        list["conversations"][0]["title"],
        "What is the average fare?"
    );
    let (status, _) = genie.get(&format!("{list_path}?include_all=true"));
    assert_eq!(status, 403, "include_all needs CAN MANAGE");

    let (status, _) = genie.delete(&Genie::message_path(TAXI, &newer, &message));
    assert_eq!(status, 200);
    let (status, _) = genie.get(&Genie::message_path(TAXI, &newer, &message));
    assert_eq!(status, 404);
    let (status, _) = genie.delete(&format!("{list_path}/{older}"));
    assert_eq!(status, 200);
    let (_, list) = genie.get(&list_path);
    assert_eq!(list["conversations"].as_array().map(Vec::len), Some(1));
    let (status, _) = genie.get(&format!("{list_path}/{older}/messages"));
    assert_eq!(status, 404);

    // Another identity (the kpi-bot service principal) cannot read alice's conversation.
    let (_, bot) = post_form(
        &genie.server,
        "/oidc/v1/token",
        &[("grant_type", "client_credentials"), ("scope", "all-apis")],
        Some(("kpi-bot", "kpi-bot-secret")),
    );
    let (status, _) = get_json(
        &genie.server,
        &format!("{list_path}/{newer}/messages"),
        bot["access_token"].as_str(),
    );
    assert_eq!(status, 403);
}

#[test]
fn feedback_and_comments_are_recorded() {
    let genie = genie();
    let (conversation, message, _) = genie.ask(TAXI, "How many trips were there?");
    let path = Genie::message_path(TAXI, &conversation, &message);
    let (status, _) = genie.post(&format!("{path}/feedback"), json!({ "rating": "POSITIVE" }));
    assert_eq!(status, 200);
    let (_, body) = genie.get(&path);
    assert_eq!(body["feedback"]["rating"], "POSITIVE");
    let (status, _) = genie.post(&format!("{path}/feedback"), json!({ "rating": "GREAT" }));
    assert_eq!(status, 400);
    let (status, _) = genie.post(
        &format!("{path}/feedback"),
        json!({ "rating": "NEGATIVE", "comment": "Expected trips per day." }),
    );
    assert_eq!(status, 200);
    let (status, comment) = genie.post(
        &format!("{path}/comments"),
        json!({ "content": "Second thought" }),
    );
    assert_eq!(status, 200, "{comment}");
    assert!(comment["message_comment_id"].is_string());
    let (_, comments) = genie.get(&format!(
        "{SPACES}/{TAXI}/conversations/{conversation}/list-comments"
    ));
    let contents: Vec<&str> = comments["comments"]
        .as_array()
        .expect("comments")
        .iter()
        .filter_map(|c| c["content"].as_str())
        .collect();
    assert_eq!(contents, ["Expected trips per day.", "Second thought"]);
    let (_, own) = genie.get(&format!("{path}/comments"));
    assert_eq!(own["comments"].as_array().map(Vec::len), Some(2));
    genie.post(&format!("{path}/feedback"), json!({ "rating": "NONE" }));
    let (_, body) = genie.get(&path);
    assert!(body.get("feedback").is_none(), "NONE clears: {body}");
}

#[test]
fn expired_results_fail_until_the_query_runs_again() {
    let genie = genie();
    let (conversation, message, answer) = genie.ask(TAXI, "How many trips were there?");
    let (_, expired) = post_json(
        &genie.server,
        "/__emulator/genie/expire-results",
        json!({}),
        None,
    );
    assert_eq!(expired["expired"], 1);
    let (body, _) = genie.wait(TAXI, &conversation, &message);
    assert_eq!(body["status"], "QUERY_RESULT_EXPIRED");
    let (status, error) = query_result(&genie, &answer);
    assert_eq!(status, 400, "{error}");
    assert!(text(&error["message"]).contains("execute-query"));

    let attachment_id = text(&attachment(&answer, "query").expect("query")["attachment_id"]);
    let path = Genie::message_path(TAXI, &conversation, &message);
    let (status, rerun) = genie.post(
        &format!("{path}/attachments/{attachment_id}/execute-query"),
        json!({}),
    );
    assert_eq!(status, 200, "{rerun}");
    assert_eq!(rerun["statement_response"]["status"]["state"], "SUCCEEDED");
    assert_eq!(
        rerun["statement_response"]["result"]["data_array"],
        json!([["21932"]])
    );
    let (body, _) = genie.wait(TAXI, &conversation, &message);
    assert_eq!(body["status"], "COMPLETED");
    let (status, _) = query_result(&genie, &body);
    assert_eq!(status, 200);
}

#[test]
fn results_also_expire_with_their_statement() {
    let genie = genie_with(Config {
        timings: Timings {
            result_ttl_secs: 1,
            ..quick_timings()
        },
        ..auto_approve("alice@example.com")
    });
    let (conversation, message, answer) = genie.ask(TAXI, "How many trips were there?");
    assert_eq!(answer["status"], "COMPLETED");
    std::thread::sleep(Duration::from_millis(1100));
    let (body, _) = genie.wait(TAXI, &conversation, &message);
    assert_eq!(body["status"], "QUERY_RESULT_EXPIRED");
}

#[test]
fn full_results_download_through_signed_external_links() {
    let genie = genie();
    let (conversation, message, answer) = genie.ask(TAXI, "How many trips per day?");
    let attachment_id = text(&attachment(&answer, "query").expect("query")["attachment_id"]);
    let base = format!(
        "{}/attachments/{attachment_id}/downloads",
        Genie::message_path(TAXI, &conversation, &message)
    );
    let (status, started) = genie.post(&base, json!({}));
    assert_eq!(status, 200, "{started}");
    let (id, signature) = (
        text(&started["download_id"]),
        text(&started["download_id_signature"]),
    );
    assert_eq!(signature.split('.').count(), 3, "JWT-shaped");
    let (status, _) = genie.get(&format!("{base}/{id}"));
    assert_eq!(status, 400, "the signature is required");
    let (status, _) = genie.get(&format!("{base}/{id}?download_id_signature=forged"));
    assert_eq!(status, 403);
    let mut states = Vec::new();
    let done = loop {
        let (status, body) = genie.get(&format!("{base}/{id}?download_id_signature={signature}"));
        assert_eq!(status, 200, "{body}");
        let state = text(&body["statement_response"]["status"]["state"]);
        states.push(state.clone());
        if state == "SUCCEEDED" {
            break body;
        }
        assert!(states.len() < 500, "{states:?}");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(&states[..2], ["PENDING", "PENDING"]);
    let statement = &done["statement_response"];
    assert_eq!(statement["manifest"]["format"], "CSV");
    let link = &statement["result"]["external_links"][0];
    let mut request = agent().get(link["external_link"].as_str().expect("link"));
    for (name, value) in link["http_headers"].as_object().expect("headers") {
        request = request.header(name.as_str(), value.as_str().unwrap_or_default());
    }
    let mut response = request.call().expect("download");
    assert_eq!(response.status().as_u16(), 200);
    let csv = response.body_mut().read_to_string().expect("csv");
    assert_eq!(csv.lines().next(), Some("pickup_date,trips"));
    assert_eq!(csv.lines().count(), 61, "a header and 60 days");
}

#[test]
fn visualizations_come_as_png_when_asked_for() {
    let genie = genie();
    let (status, body) = genie.post(
        &format!("{SPACES}/{TAXI}/start-conversation"),
        json!({ "content": "trips by day", "enable_visualization": true }),
    );
    assert_eq!(status, 200);
    let (conversation, message) = (text(&body["conversation_id"]), text(&body["message_id"]));
    let (answer, _) = genie.wait(TAXI, &conversation, &message);
    let viz = attachment(&answer, "viz").expect("viz attachment");
    assert_eq!(
        viz["viz"]["query_attachment_id"],
        attachment(&answer, "query").expect("query")["attachment_id"]
    );
    let url = format!(
        "{}{}/attachments/{}/download-visualization",
        genie.server.base,
        Genie::message_path(TAXI, &conversation, &message),
        text(&viz["attachment_id"])
    );
    let mut response = agent()
        .get(&url)
        .header("Authorization", &format!("Bearer {}", genie.token))
        .call()
        .expect("png");
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    let bytes = response.body_mut().read_to_vec().expect("bytes");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn a_stopped_warehouse_is_started_while_the_message_waits_for_it() {
    let genie = genie();
    let (conversation, message) = genie.start(SALES_SPACE_ID, "What is the revenue by region?");
    let (answer, seen) = genie.wait(SALES_SPACE_ID, &conversation, &message);
    assert_eq!(answer["status"], "COMPLETED", "{answer}");
    assert!(seen.contains(&"PENDING_WAREHOUSE".to_owned()), "{seen:?}");
    let (_, result) = query_result(&genie, &answer);
    let rows = result["statement_response"]["result"]["data_array"]
        .as_array()
        .expect("rows")
        .clone();
    assert_eq!(rows.len(), 5, "five regions: {rows:?}");
    assert_eq!(
        result["statement_response"]["manifest"]["schema"]["columns"][1]["type_name"],
        "DECIMAL"
    );
    let (_, warehouse) = genie.get("/api/2.0/sql/warehouses/5f6e7d8c9b0a1234");
    assert_eq!(warehouse["state"], "RUNNING");
}

#[test]
fn the_question_limit_answers_429_with_retry_after_or_fails_the_message() {
    let limited = |over_limit| Config {
        timings: quick_timings(),
        genie: GenieLimits {
            questions_per_minute: 2,
            over_limit,
            ..GenieLimits::default()
        },
        ..auto_approve("alice@example.com")
    };
    let genie = genie_with(limited(OverLimit::Http429));
    let (conversation, _) = genie.start(TAXI, "How many trips?");
    genie.follow_up(TAXI, &conversation, "now by month");
    // Polling is free.
    for _ in 0..5 {
        assert_eq!(genie.get(SPACES).0, 200);
    }
    let mut response = agent()
        .post(&format!(
            "{}{SPACES}/{TAXI}/start-conversation",
            genie.server.base
        ))
        .header("Authorization", &format!("Bearer {}", genie.token))
        .send_json(json!({ "content": "How many trips?" }))
        .expect("request");
    assert_eq!(response.status().as_u16(), 429);
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: Value =
        serde_json::from_str(&response.body_mut().read_to_string().expect("body")).expect("json");
    assert_eq!(body["error_code"], "RESOURCE_EXHAUSTED");
    let (_, list) = genie.get(&format!("{SPACES}/{TAXI}/conversations"));
    assert_eq!(
        list["conversations"].as_array().map(Vec::len),
        Some(1),
        "a refused question creates nothing"
    );

    let genie = genie_with(limited(OverLimit::FailedMessage));
    genie.ask(TAXI, "How many trips?");
    genie.ask(TAXI, "How many trips?");
    let (_, _, failed) = genie.ask(TAXI, "How many trips?");
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(
        failed["error"]["type"],
        "RATE_LIMIT_EXCEEDED_GENERIC_EXCEPTION"
    );
}

#[test]
fn injected_failures_end_messages_failed_or_cancelled() {
    let genie = genie();
    let rules = json!([
        { "path": "/api/2.0/genie/spaces/*/start-conversation", "count": 1,
          "fault": { "kind": "genie_message_failure", "error_type": "NO_TABLES_TO_QUERY_EXCEPTION",
                     "message": "No relevant tables were found for this question." } },
    ]);
    let (status, _) = post_json(&genie.server, "/__emulator/faults", rules, None);
    assert_eq!(status, 200);
    let (conversation, _, failed) = genie.ask(TAXI, "How many trips were there?");
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(failed["error"]["type"], "NO_TABLES_TO_QUERY_EXCEPTION");
    assert_eq!(
        failed["error"]["error"],
        "No relevant tables were found for this question."
    );

    let rule = json!({ "path": "*/messages", "method": "POST", "count": 1,
                       "fault": { "kind": "genie_message_cancelled" } });
    post_json(&genie.server, "/__emulator/faults", rule, None);
    let message = genie.follow_up(TAXI, &conversation, "now by month");
    let (cancelled, _) = genie.wait(TAXI, &conversation, &message);
    assert_eq!(cancelled["status"], "CANCELLED");
    // The faults were used up: the next question is answered.
    let message = genie.follow_up(TAXI, &conversation, "now by month");
    assert_eq!(
        genie.wait(TAXI, &conversation, &message).0["status"],
        "COMPLETED"
    );
}

#[test]
fn a_forbidden_warehouse_fails_the_message_and_blank_questions_are_refused() {
    let mut config = Config {
        timings: quick_timings(),
        ..auto_approve("bob@example.com")
    };
    // A space on the Finance warehouse, which bob may not use.
    let mut finance = config.spaces[0].clone();
    finance.space_id = "01f0c0ffee0000000000000000000003".into();
    finance.warehouse_id = "b0b0b0b0b0b0b0b0".into();
    config.spaces.push(finance);
    let genie = genie_with(config);
    let (_, _, failed) = genie.ask("01f0c0ffee0000000000000000000003", "How many trips?");
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(
        failed["error"]["type"],
        "WAREHOUSE_ACCESS_MISSING_EXCEPTION"
    );

    let (status, body) = genie.post(
        &format!("{SPACES}/{TAXI}/start-conversation"),
        json!({ "content": "   " }),
    );
    assert_eq!(
        (status, &body["error_code"]),
        (400, &json!("INVALID_PARAMETER_VALUE"))
    );
}
