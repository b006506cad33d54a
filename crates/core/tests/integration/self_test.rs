//! The network self-test against the in-process emulator over plain http: every line, in
//! order, for a signed-in and a signed-out workspace, and a red line forced by fault injection
//! (cloud storage cut off). The HTTPS, CA-bundle and proxy lines are in `network.rs`.

use crate::common;

use brickdesk_core::self_test::{self, CheckKind, CheckLine, LinkRegistration, Outcome};
use brickdesk_core::workspace::DEMO_ID;
use common::{add_faults, alice, fixture, logged_requests, signed_in_demo};
use serde_json::json;
use std::sync::Mutex;

fn line(lines: &[CheckLine], kind: CheckKind) -> &CheckLine {
    lines.iter().find(|l| l.kind == kind).expect("a line")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_workspace_passes_and_cut_off_storage_is_red_with_the_host_to_allow() {
    let (f, _api) = signed_in_demo("self-test-storage", alice()).await;
    let heard = Mutex::new(Vec::new());
    let report = self_test::run(&f.service, DEMO_ID, LinkRegistration::Registered, |l| {
        heard.lock().expect("heard").push(l.kind);
    })
    .await
    .expect("report");
    let kinds: Vec<CheckKind> = report.lines.iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        [
            CheckKind::Proxy,
            CheckKind::SecureConnection,
            CheckKind::SignInDiscovery,
            CheckKind::SignInAddress,
            CheckKind::SqlEndpoint,
            CheckKind::ResultStorage,
            CheckKind::Keychain,
            CheckKind::LinkScheme,
        ]
    );
    assert_eq!(
        heard.into_inner().expect("heard"),
        kinds,
        "each line is told as it is known"
    );
    for kind in [
        CheckKind::SignInDiscovery,
        CheckKind::SignInAddress,
        CheckKind::SqlEndpoint,
        CheckKind::ResultStorage,
        CheckKind::Keychain,
        CheckKind::LinkScheme,
    ] {
        assert_eq!(
            line(&report.lines, kind).outcome,
            Outcome::Pass,
            "{report:#?}"
        );
    }
    assert!(
        line(&report.lines, CheckKind::SqlEndpoint)
            .detail
            .contains("running"),
        "{report:#?}"
    );
    assert_eq!(
        line(&report.lines, CheckKind::SecureConnection).outcome,
        Outcome::Skipped,
        "plain http on loopback needs no certificate"
    );
    assert!(
        report
            .text
            .contains("[PASS] Result storage: Results download from 127.0.0.1."),
        "{}",
        report.text
    );

    // The storage account becomes unreachable (a firewall that lets the workspace through).
    add_faults(
        &f,
        json!([{"path": "/__files/*", "fault": {"kind": "drop_connection", "after_bytes": 0}}]),
    )
    .await;
    let report = self_test::run(&f.service, DEMO_ID, LinkRegistration::NotRegistered, |_| {})
        .await
        .expect("report");
    let storage = line(&report.lines, CheckKind::ResultStorage);
    assert_eq!(storage.outcome, Outcome::Fail, "{report:#?}");
    assert!(
        storage
            .fix
            .as_deref()
            .unwrap_or_default()
            .contains("allow 127.0.0.1"),
        "{storage:?}"
    );
    assert_eq!(
        line(&report.lines, CheckKind::LinkScheme).outcome,
        Outcome::Fail
    );
    assert!(
        report.text.contains("[FAIL] Result storage:"),
        "{}",
        report.text
    );
    // Two probe statements, one per run, and no warehouse was started.
    let statements = logged_requests(&f, "/api/2.0/sql/statements").await;
    assert_eq!(statements.len(), 2, "{statements:?}");
    let warehouse_calls = logged_requests(&f, "/api/2.0/sql/warehouses").await;
    assert!(
        warehouse_calls.iter().all(|(method, _, _)| method == "GET"),
        "{warehouse_calls:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_out_the_sql_api_still_answers_and_storage_waits_for_a_sign_in() {
    let f = fixture("self-test-signed-out", alice(), true).await;
    let report = self_test::run(&f.service, DEMO_ID, LinkRegistration::Registered, |_| {})
        .await
        .expect("report");
    let sql = line(&report.lines, CheckKind::SqlEndpoint);
    assert_eq!(sql.outcome, Outcome::Pass, "{sql:?}");
    assert!(sql.detail.contains("HTTP 401 until you sign in"), "{sql:?}");
    let storage = line(&report.lines, CheckKind::ResultStorage);
    assert_eq!(storage.outcome, Outcome::Skipped, "{storage:?}");
    assert_eq!(
        storage.fix.as_deref(),
        Some("Sign in, then run the test again.")
    );
}
