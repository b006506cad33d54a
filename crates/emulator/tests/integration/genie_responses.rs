//! Genie One, Agent mode and the Genie Agents list over real HTTP: the event streams (names,
//! order, `sequence_number`), answers and reports from real statements with their citations,
//! what bob may not read, follow-ups, validation, the previews turned off, a token without the
//! `genie` scope, streams cut cleanly and abruptly and read back, `response.failed`, cancel,
//! conversation items and keep-alive comments.

use crate::common;

use brickdesk_emulator::Config;
use brickdesk_emulator::config::Timings;
use brickdesk_emulator::genie::{GeniePreviews, PreviewOff, SALES_SPACE_ID};
use common::*;
use serde_json::{Value, json};
use std::io::Read;
use std::time::{Duration, Instant};

const TAXI: &str = "01f0c0ffee0000000000000000000001";
const ONE: &str = "/api/2.0/genie/one/responses";

struct Workspace {
    server: Server,
    token: String,
}

fn workspace_with(email: &str, change: impl FnOnce(&mut Config)) -> Workspace {
    let mut config = Config {
        timings: Timings {
            warehouse_start_ms: 100,
            genie_step_ms: 40,
            ..Timings::default()
        },
        ..auto_approve(email)
    };
    change(&mut config);
    let server = start(config);
    let token = token_for(&server);
    Workspace { server, token }
}

fn workspace(email: &str) -> Workspace {
    workspace_with(email, |_| {})
}

/// A streamed answer: its events (the JSON of each frame), the frame names, whether the
/// connection broke, and the raw text.
struct Stream {
    events: Vec<Value>,
    names: Vec<String>,
    broken: bool,
    raw: String,
}

impl Stream {
    fn of_type(&self, kind: &str) -> Vec<&Value> {
        self.events.iter().filter(|e| e["type"] == kind).collect()
    }

    fn response(&self) -> &Value {
        &self.events[0]["response"]
    }

    fn last(&self) -> &Value {
        self.events.last().expect("an event")
    }
}

fn parse(raw: String, broken: bool) -> Stream {
    let mut events = Vec::new();
    let mut names = Vec::new();
    for frame in raw.split("\n\n").filter(|f| !f.trim().is_empty()) {
        let mut data = None;
        for line in frame.lines() {
            if let Some(name) = line.strip_prefix("event:") {
                names.push(name.to_owned());
            } else if let Some(json) = line.strip_prefix("data:") {
                data = Some(serde_json::from_str::<Value>(json).expect("JSON data"));
            }
        }
        if let Some(data) = data {
            events.push(data);
        }
    }
    Stream {
        events,
        names,
        broken,
        raw,
    }
}

impl Workspace {
    fn post(&self, path: &str, body: Value) -> (u16, Value) {
        post_json(&self.server, path, body, Some(&self.token))
    }

    fn get(&self, path: &str) -> (u16, Value) {
        get_json(&self.server, path, Some(&self.token))
    }

    /// POSTs and reads the whole event stream (to its end or until the connection breaks).
    fn stream(&self, path: &str, body: &Value) -> Stream {
        let response = agent()
            .post(&format!("{}{path}", self.server.base))
            .header("Authorization", &format!("Bearer {}", self.token))
            .header("Accept", "text/event-stream")
            .send_json(body)
            .expect("request");
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(
            response.headers()["content-type"].to_str().ok(),
            Some("text/event-stream")
        );
        let mut reader = response.into_body().into_reader();
        let mut bytes = Vec::new();
        let mut buffer = [0u8; 4096];
        let broken = loop {
            match reader.read(&mut buffer) {
                Ok(0) => break false,
                Ok(n) => bytes.extend_from_slice(&buffer[..n]),
                Err(_) => break true,
            }
        };
        parse(String::from_utf8(bytes).expect("UTF-8"), broken)
    }

    fn fault(&self, rule: Value) {
        let (status, _) = post_json(&self.server, "/__emulator/faults", rule, None);
        assert_eq!(status, 200);
    }

    /// The Genie One response read back until it is no longer `in_progress`.
    fn settled(&self, conversation: &str, response: &str) -> Value {
        let path = format!("/api/2.0/genie/one/conversations/{conversation}/responses/{response}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (status, body) = self.get(&path);
            assert_eq!(status, 200, "{body}");
            if body["status"] != "in_progress" || Instant::now() > deadline {
                return body;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn statement_count(&self) -> usize {
        let (_, body) = get_json(&self.server, "/__emulator/statements", None);
        body["statements"].as_array().map_or(0, Vec::len)
    }
}

fn agent_path(space: &str) -> String {
    format!("/api/2.0/genie/agents/{space}/responses")
}

fn agent_input(question: &str) -> Value {
    json!({ "input": [{ "type": "message", "role": "user",
                        "content": [{ "type": "input_text", "text": question }] }] })
}

/// The text of the message whose `phase` is `final_answer`, and its annotations.
fn final_answer(output: &Value) -> (String, Vec<Value>) {
    let message = output
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["phase"] == "final_answer")
        .expect("a final answer");
    let part = &message["content"][0];
    (
        part["text"].as_str().unwrap_or_default().to_owned(),
        part["annotations"].as_array().cloned().unwrap_or_default(),
    )
}

fn assert_numbered(stream: &Stream) {
    let numbers: Vec<u64> = stream
        .events
        .iter()
        .map(|e| e["sequence_number"].as_u64().expect("sequence_number"))
        .collect();
    let expected: Vec<u64> = (0..numbers.len() as u64).collect();
    assert_eq!(numbers, expected, "sequence numbers from 0, one by one");
    let types: Vec<&str> = stream
        .events
        .iter()
        .map(|e| e["type"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(stream.names, types, "the event: line names the JSON type");
}

#[test]
fn genie_one_answers_from_the_readable_data_that_fits_with_its_table_cited() {
    let ws = workspace("alice@example.com");
    let before = ws.statement_count();
    let stream = ws.stream(ONE, &json!({ "input": "What is the revenue by region?" }));
    assert!(!stream.broken);
    assert_numbered(&stream);
    assert_eq!(stream.events[0]["type"], "response.created");
    assert_eq!(stream.response()["status"], "in_progress");
    assert_eq!(stream.response()["model"], "genie-one");
    assert_eq!(stream.response()["output"], json!([]));
    assert!(
        stream.raw.contains("event:response.created\ndata:{"),
        "no space after colons"
    );
    assert!(
        !stream.of_type("response.output_item.updated").is_empty(),
        "text streams in"
    );
    let last = stream.last();
    assert_eq!(last["type"], "response.completed");
    assert_eq!(last["response"]["status"], "completed");
    let (text, annotations) = final_answer(&last["response"]["output"]);
    assert!(
        text.contains("EUROPE") && text.contains("Sales (TPC-H)"),
        "{text}"
    );
    assert_eq!(annotations[0]["type"], "asset");
    assert_eq!(annotations[0]["asset_type"], "TABLE");
    assert!(
        annotations[0]["identifier"]
            .as_str()
            .is_some_and(|t| t.starts_with("samples.tpch.")),
        "{annotations:?}"
    );
    assert_eq!(ws.statement_count(), before + 1, "one real statement ran");

    // The stored response reads back whole; a follow-up continues in context.
    let id = stream.response()["id"].as_str().expect("id");
    let conversation = stream.response()["conversation_id"]
        .as_str()
        .expect("conversation");
    let stored = ws.settled(conversation, id);
    assert_eq!(stored["output"], last["response"]["output"]);
    let (status, list) = ws.get("/api/2.0/genie/one/conversations?page_size=1");
    assert_eq!(status, 200);
    assert_eq!(list["conversations"][0]["conversation_id"], conversation);
    assert_eq!(list["conversations"][0]["status"], "completed");
    assert_eq!(
        ws.get("/api/2.0/genie/one/conversations?page_size=-1").0,
        400
    );
    let follow = ws.stream(
        ONE,
        &json!({ "input": "now by year", "conversation_id": conversation }),
    );
    assert_eq!(follow.response()["conversation_id"], conversation);
    let (text, _) = final_answer(&follow.last()["response"]["output"]);
    assert!(
        text.contains("1995") && text.to_lowercase().contains("revenue"),
        "{text}"
    );
}

#[test]
fn genie_one_never_answers_from_data_the_caller_may_not_read() {
    let ws = workspace("bob@example.com");
    for question in [
        "What is the revenue by region?",
        "Which market segment orders most?",
    ] {
        let stream = ws.stream(ONE, &json!({ "input": question }));
        let (text, annotations) = final_answer(&stream.last()["response"]["output"]);
        assert!(
            annotations
                .iter()
                .all(|a| a["identifier"] == "samples.nyctaxi.trips"),
            "{annotations:?}"
        );
        assert!(
            !text.contains("TPC-H") && !text.contains("EUROPE"),
            "{text}"
        );
    }
    let stream = ws.stream(ONE, &json!({ "input": "How many trips were there?" }));
    let (text, annotations) = final_answer(&stream.last()["response"]["output"]);
    assert!(text.contains("21,932"), "{text}");
    assert_eq!(annotations[0]["identifier"], "samples.nyctaxi.trips");
}

#[test]
fn genie_one_refuses_undocumented_fields_blank_long_or_foreign_input() {
    let ws = workspace("alice@example.com");
    let long = "x".repeat(25_001);
    for body in [
        json!({ "input": "How many trips?", "stream": true }),
        json!({ "input": "   " }),
        json!({ "input": long }),
        json!({ "input": [{ "role": "assistant", "content": "hi" }] }),
        json!({}),
    ] {
        let (status, error) = ws.post(ONE, body);
        assert_eq!(status, 400, "{error}");
        assert_eq!(error["error_code"], "INVALID_PARAMETER_VALUE");
    }
    let (status, error) = ws.post(
        ONE,
        json!({ "input": "How many trips?", "conversation_id": "01f1nope" }),
    );
    assert_eq!(
        (status, error["error_code"].as_str()),
        (404, Some("RESOURCE_DOES_NOT_EXIST"))
    );
    let (status, _) = ws.get("/api/2.0/genie/one/conversations/c/responses/r");
    assert_eq!(status, 404);
}

#[test]
fn previews_that_are_off_refuse_in_either_form() {
    for (answer, status, code) in [
        (PreviewOff::NotFound, 404, "ENDPOINT_NOT_FOUND"),
        (PreviewOff::FeatureDisabled, 403, "FEATURE_DISABLED"),
    ] {
        let ws = workspace_with("alice@example.com", |c| {
            c.genie_previews = GeniePreviews {
                genie_one_api: false,
                agent_mode_api: false,
                off_answer: answer,
                ..GeniePreviews::default()
            };
        });
        let (got, body) = ws.post(ONE, json!({ "input": "How many trips?" }));
        assert_eq!(
            (got, body["error_code"].as_str()),
            (status, Some(code)),
            "{body}"
        );
        if answer == PreviewOff::NotFound {
            assert_eq!(
                body["message"],
                "No API found for 'POST /genie/one/responses'"
            );
        } else {
            assert!(
                body["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("Genie One API")
            );
        }
        let (got, body) = ws.post(&agent_path(TAXI), agent_input("How many trips?"));
        assert_eq!(
            (got, body["error_code"].as_str()),
            (status, Some(code)),
            "{body}"
        );
        // The agents list and Genie chat are not previews: they still work.
        assert_eq!(ws.get("/api/2.0/genie/agents").0, 200);
        assert_eq!(ws.get("/api/2.0/genie/spaces").0, 200);
    }
}

#[test]
fn a_token_without_the_genie_scope_is_refused_by_name() {
    let server = start(auto_approve("alice@example.com"));
    let loopback = "http://127.0.0.1:8765/oauth/callback";
    let mut params = authorize_params("brickdesk-sql", loopback);
    params.retain(|(k, _)| *k != "scope");
    params.push(("scope", "sql offline_access"));
    let (_, location, _) = authorize_raw(&server, "/oidc/v1/authorize", &params);
    let code = query_param(&location, "code").expect("code");
    let (_, tokens) = exchange(&server, "brickdesk-sql", &code, loopback, VERIFIER);
    let token = tokens["access_token"].as_str().expect("token");
    for path in [ONE.to_owned(), agent_path(TAXI)] {
        let (status, body) = post_json(&server, &path, json!({ "input": "x" }), Some(token));
        assert_eq!(status, 403, "{path}");
        assert_eq!(
            body["message"],
            "Provided OAuth token does not have required scopes: genie"
        );
    }
}

#[test]
fn a_cut_stream_leaves_the_response_running_and_readable_through_the_get() {
    let ws = workspace("alice@example.com");
    for abrupt in [false, true] {
        ws.fault(json!({ "path": ONE, "method": "POST", "count": 1,
                         "fault": { "kind": "stream_cut", "after_events": 2, "abrupt": abrupt } }));
        let stream = ws.stream(ONE, &json!({ "input": "How many trips were there?" }));
        assert_eq!(stream.broken, abrupt);
        assert_eq!(stream.events.len(), 2, "{}", stream.raw);
        assert!(stream.of_type("response.completed").is_empty());
        let id = stream.response()["id"].as_str().expect("id");
        let conversation = stream.response()["conversation_id"].as_str().expect("conv");
        let stored = ws.settled(conversation, id);
        assert_eq!(stored["status"], "completed");
        let (text, annotations) = final_answer(&stored["output"]);
        assert!(text.contains("21,932"), "{text}");
        assert_eq!(annotations.len(), 1);
    }
}

#[test]
fn an_armed_failure_ends_both_streams_with_response_failed() {
    let ws = workspace("alice@example.com");
    ws.fault(json!({ "path": "/api/2.0/genie/*/responses", "count": 2,
                     "fault": { "kind": "response_failed", "code": "INTERNAL_ERROR",
                                "message": "Genie is unavailable." } }));
    for (path, body) in [
        (
            ONE.to_owned(),
            json!({ "input": "How many trips were there?" }),
        ),
        (
            agent_path(TAXI),
            agent_input("How did the average fare change?"),
        ),
    ] {
        let stream = ws.stream(&path, &body);
        let last = stream.last();
        assert_eq!(last["type"], "response.failed", "{path}");
        assert_eq!(last["response"]["status"], "failed");
        assert_eq!(
            last["response"]["error"]["message"],
            "Genie is unavailable."
        );
    }
}

#[test]
fn agent_mode_streams_a_plan_real_queries_and_a_report_citing_each() {
    let ws = workspace("alice@example.com");
    let before = ws.statement_count();
    let stream = ws.stream(
        &agent_path(SALES_SPACE_ID),
        &agent_input("How has revenue developed, and where does it come from?"),
    );
    assert_numbered(&stream);
    assert_eq!(stream.response()["model"], "genie-agent");
    assert!(stream.response()["created_at"].is_i64());
    let last = stream.last();
    assert_eq!(last["type"], "response.completed");
    let output = last["response"]["output"].as_array().expect("output");
    assert_eq!(output[0]["type"], "reasoning");
    let plan = output[0]["content"][0]["text"].as_str().unwrap_or_default();
    let calls: Vec<&Value> = output
        .iter()
        .filter(|i| i["type"] == "function_call")
        .collect();
    assert!((2..=4).contains(&calls.len()), "{plan}");
    assert!(
        plan.contains(&format!("in {} steps", calls.len())),
        "{plan}"
    );
    assert_eq!(
        ws.statement_count(),
        before + calls.len(),
        "one statement per step"
    );
    let report = output.last().expect("report");
    assert_eq!(
        (report["type"].as_str(), report["role"].as_str()),
        (Some("message"), Some("assistant"))
    );
    let text = report["content"][0]["text"].as_str().unwrap_or_default();
    for call in &calls {
        assert_eq!(call["name"], "execute_sql");
        let arguments: Value =
            serde_json::from_str(call["arguments"].as_str().expect("a JSON string")).expect("JSON");
        assert!(
            arguments["sql"]
                .as_str()
                .is_some_and(|s| s.contains("samples.tpch"))
        );
        let id = call["call_id"].as_str().expect("call id");
        let result = output
            .iter()
            .find(|i| i["id"] == format!("{id}_output"))
            .expect("its output");
        assert_eq!(result["status"], "completed");
        assert!(
            result["output"]
                .as_str()
                .is_some_and(|o| o.contains("| --- |"))
        );
        assert!(
            text.contains(&format!("gra_focus={id})")),
            "cites {id}: {text}"
        );
    }
    let tables: Vec<&Value> = report["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["metadata"]["status"] == "available")
        .collect();
    assert_eq!(tables.len(), calls.len());
    assert!(tables[0]["metadata"]["preview_rows"][0][0].is_string());
    // The report's text grew over updates, and the in-progress query output came first.
    let updates = stream.of_type("response.output_item.updated");
    assert!(updates.len() >= 2, "{}", updates.len());
    let added: Vec<&Value> = stream.of_type("response.output_item.added");
    assert!(added.iter().any(
        |e| e["item"]["type"] == "function_call_output" && e["item"]["status"] == "in_progress"
    ));
    // The items list holds the question, then the output.
    let conversation = stream.response()["conversation_id"].as_str().expect("conv");
    let id = stream.response()["id"].as_str().expect("id");
    let items_path =
        format!("/api/2.0/genie/agents/{SALES_SPACE_ID}/conversations/{conversation}/items");
    let (status, items) = ws.get(&items_path);
    assert_eq!(status, 200);
    let data = items["data"].as_array().expect("data");
    assert_eq!(data[0]["id"], format!("{id}_input"));
    assert_eq!(data.len(), output.len() + 1);
    assert_eq!(data.last(), output.last());
    let (_, page) = ws.get(&format!("{items_path}?limit=2"));
    assert_eq!(page["has_more"], true);
    let after = page["last_id"].as_str().expect("last id");
    let (_, next) = ws.get(&format!("{items_path}?limit=100&after={after}"));
    assert_eq!(next["data"].as_array().map(Vec::len), Some(data.len() - 2));
    let (_, desc) = ws.get(&format!("{items_path}?order=desc&limit=1"));
    assert_eq!(desc["data"][0], data[data.len() - 1]);
    assert_eq!(ws.get(&format!("{items_path}?limit=0")).0, 400);
}

#[test]
fn agent_mode_stops_at_the_next_step_when_cancelled() {
    let ws = workspace_with("alice@example.com", |c| c.timings.genie_step_ms = 300);
    let (base, token) = (ws.server.base.clone(), ws.token.clone());
    let (ids_tx, ids_rx) = std::sync::mpsc::channel();
    // The reader hands over the ids of `response.created` as soon as it has them, then reads on.
    let reader = std::thread::spawn(move || {
        let response = agent()
            .post(&format!("{base}{}", agent_path(TAXI)))
            .header("Authorization", &format!("Bearer {token}"))
            .send_json(agent_input("How did the average fare change over time?"))
            .expect("request");
        let mut reader = response.into_body().into_reader();
        let (mut raw, mut buffer, mut sent) = (Vec::new(), [0u8; 1024], false);
        while let Ok(n) = reader.read(&mut buffer) {
            if n == 0 {
                break;
            }
            raw.extend_from_slice(&buffer[..n]);
            let text = String::from_utf8_lossy(&raw).into_owned();
            if !sent && text.contains("\n\n") {
                let first = parse(text, false);
                let response = first.response().clone();
                ids_tx.send(response).ok();
                sent = true;
            }
        }
        String::from_utf8(raw).expect("UTF-8")
    });
    let created = ids_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("created");
    std::thread::sleep(Duration::from_millis(400));
    let path = format!(
        "/api/2.0/genie/agents/{TAXI}/conversations/{}/responses/{}/cancel",
        created["conversation_id"].as_str().expect("conv"),
        created["id"].as_str().expect("id")
    );
    let (status, message) = ws.post(&path, json!({}));
    assert_eq!(status, 200, "{message}");
    assert_eq!(message["status"], "CANCELLED");
    assert_eq!(message["conversation_id"], created["conversation_id"]);
    assert_eq!(message["space_id"], TAXI);
    let stream = parse(reader.join().expect("reader"), false);
    let last = stream.last();
    assert_eq!(last["type"], "response.failed");
    assert_eq!(last["response"]["status"], "cancelled");
    let output = last["response"]["output"].as_array().expect("output");
    assert!(
        !output.iter().any(|i| i["type"] == "message"),
        "no report after a cancel"
    );
    // Cancelling what is not there is a 404; cancelling again answers its terminal state.
    let (status, _) = ws.post(
        &format!("/api/2.0/genie/agents/{TAXI}/conversations/x/responses/y/cancel"),
        json!({}),
    );
    assert_eq!(status, 404);
    assert_eq!(ws.post(&path, json!({})).1["status"], "CANCELLED");
}

#[test]
fn a_cut_agent_stream_is_read_back_whole_from_the_conversation_items() {
    let ws = workspace("alice@example.com");
    let path = agent_path(SALES_SPACE_ID);
    ws.fault(json!({ "path": path, "count": 1,
                     "fault": { "kind": "stream_cut", "after_events": 3, "abrupt": true } }));
    let stream = ws.stream(&path, &agent_input("How has revenue developed?"));
    assert!(stream.broken);
    assert_eq!(stream.events.len(), 3);
    let conversation = stream.response()["conversation_id"].as_str().expect("conv");
    let items_path =
        format!("/api/2.0/genie/agents/{SALES_SPACE_ID}/conversations/{conversation}/items");
    let deadline = Instant::now() + Duration::from_secs(20);
    let report = loop {
        let (_, items) = ws.get(&items_path);
        let done = items["data"].as_array().and_then(|d| {
            d.iter()
                .find(|i| i["role"] == "assistant" && i["status"] == "completed")
                .cloned()
        });
        if let Some(report) = done {
            break report;
        }
        assert!(Instant::now() < deadline, "the report arrives");
        std::thread::sleep(Duration::from_millis(30));
    };
    assert!(
        report["content"][0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("gra_focus="))
    );
}

#[test]
fn the_agents_list_shows_definitions_only_in_the_full_view_and_hides_what_bob_may_not_use() {
    let ws = workspace("alice@example.com");
    let (status, basic) = ws.get("/api/2.0/genie/agents");
    assert_eq!(status, 200);
    let agents = basic["genie_agents"].as_array().expect("agents");
    assert_eq!(agents.len(), 2);
    assert_eq!(agents[0]["name"], format!("agents/{TAXI}"));
    assert_eq!(agents[0]["display_name"], "NYC Taxi Trips");
    assert!(agents[0]["definition"].is_null());
    let (_, full) = ws.get("/api/2.0/genie/agents?view=GENIE_AGENT_VIEW_FULL&page_size=1");
    let first = &full["genie_agents"][0];
    let questions = first["definition"]["config"]["sample_questions"]
        .as_array()
        .expect("questions");
    assert_eq!(questions[0]["question"], "How many trips were there?");
    let ids: Vec<&str> = questions.iter().filter_map(|q| q["id"].as_str()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "sorted by id");
    let token = full["next_page_token"].as_str().expect("a second page");
    let (_, second) = ws.get(&format!(
        "/api/2.0/genie/agents?view=GENIE_AGENT_VIEW_FULL&page_size=1&page_token={token}"
    ));
    assert_eq!(
        second["genie_agents"][0]["name"],
        format!("agents/{SALES_SPACE_ID}")
    );
    assert!(second["next_page_token"].is_null());
    assert_eq!(ws.get("/api/2.0/genie/agents?page_size=-1").0, 400);
    assert_eq!(ws.get("/api/2.0/genie/agents?view=SIDEWAYS").0, 400);
    let (status, one) = ws.get(&format!(
        "/api/2.0/genie/agents/{TAXI}?view=GENIE_AGENT_VIEW_FULL"
    ));
    assert_eq!(status, 200);
    assert!(one["definition"]["data_sources"]["tables"].is_array());

    let bob = workspace("bob@example.com");
    let (_, list) = bob.get("/api/2.0/genie/agents");
    assert_eq!(list["genie_agents"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        bob.get(&format!("/api/2.0/genie/agents/{SALES_SPACE_ID}"))
            .0,
        403
    );
    let (status, _) = bob.post(&agent_path(SALES_SPACE_ID), agent_input("revenue"));
    assert_eq!(status, 403);
}

#[test]
fn a_quiet_stream_sends_keep_alive_comments() {
    let ws = workspace_with("alice@example.com", |c| {
        c.timings.genie_step_ms = 200;
        c.genie_previews.keep_alive_ms = 30;
    });
    let stream = ws.stream(ONE, &json!({ "input": "How many trips were there?" }));
    assert!(stream.raw.contains("\n: keep-alive\n\n") || stream.raw.contains(": keep-alive"));
    assert_eq!(stream.last()["type"], "response.completed");
}
