//! End-to-end: the shell opens, a second launch forwards a link, a malformed link is dropped.

use anyhow::Result;
use brickdesk_e2e::{AppSession, run, second_launch, ui};
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

#[test]
fn the_window_opens_and_shows_the_shell() -> Result<()> {
    run("shell-opens", |app| {
        let d = &app.driver;
        assert_eq!(d.title()?, "Brickdesk");
        d.wait_for_text("[data-testid=workspace-item]", "Demo workspace", WAIT)?;
        let host = d
            .texts("[data-testid=workspace-item] .workspace-host")?
            .into_iter()
            .next();
        assert_eq!(
            host.as_deref(),
            Some(app.emulator.base_url.trim_start_matches("http://"))
        );
        d.wait_for_text(
            "[data-testid=status-workspace]",
            &app.emulator.base_url,
            WAIT,
        )?;
        d.wait_for_text(
            "[data-testid=status-version]",
            &format!("Brickdesk {}", env!("CARGO_PKG_VERSION")),
            WAIT,
        )?;
        d.find("[data-testid=nav-genie]")?.click()?;
        d.find("[data-testid=nav-sql]")?.click()?;
        assert_eq!(
            d.find("[data-testid=nav-sql]")?
                .attribute("aria-current")?
                .as_deref(),
            Some("page")
        );

        // The typed IPC answers directly, and errors cross as { code, message }.
        let info = d.invoke("app_info", json!({}))?;
        assert_eq!(info["ok"]["identifier"], "dev.brickdesk.desktop", "{info}");
        let err = d.invoke("select_workspace", json!({"id": "no-such-workspace"}))?;
        assert_eq!(err["err"]["code"], "not_found", "{err}");
        assert!(
            err["err"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{err}"
        );
        Ok(())
    })
}

#[test]
fn a_second_launch_with_a_link_reaches_the_running_app() -> Result<()> {
    run("second-launch", |app| {
        let d = &app.driver;
        // Add a second workspace through the UI; it becomes the active one.
        ui::open_add_dialog(d)?;
        d.wait_for("dialog[open] input[name=name]", WAIT)?
            .send_keys("Finance")?;
        // The same emulator under another name: adding runs real endpoint discovery.
        let second_host = app.emulator.base_url.replace("127.0.0.1", "localhost");
        d.find("dialog[open] input[name=host]")?
            .send_keys(&second_host)?;
        d.click("dialog[open] button[type=submit]", WAIT)?;
        d.wait_for_text(
            "[data-testid=workspace-item][aria-current=true]",
            "Finance",
            WAIT,
        )?;
        app.screenshot("two-workspaces")?;

        // The OS starts a second process for a clicked link; it must hand the link over and exit.
        let status = second_launch("dev.brickdesk.app:/open?workspace=demo", &app.app_env())?;
        assert!(status.success(), "the second launch exited with {status}");
        // A link from anywhere does not switch by itself: the user is asked.
        let asked = d.wait_for_text("[data-testid=switch-confirm]", "A link asks to open", WAIT)?;
        assert!(asked.contains("Demo workspace"), "{asked}");
        let still = d.wait_for_text(
            "[data-testid=workspace-item][aria-current=true]",
            "Finance",
            WAIT,
        )?;
        assert!(still.contains("Finance"), "{still}");
        app.screenshot("link-asks-to-switch")?;
        d.click("[data-testid=switch-confirm-yes]", WAIT)?;
        d.wait_for_text(
            "[data-testid=workspace-item][aria-current=true]",
            "Demo workspace",
            WAIT,
        )?;
        Ok(())
    })
}

#[test]
fn a_malformed_link_is_dropped_without_crashing() -> Result<()> {
    run("malformed-link", |app| {
        let d = &app.driver;
        d.wait_for_text("[data-testid=workspace-item]", "Demo workspace", WAIT)?;
        let secret = "SECRETCODE1234";
        for url in [
            format!("dev.brickdesk.app://evil.example/oauth/callback?code={secret}&state=abc"),
            format!("dev.brickdesk.app:/oauth/callback?code={secret}"),
            "https://evil.example/phish".to_owned(),
            format!("dev.brickdesk.app:/open?{}", "x".repeat(5000)),
        ] {
            let status = second_launch(&url, &app.app_env())?;
            assert!(
                status.success(),
                "second launch for a bad link exited with {status}"
            );
        }
        let notices = wait_count(app, "[data-testid=notice][data-kind=deep-link-rejected]", 4)?;
        assert!(
            notices.iter().all(|n| n.contains("ignored a link")),
            "{notices:?}"
        );
        assert!(
            notices.iter().all(|n| !n.contains(secret)),
            "a notice repeated the link: {notices:?}"
        );
        assert!(
            d.find_all("[data-testid=notice][data-kind=deep-link-handled]")?
                .is_empty()
        );
        // Still alive and responsive.
        let info = d.invoke("app_info", json!({}))?;
        assert_eq!(info["ok"]["name"], "Brickdesk", "{info}");
        Ok(())
    })
}

fn wait_count(app: &AppSession, css: &str, count: usize) -> Result<Vec<String>> {
    brickdesk_e2e::wait_until(&format!("{count} × {css}"), WAIT, || {
        let found = app.driver.texts(css)?;
        Ok((found.len() >= count).then_some(found))
    })
}

#[test]
fn the_web_view_cannot_forge_a_link_call_plugins_or_leave_the_app() -> Result<()> {
    run("least-privilege", |app| {
        let d = &app.driver;
        d.wait_for_text("[data-testid=workspace-item]", "Demo workspace", WAIT)?;
        // A page that could emit events could fake the OS handing over a link: the deep-link
        // plugin hears `deep-link://new-url` from anyone allowed to emit it.
        let forged = d.invoke(
            "plugin:event|emit",
            json!({"event": "deep-link://new-url", "payload": ["dev.brickdesk.app:/open?workspace=demo"]}),
        )?;
        assert!(forged.get("err").is_some(), "emit was allowed: {forged}");
        let forged_to = d.invoke(
            "plugin:event|emit_to",
            json!({"target": {"kind": "Any"}, "event": "deep-link://new-url", "payload": ["dev.brickdesk.app:/open?workspace=demo"]}),
        )?;
        assert!(
            forged_to.get("err").is_some(),
            "emit_to was allowed: {forged_to}"
        );
        // Nothing of Tauri's own or the plugins' beyond listening: no app, window, clipboard
        // or dialog calls from the page.
        for command in [
            "plugin:app|version",
            "plugin:window|title",
            "plugin:webview|get_all_webviews",
            "plugin:clipboard-manager|read_text",
            "plugin:dialog|open",
            "plugin:deep-link|get_current",
        ] {
            let answer = d.invoke(command, json!({}))?;
            assert!(
                answer.get("err").is_some(),
                "{command} was allowed: {answer}"
            );
        }
        std::thread::sleep(Duration::from_secs(1));
        assert!(
            d.find_all("[data-testid=notice][data-kind=deep-link-handled]")?
                .is_empty(),
            "a forged link was handled"
        );

        // What stands in for `freezePrototype` (off: README, "Security"): no script but the
        // app's own files runs, so neither eval nor an injected inline script does.
        let script = d.execute_async(
            "let ran = []; try { eval('ran.push(1)'); } catch (e) {} \
             const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; \
             document.head.appendChild(s); \
             setTimeout(() => done({eval: ran.length, inline: window.__inline ?? 0}), 300);",
        )?;
        assert_eq!(script, json!({"eval": 0, "inline": 0}), "{script}");

        // The window never leaves the app, even for a page that really answers.
        let away = format!("{}/api/2.0/sql/warehouses", app.emulator.base_url);
        d.execute_async(&format!(
            "window.location.href = {}; setTimeout(() => done(true), 1500);",
            serde_json::to_string(&away)?
        ))?;
        let here = d.execute_async("done(window.location.href);")?;
        let here = here.as_str().unwrap_or_default();
        assert!(here.starts_with("tauri://localhost"), "navigated to {here}");
        d.wait_for_text("[data-testid=workspace-item]", "Demo workspace", WAIT)?;
        let info = d.invoke("app_info", json!({}))?;
        assert_eq!(info["ok"]["name"], "Brickdesk", "{info}");
        Ok(())
    })
}
