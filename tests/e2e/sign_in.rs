//! End-to-end sign-in: the real app, the real keychain (gnome-keyring), the emulator as the
//! workspace, and a stand-in browser (`e2e/fake-browser.sh`) that follows the authorize
//! redirect and launches `brickdesk '<callback>'` as the OS does.

use anyhow::{Context, Result, bail};
use brickdesk_e2e::ui::{self, set_select, sign_in, submit_add_dialog};
use brickdesk_e2e::{AppSession, Emulator, Options, WebDriver, run_with, wait_until};
use serde_json::{Value, json};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

fn no_demo() -> Options {
    Options {
        demo: false,
        ..Options::default()
    }
}

/// How the add-workspace dialog is filled in.
enum Method<'a> {
    /// The `brickdesk` app connection, back through the deep link (or a loopback port).
    App {
        loopback: bool,
    },
    /// An app connection with a client secret.
    ConfidentialApp {
        client_id: &'a str,
        secret: &'a str,
    },
    ServicePrincipal {
        client_id: &'a str,
        secret: &'a str,
    },
}

/// Adds a workspace through the dialog and waits until it is the active one.
fn add_workspace(d: &WebDriver, name: &str, host: &str, method: Method<'_>) -> Result<()> {
    fill_add_dialog(d, name, host, method)?;
    submit_add_dialog(d, name)
}

/// Opens the add-workspace dialog and fills it in.
fn fill_add_dialog(d: &WebDriver, name: &str, host: &str, method: Method<'_>) -> Result<()> {
    ui::open_add_dialog(d)?;
    d.wait_for("dialog[open] input[name=name]", WAIT)?
        .send_keys(name)?;
    d.find("dialog[open] input[name=host]")?.send_keys(host)?;
    let (kind, client_id, secret) = match method {
        Method::App { .. } => ("appConnection", "brickdesk", None),
        Method::ConfidentialApp { client_id, secret } => ("appConnection", client_id, Some(secret)),
        Method::ServicePrincipal { client_id, secret } => {
            ("servicePrincipal", client_id, Some(secret))
        }
    };
    set_select(d, "dialog[open] select[name=method]", kind)?;
    d.wait_for("dialog[open] input[name=clientId]", WAIT)?
        .send_keys(client_id)?;
    if let Some(secret) = secret {
        d.find("dialog[open] input[name=secret]")?
            .send_keys(secret)?;
    }
    if let Method::App { loopback: true } = method {
        // The emulator's `brickdesk` connection registers http://127.0.0.1:8765/oauth/callback.
        d.find("dialog[open] input[name=redirect][value=loopback]")?
            .click()?;
        d.wait_for("dialog[open] input[name=port]", WAIT)?;
    }
    Ok(())
}

fn select(d: &WebDriver, name: &str) -> Result<()> {
    let texts = d.texts("[data-testid=workspace-item]")?;
    let Some(index) = texts.iter().position(|t| t.contains(name)) else {
        bail!("no workspace named {name} in {texts:?}");
    };
    d.find_all("[data-testid=workspace-item]")?
        .into_iter()
        .nth(index)
        .context("the list changed")?
        .click()
}

fn active_id(d: &WebDriver) -> Result<String> {
    let list = d.invoke("list_workspaces", json!({}))?;
    list["ok"]["activeId"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no active workspace in {list}"))
}

fn browser_log(app: &AppSession) -> String {
    std::fs::read_to_string(app.world.scratch.join("browser.log")).unwrap_or_default()
}

#[test]
fn deep_link_sign_in_survives_a_restart_and_sign_out_empties_the_keychain() -> Result<()> {
    run_with("sign-in-deep-link", no_demo(), |app| {
        let alice_host = app.emulator.base_url.clone();
        add_workspace(
            &app.driver,
            "Emulated",
            &alice_host,
            Method::App { loopback: false },
        )?;
        sign_in(&app.driver, "alice@example.com")?;
        assert!(
            browser_log(app).contains("deep link"),
            "{}",
            browser_log(app)
        );
        let alice = active_id(&app.driver)?;
        assert!(
            app.keychain_accounts()?
                .contains(&format!("{alice}/refresh-token")),
            "{:?}",
            app.keychain_accounts()?
        );

        app.restart()?;
        let d = &app.driver;
        d.wait_for_text("[data-testid=signed-in-user]", "alice@example.com", WAIT)
            .context("still signed in after a restart")?;

        // A second workspace (another emulator), where the browser signs in bob.
        let bob_workspace = Emulator::start_as("bob@example.com")?;
        add_workspace(
            d,
            "Team B",
            &bob_workspace.base_url,
            Method::App { loopback: false },
        )?;
        sign_in(d, "bob@example.com")?;
        let bob = active_id(d)?;
        app.screenshot("two-signed-in")?;
        let statuses = d.texts("[data-testid=workspace-status]")?;
        assert_eq!(statuses, ["alice@example.com", "bob@example.com"]);

        // One click switches; each keeps its own sign-in.
        select(d, "Emulated")?;
        d.wait_for_text("[data-testid=signed-in-user]", "alice@example.com", WAIT)?;
        select(d, "Team B")?;
        d.wait_for_text("[data-testid=signed-in-user]", "bob@example.com", WAIT)?;

        // Sign out of bob's workspace from the account menu: his keychain entries go, alice's stay.
        d.click("[data-testid=account-button]", WAIT)?;
        d.click("[data-testid=account-sign-out]", WAIT)?;
        d.wait_for("[data-testid=sign-in][data-state=signed-out]", WAIT)?;
        let accounts = app.keychain_accounts()?;
        assert!(
            accounts.iter().all(|a| !a.starts_with(&format!("{bob}/"))),
            "{accounts:?}"
        );
        assert!(
            accounts.contains(&format!("{alice}/refresh-token")),
            "{accounts:?}"
        );
        Ok(())
    })
}

#[test]
fn a_sign_in_link_that_starts_the_app_completes_the_sign_in() -> Result<()> {
    let options = Options {
        browser_holds_links: true,
        ..Options::default()
    };
    run_with("sign-in-cold-start", options, |app| {
        // The demo workspace signs in through the deep link; the browser holds the redirect.
        app.driver.click("[data-testid=sign-in-button]", WAIT)?;
        let held = app.world.scratch.join("held-link");
        let link = wait_until("the browser to get the redirect", WAIT, || {
            Ok(std::fs::read_to_string(&held).ok())
        })?;
        assert!(
            link.starts_with("dev.brickdesk.app:/oauth/callback?"),
            "not a callback"
        );
        // The user closed Brickdesk; finishing in the browser starts it with the link.
        app.restart_with_args(&[link])?;
        app.driver
            .wait_for_text("[data-testid=signed-in-user]", "alice@example.com", WAIT)
            .context("the cold-started app finished the sign-in")?;
        Ok(())
    })
}

#[test]
fn loopback_sign_in_works_for_providers_that_refuse_app_links() -> Result<()> {
    run_with("sign-in-loopback", no_demo(), |app| {
        let host = app.emulator.base_url.clone();
        add_workspace(
            &app.driver,
            "Loopback",
            &host,
            Method::App { loopback: true },
        )?;
        sign_in(&app.driver, "alice@example.com")?;
        assert!(
            browser_log(app).contains("loopback"),
            "{}",
            browser_log(app)
        );
        assert!(!app.keychain_accounts()?.is_empty());

        // Rename it in its settings, then remove it: its keychain entries go with it.
        let d = &app.driver;
        d.click("[data-testid=account-button]", WAIT)?;
        d.click("[data-testid=account-settings]", WAIT)?;
        d.wait_for("dialog[open] input[name=name]", WAIT)?
            .send_keys(" EU")?;
        app.screenshot("settings-dialog")?;
        d.click("dialog[open] button[type=submit]", WAIT)?;
        d.wait_for_text(
            "[data-testid=workspace-item] .workspace-label",
            "Loopback EU",
            WAIT,
        )?;
        d.click("[data-testid=account-button]", WAIT)?;
        d.click("[data-testid=account-settings]", WAIT)?;
        d.click("[data-testid=remove-workspace]", WAIT)?;
        d.click("[data-testid=confirm-remove]", WAIT)?;
        wait_until("the workspace to be removed", WAIT, || {
            Ok(d.find_all("[data-testid=workspace-item]")?
                .is_empty()
                .then_some(()))
        })?;
        assert_eq!(app.keychain_accounts()?, Vec::<String>::new());
        Ok(())
    })
}

#[test]
fn a_workspace_from_it_policy_is_locked_but_can_sign_in() -> Result<()> {
    // The policy needs the emulator's URL, so the emulator is started first by the session and
    // the policy names it through a placeholder host the session fills in.
    let emulator = Emulator::start_as("alice@example.com")?;
    let policy = json!({
        "workspaces": [{
            "id": "corp",
            "name": "Corp analytics",
            "host": emulator.base_url,
            "auth": {"kind": "appConnection", "clientId": "brickdesk"},
        }],
        "allowUserWorkspaces": false,
    });
    run_with(
        "managed-workspace",
        Options {
            demo: false,
            policy: Some(policy),
            ..Options::default()
        },
        |app| {
            let d = &app.driver;
            d.wait_for_text("[data-testid=workspace-item]", "Corp analytics", WAIT)?;
            assert_eq!(
                d.find_all(
                    "[data-testid=workspace-item] [aria-label='Managed by your IT department']"
                )?
                .len(),
                1
            );
            assert!(d.find_all("[data-testid=add-workspace]")?.is_empty());
            for (command, args) in [
                ("remove_workspace", json!({"id": "corp"})),
                ("rename_workspace", json!({"id": "corp", "name": "Mine"})),
            ] {
                let refused = d.invoke(command, args)?;
                assert_eq!(
                    refused["err"]["code"], "permission_denied",
                    "{command}: {refused}"
                );
            }
            let add = d.invoke(
                "add_workspace",
                json!({"workspace": {"name": "x", "host": app.emulator.base_url, "auth": {"kind": "databricksCli"}}, "progress": null}),
            )?;
            assert!(add.get("err").is_some(), "{add}");
            // Signing in to it works (against the emulator the policy names).
            sign_in(d, "alice@example.com")?;
            Ok(())
        },
    )?;
    drop(emulator);
    Ok(())
}

#[test]
fn nothing_secret_reaches_the_web_ui_the_log_or_the_settings_files() -> Result<()> {
    run_with("leak", no_demo(), |app| {
        app.record_ipc()?;
        let d = &app.driver;
        let host = app.emulator.base_url.clone();
        add_workspace(d, "Emulated", &host, Method::App { loopback: false })?;
        sign_in(d, "alice@example.com")?;
        // A confidential app connection and a service principal: secrets typed once.
        let localhost = host.replace("127.0.0.1", "localhost");
        fill_add_dialog(
            d,
            "Confidential",
            &localhost,
            Method::ConfidentialApp {
                client_id: "brickdesk-confidential",
                secret: "brickdesk-demo-secret",
            },
        )?;
        app.screenshot("add-dialog")?;
        submit_add_dialog(d, "Confidential")?;
        sign_in(d, "alice@example.com")?;
        // A service principal on another workspace: its secret goes to the keychain only.
        let shared_screen = Emulator::start_as("alice@example.com")?;
        add_workspace(
            d,
            "Wall screen",
            &shared_screen.base_url,
            Method::ServicePrincipal {
                client_id: "kpi-bot",
                secret: "kpi-bot-secret",
            },
        )?;
        // The service principal may sign itself in between finding and clicking the button, or
        // the list may re-render under the click: click while a Sign in button shows, until the
        // workspace is signed in.
        brickdesk_e2e::wait_until("the service principal to be signed in", WAIT, || {
            if !d.find_all("[data-testid=signed-in-user]")?.is_empty() {
                return Ok(Some(()));
            }
            if let Some(button) = d
                .find_all("[data-testid=sign-in-button]")?
                .into_iter()
                .next()
            {
                let _ = button.click();
                std::thread::sleep(Duration::from_millis(500));
            }
            Ok(None)
        })?;
        // A few API calls after sign-in: switching re-checks each workspace (SCIM Me).
        select(d, "Emulated")?;
        d.wait_for_text("[data-testid=signed-in-user]", "alice@example.com", WAIT)?;
        select(d, "Confidential")?;
        d.wait_for_text("[data-testid=signed-in-user]", "alice@example.com", WAIT)?;
        let received = app.received()?;
        assert!(
            received.iter().any(|r| r.contains("alice@example.com")),
            "the recorder saw the sign-in: {received:?}"
        );
        // A canary in the web view's own storage proves that storage is among what is
        // searched, in whatever encoding WebKit keeps it (WebKit writes it out on its own
        // schedule, so this waits for it).
        let canary = "canary-7f3e9a2b-token-in-web-storage";
        d.execute_async(&format!(
            "localStorage.setItem('probe', '{canary}'); done(true);"
        ))?;
        brickdesk_e2e::wait_until("the web view to store the canary on disk", WAIT, || {
            for file in files_under(&app.world.scratch)? {
                let bytes = std::fs::read(&file)?;
                if encodings(canary).iter().any(|n| contains(&bytes, n)) {
                    return Ok(Some(()));
                }
            }
            Ok(None)
        })?;
        d.execute_async("localStorage.removeItem('probe'); done(true);")?;
        let mut secrets = issued_secrets(&app.emulator)?;
        secrets.extend(issued_secrets(&shared_screen)?);
        assert!(
            secrets.len() >= 6,
            "codes, access and refresh tokens: {secrets:?}"
        );
        // Every file's bytes: the settings, the SQLite store, the support log, and the web
        // view's own storage and caches (WebKit keeps local storage in SQLite, as UTF-16).
        let mut places: Vec<(String, Vec<u8>)> = vec![
            (
                "what the web UI received".into(),
                received.join("\n").into_bytes(),
            ),
            ("the app's log".into(), app.log()?.into_bytes()),
        ];
        for file in files_under(&app.world.scratch)? {
            places.push((file.display().to_string(), std::fs::read(&file)?));
        }
        let searched = |part: &str| places.iter().filter(|(p, _)| p.contains(part)).count();
        assert!(
            searched("profiles.json") >= 1,
            "the settings file was written"
        );
        assert!(searched("sqlite3") >= 1, "the local store was written");
        assert!(
            searched("/data/dev.brickdesk.desktop/") > searched("sqlite3") + 1,
            "the web view's data folder holds its own files: {:?}",
            places.iter().map(|(p, _)| p).collect::<Vec<_>>()
        );
        // The support log in the OS log folder (XDG data dir on Linux) is searched too.
        let log_file = app
            .world
            .scratch
            .join("data/dev.brickdesk.desktop/logs/brickdesk.log");
        assert!(
            places.iter().any(|(place, bytes)| {
                place == &log_file.display().to_string()
                    && String::from_utf8_lossy(bytes).contains("Brickdesk started")
            }),
            "the app wrote no support log at {}",
            log_file.display()
        );
        for (place, bytes) in &places {
            for secret in &secrets {
                // Whole values, and a distinctive tail in case one was cut or wrapped, each as
                // UTF-8 and as UTF-16 (little and big endian).
                let tail = &secret[secret.len().saturating_sub(24)..];
                for needle in [secret.as_str(), tail].into_iter().flat_map(encodings) {
                    assert!(
                        !contains(bytes, &needle),
                        "a secret (…{}) appears in {place}",
                        &secret[secret.len().saturating_sub(4)..]
                    );
                }
            }
        }
        Ok(())
    })
}

fn issued_secrets(emulator: &Emulator) -> Result<Vec<String>> {
    let body: Value = ureq::get(&format!("{}/__emulator/secrets/issued", emulator.base_url))
        .call()?
        .body_mut()
        .read_json()?;
    Ok(body["secrets"]
        .as_array()
        .context("secrets")?
        .iter()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect())
}

/// `text` as the bytes a file could hold it in.
fn encodings(text: &str) -> [Vec<u8>; 3] {
    let utf16 = || text.encode_utf16();
    [
        text.as_bytes().to_vec(),
        utf16().flat_map(u16::to_le_bytes).collect(),
        utf16().flat_map(u16::to_be_bytes).collect(),
    ]
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn files_under(dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    Ok(files)
}
