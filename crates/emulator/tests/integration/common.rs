//! Shared by the route tests: an emulator on 127.0.0.1:0 in its own runtime, and a blocking
//! HTTP client that neither follows redirects nor turns error statuses into errors.

#![allow(dead_code)]

use brickdesk_emulator::{Config, Emulator};
use serde_json::Value;

pub struct Server {
    pub base: String,
    _owner: Owner,
}

/// What keeps the server alive; dropping it stops the server.
enum Owner {
    /// Declared emulator first: it must stop before its runtime goes.
    InProcess(Emulator, tokio::runtime::Runtime),
    Process(std::process::Child),
}

impl Drop for Owner {
    fn drop(&mut self) {
        if let Owner::Process(child) = self {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs the `brickdesk-emulator` binary with `args` (plus `--port 0`) and waits for the URL on
/// its first stdout line.
pub fn spawn_binary(args: &[&str]) -> Server {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_brickdesk-emulator"))
        .args(args)
        .args(["--port", "0"])
        .env("EMULATOR_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the emulator binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let owner = Owner::Process(child);
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let base = line
        .split_whitespace()
        .find(|word| word.starts_with("http://") || word.starts_with("https://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    Server {
        base,
        _owner: owner,
    }
}

pub fn start(config: Config) -> Server {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let emulator = runtime
        .block_on(Emulator::start(config, 0))
        .expect("emulator starts");
    Server {
        base: emulator.base_url.clone(),
        _owner: Owner::InProcess(emulator, runtime),
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build(),
    )
}

/// Status and JSON body (Null when the body is not JSON).
pub fn read(mut response: ureq::http::Response<ureq::Body>) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub fn get_json(server: &Server, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = agent().get(&format!("{}{path}", server.base));
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    read(request.call().expect("request"))
}

pub fn post_form(
    server: &Server,
    path: &str,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (u16, Value) {
    use base64::Engine;
    let mut request = agent().post(&format!("{}{path}", server.base));
    if let Some((id, secret)) = basic {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        request = request.header("Authorization", &format!("Basic {encoded}"));
    }
    read(request.send_form(form.iter().copied()).expect("request"))
}

pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// The default authorization request for `client_id` and `redirect_uri`.
pub fn authorize_params<'a>(client_id: &'a str, redirect_uri: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", "all-apis offline_access"),
        ("state", "st4te"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

/// GET /oidc/v1/authorize with `params`; returns the status and the `Location` header.
pub fn authorize_raw(
    server: &Server,
    path: &str,
    params: &[(&str, &str)],
) -> (u16, String, String) {
    let mut url = url::Url::parse(&format!("{}{path}", server.base)).expect("url");
    url.query_pairs_mut().extend_pairs(params.iter().copied());
    let mut response = agent().get(url.as_str()).call().expect("authorize");
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    (status, location, body)
}

/// Runs the authorize step with the default request; returns the status and `Location`.
pub fn authorize(server: &Server, client_id: &str, redirect_uri: &str) -> (u16, String) {
    let (status, location, _) = authorize_raw(
        server,
        "/oidc/v1/authorize",
        &authorize_params(client_id, redirect_uri),
    );
    (status, location)
}

pub fn query_param(location: &str, name: &str) -> Option<String> {
    url::Url::parse(location)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

pub fn auto_approve(email: &str) -> Config {
    Config {
        auto_approve: Some(email.into()),
        ..Config::default()
    }
}

pub const APP: &str = "brickdesk";
pub const CALLBACK: &str = "dev.brickdesk.app:/oauth/callback";

/// The authorization-code exchange at the token endpoint, as a public client.
pub fn exchange(
    server: &Server,
    client: &str,
    code: &str,
    redirect: &str,
    verifier: &str,
) -> (u16, Value) {
    post_form(
        server,
        "/oidc/v1/token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ],
        None,
    )
}

/// Signs in through an auto-approving emulator as the `brickdesk` app; the token response.
pub fn sign_in(server: &Server) -> Value {
    let (status, location) = authorize(server, APP, CALLBACK);
    assert_eq!(status, 302, "start the server with auto_approve");
    let code = query_param(&location, "code").expect("code");
    let (status, tokens) = exchange(server, APP, &code, CALLBACK, VERIFIER);
    assert_eq!(status, 200, "{tokens}");
    tokens
}

/// Signs in (see [`sign_in`]) and returns the access token.
pub fn token_for(server: &Server) -> String {
    sign_in(server)["access_token"]
        .as_str()
        .expect("access token")
        .to_owned()
}

pub fn post_json(
    server: &Server,
    path: &str,
    body: serde_json::Value,
    token: Option<&str>,
) -> (u16, Value) {
    let mut request = agent().post(&format!("{}{path}", server.base));
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    read(request.send_json(body).expect("request"))
}

pub fn delete_json(server: &Server, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = agent().delete(&format!("{}{path}", server.base));
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    read(request.call().expect("request"))
}

/// GET over HTTPS trusting only the CA in `ca_pem`; the status and JSON body, or the error.
pub fn tls_try_get(base: &str, path: &str, ca_pem: &str) -> Result<(u16, Value), String> {
    use ureq::tls::{Certificate, RootCerts, TlsConfig};
    // ureq is built without a provider; ring is the process default, as in the app.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ca = Certificate::from_pem(ca_pem.as_bytes())
        .map_err(|e| e.to_string())?
        .to_owned();
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .tls_config(
                TlsConfig::builder()
                    .root_certs(RootCerts::new_with_certs(&[ca]))
                    .build(),
            )
            .build(),
    );
    agent
        .get(&format!("{base}{path}"))
        .call()
        .map(read)
        .map_err(|e| e.to_string())
}

/// [`tls_try_get`] that must succeed.
pub fn tls_get(base: &str, path: &str, ca_pem: &str) -> (u16, Value) {
    tls_try_get(base, path, ca_pem).expect("HTTPS request")
}
