//! End-to-end IT support: "Test connection" in the real app, signed in to the demo workspace
//! (the emulator), with the workspace's result storage cut off by fault injection. Every line
//! shows, the storage line is red and names the host to allow, and the saved report says the
//! same for a helpdesk. Then a corporate network: the workspace over HTTPS behind the
//! emulator's test proxy, chosen by a proxy auto-config script from policy and asking for an
//! NTLM sign-in, with result storage direct; Test connection names the way each host went.

use anyhow::{Context, Result};
use brickdesk_e2e::{AppSession, Emulator, Options, run, run_with, wait_until};
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

        let outcomes: Vec<(String, String)> = run_self_test(app)?
            .into_iter()
            .map(|(kind, outcome, _)| (kind, outcome))
            .collect();
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

const PROXY_PASSWORD: &str = "Ntlm-Pa55w0rd";

/// IT's policy: the script the test proxy serves, its NTLM account, and the test CA.
fn corporate_policy(emulator: &Emulator) -> serde_json::Value {
    let (_, pac) = emulator.proxy.clone().unwrap_or_default();
    json!({
        "proxyAutoConfigUrl": pac,
        "proxyUsername": "CORP\\alice",
        "proxyPassword": PROXY_PASSWORD,
        "caBundle": emulator.ca_file,
    })
}

fn run_self_test(app: &AppSession) -> Result<Vec<(String, String, String)>> {
    let d = &app.driver;
    d.click("[data-testid=account-button]", WAIT)?;
    d.click("[data-testid=account-self-test]", WAIT)?;
    wait_until("the connection test to finish", WAIT, || {
        let phase = d.find("[data-testid=self-test]")?.attribute("data-phase")?;
        Ok((phase.as_deref() == Some("done")).then_some(()))
    })?;
    let mut lines = Vec::new();
    for line in d.find_all("[data-testid=self-test-line]")? {
        let kind = line.attribute("data-kind")?.unwrap_or_default();
        let outcome = line.attribute("data-outcome")?.unwrap_or_default();
        let text = d
            .texts(&format!("[data-testid=self-test-line][data-kind={kind}]"))?
            .concat();
        lines.push((kind, outcome, text));
    }
    Ok(lines)
}

#[test]
fn test_connection_names_the_proxy_a_pac_script_chose_for_each_host() -> Result<()> {
    let options = Options {
        emulator_args: [
            "--tls",
            "--storage-host",
            "localhost",
            "--test-proxy",
            &format!("ntlm:CORP\\alice:{PROXY_PASSWORD}"),
        ]
        .map(String::from)
        .to_vec(),
        policy_for: Some(corporate_policy),
        ..Options::default()
    };
    run_with("self-test-pac", options, |app| {
        let (proxy, pac) = app.emulator.proxy.clone().context("the test proxy")?;
        assert!(
            app.emulator.base_url.starts_with("https://"),
            "{}",
            app.emulator.base_url
        );
        let d = &app.driver;
        d.click("[data-testid=sign-in-button]", WAIT)?;
        d.wait_for_text("[data-testid=signed-in-user]", "alice@example.com", WAIT)?;
        let lines = run_self_test(app)?;
        let line = |kind: &str| {
            lines
                .iter()
                .find(|(k, _, _)| k == kind)
                .cloned()
                .unwrap_or_default()
        };
        let (_, outcome, text) = line("proxy");
        assert_eq!(outcome, "pass", "{lines:?}");
        assert!(
            text.contains(&format!(
                "127.0.0.1 is reached through the proxy {proxy}, by the proxy auto-config \
                 script in Brickdesk's policy ({pac}). The proxy asked for a sign-in (NTLM, \
                 Basic) and accepted Brickdesk's NTLM sign-in."
            )),
            "{text}"
        );
        let (_, outcome, text) = line("resultStorage");
        assert_eq!(outcome, "pass", "{lines:?}");
        assert!(
            text.contains("Results download from localhost.")
                && text.contains(
                    "localhost is reached directly, by the proxy auto-config script in \
                     Brickdesk's policy"
                ),
            "{text}"
        );
        assert_eq!(line("secureConnection").1, "pass", "{lines:?}");
        app.screenshot("self-test-pac")?;
        // Neither the password nor a handshake token reached the log.
        let log = app.log()?;
        assert!(!log.is_empty(), "no log");
        assert!(
            !log.contains(PROXY_PASSWORD) && !log.contains("TlRMTVNT"),
            "{log}"
        );
        Ok(())
    })
}

#[test]
fn a_proxy_that_wants_a_password_asks_the_user_and_keeps_it_in_the_keychain() -> Result<()> {
    const PASSWORD: &str = "her-own-pa55";
    let options = Options {
        emulator_args: ["--tls", "--test-proxy", &format!("basic:alice:{PASSWORD}")]
            .map(String::from)
            .to_vec(),
        // The dark theme: the dialog is new, and both themes are looked at.
        env: vec![("GTK_THEME".into(), "Adwaita:dark".into())],
        // A fixed proxy and no credentials: only the user can answer it.
        policy_for: Some(|emulator| {
            json!({
                "proxy": emulator.proxy.clone().unwrap_or_default().0,
                "caBundle": emulator.ca_file,
            })
        }),
        ..Options::default()
    };
    run_with("proxy-sign-in", options, |app| {
        let (proxy, _) = app.emulator.proxy.clone().context("the test proxy")?;
        let authority = proxy.trim_start_matches("http://").to_owned();
        let d = &app.driver;
        d.click("[data-testid=sign-in-button]", WAIT)?;
        let asked = d.wait_for_text(
            "[data-testid=proxy-sign-in]",
            "Sign in to your company network",
            WAIT,
        )?;
        assert!(asked.contains(&format!("Proxy: {authority}")), "{asked}");
        d.find("[data-testid=proxy-sign-in-user]")?
            .send_keys("alice")?;
        d.find("[data-testid=proxy-sign-in-password]")?
            .send_keys(PASSWORD)?;
        app.screenshot("proxy-sign-in")?;
        d.click("[data-testid=proxy-sign-in-save]", WAIT)?;
        d.wait_for_text("body", "Signed in to your company network", WAIT)?;
        d.click("[data-testid=sign-in-button]", WAIT)?;
        d.wait_for_text("[data-testid=signed-in-user]", "alice@example.com", WAIT)?;
        // In the real keychain (gnome-keyring), for that proxy only; never in the log.
        let accounts = app.keychain_accounts()?;
        assert!(
            accounts.contains(&format!("proxy/{authority}")),
            "{accounts:?}"
        );
        let log = app.log()?;
        assert!(!log.contains(PASSWORD), "{log}");
        Ok(())
    })
}
