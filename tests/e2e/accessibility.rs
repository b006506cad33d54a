//! End-to-end accessibility: axe-core in the real window on every screen a user reaches —
//! signed out, the Add workspace dialog, Ask anything with an answer, the account menu,
//! Genie with an answer and its details open, an Agent mode report, the command palette (which then opens the SQL runner), the SQL runner with a
//! result, the table list and the history — with no serious or critical violation, in the
//! light and the dark theme.

use anyhow::Result;
use brickdesk_e2e::axe::serious_violations;
use brickdesk_e2e::ui::{self, ask, run_and_wait};
use brickdesk_e2e::{AppSession, Options, run, run_with};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// Checks the screen now; what it found, under the screen's name.
fn check(app: &AppSession, screen: &str, found: &mut Vec<String>) -> Result<()> {
    for violation in serious_violations(&app.driver)? {
        found.push(format!("{screen}: {violation}"));
    }
    Ok(())
}

#[test]
fn every_screen_passes_axe_core_in_the_light_theme() -> Result<()> {
    run("accessibility-light", |app| {
        assert!(!dark(app)?, "the web view reports a light preference");
        check_every_screen(app)
    })
}

/// The dark theme follows the desktop's (GTK's dark variant here, the OS setting elsewhere).
#[test]
fn every_screen_passes_axe_core_in_the_dark_theme() -> Result<()> {
    let options = Options {
        env: vec![("GTK_THEME".into(), "Adwaita:dark".into())],
        ..Options::default()
    };
    run_with("accessibility-dark", options, |app| {
        assert!(dark(app)?, "the web view reports a dark preference");
        check_every_screen(app)
    })
}

fn dark(app: &AppSession) -> Result<bool> {
    Ok(app
        .driver
        .execute_async("done(matchMedia('(prefers-color-scheme: dark)').matches)")?
        == true)
}

fn check_every_screen(app: &AppSession) -> Result<()> {
    {
        let d = &app.driver;
        let mut found = Vec::new();
        d.wait_for("[data-testid=sign-in-button]", WAIT)?;
        check(app, "signed out", &mut found)?;

        ui::open_add_dialog(d)?;
        d.wait_for("dialog[open] input[name=name]", WAIT)?;
        check(app, "Add workspace dialog", &mut found)?;
        d.execute_async("document.querySelector('dialog[open]').close(); done(1)")?;

        // Signed in, a business user lands on Ask anything.
        ui::sign_in(d, "alice@example.com")?;
        d.wait_for("[data-testid=ask-view][data-state=ready]", WAIT)?;
        check(app, "Ask anything, no question yet", &mut found)?;
        ui::ask_anything(d, "What is the revenue by region?")?;
        ui::response(d, "[data-testid=ask-view]", 0)?;
        check(
            app,
            "Ask anything with an answer and its sources",
            &mut found,
        )?;
        app.screenshot("ask-anything")?;

        d.click("[data-testid=nav-genie]", WAIT)?;
        d.wait_for_text("[data-testid=genie-space-title]", "NYC Taxi Trips", WAIT)?;
        check(app, "Genie, no question yet", &mut found)?;
        ask(d, "How many trips were there?")?;
        ui::answer(d, 0)?;
        d.click("[data-testid=provenance] summary", WAIT)?;
        d.click("[data-testid=genie-sql] summary", WAIT)?;
        check(app, "Genie answer (chart, SQL and source open)", &mut found)?;
        app.screenshot("genie-answer")?;
        d.click("[data-testid=show-table]", WAIT)?;
        d.wait_for("[data-testid=genie-table] [data-testid=result-row]", WAIT)?;
        check(app, "Genie answer as a table", &mut found)?;

        // Agent mode: a research report with its steps, sources and supporting tables, in a
        // new conversation so the picture shows it from its start.
        d.click("[data-testid=genie-new-conversation]", WAIT)?;
        d.click("[data-testid=agent-mode-toggle]", WAIT)?;
        ask(d, "How did the average fare develop?")?;
        ui::response(d, "[data-testid=genie-view]", 0)?;
        d.wait_for(
            "[data-testid=response-table] [data-testid=result-row]",
            WAIT,
        )?;
        check(app, "Agent mode report", &mut found)?;
        app.screenshot("agent-mode")?;
        d.click("[data-testid=agent-mode-toggle]", WAIT)?;

        d.click("[data-testid=account-button]", WAIT)?;
        d.wait_for("[data-testid=account-menu]", WAIT)?;
        check(app, "account menu", &mut found)?;
        d.click("[data-testid=account-button]", WAIT)?;

        // The command palette (Ctrl+K) takes us to the SQL runner.
        // Ctrl+K on the account button: always there and focusable (the question box is
        // disabled while Genie is busy).
        d.find("[data-testid=account-button]")?
            .send_keys("\u{E009}k\u{E000}")?;
        d.wait_for("dialog[open] [data-testid=palette-input]", WAIT)?
            .send_keys("sql runner")?;
        d.wait_for_text(
            "[data-testid=palette-command]",
            "Go to the SQL runner",
            WAIT,
        )?;
        check(app, "command palette", &mut found)?;
        app.screenshot("palette")?;
        d.find("[data-testid=palette-input]")?
            .send_keys("\u{E007}")?;
        d.wait_for(
            "[data-testid=sql-view] [data-testid=warehouse-select]",
            WAIT,
        )?;
        ui::choose_warehouse(d, "Starter")?;
        d.wait_for("[data-testid=parameters] input[name=param-date]", WAIT)?
            .send_keys("2016-02-15")?;
        run_and_wait(d)?;
        d.click(
            "[data-testid=schema-catalog][data-name='samples'] > .tree-row > .tree-toggle",
            WAIT,
        )?;
        for node in [
            "[data-testid=schema-schema][data-name='samples.nyctaxi']",
            "[data-testid=schema-table][data-name='samples.nyctaxi.trips']",
        ] {
            d.click(&format!("{node} > .tree-row > .tree-toggle"), WAIT)?;
        }
        d.wait_for("[data-testid=schema-column]", WAIT)?;
        check(
            app,
            "SQL runner with a result and the table list",
            &mut found,
        )?;
        app.screenshot("sql-tables")?;
        d.click("[data-testid=toggle-history]", WAIT)?;
        d.wait_for("[data-testid=history-entry]", WAIT)?;
        check(app, "SQL history", &mut found)?;
        app.screenshot("checked")?;

        // The common laptop and desktop sizes: the same screens, checked and pictured again.
        for (width, height) in [(1280, 800), (1920, 1080)] {
            d.set_window_size(width, height)?;
            check(app, &format!("SQL runner at {width}×{height}"), &mut found)?;
            app.screenshot(&format!("sql-{width}x{height}"))?;
            d.click("[data-testid=nav-genie]", WAIT)?;
            d.wait_for("[data-testid=genie-view] [data-testid=response-card]", WAIT)?;
            check(
                app,
                &format!("Agent mode report at {width}×{height}"),
                &mut found,
            )?;
            app.screenshot(&format!("genie-{width}x{height}"))?;
            d.click("[data-testid=nav-sql]", WAIT)?;
        }

        assert!(
            found.is_empty(),
            "axe-core found {} serious or critical violations:\n{}",
            found.len(),
            found.join("\n")
        );
        Ok(())
    }
}
