//! HTTPS mode in process: a client that trusts the emulator's test CA gets real answers; one
//! that trusts a different CA, or speaks plain HTTP to the port, gets nothing.

use crate::common;

use brickdesk_emulator::tls::TestCa;
use brickdesk_emulator::{Config, Emulator};

fn start_tls() -> (Emulator, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let emulator = runtime
        .block_on(Emulator::start_tls(Config::default(), 0))
        .expect("starts");
    (emulator, runtime)
}

#[test]
fn a_client_trusting_the_test_ca_is_served_https() {
    let (emulator, _runtime) = start_tls();
    assert!(emulator.base_url.starts_with("https://127.0.0.1:"));
    let pem = emulator.ca_pem.clone().expect("a CA in TLS mode");
    let (status, config) =
        common::tls_get(&emulator.base_url, "/.well-known/databricks-config", &pem);
    assert_eq!(status, 200);
    assert!(
        config["oidc_endpoint"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://")),
        "{config}"
    );
    // `localhost` is in the certificate too.
    let localhost = emulator.base_url.replace("127.0.0.1", "localhost");
    assert_eq!(
        common::tls_get(&localhost, "/__emulator/health", &pem).0,
        200
    );
}

#[test]
fn another_ca_or_plain_http_gets_no_answer() {
    let (emulator, _runtime) = start_tls();
    let stranger = TestCa::generate().expect("another CA");
    let error = common::tls_try_get(&emulator.base_url, "/__emulator/health", &stranger.ca_pem)
        .expect_err("an untrusted certificate");
    assert!(
        error.to_lowercase().contains("certificate") || error.contains("UnknownIssuer"),
        "{error}"
    );
    let plain = emulator.base_url.replace("https://", "http://");
    let refused = common::agent()
        .get(&format!("{plain}/__emulator/health"))
        .call();
    assert!(
        refused.is_err(),
        "plain HTTP must not be answered: {refused:?}"
    );
    // The server keeps serving after failed handshakes.
    let pem = emulator.ca_pem.clone().expect("CA");
    assert_eq!(
        common::tls_get(&emulator.base_url, "/__emulator/health", &pem).0,
        200
    );
}
