//! Shared by the core's integration tests: the in-process emulator on 127.0.0.1:0, a workspace
//! service over an in-memory keychain, and the browser's part of a sign-in.

#![allow(dead_code)]

use brickdesk_core::deep_link::{self, DeepLink};
use brickdesk_core::host::WorkspaceHost;
use brickdesk_core::policy::Policy;
use brickdesk_core::service::{Config as ServiceConfig, Workspaces};
use brickdesk_core::vault::{MemoryStore, Vault};
use brickdesk_core::workspace::{DEMO_ID, SignInState};
use brickdesk_emulator::{Config, Emulator};
use std::path::PathBuf;
use std::sync::Arc;

pub struct Fixture {
    pub emulator: Emulator,
    pub service: Arc<Workspaces>,
    pub store: Arc<MemoryStore>,
    pub dir: PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub async fn fixture(name: &str, config: Config, demo: bool) -> Fixture {
    let emulator = Emulator::start(config, 0).await.expect("emulator");
    let dir = std::env::temp_dir().join(format!("brickdesk-core-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Arc::new(MemoryStore::default());
    let (service, notices) = Workspaces::open(ServiceConfig {
        profiles_file: dir.join("profiles.json"),
        policy: Policy::default(),
        vault: Vault::new(store.clone()),
        demo_host: demo.then(|| WorkspaceHost::parse(&emulator.base_url).expect("host")),
    })
    .expect("service");
    assert!(notices.is_empty(), "{notices:?}");
    Fixture {
        emulator,
        service,
        store,
        dir,
    }
}

/// The fixture's service opened again over the same settings file and keychain, as after a
/// restart (`demo_host`: list the demo workspace on the fixture's emulator).
pub fn reopen_service(f: &Fixture, demo: bool) -> Arc<Workspaces> {
    let (service, _) = Workspaces::open(ServiceConfig {
        profiles_file: f.dir.join("profiles.json"),
        policy: Policy::default(),
        vault: Vault::new(f.store.clone()),
        demo_host: demo.then(|| WorkspaceHost::parse(&f.emulator.base_url).expect("host")),
    })
    .expect("reopened");
    service
}

pub fn alice() -> Config {
    Config {
        auto_approve: Some("alice@example.com".into()),
        ..Config::default()
    }
}

pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// What the browser does: follows the authorize URL to the redirect; returns its `Location`.
pub async fn browse(url: &str) -> String {
    let response = no_redirects().get(url).send().await.expect("authorize");
    assert_eq!(response.status(), 302, "{:?}", response.text().await);
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_owned()
}

pub fn callback(location: &str) -> brickdesk_core::deep_link::OAuthCallback {
    match deep_link::parse(location).expect("a valid callback") {
        DeepLink::OAuthCallback(callback) => callback,
        other => panic!("not a callback: {other:?}"),
    }
}

pub fn status(service: &Workspaces, id: &str) -> SignInState {
    service
        .list()
        .workspaces
        .into_iter()
        .find(|w| w.id == id)
        .map(|w| w.status)
        .expect("listed")
}

pub async fn sign_in_demo(f: &Fixture) {
    let url = f
        .service
        .begin_sign_in(DEMO_ID)
        .await
        .expect("begin")
        .expect("a browser URL");
    assert_eq!(status(&f.service, DEMO_ID), SignInState::SigningIn);
    let location = browse(&url).await;
    assert!(
        location.starts_with("dev.brickdesk.app:/oauth/callback?"),
        "{location}"
    );
    let id = f
        .service
        .complete_sign_in(callback(&location))
        .await
        .expect("signed in");
    assert_eq!(id, DEMO_ID);
}

/// Waits (up to 5 s) until workspace `id` leaves "signing in"; its state then. A loopback
/// sign-in finishes on the listener's task, after the browser's request.
pub async fn settled(service: &Workspaces, id: &str) -> SignInState {
    for _ in 0..200 {
        let state = status(service, id);
        if !matches!(state, SignInState::SigningIn) {
            return state;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    status(service, id)
}

/// Starts a browser sign-in of `id` and returns the URL the browser would open.
pub async fn sign_in_url(service: &Arc<Workspaces>, id: &str) -> String {
    service
        .begin_sign_in(id)
        .await
        .expect("begin")
        .expect("a browser URL")
}

/// A fresh fixture signed in to its demo workspace, and that workspace's API.
pub async fn signed_in_demo(name: &str, config: Config) -> (Fixture, brickdesk_core::api::Api) {
    let f = fixture(name, config, true).await;
    sign_in_demo(&f).await;
    let api = f.service.api(DEMO_ID).await.expect("api");
    (f, api)
}

/// The emulator's service principal `kpi-bot` (M2M) as a workspace named `name` on `host`.
pub fn kpi_bot(name: &str, host: String) -> brickdesk_core::service::NewWorkspace {
    brickdesk_core::service::NewWorkspace {
        name: name.into(),
        host,
        auth: brickdesk_core::profiles::AuthKind::ServicePrincipal {
            client_id: "kpi-bot".into(),
        },
        redirect: None,
        access: None,
        secret: Some("kpi-bot-secret".into()),
    }
}

/// Adds [`kpi_bot`] named `name` on the fixture's emulator; the new workspace's id.
pub async fn add_kpi_bot(f: &Fixture, name: &str) -> String {
    f.service
        .add(kpi_bot(name, f.emulator.base_url.clone()), |_| {})
        .await
        .expect("added")
        .active_id
        .expect("the new workspace is active")
}

/// An emulator control (`POST /__emulator/…`: revoke tokens, expire Genie results).
pub async fn admin(f: &Fixture, path: &str) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", f.emulator.base_url))
        .send()
        .await
        .expect("admin");
    assert!(response.status().is_success(), "{path}");
}

/// Adds fault rules to the emulator (`POST /__emulator/faults`).
pub async fn add_faults(f: &Fixture, rules: serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/__emulator/faults", f.emulator.base_url))
        .json(&rules)
        .send()
        .await
        .expect("faults");
    assert!(response.status().is_success());
}

/// The emulator's request log under `prefix`, as it records each request, in order.
pub async fn request_log(f: &Fixture, prefix: &str) -> Vec<serde_json::Value> {
    let log: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "{}/__emulator/requests?path_prefix={prefix}",
            f.emulator.base_url
        ))
        .send()
        .await
        .expect("log")
        .json()
        .await
        .expect("json");
    log["requests"].as_array().expect("requests").clone()
}

/// The emulator's request log under `prefix`: `(method, path, status)` in order.
pub async fn logged_requests(f: &Fixture, prefix: &str) -> Vec<(String, String, u64)> {
    request_log(f, prefix)
        .await
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap_or_default().to_owned(),
                r["path"].as_str().unwrap_or_default().to_owned(),
                r["status"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}
