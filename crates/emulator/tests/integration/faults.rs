//! Fault injection over real HTTP: latency, 429/5xx with Retry-After, a dropped connection,
//! expired-token variants, time windows, config-file rules; and the secret-free request log.

use crate::common;

use brickdesk_emulator::Config;
use brickdesk_emulator::faults::{Fault, FaultRule};
use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

const LIST: &str = "/api/2.0/sql/warehouses";

fn add(server: &Server, rule: serde_json::Value) {
    let (status, body) = post_json(server, "/__emulator/faults", rule, None);
    assert_eq!(status, 200, "{body}");
}

#[test]
fn latency_delays_the_answer() {
    let server = start(auto_approve("alice@example.com"));
    let token = token_for(&server);
    add(
        &server,
        json!({"path": LIST, "fault": {"kind": "latency", "ms": 300}, "count": 1}),
    );
    let started = Instant::now();
    assert_eq!(get_json(&server, LIST, Some(&token)).0, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn throttling_and_server_errors_carry_retry_after_and_the_real_error_shape() {
    let server = start(auto_approve("alice@example.com"));
    let token = token_for(&server);
    add(
        &server,
        json!({"path": "/api/2.0/sql/*", "method": "GET", "fault": {"kind": "status", "status": 429, "retry_after_secs": 3}, "count": 2}),
    );
    for _ in 0..2 {
        let response = agent()
            .get(&format!("{}{LIST}", server.base))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .expect("call");
        assert_eq!(
            response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("3")
        );
        let (status, body) = read(response);
        assert_eq!(
            (status, body["error_code"].as_str()),
            (429, Some("REQUEST_LIMIT_EXCEEDED"))
        );
    }
    assert_eq!(
        get_json(&server, LIST, Some(&token)).0,
        200,
        "count exhausted"
    );

    add(
        &server,
        json!([
            {"path": LIST, "fault": {"kind": "status", "status": 503, "retry_after_secs": 1}, "count": 1},
            {"path": LIST, "fault": {"kind": "status", "status": 500}, "count": 1}
        ]),
    );
    let (status, body) = get_json(&server, LIST, Some(&token));
    assert_eq!(
        (status, body["error_code"].as_str()),
        (503, Some("TEMPORARILY_UNAVAILABLE"))
    );
    let (status, body) = get_json(&server, LIST, Some(&token));
    assert_eq!(
        (status, body["error_code"].as_str()),
        (500, Some("INTERNAL_ERROR"))
    );
    assert_eq!(get_json(&server, LIST, Some(&token)).0, 200);
}

#[test]
fn a_dropped_connection_cuts_the_body_short() {
    let server = start(auto_approve("alice@example.com"));
    let token = token_for(&server);
    add(
        &server,
        json!({"path": LIST, "fault": {"kind": "drop_connection", "after_bytes": 20}, "count": 1}),
    );
    let mut response = agent()
        .get(&format!("{}{LIST}", server.base))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("headers arrive");
    assert_eq!(response.status().as_u16(), 200);
    let length: usize = response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("length");
    assert!(length > 20);
    assert!(
        response.body_mut().read_to_string().is_err(),
        "the body must end early"
    );
    assert_eq!(
        get_json(&server, LIST, Some(&token)).0,
        200,
        "the next request is fine"
    );
}

#[test]
fn expired_token_faults_have_both_variants_even_for_a_valid_token() {
    let server = start(auto_approve("alice@example.com"));
    let token = token_for(&server);
    add(
        &server,
        json!([
            {"path": LIST, "fault": {"kind": "expired_token", "status": 401}, "count": 1},
            {"path": LIST, "fault": {"kind": "expired_token", "status": 403}, "count": 1}
        ]),
    );
    let (status, body) = get_json(&server, LIST, Some(&token));
    assert_eq!(
        (status, body["error_code"].as_str()),
        (401, Some("UNAUTHENTICATED"))
    );
    let (status, body) = get_json(&server, LIST, Some(&token));
    assert_eq!(
        (status, body["message"].as_str()),
        (403, Some("Invalid access token."))
    );
    assert_eq!(get_json(&server, LIST, Some(&token)).0, 200);
}

#[test]
fn time_windows_and_config_file_rules() {
    let config = Config {
        faults: vec![FaultRule {
            path: LIST.into(),
            method: None,
            fault: Fault::Status {
                status: 503,
                retry_after_secs: None,
            },
            count: None,
            for_secs: Some(1),
        }],
        ..auto_approve("alice@example.com")
    };
    let server = start(config);
    let token = token_for(&server);
    assert_eq!(get_json(&server, LIST, Some(&token)).0, 503);
    assert_eq!(
        get_json(&server, LIST, Some(&token)).0,
        503,
        "no count: every request in the window"
    );
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(get_json(&server, LIST, Some(&token)).0, 200);
    let (_, faults) = get_json(&server, "/__emulator/faults", None);
    assert_eq!(faults["faults"], json!([]));
}

#[test]
fn the_request_log_records_faults_but_no_query_or_secret() {
    let server = start(auto_approve("alice@example.com"));
    let token = token_for(&server);
    add(
        &server,
        json!({"path": LIST, "fault": {"kind": "latency", "ms": 1}, "count": 1}),
    );
    get_json(&server, LIST, Some(&token));
    let (_, log) = get_json(&server, "/__emulator/requests", None);
    let text = log.to_string();
    assert!(
        !text.contains('?') && !text.contains("st4te") && !text.contains(CHALLENGE),
        "{text}"
    );
    assert!(
        !text.contains(&token) && !text.contains(VERIFIER),
        "no secrets in the log"
    );
    let entries = log["requests"].as_array().expect("entries");
    let paths: Vec<&str> = entries.iter().filter_map(|e| e["path"].as_str()).collect();
    assert_eq!(paths, ["/oidc/v1/authorize", "/oidc/v1/token", LIST]);
    assert_eq!(entries[2]["fault"], "latency");
    assert_eq!(entries[1]["status"], 200);

    let (_, api_only) = get_json(&server, "/__emulator/requests?path_prefix=/api/", None);
    assert_eq!(api_only["requests"].as_array().map(Vec::len), Some(1));
    agent()
        .delete(&format!("{}/__emulator/requests", server.base))
        .call()
        .expect("clear");
    let (_, cleared) = get_json(&server, "/__emulator/requests?path_prefix=/api/", None);
    assert_eq!(cleared["requests"], json!([]));
}

#[test]
fn malformed_rules_are_refused() {
    let server = start(Config::default());
    let (status, body) = post_json(
        &server,
        "/__emulator/faults",
        json!({"path": "*", "fault": {"kind": "meteor"}}),
        None,
    );
    assert_eq!(
        (status, body["error_code"].as_str()),
        (400, Some("INVALID_PARAMETER_VALUE"))
    );
}
