//! The `brickdesk-emulator` binary as scripts and the demo run it: flags, the first stdout
//! line, HTTPS with `--ca-out`, and determinism for a seed across separate processes.

use crate::common;

use common::{APP, CALLBACK, Server, VERIFIER, exchange, post_json, query_param, spawn_binary};
use serde_json::{Value, json};

/// Everything a seeded run generates that a test could pin: the code, the refresh token,
/// a statement id, a conversation id, and seeded data.
fn observe(server: &Server) -> Vec<String> {
    let (status, location) = common::authorize(server, APP, CALLBACK);
    assert_eq!(status, 302);
    let code = query_param(&location, "code").expect("code");
    let (status, tokens) = exchange(server, APP, &code, CALLBACK, VERIFIER);
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().expect("access token");
    let (status, statement) = post_json(
        server,
        "/api/2.0/sql/statements",
        json!({
            "warehouse_id": "a1b2c3d4e5f60718",
            "statement": "SELECT round(sum(fare_amount), 2) AS fares FROM samples.nyctaxi.trips",
            "wait_timeout": "30s",
        }),
        Some(access),
    );
    assert_eq!(status, 200, "{statement}");
    assert_eq!(statement["status"]["state"], "SUCCEEDED", "{statement}");
    let (status, conversation) = post_json(
        server,
        "/api/2.0/genie/spaces/01f0c0ffee0000000000000000000001/start-conversation",
        json!({"content": "How many trips were there?"}),
        Some(access),
    );
    assert_eq!(status, 200, "{conversation}");
    let text = |value: &Value| value.as_str().map(str::to_owned).unwrap_or_default();
    vec![
        code,
        text(&tokens["refresh_token"]),
        text(&statement["statement_id"]),
        statement["result"]["data_array"].to_string(),
        text(&conversation["conversation_id"]),
        text(&conversation["message_id"]),
    ]
}

const ALICE: [&str; 2] = ["--auto-approve", "alice@example.com"];

#[test]
fn the_same_seed_gives_the_same_ids_and_data_in_separate_processes() {
    let run = |seed: &str| {
        let server = spawn_binary(&[ALICE[0], ALICE[1], "--seed", seed]);
        assert!(
            server.base.starts_with("http://127.0.0.1:"),
            "{}",
            server.base
        );
        observe(&server)
    };
    let first = run("7");
    let again = run("7");
    let other = run("8");
    assert!(first.iter().all(|v| !v.is_empty()), "{first:?}");
    assert_eq!(first, again, "seed 7 twice");
    for (index, (a, b)) in first.iter().zip(&other).enumerate() {
        assert_ne!(a, b, "value {index} does not depend on the seed");
    }
}

#[test]
fn tls_mode_writes_its_ca_before_announcing_an_https_url() {
    let dir = std::env::temp_dir().join(format!("brickdesk-emulator-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let ca = dir.join("ca.pem");
    let server = spawn_binary(&["--tls", "--ca-out", ca.to_str().expect("utf-8 path")]);
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );
    let pem = std::fs::read_to_string(&ca).expect("the CA was written first");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    let (status, body) = common::tls_get(
        &server.base,
        "/oidc/.well-known/oauth-authorization-server",
        &pem,
    );
    assert_eq!(status, 200);
    assert_eq!(
        body["token_endpoint"],
        format!("{}/oidc/v1/token", server.base)
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ca_out_without_tls_is_a_usage_error() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_brickdesk-emulator"))
        .args(["--ca-out", "ca.pem", "--port", "0"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--tls"), "{stderr}");
    assert!(output.stdout.is_empty(), "it must not start serving");
}
