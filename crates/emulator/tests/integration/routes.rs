//! Route tests: the emulator in-process on 127.0.0.1:0, real HTTP.

use brickdesk_emulator::{Config, Emulator};
use serde_json::Value;

fn get_json(url: &str) -> Value {
    ureq::get(url)
        .call()
        .expect("request")
        .body_mut()
        .read_json()
        .expect("json body")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_documents_point_at_this_emulator() {
    let emulator = Emulator::start(Config::default(), 0).await.expect("start");
    let base = emulator.base_url.clone();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let (config, server, health) = tokio::task::spawn_blocking(move || {
        (
            get_json(&format!("{base}/.well-known/databricks-config")),
            get_json(&format!(
                "{base}/oidc/.well-known/oauth-authorization-server"
            )),
            get_json(&format!("{base}/__emulator/health")),
        )
    })
    .await
    .expect("join");
    let base = &emulator.base_url;
    assert_eq!(config["oidc_endpoint"], format!("{base}/oidc"));
    assert_eq!(config["workspace_id"], "1234567890123456");
    assert_eq!(
        server["authorization_endpoint"],
        format!("{base}/oidc/v1/authorize")
    );
    assert_eq!(server["token_endpoint"], format!("{base}/oidc/v1/token"));
    assert_eq!(
        server["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(health["status"], "ok");
}

#[tokio::test]
async fn a_busy_port_gives_an_actionable_error() {
    let first = Emulator::start(Config::default(), 0).await.expect("start");
    let err = Emulator::start(Config::default(), first.addr.port())
        .await
        .expect_err("busy");
    let text = err.to_string();
    assert!(
        text.contains("already in use") && text.contains("--port 0"),
        "{text}"
    );
}
