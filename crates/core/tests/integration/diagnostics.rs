//! "Copy diagnostics" with real secrets in the vault: signed in through the browser flow (a
//! refresh token), a service principal (a client secret), and planted values in every other
//! secret slot. None of them, whole or in part, may appear in the report.

use crate::common;

use brickdesk_core::diagnostics::{self, DiagnosticsInput};
use brickdesk_core::vault::SecretStore as _;
use brickdesk_core::workspace::DEMO_ID;
use common::*;

#[tokio::test]
async fn the_report_names_everything_a_helpdesk_needs_and_no_secret() {
    let f = fixture("diagnostics", alice(), true).await;
    sign_in_demo(&f).await;
    // The same emulator under another name: one host may be in the list once.
    let host = f.emulator.base_url.replace("127.0.0.1", "localhost");
    f.service
        .add(kpi_bot("Wall screen", host), |_| {})
        .await
        .expect("service principal");
    // Planted values shaped like the real thing, in the slots a real install fills.
    let planted = [
        (
            "demo/personal-access-token",
            "dapi0123456789abcdef0123456789abcdef",
        ),
        ("demo/client-secret", "dose0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
    ];
    for (account, value) in planted {
        f.store.set(account, value).expect("plant");
    }
    let secrets: Vec<String> = f
        .store
        .accounts()
        .iter()
        .filter_map(|a| f.store.get(a).ok().flatten())
        .map(|s| s.expose().clone())
        .collect();
    assert!(
        secrets.len() >= 4,
        "refresh token, SP secret and the planted ones: {}",
        secrets.len()
    );

    let list = f.service.list();
    let text = diagnostics::report(&DiagnosticsInput {
        app_version: "0.1.0",
        os: "linux",
        arch: "x86_64",
        workspaces: &list,
        discovered: &f.service.discovered(),
        policy: f.service.policy(),
        keychain: f.service.keychain_check(),
        deep_link: "registered",
        recent_problems: &[
            "A warning that mentions dapi0123456789abcdef0123456789abcdef by mistake".to_owned(),
        ],
        proxy_problems: &[],
        log_file: Some(std::path::Path::new(
            "/home/alice/.local/share/dev.brickdesk.app/logs/brickdesk.log",
        )),
    });
    for secret in &secrets {
        let tail = &secret[secret.len().saturating_sub(12)..];
        assert!(
            !text.contains(secret.as_str()) && !text.contains(tail),
            "a secret (…{}) is in the report:\n{text}",
            &secret[secret.len().saturating_sub(4)..]
        );
    }
    assert!(!text.contains("kpi-bot-secret"));
    for expected in [
        "Demo workspace",
        DEMO_ID,
        "Wall screen",
        "service principal kpi-bot",
        "usable",
        "registered",
        "[redacted]",
        // The demo workspace was signed in, so its discovery result is known.
        "sign-in server 127.0.0.1 (token 127.0.0.1)",
        "Full log: /home/alice/.local/share/dev.brickdesk.app/logs/brickdesk.log",
    ] {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }
}
