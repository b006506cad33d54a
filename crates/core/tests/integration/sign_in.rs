//! Sign-in and the token lifecycle against the in-process emulator over real HTTP: deep-link
//! and loopback U2M, M2M, refresh ahead of expiry, single-flight refresh, rotation, both
//! invalid-token variants, revocation, and keychain failures. The vault is the in-memory store
//! with Windows' size limit (the real keychain has its own test).

use crate::common;

use brickdesk_core::profiles::{AuthKind, RedirectMode};
use brickdesk_core::service::{NewWorkspace, Workspaces};
use brickdesk_core::vault::{SecretKind, StoreError, Vault};
use brickdesk_core::workspace::{DEMO_ID, SignInState};
use brickdesk_core::{ErrorCode, Sensitive};
use brickdesk_emulator::Config;
use common::*;
use std::sync::Arc;
use std::time::Duration;

async fn token_requests_logged(f: &Fixture) -> usize {
    logged_requests(f, "/oidc/v1/token").await.len()
}

fn stored(f: &Fixture, kind: SecretKind) -> Option<String> {
    let (demo, _) = f.service.profile(DEMO_ID).expect("the demo profile");
    Vault::new(f.store.clone())
        .read(DEMO_ID, kind, &demo.binding())
        .expect("read")
        .map(|s| s.expose().clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_link_sign_in_stores_the_refresh_token_then_reports_the_user() {
    let f = fixture("deep-link", alice(), true).await;
    assert_eq!(
        status(&f.service, DEMO_ID),
        SignInState::SignedOut { reason: None }
    );
    let url = f
        .service
        .begin_sign_in(DEMO_ID)
        .await
        .expect("begin")
        .expect("url");
    let query: Vec<(String, String)> = url::Url::parse(&url)
        .expect("url")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(param("code_challenge_method"), Some("S256"));
    assert_eq!(
        param("redirect_uri"),
        Some("dev.brickdesk.app:/oauth/callback")
    );
    assert_eq!(param("scope"), Some("all-apis offline_access"));
    assert!(param("state").is_some_and(|s| s.len() >= 16));

    let location = browse(&url).await;
    let received = callback(&location);
    f.service
        .complete_sign_in(received.clone())
        .await
        .expect("signed in");
    match status(&f.service, DEMO_ID) {
        SignInState::SignedIn {
            user,
            expires_at_ms,
        } => {
            assert_eq!(user.as_deref(), Some("alice@example.com"));
            assert!(expires_at_ms.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert!(stored(&f, SecretKind::RefreshToken).is_some());

    let replay = f
        .service
        .complete_sign_in(received)
        .await
        .expect_err("replay");
    assert_eq!(replay.code, ErrorCode::InvalidInput);
    assert!(
        replay.message.contains("already used"),
        "{}",
        replay.message
    );
    let forged = callback("dev.brickdesk.app:/oauth/callback?code=x&state=never-issued-state");
    let unknown = f
        .service
        .complete_sign_in(forged)
        .await
        .expect_err("unknown");
    assert!(
        unknown.message.contains("no sign-in in progress"),
        "{}",
        unknown.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_consent_is_a_clear_signed_out_reason() {
    let f = fixture("denied", alice(), true).await;
    let url = f
        .service
        .begin_sign_in(DEMO_ID)
        .await
        .expect("begin")
        .expect("url");
    let state = url::Url::parse(&url)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("state");
    let denied = callback(&format!(
        "dev.brickdesk.app:/oauth/callback?error=access_denied&error_description=The+user+declined&state={state}"
    ));
    let error = f
        .service
        .complete_sign_in(denied)
        .await
        .expect_err("denied");
    assert_eq!(error.code, ErrorCode::Cancelled);
    match status(&f.service, DEMO_ID) {
        SignInState::SignedOut {
            reason: Some(reason),
        } => {
            assert!(reason.contains("The user declined"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_refresh_ahead_of_expiry_and_rotation_is_persisted() {
    let mut config = alice();
    config.tokens.access_token_secs = 3;
    let f = fixture("ahead", config, true).await;
    f.service.set_refresh_ahead(Duration::from_secs(2));
    sign_in_demo(&f).await;
    let first_refresh = stored(&f, SecretKind::RefreshToken).expect("stored");
    let api = f.service.api(DEMO_ID).await.expect("api");
    let _: serde_json::Value = api.get("/api/2.0/preview/scim/v2/Me").await.expect("me");
    assert_eq!(
        api.session().token_requests(),
        0,
        "the sign-in's token is still fresh"
    );
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    // 1.7 s left of a 3 s token: inside the 2 s window, so it refreshes before expiring.
    let _: serde_json::Value = api.get("/api/2.0/preview/scim/v2/Me").await.expect("me");
    assert_eq!(api.session().token_requests(), 1);
    let rotated = stored(&f, SecretKind::RefreshToken).expect("stored");
    assert_ne!(
        rotated, first_refresh,
        "the brickdesk client rotates refresh tokens"
    );
    let log = reqwest::Client::new()
        .get(format!(
            "{}/__emulator/requests?path_prefix=/api/",
            f.emulator.base_url
        ))
        .send()
        .await
        .expect("log")
        .json::<serde_json::Value>()
        .await
        .expect("json");
    let statuses: Vec<u64> = log["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter_map(|r| r["status"].as_u64())
        .collect();
    assert!(
        statuses.iter().all(|s| *s == 200),
        "no call was refused: {statuses:?}"
    );
}

async fn concurrent_calls_during_expiry_cause_one_refresh(invalid_token_status: u16) {
    let mut config = alice();
    config.invalid_token_status = invalid_token_status;
    let f = fixture(&format!("herd-{invalid_token_status}"), config, true).await;
    sign_in_demo(&f).await;
    let api = f.service.api(DEMO_ID).await.expect("api");
    let before = token_requests_logged(&f).await;
    admin(&f, "/__emulator/tokens/expire-access").await;
    let calls = (0..50).map(|_| {
        let api = api.clone();
        tokio::spawn(async move {
            api.get::<serde_json::Value>("/api/2.0/sql/warehouses")
                .await
                .map(|_| ())
        })
    });
    for call in calls {
        call.await
            .expect("task")
            .expect("every call succeeds after one refresh");
    }
    assert_eq!(api.session().token_requests(), 1);
    assert_eq!(token_requests_logged(&f).await - before, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_calls_refresh_once_on_403_invalid_token() {
    concurrent_calls_during_expiry_cause_one_refresh(403).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_calls_refresh_once_on_401() {
    concurrent_calls_during_expiry_cause_one_refresh(401).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_refresh_token_signs_out_but_keeps_the_profile() {
    let f = fixture("revoked", alice(), true).await;
    sign_in_demo(&f).await;
    admin(&f, "/__emulator/tokens/revoke-refresh").await;
    admin(&f, "/__emulator/tokens/expire-access").await;
    match f.service.check(DEMO_ID).await {
        SignInState::SignedOut {
            reason: Some(reason),
        } => {
            assert!(reason.contains("Sign in again"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        stored(&f, SecretKind::RefreshToken),
        None,
        "the dead token is deleted"
    );
    assert!(f.service.list().workspaces.iter().any(|w| w.id == DEMO_ID));
    // Signing in again works.
    sign_in_demo(&f).await;
    assert!(matches!(
        status(&f.service, DEMO_ID),
        SignInState::SignedIn { .. }
    ));
}

/// Another call (Genie, the agents list) that loses the race to the refused refresh must not
/// replace the reason with a plain "not signed in": the check that comes after still says
/// "Sign in again".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_after_the_refused_refresh_keeps_its_reason() {
    let f = fixture("revoked-race", alice(), true).await;
    sign_in_demo(&f).await;
    let api = f.service.api(DEMO_ID).await.expect("api");
    admin(&f, "/__emulator/tokens/revoke-refresh").await;
    admin(&f, "/__emulator/tokens/expire-access").await;
    let first = api
        .get::<serde_json::Value>("/api/2.0/genie/spaces")
        .await
        .expect_err("refused");
    assert!(first.message.contains("Sign in again"), "{}", first.message);
    match f.service.check(DEMO_ID).await {
        SignInState::SignedOut {
            reason: Some(reason),
        } => assert!(reason.contains("Sign in again"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

/// Each way real workspaces refuse a dead refresh token (databricks/cli#1434: 400
/// `invalid_request`; #6224: 400 `invalid_grant`; the CLI's test server: 401) signs out the
/// same way: the profile stays, its refresh token is deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_real_refusal_of_a_refresh_token_means_sign_in_again() {
    for (name, fault) in [
        (
            "dead-invalid-request",
            serde_json::json!({"kind": "revoked_refresh_token"}),
        ),
        (
            "dead-invalid-grant",
            serde_json::json!({"kind": "revoked_refresh_token", "error": "invalid_grant"}),
        ),
        (
            "dead-401",
            serde_json::json!({"kind": "revoked_refresh_token", "status": 401}),
        ),
    ] {
        let f = fixture(name, alice(), true).await;
        sign_in_demo(&f).await;
        add_faults(
            &f,
            serde_json::json!({"path": "/oidc/v1/token", "fault": fault, "count": 1}),
        )
        .await;
        admin(&f, "/__emulator/tokens/expire-access").await;
        match f.service.check(DEMO_ID).await {
            SignInState::SignedOut {
                reason: Some(reason),
            } => assert!(reason.contains("Sign in again"), "{name}: {reason}"),
            other => panic!("{name}: {other:?}"),
        }
        assert_eq!(stored(&f, SecretKind::RefreshToken), None, "{name}");
        assert!(f.service.list().workspaces.iter().any(|w| w.id == DEMO_ID));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_sign_in_through_a_one_shot_listener() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut config = alice();
    config
        .clients
        .iter_mut()
        .filter(|c| c.client_id == "brickdesk")
        .for_each(|c| {
            c.redirect_uris
                .push(format!("http://127.0.0.1:{port}/oauth/callback"))
        });
    let f = fixture("loopback", config, false).await;
    let steps = std::sync::Mutex::new(Vec::new());
    let list = f
        .service
        .add(
            NewWorkspace {
                name: "Emulated".into(),
                host: f.emulator.base_url.clone(),
                auth: AuthKind::AppConnection {
                    client_id: "brickdesk".into(),
                    confidential: false,
                },
                redirect: Some(RedirectMode::Loopback { port }),
                access: None,
                secret: None,
            },
            |step| steps.lock().expect("steps").push(step),
        )
        .await
        .expect("added after discovery");
    assert_eq!(
        steps.lock().expect("steps").len(),
        3,
        "every discovery step is reported"
    );
    let id = list.active_id.expect("the new workspace is active");
    let url = f
        .service
        .begin_sign_in(&id)
        .await
        .expect("begin")
        .expect("url");
    let location = browse(&url).await;
    assert!(location.starts_with(&format!("http://127.0.0.1:{port}/oauth/callback?")));
    let page = reqwest::get(&location)
        .await
        .expect("redirect")
        .text()
        .await
        .expect("page");
    assert!(page.contains("You can return to Brickdesk"), "{page}");
    let state = settled(&f.service, &id).await;
    assert!(matches!(state, SignInState::SignedIn { .. }), "{state:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_principal_signs_in_with_its_secret_from_the_keychain() {
    let f = fixture("m2m", Config::default(), false).await;
    let id = add_kpi_bot(&f, "KPI screen").await;
    assert_eq!(f.service.begin_sign_in(&id).await.expect("m2m"), None);
    assert!(matches!(
        status(&f.service, &id),
        SignInState::SignedIn { user: Some(ref u), .. } if u == "kpi-bot"
    ));
    let profiles = std::fs::read_to_string(f.dir.join("profiles.json")).expect("file");
    assert!(
        !profiles.contains("kpi-bot-secret"),
        "secrets never reach the profile file"
    );
    f.service.sign_out(&id).await.expect("sign out");
    assert!(
        f.store.accounts().is_empty(),
        "sign-out deletes every keychain entry"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_keychain_is_an_error_with_what_to_do() {
    let f = fixture("locked", alice(), true).await;
    let url = f
        .service
        .begin_sign_in(DEMO_ID)
        .await
        .expect("begin")
        .expect("url");
    let location = browse(&url).await;
    f.store.fail_with(Some(StoreError::Locked(
        "the login keyring is locked".into(),
    )));
    let error = f
        .service
        .complete_sign_in(callback(&location))
        .await
        .expect_err("cannot store");
    assert_eq!(error.code, ErrorCode::Keychain);
    assert!(error.message.contains("Unlock"), "{}", error.message);
    assert!(
        matches!(status(&f.service, DEMO_ID), SignInState::Error { .. }),
        "never reported as signed in without a stored token"
    );
    let _ = Sensitive::new(String::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn where_windows_keeps_no_credentials_the_sign_in_lasts_until_quit() {
    let f = fixture("not-kept", alice(), true).await;
    // "Do not allow storage of passwords and credentials for network authentication".
    f.store.fail_with(Some(StoreError::NotKeptByPolicy(
        "Windows ERROR_NO_SUCH_LOGON_SESSION".into(),
    )));
    assert!(!f.service.list().sign_ins_end_on_quit);
    // Completes, with the tokens kept for this run.
    sign_in_demo(&f).await;
    assert!(matches!(
        status(&f.service, DEMO_ID),
        SignInState::SignedIn { .. }
    ));
    assert!(f.service.list().sign_ins_end_on_quit, "the user is told");
    f.store.fail_with(None);
    assert!(f.store.accounts().is_empty(), "{:?}", f.store.accounts());
    // After quitting, nothing was kept: sign in again.
    let again = reopen(&f);
    again.check(DEMO_ID).await;
    assert!(matches!(
        status(&again, DEMO_ID),
        SignInState::SignedOut { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keychain_that_cannot_be_read_at_start_up_is_said_not_taken_for_no_sign_in() {
    let f = fixture("unreadable", alice(), true).await;
    sign_in_demo(&f).await;
    // The next start finds the login keyring locked.
    f.store.fail_with(Some(StoreError::Locked(
        "the login keyring is locked".into(),
    )));
    let again = reopen(&f);
    again.check_all().await;
    match status(&again, DEMO_ID) {
        SignInState::Error { message } => {
            assert!(message.contains("Unlock"), "{message}");
        }
        other => panic!("a locked keychain reads as {other:?}"),
    }
}

/// The same profiles file and keychain, opened again: what a restart of the app sees.
fn reopen(f: &Fixture) -> Arc<Workspaces> {
    reopen_service(f, true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deep_link_that_cold_starts_the_app_completes_the_sign_in() {
    let f = fixture("cold-start", alice(), true).await;
    let url = f
        .service
        .begin_sign_in(DEMO_ID)
        .await
        .expect("begin")
        .expect("url");
    assert!(
        stored(&f, SecretKind::PendingSignIn).is_some(),
        "the sign-in in flight is kept in the keychain"
    );
    let received = callback(&browse(&url).await);
    // The user closed Brickdesk meanwhile; the link starts a new one.
    let restarted = reopen(&f);
    let id = restarted
        .complete_sign_in(received.clone())
        .await
        .expect("completed after the restart");
    assert_eq!(id, DEMO_ID);
    assert!(matches!(
        status(&restarted, DEMO_ID),
        SignInState::SignedIn { .. }
    ));
    assert!(stored(&f, SecretKind::RefreshToken).is_some());
    assert_eq!(
        stored(&f, SecretKind::PendingSignIn),
        None,
        "used once, then gone"
    );
    let replay = restarted
        .complete_sign_in(received)
        .await
        .expect_err("a state works once");
    assert!(
        replay.message.contains("already used"),
        "{}",
        replay.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_sign_in_older_than_five_minutes_is_refused_and_deleted() {
    use brickdesk_core::auth::login::PersistedLogin;
    let f = fixture("cold-start-expired", alice(), true).await;
    let mut old = PersistedLogin::new(
        "state-from-long-ago-0123456789",
        &Sensitive::new("verifier".to_owned()),
        "dev.brickdesk.app:/oauth/callback",
    );
    old.started_ms -= 6 * 60 * 1000;
    let (demo, _) = f.service.profile(DEMO_ID).expect("the demo profile");
    Vault::new(f.store.clone())
        .write(
            DEMO_ID,
            SecretKind::PendingSignIn,
            &old.to_secret(),
            &demo.binding(),
        )
        .expect("write");
    let late =
        callback("dev.brickdesk.app:/oauth/callback?code=abc&state=state-from-long-ago-0123456789");
    let error = reopen(&f)
        .complete_sign_in(late)
        .await
        .expect_err("expired");
    assert!(
        error.message.contains("longer than 5 minutes"),
        "{}",
        error.message
    );
    assert_eq!(stored(&f, SecretKind::PendingSignIn), None);
}
