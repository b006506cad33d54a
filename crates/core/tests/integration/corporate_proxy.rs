//! Corporate networks, against the HTTPS emulator and its test proxy: an auto-config (PAC)
//! script that sends the workspace through a proxy and result storage direct, scripts that
//! cannot be loaded or run, and proxies that ask for `Basic`, `NTLM` or `Negotiate` sign-in
//! (the test proxy checks NTLM with its own MS-NLMP code, not the client's). Every test that
//! signs in to a proxy also scans what Brickdesk said and logged for the credentials and
//! handshake tokens the proxy received.

use super::network::{Fixture, fixture_with, self_test_line, sign_in, signed_in_as};
use brickdesk_core::ErrorCode;
use brickdesk_core::diagnostics::{self, DiagnosticsInput};
use brickdesk_core::policy::Policy;
use brickdesk_core::self_test::{self, CheckKind, LinkRegistration, Outcome, SelfTestReport};
use brickdesk_core::sensitive::Sensitive;
use brickdesk_core::workspace::DEMO_ID;
use brickdesk_emulator::Config;
use brickdesk_emulator::test_proxy::{ProxyAuth, TestProxy};
use std::sync::{Arc, Mutex};

/// The workspace (`127.0.0.1`) through the proxy serving the script, storage direct.
const PAC: &str = r#"function FindProxyForURL(url, host) {
  if (dnsDomainIs(host, "localhost")) return "DIRECT";
  if (isInNet(host, "127.0.0.0", "255.0.0.0")) return "PROXY {proxy}";
  return "DIRECT";
}"#;

/// Result links on `localhost`, apart from the workspace's `127.0.0.1`, as cloud storage is
/// apart from the workspace.
fn storage_apart() -> Config {
    Config {
        storage_host: Some("localhost".into()),
        ..Config::default()
    }
}

async fn report(f: &Fixture) -> SelfTestReport {
    self_test::run(&f.service, DEMO_ID, LinkRegistration::Registered, |_| {})
        .await
        .expect("report")
}

fn with_credentials(mut policy: Policy, user: &str, password: &str) -> Policy {
    policy.proxy_username = Some(user.into());
    policy.proxy_password = Some(Sensitive::new(password.into()));
    policy
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pac_script_sends_the_workspace_through_proxy_a_and_storage_direct() {
    let a = TestProxy::start(ProxyAuth::Open, Some(PAC.into()))
        .await
        .expect("proxy A");
    let policy = Policy {
        proxy_auto_config_url: Some(a.pac_url.clone()),
        ..Policy::default()
    };
    let f = fixture_with("pac", policy, true, storage_apart()).await;
    let state = sign_in(&f).await;
    assert!(signed_in_as(&state, "alice@example.com"), "{state:?}");
    let report = report(&f).await;
    let workspace = f.emulator.addr.to_string();
    let proxy_line = self_test_line(&report, CheckKind::Proxy);
    assert_eq!(proxy_line.outcome, Outcome::Pass, "{proxy_line:?}");
    assert!(
        proxy_line.detail.contains(&format!(
            "127.0.0.1 is reached through the proxy {}, by the proxy auto-config script in \
             Brickdesk's policy ({})",
            a.url, a.pac_url
        )),
        "{proxy_line:?}"
    );
    let storage = self_test_line(&report, CheckKind::ResultStorage);
    assert_eq!(storage.outcome, Outcome::Pass, "{storage:?}");
    assert!(
        storage.detail.contains("Results download from localhost.")
            && storage.detail.contains(
                "localhost is reached directly, by the proxy auto-config script in \
                 Brickdesk's policy"
            ),
        "{storage:?}"
    );
    // What the proxy saw: the workspace, and never the storage host.
    let tunnelled = a.tunnelled();
    assert!(!tunnelled.is_empty(), "nothing went through proxy A");
    assert!(tunnelled.iter().all(|t| *t == workspace), "{tunnelled:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pac_script_that_cannot_be_loaded_or_run_is_reported_and_falls_back_to_direct() {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let unreachable = format!("http://{closed}/proxy.pac");
    let thrower = TestProxy::start(
        ProxyAuth::Open,
        Some(
            "function FindProxyForURL(url, host) { throw new Error('no rule for ' + host); }"
                .into(),
        ),
    )
    .await
    .expect("proxy");
    for (name, script, expected) in [
        (
            "pac-unreachable",
            unreachable.clone(),
            "could not be fetched (it cannot be reached)",
        ),
        (
            "pac-throws",
            thrower.pac_url.clone(),
            "no rule for 127.0.0.1",
        ),
    ] {
        let policy = Policy {
            proxy_auto_config_url: Some(script.clone()),
            ..Policy::default()
        };
        let f = fixture_with(name, policy, true, Config::default()).await;
        // Direct, as browsers fall back: the sign-in works.
        let state = sign_in(&f).await;
        assert!(
            signed_in_as(&state, "alice@example.com"),
            "{name}: {state:?}"
        );
        let line = self_test_line(&report(&f).await, CheckKind::Proxy);
        assert_eq!(line.outcome, Outcome::Fail, "{name}: {line:?}");
        assert!(
            line.detail.contains("is reached directly")
                && line.detail.contains(expected)
                && line
                    .detail
                    .contains("Brickdesk goes direct instead, as browsers do"),
            "{name}: {line:?}"
        );
        assert!(
            line.fix
                .as_deref()
                .unwrap_or_default()
                .contains("auto-config script"),
            "{name}: {line:?}"
        );
    }
    assert!(thrower.tunnelled().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_that_does_not_answer_is_passed_over_for_the_next_entry() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let b = TestProxy::start(
        ProxyAuth::Open,
        Some(format!(
            "function FindProxyForURL(url, host) {{ return \"PROXY {closed}; PROXY {{proxy}}; DIRECT\"; }}"
        )),
    )
    .await
    .expect("proxy B");
    let policy = Policy {
        proxy_auto_config_url: Some(b.pac_url.clone()),
        ..Policy::default()
    };
    let f = fixture_with("pac-failover", policy, true, Config::default()).await;
    let state = sign_in(&f).await;
    assert!(signed_in_as(&state, "alice@example.com"), "{state:?}");
    let line = self_test_line(&report(&f).await, CheckKind::Proxy);
    assert_eq!(line.outcome, Outcome::Pass, "{line:?}");
    assert!(
        line.detail
            .contains(&format!("through the proxy {}", b.url))
            && line.detail.contains(&format!(
                "First tried: the proxy http://{closed} cannot be reached (nothing listens on \
                 its port)"
            )),
        "{line:?}"
    );
    assert!(!b.tunnelled().is_empty());
}

/// Everything the proxy was sent in `Proxy-Authorization`, the parts of those values, and the
/// password: none may appear in what Brickdesk shows, saves or logs.
fn secrets(proxy: &TestProxy, password: &str) -> Vec<String> {
    let mut secrets = vec![password.to_owned()];
    for value in proxy.authorizations() {
        secrets.push(value.clone());
        if let Some((_, token)) = value.split_once(' ') {
            // Any 24-character stretch of a token is enough to recognise it.
            let token: Vec<char> = token.chars().collect();
            for window in token.chunks(24).filter(|w| w.len() == 24) {
                secrets.push(window.iter().collect());
            }
        }
    }
    secrets
}

fn assert_nothing_leaks(place: &str, text: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{place} holds {secret:?}:\n{text}"
        );
    }
}

/// The log, at trace level for Brickdesk, the HTTP stack and `sspi`, of this whole test
/// binary while [`Captured::on`] is set. One global subscriber, installed once: scoped ones
/// (`set_default`) lose events when other tests' threads registered the same callsites first.
#[derive(Default)]
struct Captured {
    on: std::sync::atomic::AtomicBool,
    text: Mutex<Vec<u8>>,
}

struct Writer(&'static Captured);

impl std::io::Write for Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.on.load(std::sync::atomic::Ordering::SeqCst) {
            self.0.text.lock().expect("log").extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn log() -> &'static Captured {
    static LOG: std::sync::OnceLock<&'static Captured> = std::sync::OnceLock::new();
    LOG.get_or_init(|| {
        let captured: &'static Captured = Box::leak(Box::default());
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "warn,brickdesk_core=trace,sspi=trace,reqwest=trace,hyper=trace,\
                 hyper_util=trace,rustls=debug,brickdesk_emulator=debug",
            ))
            .with_ansi(false)
            .with_writer(move || Writer(captured))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        captured
    })
}

impl Captured {
    fn start(&self) {
        self.text.lock().expect("log").clear();
        self.on.store(true, std::sync::atomic::Ordering::SeqCst);
    }
    fn stop(&self) -> String {
        self.on.store(false, std::sync::atomic::Ordering::SeqCst);
        String::from_utf8_lossy(&self.text.lock().expect("log")).into_owned()
    }
}

/// Signs in through `proxy` with the policy's credentials, runs the self-test and makes the
/// support report, and returns the Proxy line, after scanning all of it and the log.
/// (Other tests log into the capture meanwhile too; none of them knows these secrets.)
async fn through(
    proxy: &TestProxy,
    name: &str,
    user: &str,
    password: &str,
) -> self_test::CheckLine {
    let log = log();
    log.start();
    let policy = with_credentials(
        Policy {
            proxy: Some(proxy.url.clone()),
            ..Policy::default()
        },
        user,
        password,
    );
    let f = fixture_with(name, policy, true, Config::default()).await;
    let state = sign_in(&f).await;
    assert!(
        signed_in_as(&state, "alice@example.com"),
        "{name}: {state:?}"
    );
    let report = report(&f).await;
    let workspaces = f.service.list();
    let diagnostics = diagnostics::report(&DiagnosticsInput {
        app_version: "test",
        os: "linux",
        arch: "x86_64",
        workspaces: &workspaces,
        discovered: &f.service.discovered(),
        policy: f.service.policy(),
        keychain: Ok(()),
        deep_link: "registered",
        recent_problems: &[],
        proxy_problems: &f.service.proxies().problems(),
        log_file: None,
    });
    let secrets = secrets(proxy, password);
    assert!(
        proxy.authorizations().len() >= 2,
        "{name}: the proxy was never signed in to: {:?}",
        proxy.authorizations()
    );
    assert_nothing_leaks("the self-test report", &report.text, &secrets);
    assert_nothing_leaks("the support report", &diagnostics, &secrets);
    let log = log.stop();
    // Trace level everywhere: rustls, hyper, reqwest and sspi all had their say.
    assert!(
        log.lines().count() > 20,
        "{name}: little was logged:\n{log}"
    );
    assert_nothing_leaks("the log", &log, &secrets);
    assert!(!proxy.tunnelled().is_empty(), "{name}: no tunnel");
    self_test_line(&report, CheckKind::Proxy)
}

/// Basic, NTLM and Negotiate in turn, in one test (one log capture at a time).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxies_asking_for_basic_ntlm_or_negotiate_are_passed_and_no_secret_is_left_behind() {
    let basic = TestProxy::start(
        ProxyAuth::Basic {
            user: "svc-brickdesk".into(),
            password: "B4sic-pa55".into(),
        },
        None,
    )
    .await
    .expect("proxy");
    let line = through(&basic, "basic", "svc-brickdesk", "B4sic-pa55").await;
    assert_eq!(line.outcome, Outcome::Pass, "{line:?}");
    assert!(
        line.detail.contains(
            "The proxy asked for a sign-in (Basic) and accepted Brickdesk's Basic sign-in."
        ),
        "{line:?}"
    );
    for (scheme, negotiate) in [("NTLM", false), ("Negotiate", true)] {
        let proxy = TestProxy::start(
            ProxyAuth::Ntlm {
                user: "alice".into(),
                domain: "CORP".into(),
                password: "Ntlm-Pa55w0rd".into(),
                negotiate,
            },
            None,
        )
        .await
        .expect("proxy");
        let line = through(
            &proxy,
            &format!("ntlm-{scheme}"),
            "CORP\\alice",
            "Ntlm-Pa55w0rd",
        )
        .await;
        assert_eq!(line.outcome, Outcome::Pass, "{line:?}");
        assert!(
            line.detail.contains(&format!(
                "The proxy asked for a sign-in ({scheme}, Basic) and accepted Brickdesk's \
                 {scheme} sign-in."
            )),
            "{line:?}"
        );
        // The Type 1 and the Type 3 (the proxy answered the first with its Type 2), and the
        // test proxy's own MS-NLMP check accepted the Type 3.
        let tokens = proxy.authorizations();
        assert!(
            tokens
                .iter()
                .any(|t| t.starts_with(&format!("{scheme} TlRMTVNTUAAB")))
                && tokens
                    .iter()
                    .any(|t| t.starts_with(&format!("{scheme} TlRMTVNTUAAD"))),
            "{tokens:?}"
        );
    }
}

/// Squid with a Kerberos-only `Negotiate` and an LDAP `Basic` fallback: the NTLM answer
/// (there is no Kerberos ticket) is refused, and Basic goes next where IT allows that
/// downgrade; without `proxyAllowBasic` the domain password never goes in clear text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_that_refuses_ntlm_in_negotiate_gets_basic_only_where_it_allows_it() {
    let proxy = TestProxy::start(
        ProxyAuth::KerberosOrBasic {
            user: "CORP\\alice".into(),
            password: "ldap-pa55".into(),
        },
        None,
    )
    .await
    .expect("proxy");
    let policy = with_credentials(
        Policy {
            proxy: Some(proxy.url.clone()),
            ..Policy::default()
        },
        "CORP\\alice",
        "ldap-pa55",
    );
    let refused = fixture_with(
        "negotiate-no-basic",
        policy.clone(),
        true,
        Config::default(),
    )
    .await;
    let error = refused
        .service
        .begin_sign_in(DEMO_ID)
        .await
        .expect_err("no downgrade to Basic");
    assert!(
        error
            .message
            .contains("did not accept Brickdesk's Negotiate sign-in"),
        "{}",
        error.message
    );
    let tried = proxy.authorizations();
    assert!(
        !tried.iter().any(|t| t.starts_with("Basic ")),
        "the password was sent in clear text: {tried:?}"
    );
    let policy = Policy {
        proxy_allow_basic: true,
        ..policy
    };
    let f = fixture_with("negotiate-then-basic", policy, true, Config::default()).await;
    let state = sign_in(&f).await;
    assert!(signed_in_as(&state, "alice@example.com"), "{state:?}");
    let tried = proxy.authorizations();
    assert!(
        tried.iter().any(|t| t.starts_with("Negotiate TlRMTVNT"))
            && tried.iter().any(|t| t.starts_with("Basic ")),
        "{tried:?}"
    );
    let line = self_test_line(&report(&f).await, CheckKind::Proxy);
    assert!(
        line.detail.contains(
            "The proxy asked for a sign-in (Negotiate, Basic) and accepted Brickdesk's Basic \
             sign-in."
        ),
        "{line:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_sign_in_that_fails_is_named_with_what_to_do() {
    let ntlm = TestProxy::start(
        ProxyAuth::Ntlm {
            user: "alice".into(),
            domain: "CORP".into(),
            password: "right".into(),
            negotiate: false,
        },
        None,
    )
    .await
    .expect("proxy");
    let basic = TestProxy::start(
        ProxyAuth::Basic {
            user: "u".into(),
            password: "right".into(),
        },
        None,
    )
    .await
    .expect("proxy");
    for (name, proxy, credentials, expected) in [
        (
            "ntlm-wrong",
            &ntlm,
            Some(("CORP\\alice", "wrong")),
            "did not accept Brickdesk's NTLM sign-in",
        ),
        (
            "basic-none",
            &basic,
            None,
            "asks for a sign-in (Basic) that Brickdesk cannot give; IT can set proxyUsername",
        ),
        (
            "basic-wrong",
            &basic,
            Some(("u", "wrong")),
            "did not accept Brickdesk's Basic sign-in",
        ),
    ] {
        let mut policy = Policy {
            proxy: Some(proxy.url.clone()),
            ..Policy::default()
        };
        if let Some((user, password)) = credentials {
            policy = with_credentials(policy, user, password);
        }
        let f = fixture_with(name, policy, true, Config::default()).await;
        let error = f
            .service
            .begin_sign_in(DEMO_ID)
            .await
            .expect_err("the proxy does not let Brickdesk through");
        assert_eq!(error.code, ErrorCode::Network, "{name}: {error:?}");
        // The message says why, as the relay found it, not only that the tunnel failed.
        assert!(
            error.message.contains(expected),
            "{name}: {}",
            error.message
        );
        let line = self_test_line(&report(&f).await, CheckKind::Proxy);
        assert_eq!(line.outcome, Outcome::Fail, "{name}: {line:?}");
        assert!(line.detail.contains(expected), "{name}: {line:?}");
        assert!(line.fix.is_some(), "{name}: {line:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_without_a_known_password_asks_the_user_once_and_their_answer_passes_it() {
    let proxy = TestProxy::start(
        ProxyAuth::Basic {
            user: "alice".into(),
            password: "her-own-pa55".into(),
        },
        None,
    )
    .await
    .expect("proxy");
    let policy = Policy {
        proxy: Some(proxy.url.clone()),
        ..Policy::default()
    };
    let f = fixture_with("ask-user", policy, true, Config::default()).await;
    let asked = Arc::new(Mutex::new(Vec::new()));
    let heard = asked.clone();
    f.service.on_proxy_sign_in_needed(Arc::new(move |needed| {
        heard.lock().expect("asked").push(needed);
    }));
    for _ in 0..2 {
        let error = f
            .service
            .begin_sign_in(DEMO_ID)
            .await
            .expect_err("no password yet");
        assert_eq!(error.code, ErrorCode::Network, "{error:?}");
    }
    let authority = proxy.address.to_string();
    let needed = asked.lock().expect("asked").clone();
    // Asked once, not for every request.
    assert_eq!(needed.len(), 1, "{needed:?}");
    assert_eq!(needed[0].proxy, authority);
    assert_eq!(needed[0].schemes, vec!["Basic".to_owned()]);
    assert!(!needed[0].refused);

    // A wrong password: refused, and asked again at once (the user just answered).
    f.service
        .save_proxy_sign_in(&authority, "alice", Sensitive::new("typo".into()))
        .await
        .expect("saved");
    f.service
        .begin_sign_in(DEMO_ID)
        .await
        .expect_err("a wrong password");
    let needed = asked.lock().expect("asked").clone();
    assert_eq!(needed.len(), 2, "{needed:?}");
    assert!(needed[1].refused, "{needed:?}");

    f.service
        .save_proxy_sign_in(&authority, "alice", Sensitive::new("her-own-pa55".into()))
        .await
        .expect("saved");
    let state = sign_in(&f).await;
    assert!(signed_in_as(&state, "alice@example.com"), "{state:?}");
    assert!(!proxy.tunnelled().is_empty());
    // Bad answers are refused with a reason, and never saved.
    for (proxy_text, user, password) in [
        ("not a proxy/", "alice", "x"),
        (authority.as_str(), "", "x"),
        (authority.as_str(), "alice", ""),
    ] {
        let error = f
            .service
            .save_proxy_sign_in(proxy_text, user, Sensitive::new(password.into()))
            .await
            .expect_err("invalid");
        assert_eq!(error.code, ErrorCode::InvalidInput, "{error:?}");
    }
}
