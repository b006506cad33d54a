//! End-to-end IT support: "Test connection" in the real app, signed in to the demo workspace
//! (the emulator), with the workspace's result storage cut off by fault injection. Every line
//! shows, the storage line is red and names the host to allow, and the saved report says the
//! same for a helpdesk.

use anyhow::{Context, Result};
use brickdesk_e2e::{run, wait_until};
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

#[test]
fn the_connection_test_shows_a_red_line_for_blocked_storage_and_saves_a_report() -> Result<()> {
    run("self-test", |app| {
        let d = &app.driver;
        d.click("[data-testid=sign-in-button]", WAIT)?;
        d.wait_for_text("[data-testid=signed-in-user]", "alice@example.com", WAIT)?;
        // A firewall that lets the workspace through but not its storage account.
        ureq::post(&format!("{}/__emulator/faults", app.emulator.base_url)).send_json(json!([
            {"path": "/__files/*", "fault": {"kind": "drop_connection", "after_bytes": 0}}
        ]))?;

        d.click("[data-testid=account-button]", WAIT)?;
        d.click("[data-testid=account-self-test]", WAIT)?;
        wait_until("the connection test to finish", WAIT, || {
            let phase = d.find("[data-testid=self-test]")?.attribute("data-phase")?;
            Ok((phase.as_deref() == Some("done")).then_some(()))
        })?;
        let lines = d.find_all("[data-testid=self-test-line]")?;
        let mut outcomes = Vec::new();
        for line in &lines {
            outcomes.push((
                line.attribute("data-kind")?.unwrap_or_default(),
                line.attribute("data-outcome")?.unwrap_or_default(),
            ));
        }
        let outcome = |kind: &str| {
            outcomes
                .iter()
                .find(|(k, _)| k == kind)
                .map(|(_, o)| o.as_str())
        };
        assert_eq!(outcomes.len(), 8, "{outcomes:?}");
        for kind in [
            "signInDiscovery",
            "signInAddress",
            "sqlEndpoint",
            "keychain",
            "linkScheme",
        ] {
            assert_eq!(outcome(kind), Some("pass"), "{kind}: {outcomes:?}");
        }
        assert_eq!(outcome("resultStorage"), Some("fail"), "{outcomes:?}");
        let texts = d.texts("[data-testid=self-test-line][data-kind=resultStorage]")?;
        let storage = texts.first().context("the storage line")?;
        assert!(
            storage.contains("What to do: Ask IT to allow 127.0.0.1"),
            "{storage}"
        );
        assert!(
            d.texts("[data-testid=self-test-summary]")?
                .concat()
                .contains("1 of 8 checks failed"),
        );
        app.screenshot("self-test-red")?;

        d.click("[data-testid=self-test-save]", WAIT)?;
        d.wait_for_text("[data-testid=self-test-told]", "Saved to", WAIT)?;
        let saved = app
            .world
            .exports_dir()
            .join("Brickdesk connection test.txt");
        let report = std::fs::read_to_string(&saved)
            .with_context(|| format!("reading {}", saved.display()))?;
        assert!(
            report.contains("network self-test for Demo workspace"),
            "{report}"
        );
        assert!(report.contains("[FAIL] Result storage:"), "{report}");
        assert!(report.contains("[PASS] Keychain:"), "{report}");
        Ok(())
    })
}
