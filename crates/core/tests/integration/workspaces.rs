//! The workspace list as an attacker or a careless edit would test it: ids are never reused
//! and removing a workspace removes what Brickdesk kept for it, so a later workspace on the
//! same host inherits nothing (no keychain entry, no history, no Genie question to resume);
//! a host edited in the settings file gets none of the workspace's secrets.

use crate::common;

use brickdesk_core::local::LocalDb;
use brickdesk_core::local::genie::GenieStore;
use brickdesk_emulator::Config;
use common::*;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_workspace_leaves_nothing_for_the_next_one() {
    let f = fixture("remove-purges", Config::default(), false).await;
    let db = Arc::new(LocalDb::in_memory());
    f.service.set_local_data(db.clone()).expect("local data");
    let genie = GenieStore::new(db.clone());
    let first = add_kpi_bot(&f, "KPI").await;
    genie
        .enqueue(&first, "space", None, "Still waiting?")
        .expect("queued");
    genie
        .set_favourite(&first, "space", "Sales", true)
        .expect("pinned");
    f.service.remove(&first).await.expect("removed");
    assert!(genie.pending(&first).expect("pending").is_empty());
    assert!(genie.favourites(&first).expect("favourites").is_empty());

    let second = add_kpi_bot(&f, "KPI again").await;
    assert_ne!(second, first, "ids are never reused");
    assert!(
        second.starts_with("127-"),
        "{second}: readable, with a random part"
    );
    assert_ne!(second, "demo");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_of_workspaces_that_are_gone_is_deleted_at_start() {
    let f = fixture("orphans", Config::default(), true).await;
    let db = Arc::new(LocalDb::in_memory());
    let genie = GenieStore::new(db.clone());
    genie
        .enqueue("removed-by-hand", "space", None, "Orphan")
        .expect("queued");
    genie
        .enqueue("demo", "space", None, "Kept")
        .expect("queued");
    f.service.set_local_data(db).expect("local data");
    assert!(
        genie
            .pending("removed-by-hand")
            .expect("pending")
            .is_empty()
    );
    assert_eq!(genie.pending("demo").expect("pending").len(), 1);
}

/// The settings file is the user's to edit (and malware's, running as the user): pointing a
/// signed-in workspace at another host must not send its secret there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_edited_in_the_settings_file_gets_no_secret() {
    let f = fixture("host-edited", Config::default(), false).await;
    let id = add_kpi_bot(&f, "KPI").await;
    assert_eq!(f.service.begin_sign_in(&id).await.expect("signed in"), None);
    // Another workspace (an attacker's) takes the host in profiles.json.
    let attacker = brickdesk_emulator::Emulator::start(Config::default(), 0)
        .await
        .expect("second emulator");
    let path = f.dir.join("profiles.json");
    let text = std::fs::read_to_string(&path).expect("profiles");
    std::fs::write(
        &path,
        text.replace(&f.emulator.base_url, &attacker.base_url),
    )
    .expect("edited");
    let reopened = reopen_service(&f, false);
    let error = reopened
        .begin_sign_in(&id)
        .await
        .expect_err("no secret for that host");
    assert!(
        error.message.contains("not in the keychain"),
        "{}",
        error.message
    );
    let tokens: serde_json::Value = reqwest::get(format!(
        "{}/__emulator/requests?path_prefix=/oidc/v1/token",
        attacker.base_url
    ))
    .await
    .expect("log")
    .json()
    .await
    .expect("json");
    assert_eq!(
        tokens["requests"],
        serde_json::json!([]),
        "nothing was sent there"
    );
}

/// Policy holds for what is in the settings file, not only for what is added through the app:
/// a hand-written workspace is listed with the reason and never used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_applies_to_workspaces_written_into_the_settings_file() {
    use brickdesk_core::ErrorCode;
    use brickdesk_core::policy::Policy;
    use brickdesk_core::service::{Config as ServiceConfig, Workspaces};
    use brickdesk_core::vault::Vault;
    let f = fixture("policy-on-file", Config::default(), false).await;
    let host = f.emulator.base_url.clone();
    std::fs::create_dir_all(&f.dir).expect("settings folder");
    std::fs::write(
        f.dir.join("profiles.json"),
        serde_json::json!({
            "version": 1,
            "profiles": [
                {"id": "mine", "name": "Mine", "host": host, "auth": {"kind": "servicePrincipal", "clientId": "kpi-bot"}},
                {"id": "pat", "name": "Token", "host": host.replace("127.0.0.1", "localhost"), "auth": {"kind": "personalAccessToken"}}
            ]
        })
        .to_string(),
    )
    .expect("hand-written profiles");
    let open = |policy: Policy| {
        Workspaces::open(ServiceConfig {
            profiles_file: f.dir.join("profiles.json"),
            policy,
            vault: Vault::new(f.store.clone()),
            demo_host: None,
        })
        .expect("open")
        .0
    };
    let no_tokens = open(Policy {
        allow_personal_access_tokens: false,
        ..Policy::default()
    });
    let list = no_tokens.list();
    let blocked = |id: &str| {
        list.workspaces
            .iter()
            .find(|w| w.id == id)
            .expect("listed")
            .blocked
            .clone()
    };
    assert!(blocked("mine").is_none());
    assert!(
        blocked("pat")
            .expect("blocked")
            .contains("personal access tokens")
    );
    let error = no_tokens
        .begin_sign_in("pat")
        .await
        .expect_err("never used");
    assert_eq!(error.code, ErrorCode::PermissionDenied);

    let only_it = open(Policy {
        allow_user_workspaces: false,
        ..Policy::default()
    });
    for id in ["mine", "pat"] {
        let error = only_it.begin_sign_in(id).await.expect_err("never used");
        assert_eq!(error.code, ErrorCode::PermissionDenied, "{id}");
        assert!(only_it.api(id).await.is_err(), "{id}");
    }
    assert!(
        only_it
            .list()
            .workspaces
            .iter()
            .all(|w| w.blocked.is_some()),
        "listed, with the reason"
    );
    only_it
        .remove("mine")
        .await
        .expect("a blocked workspace can still be removed");
}

#[cfg(unix)]
#[tokio::test]
async fn settings_the_local_store_and_logs_are_the_users_alone() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    let root = tempfile::tempdir().expect("temp dir");
    let config = root.path().join("config/dev.brickdesk.app");
    let profiles = config.join("profiles.json");
    brickdesk_core::profiles::file::save(&profiles, &Default::default()).expect("save");
    brickdesk_core::profiles::file::save(&profiles, &Default::default()).expect("save again");
    let data = root.path().join("data/dev.brickdesk.app");
    let (db, _) = brickdesk_core::local::LocalDb::open(&data.join("local.sqlite3")).expect("db");
    let logs = data.join("logs");
    let mut log = brickdesk_core::log_file::RotatingLog::open(&logs, 64, 2).expect("log");
    for _ in 0..4 {
        std::io::Write::write_all(
            &mut log,
            b"a line longer than sixty-four bytes, so the log rotates at once\n",
        )
        .expect("log line");
    }
    for dir in [&config, &data, &logs] {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
        for entry in std::fs::read_dir(dir).expect("list") {
            let path = entry.expect("entry").path();
            if path.is_file() {
                assert_eq!(mode(&path), 0o600, "{}", path.display());
            }
        }
    }
    let files: Vec<_> = std::fs::read_dir(&logs).expect("logs").collect();
    assert!(files.len() >= 2, "the log rotated");
    assert!(config.join("profiles.json.bak").exists());
    drop(db);
}

#[test]
fn the_demo_host_never_takes_over_a_real_workspace() {
    use brickdesk_core::host::WorkspaceHost;
    use brickdesk_core::policy::Policy;
    use brickdesk_core::service::{Config as ServiceConfig, Workspaces};
    use brickdesk_core::vault::{MemoryStore, Vault};
    let dir = tempfile::tempdir().expect("temp dir");
    let profiles = dir.path().join("profiles.json");
    let real = "https://adb-1234567890123456.7.azuredatabricks.net";
    std::fs::write(
        &profiles,
        serde_json::json!({
            "version": 1,
            "activeId": "demo",
            "profiles": [{"id": "demo", "name": "Finance", "host": real, "auth": {"kind": "databricksCli"}}]
        })
        .to_string(),
    )
    .expect("hand-written profiles");
    let open = |demo: &str| {
        Workspaces::open(ServiceConfig {
            profiles_file: profiles.clone(),
            policy: Policy::default(),
            vault: Vault::new(Arc::new(MemoryStore::default())),
            demo_host: Some(WorkspaceHost::parse(demo).expect("host")),
        })
        .expect("open")
        .0
        .list()
    };
    // A demo host that is not on this computer is ignored: nothing is added or repointed.
    let list = open("https://demo.evil.example");
    let hosts: Vec<_> = list
        .workspaces
        .iter()
        .map(|w| (w.id.clone(), w.host.clone()))
        .collect();
    assert!(hosts.iter().all(|(_, h)| h.starts_with(real)), "{hosts:?}");
    // A loopback demo never takes the real workspace's place: that one keeps its host under a
    // fresh id (and stays the active one), and the demo is a workspace of its own.
    let list = open("http://127.0.0.1:8787");
    let finance = list
        .workspaces
        .iter()
        .find(|w| w.name == "Finance")
        .expect("kept");
    assert_ne!(finance.id, "demo");
    assert!(finance.host.starts_with(real), "{}", finance.host);
    assert_eq!(list.active_id.as_deref(), Some(finance.id.as_str()));
    let demo = list
        .workspaces
        .iter()
        .find(|w| w.id == "demo")
        .expect("the demo");
    assert!(
        demo.host.starts_with("http://127.0.0.1:8787"),
        "{}",
        demo.host
    );
}
