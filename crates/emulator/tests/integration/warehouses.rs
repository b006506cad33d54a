//! SQL warehouses: listing by permission, the start/stop state machine, start failures.

use crate::common;

use brickdesk_emulator::Config;
use brickdesk_emulator::config::Timings;
use common::*;
use serde_json::json;
use std::time::Duration;

const STARTER: &str = "a1b2c3d4e5f60718";
const REPORTING: &str = "5f6e7d8c9b0a1234";
const FINANCE: &str = "b0b0b0b0b0b0b0b0";

fn fast(email: &str) -> Config {
    Config {
        timings: Timings {
            warehouse_start_ms: 150,
            warehouse_stop_ms: 100,
            ..Timings::default()
        },
        ..auto_approve(email)
    }
}

fn state(server: &Server, token: &str, id: &str) -> String {
    let (status, body) = get_json(
        server,
        &format!("/api/2.0/sql/warehouses/{id}"),
        Some(token),
    );
    assert_eq!(status, 200, "{body}");
    body["state"].as_str().expect("state").to_owned()
}

#[test]
fn lists_only_what_the_caller_may_use() {
    let server = start(auto_approve("alice@example.com"));
    let token = token_for(&server);
    let (status, body) = get_json(&server, "/api/2.0/sql/warehouses", Some(&token));
    assert_eq!(status, 200);
    let listed: Vec<(String, String)> = body["warehouses"]
        .as_array()
        .expect("list")
        .iter()
        .map(|w| {
            (
                w["id"].as_str().unwrap_or("").to_owned(),
                w["state"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (STARTER.into(), "RUNNING".into()),
            (REPORTING.into(), "STOPPED".into()),
            (FINANCE.into(), "RUNNING".into())
        ]
    );
    let starter = &body["warehouses"][0];
    assert_eq!(
        starter["odbc_params"]["path"],
        format!("/sql/1.0/warehouses/{STARTER}")
    );
    assert_eq!(starter["warehouse_type"], "PRO");

    let server = start(auto_approve("bob@example.com"));
    let token = token_for(&server);
    let (_, body) = get_json(&server, "/api/2.0/sql/warehouses", Some(&token));
    assert_eq!(
        body["warehouses"].as_array().map(Vec::len),
        Some(2),
        "bob cannot see the finance warehouse"
    );
    let (status, body) = get_json(
        &server,
        &format!("/api/2.0/sql/warehouses/{FINANCE}"),
        Some(&token),
    );
    assert_eq!(
        (status, body["error_code"].as_str()),
        (403, Some("PERMISSION_DENIED"))
    );
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("bob@example.com")),
        "{body}"
    );
    let (status, body) = post_json(
        &server,
        &format!("/api/2.0/sql/warehouses/{FINANCE}/start"),
        json!({}),
        Some(&token),
    );
    assert_eq!(
        (status, body["error_code"].as_str()),
        (403, Some("PERMISSION_DENIED"))
    );
    let (status, body) = get_json(&server, "/api/2.0/sql/warehouses/nope", Some(&token));
    assert_eq!(
        (status, body["error_code"].as_str()),
        (404, Some("RESOURCE_DOES_NOT_EXIST"))
    );
    assert_eq!(get_json(&server, "/api/2.0/sql/warehouses", None).0, 401);
}

#[test]
fn start_and_stop_follow_the_state_machine() {
    let server = start(fast("alice@example.com"));
    let token = token_for(&server);
    let start = |id: &str| {
        post_json(
            &server,
            &format!("/api/2.0/sql/warehouses/{id}/start"),
            json!({}),
            Some(&token),
        )
    };
    let stop = |id: &str| {
        post_json(
            &server,
            &format!("/api/2.0/sql/warehouses/{id}/stop"),
            json!({}),
            Some(&token),
        )
    };

    assert_eq!(state(&server, &token, REPORTING), "STOPPED");
    assert_eq!(start(REPORTING), (200, json!({})));
    assert_eq!(
        state(&server, &token, REPORTING),
        "STARTING",
        "STARTING at once, inside the start call"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(state(&server, &token, REPORTING), "RUNNING");
    assert_eq!(start(REPORTING).0, 200, "start is idempotent");
    assert_eq!(state(&server, &token, REPORTING), "RUNNING");

    assert_eq!(stop(REPORTING), (200, json!({})));
    assert_eq!(state(&server, &token, REPORTING), "STOPPING");
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(state(&server, &token, REPORTING), "STOPPED");
}

#[test]
fn a_start_can_fail_and_say_why() {
    let server = start(fast("alice@example.com"));
    let token = token_for(&server);
    let rule = json!({"path": format!("/api/2.0/sql/warehouses/{REPORTING}/start"), "fault": {"kind": "warehouse_start_failure"}, "count": 1});
    assert_eq!(post_json(&server, "/__emulator/faults", rule, None).0, 200);
    post_json(
        &server,
        &format!("/api/2.0/sql/warehouses/{REPORTING}/start"),
        json!({}),
        Some(&token),
    );
    assert_eq!(state(&server, &token, REPORTING), "STARTING");
    std::thread::sleep(Duration::from_millis(200));
    let (_, body) = get_json(
        &server,
        &format!("/api/2.0/sql/warehouses/{REPORTING}"),
        Some(&token),
    );
    assert_eq!(body["state"], "STOPPED");
    assert_eq!(body["health"]["status"], "FAILED");
    assert!(
        body["health"]["summary"]
            .as_str()
            .is_some_and(|s| s.contains("failed to start"))
    );

    // The fault was for one start only: the next start succeeds and clears the health.
    post_json(
        &server,
        &format!("/api/2.0/sql/warehouses/{REPORTING}/start"),
        json!({}),
        Some(&token),
    );
    std::thread::sleep(Duration::from_millis(200));
    let (_, body) = get_json(
        &server,
        &format!("/api/2.0/sql/warehouses/{REPORTING}"),
        Some(&token),
    );
    assert_eq!(body["state"], "RUNNING");
    assert!(body.get("health").is_none(), "{body}");
}
