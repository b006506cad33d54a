//! The sign-in preflight against the emulator's authorize endpoint, which refuses an
//! unregistered redirect the way real workspaces do: before any browser opens, Brickdesk says
//! which of its sign-in addresses the app connection accepts and offers it, or what to ask IT
//! to register; signing in through the offered address works; Test connection shows the same.

use crate::common;

use brickdesk_core::profiles::{AuthKind, DEFAULT_LOOPBACK_PORT, RedirectMode};
use brickdesk_core::self_test::{self, CheckKind, LinkRegistration, Outcome};
use brickdesk_core::service::NewWorkspace;
use brickdesk_core::workspace::SignInState;
use brickdesk_emulator::Config;
use common::*;

fn app(host: &str, client_id: &str) -> NewWorkspace {
    NewWorkspace {
        name: "Sales".into(),
        host: host.into(),
        auth: AuthKind::AppConnection {
            client_id: client_id.into(),
            confidential: false,
        },
        redirect: Some(RedirectMode::DeepLink),
        access: None,
        secret: None,
    }
}

/// An app connection `loopback-only` that registers only Brickdesk's default loopback address,
/// and `nothing-registered` that registers neither of Brickdesk's addresses.
fn config() -> Config {
    let mut config = alice();
    let template = config
        .clients
        .iter()
        .find(|c| c.client_id == "brickdesk")
        .expect("brickdesk")
        .clone();
    let mut loopback_only = template.clone();
    loopback_only.client_id = "loopback-only".into();
    loopback_only.redirect_uris = vec![format!(
        "http://127.0.0.1:{DEFAULT_LOOPBACK_PORT}/oauth/callback"
    )];
    let mut nothing = template;
    nothing.client_id = "nothing-registered".into();
    nothing.redirect_uris = vec!["https://example.com/callback".into()];
    config.clients.extend([loopback_only, nothing]);
    config
}

/// Adds a workspace signing in through `client_id`; its id.
async fn add(f: &Fixture, client_id: &str) -> String {
    f.service
        .add(app(&f.emulator.base_url, client_id), |_| {})
        .await
        .expect("added")
        .active_id
        .expect("active")
}

/// The preflight's advice for `id` (there must be some).
async fn advice(f: &Fixture, id: &str) -> brickdesk_core::auth::preflight::RedirectAdvice {
    f.service
        .sign_in_preflight(id)
        .await
        .expect("preflight")
        .expect("advice")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unregistered_link_gets_the_loopback_offer_and_signing_in_through_it_works() {
    let f = fixture("preflight-offer", config(), false).await;
    let id = add(&f, "loopback-only").await;
    let advice = advice(&f, &id).await;
    assert_eq!(
        advice.offer,
        Some(RedirectMode::Loopback {
            port: DEFAULT_LOOPBACK_PORT
        })
    );
    assert!(
        advice.message.contains("dev.brickdesk.app:/oauth/callback")
            && advice
                .message
                .contains("http://127.0.0.1:8765/oauth/callback"),
        "{}",
        advice.message
    );
    // No browser was involved: the authorize endpoint was asked, nothing was signed in.
    assert_eq!(
        status(&f.service, &id),
        SignInState::SignedOut { reason: None }
    );
    // The offer, taken: the loopback sign-in goes through.
    f.service
        .set_redirect(&id, advice.offer.expect("offer"))
        .expect("redirect set");
    assert!(
        f.service
            .sign_in_preflight(&id)
            .await
            .expect("again")
            .is_none()
    );
    let location = browse(&sign_in_url(&f.service, &id).await).await;
    assert!(
        location.starts_with("http://127.0.0.1:8765/oauth/callback?"),
        "{location}"
    );
    reqwest::get(&location).await.expect("callback");
    let state = settled(&f.service, &id).await;
    assert!(matches!(state, SignInState::SignedIn { .. }), "{state:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neither_address_registered_names_both_for_it_and_test_connection_agrees() {
    let f = fixture("preflight-none", config(), false).await;
    let id = add(&f, "nothing-registered").await;
    let advice = advice(&f, &id).await;
    assert_eq!(advice.offer, None);
    assert!(
        advice.message.contains("Ask your Databricks admin")
            && advice.message.contains("dev.brickdesk.app:/oauth/callback")
            && advice
                .message
                .contains("http://127.0.0.1:8765/oauth/callback"),
        "{}",
        advice.message
    );
    let report = self_test::run(&f.service, &id, LinkRegistration::Registered, |_| {})
        .await
        .expect("report");
    let line = report
        .lines
        .iter()
        .find(|l| l.kind == CheckKind::SignInAddress)
        .expect("a sign-in address line");
    assert_eq!(line.outcome, Outcome::Fail);
    assert_eq!(
        line.detail, advice.message,
        "the same words as the preflight"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_address_or_an_inconclusive_answer_says_nothing() {
    let f = fixture("preflight-ok", config(), true).await;
    assert!(
        f.service
            .sign_in_preflight(brickdesk_core::workspace::DEMO_ID)
            .await
            .expect("preflight")
            .is_none()
    );
    let f = fixture("preflight-inconclusive", config(), false).await;
    let unregistered = add(&f, "nothing-registered").await;
    // An authorize endpoint that fails (500) is no reason to stop a sign-in.
    add_faults(
        &f,
        serde_json::json!({"path": "/oidc/v1/authorize", "fault": {"kind": "status", "status": 500}, "count": 2}),
    )
    .await;
    assert!(
        f.service
            .sign_in_preflight(&unregistered)
            .await
            .expect("preflight")
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_connection_the_workspace_does_not_know_is_named() {
    let f = fixture("preflight-unknown", config(), false).await;
    let id = add(&f, "no-such-app").await;
    let advice = advice(&f, &id).await;
    assert!(advice.message.contains("no-such-app"), "{}", advice.message);
    assert_eq!(advice.offer, None);
}
