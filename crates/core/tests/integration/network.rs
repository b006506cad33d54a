//! The network paths IT configures, against the emulator in HTTPS mode: its test CA trusted
//! only through the policy's CA bundle, and every request through the policy's proxy (the
//! emulator's test proxy, a real CONNECT proxy on loopback that records what it tunnels).
//! Auto-config scripts and proxies that ask for a sign-in are `corporate_proxy`'s.

use brickdesk_core::ErrorCode;
use brickdesk_core::deep_link::{self, DeepLink};
use brickdesk_core::host::WorkspaceHost;
use brickdesk_core::net::{self, NetworkSettings};
use brickdesk_core::policy::Policy;
use brickdesk_core::self_test::{self, CheckKind, LinkRegistration, Outcome};
use brickdesk_core::service::{Config as ServiceConfig, Workspaces};
use brickdesk_core::vault::{MemoryStore, Vault};
use brickdesk_core::workspace::{DEMO_ID, SignInState};
use brickdesk_emulator::test_proxy::{ProxyAuth, TestProxy};
use brickdesk_emulator::{Config, Emulator};
use std::path::PathBuf;
use std::sync::Arc;

pub(crate) struct Fixture {
    pub(crate) emulator: Emulator,
    pub(crate) service: Arc<Workspaces>,
    dir: PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An HTTPS emulator signing in alice at once, and the service with `policy` (whose
/// `ca_bundle`, when `trust_ca`, is the emulator's CA).
async fn fixture(name: &str, policy: Policy, trust_ca: bool) -> Fixture {
    fixture_with(name, policy, trust_ca, Config::default()).await
}

/// [`fixture`] with the emulator's `config` (alice is signed in at once either way).
pub(crate) async fn fixture_with(
    name: &str,
    mut policy: Policy,
    trust_ca: bool,
    config: Config,
) -> Fixture {
    let config = Config {
        auto_approve: Some("alice@example.com".into()),
        ..config
    };
    let emulator = Emulator::start_tls(config, 0).await.expect("emulator");
    let dir = std::env::temp_dir().join(format!("brickdesk-net-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    if trust_ca {
        let bundle = dir.join("company-ca.pem");
        std::fs::write(&bundle, emulator.ca_pem.as_deref().expect("CA")).expect("write CA");
        policy.ca_bundle = Some(bundle);
    }
    let (service, notices) = Workspaces::open(ServiceConfig {
        profiles_file: dir.join("profiles.json"),
        policy,
        vault: Vault::new(Arc::new(MemoryStore::default())),
        demo_host: Some(WorkspaceHost::parse(&emulator.base_url).expect("https host")),
    })
    .expect("service");
    assert!(notices.is_empty(), "{notices:?}");
    Fixture {
        emulator,
        service,
        dir,
    }
}

/// The system browser: trusts the test CA, follows nothing, returns the redirect target.
async fn browse(f: &Fixture, url: &str) -> String {
    let browser = net::client(&NetworkSettings {
        extra_ca_pem: f.emulator.ca_pem.clone().map(String::into_bytes),
        ..NetworkSettings::default()
    })
    .expect("browser");
    let response = browser.get(url).send().await.expect("authorize");
    assert_eq!(response.status(), 302);
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_owned()
}

pub(crate) async fn sign_in(f: &Fixture) -> SignInState {
    let url = f
        .service
        .begin_sign_in(DEMO_ID)
        .await
        .expect("discovery and PKCE over HTTPS")
        .expect("a browser URL");
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let DeepLink::OAuthCallback(callback) =
        deep_link::parse(&browse(f, &url).await).expect("a callback")
    else {
        panic!("not a callback");
    };
    f.service
        .complete_sign_in(callback)
        .await
        .expect("token exchange");
    f.service.check(DEMO_ID).await
}

pub(crate) fn signed_in_as(state: &SignInState, email: &str) -> bool {
    matches!(state, SignInState::SignedIn { user: Some(user), .. } if user == email)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_ca_bundle_makes_an_https_workspace_trusted() {
    let f = fixture("ca", Policy::default(), true).await;
    let state = sign_in(&f).await;
    assert!(signed_in_as(&state, "alice@example.com"), "{state:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_ca_the_workspace_is_reported_untrusted() {
    let f = fixture("no-ca", Policy::default(), false).await;
    let error = f
        .service
        .begin_sign_in(DEMO_ID)
        .await
        .expect_err("an unknown CA");
    assert_eq!(error.code, ErrorCode::Network);
    assert!(error.message.contains("not trusted"), "{}", error.message);
    assert!(error.message.contains("CA bundle"), "{}", error.message);
}

/// The emulator's test proxy: tunnels for anyone, or refuses every tunnel.
async fn proxy(refuse: bool) -> TestProxy {
    let auth = if refuse {
        ProxyAuth::Refuse
    } else {
        ProxyAuth::Open
    };
    TestProxy::start(auth, None).await.expect("test proxy")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_workspace_request_goes_through_the_policy_proxy() {
    let proxy = proxy(false).await;
    let policy = Policy {
        proxy: Some(proxy.url.clone()),
        ..Policy::default()
    };
    let f = fixture("proxy", policy, true).await;
    let state = sign_in(&f).await;
    assert!(signed_in_as(&state, "alice@example.com"), "{state:?}");
    let targets = proxy.tunnelled();
    let emulator = f.emulator.addr.to_string();
    assert!(!targets.is_empty(), "nothing went through the proxy");
    assert!(
        targets.iter().all(|t| *t == emulator),
        "{targets:?} vs {emulator}"
    );
    // (One tunnel can carry every request: the client keeps the connection alive. That no
    // request bypasses the proxy is what the refusing proxy below shows.)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusing_proxy_is_named_in_the_error() {
    let proxy = proxy(true).await;
    let policy = Policy {
        proxy: Some(proxy.url.clone()),
        ..Policy::default()
    };
    let f = fixture("proxy-refuses", policy, true).await;
    let error = f
        .service
        .begin_sign_in(DEMO_ID)
        .await
        .expect_err("the proxy refuses");
    assert_eq!(error.code, ErrorCode::Network);
    assert!(error.message.contains("proxy"), "{}", error.message);
    assert_eq!(proxy.seen().len(), 1, "{:?}", proxy.seen());
}

pub(crate) fn self_test_line(
    report: &self_test::SelfTestReport,
    kind: CheckKind,
) -> self_test::CheckLine {
    report
        .lines
        .iter()
        .find(|l| l.kind == kind)
        .cloned()
        .expect("a line")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_self_test_names_the_company_ca_and_the_proxy() {
    let proxy = proxy(false).await;
    let policy = Policy {
        proxy: Some(format!(
            "{}/",
            proxy.url.replace("http://", "http://it:hunter2@")
        )),
        ..Policy::default()
    };
    let f = fixture("self-test-ca", policy, true).await;
    let state = sign_in(&f).await;
    assert!(signed_in_as(&state, "alice@example.com"), "{state:?}");
    let tunnels_before = proxy.tunnelled().len();
    let report = self_test::run(&f.service, DEMO_ID, LinkRegistration::Registered, |_| {})
        .await
        .expect("report");
    for line in &report.lines {
        assert_eq!(line.outcome, Outcome::Pass, "{line:?}");
    }
    let tls = self_test_line(&report, CheckKind::SecureConnection);
    assert!(
        tls.detail
            .contains("\u{201c}Brickdesk emulator test CA\u{201d}")
            && tls
                .detail
                .contains("CA bundle in your organisation's policy"),
        "{tls:?}"
    );
    let line = self_test_line(&report, CheckKind::Proxy);
    assert!(
        line.detail.contains(&format!(
            "through the proxy {}, by the proxy in Brickdesk's policy. The proxy did not ask \
             for a sign-in.",
            proxy.url
        )),
        "{line:?}"
    );
    assert!(!report.text.contains("hunter2"), "{}", report.text);
    // The self-test opened its own connections (its certificate probe is a fresh client), all
    // through the proxy.
    let targets = proxy.tunnelled();
    assert!(
        targets.len() > tunnels_before,
        "the self-test made no tunnel: {targets:?}"
    );
    let emulator = f.emulator.addr.to_string();
    assert!(targets.iter().all(|t| *t == emulator), "{targets:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_company_ca_the_self_test_names_the_untrusted_issuer() {
    let f = fixture("self-test-no-ca", Policy::default(), false).await;
    let report = self_test::run(&f.service, DEMO_ID, LinkRegistration::Registered, |_| {})
        .await
        .expect("report");
    let tls = self_test_line(&report, CheckKind::SecureConnection);
    assert_eq!(tls.outcome, Outcome::Fail, "{tls:?}");
    assert!(
        tls.detail.contains("Brickdesk emulator test CA") && tls.detail.contains("does not trust"),
        "{tls:?}"
    );
    assert!(
        tls.fix.as_deref().unwrap_or_default().contains("CaBundle"),
        "{tls:?}"
    );
    let discovery = self_test_line(&report, CheckKind::SignInDiscovery);
    assert_eq!(discovery.outcome, Outcome::Fail, "{discovery:?}");
    assert_eq!(
        self_test_line(&report, CheckKind::Keychain).outcome,
        Outcome::Pass
    );
}
