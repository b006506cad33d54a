//! End-to-end SQL runner: the real app signed in to the demo workspace (the emulator), a
//! parameterized query on `samples.nyctaxi.trips`, a million-row result scrolled to its last
//! row with the web view's memory measured, and a statement cancelled while its warehouse
//! starts.

use anyhow::{Context, Result};
use brickdesk_e2e::{AppSession, WebDriver, run, wait_until, webview_rss_kib};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

fn open_sql(app: &AppSession) -> Result<&WebDriver> {
    let d = &app.driver;
    d.click("[data-testid=sign-in-button]", WAIT)?;
    d.wait_for_text("[data-testid=signed-in-user]", "alice@example.com", WAIT)?;
    d.click("[data-testid=nav-sql]", WAIT)?;
    choose_warehouse(d, "Starter")?;
    Ok(d)
}

/// Picks the warehouse whose name starts with `name` in the picker, once it is loaded.
fn choose_warehouse(d: &WebDriver, name: &str) -> Result<()> {
    let script = format!(
        "const s = document.querySelector('[data-testid=warehouse-select]'); \
         const o = s && [...s.options].find(o => o.text.startsWith({name:?})); \
         if (o) {{ s.value = o.value; s.dispatchEvent(new Event('change', {{bubbles: true}})); }} \
         done(o ? s.value : null);"
    );
    wait_until(&format!("the {name} warehouse in the picker"), WAIT, || {
        Ok(d.execute_async(&script)?.as_str().map(str::to_owned))
    })?;
    Ok(())
}

/// Replaces the editor's text as a user pasting would: Ctrl+A in the editor, then the text
/// inserted at the selection (typing it key by key makes WebKitWebDriver time out on
/// CodeMirror's completion popups).
fn type_sql(d: &WebDriver, sql: &str) -> Result<()> {
    d.click("[data-testid=sql-editor]", WAIT)?;
    d.find("[data-testid=sql-editor]")?.send_keys("\u{E009}a")?;
    let inserted = d.execute_async(&format!(
        "document.querySelector('[data-testid=sql-editor]').focus(); \
         done(document.execCommand('insertText', false, {}));",
        serde_json::to_string(sql)?
    ))?;
    anyhow::ensure!(inserted == true, "the editor did not take the text");
    wait_until("the editor to show the new SQL", WAIT, || {
        let text = d.texts("[data-testid=sql-editor]")?.join("\n");
        Ok(text.contains(sql).then_some(()))
    })
}

fn run_and_wait(d: &WebDriver) -> Result<String> {
    d.click("[data-testid=run-statement]", WAIT)?;
    wait_until("the statement to finish", Duration::from_secs(60), || {
        let phase = d
            .find("[data-testid=run-status]")?
            .attribute("data-phase")?;
        Ok(match phase.as_deref() {
            Some("done") => Some(()),
            Some("error") => {
                anyhow::bail!("the run failed: {:?}", d.texts("[data-testid=run-status]")?)
            }
            _ => None,
        })
    })?;
    Ok(d.texts("[data-testid=run-status]")?.join(" "))
}

#[test]
fn a_parameterized_query_and_a_million_rows_scrolled_to_the_end() -> Result<()> {
    run("sql-runner", |app| {
        let d = open_sql(app)?;
        // The default statement is the nyctaxi query with a :date parameter.
        d.wait_for("[data-testid=parameters] input[name=param-date]", WAIT)?
            .send_keys("2016-02-15")?;
        let status = run_and_wait(d)?;
        assert!(status.contains("100 rows"), "{status}");
        let first = d.wait_for_text("[data-testid=result-row][data-row='0']", "2016-02", WAIT)?;
        assert!(
            !first.contains("2016-01"),
            "the DATE parameter filtered: {first}"
        );
        app.screenshot("nyctaxi")?;

        // An empty result first: the web view's memory before a big one.
        type_sql(d, "SELECT * FROM range(0)")?;
        run_and_wait(d)?;
        let empty_kib = webview_rss_kib()?;

        type_sql(d, "SELECT * FROM range(1000000)")?;
        let status = run_and_wait(d)?;
        // Digit grouping follows the system locale ("1,000,000" or "1000000").
        let digits: String = status
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(digits.contains("1000000rows"), "{status}");
        d.execute_async(
            "const s = document.querySelector('[data-testid=result-scroll]'); \
             s.scrollTop = s.scrollHeight; done(s.scrollTop);",
        )?;
        let last = d.wait_for_text(
            "[data-testid=result-row][data-row='999999']",
            "999999",
            WAIT,
        )?;
        assert!(last.contains("1000000"), "the row number column: {last}");
        let on_screen = d.execute_async(
            "const s = document.querySelector('[data-testid=result-scroll]').getBoundingClientRect(); \
             const r = document.querySelector(\"[data-row='999999']\").getBoundingClientRect(); \
             done(r.top >= s.top && r.bottom <= s.bottom + 1);",
        )?;
        assert_eq!(
            on_screen, true,
            "the last row is in view, not just in the page"
        );
        // Scroll through the middle too, as a user dragging the bar would.
        for fraction in [0.25, 0.5, 0.75] {
            d.execute_async(&format!(
                "const s = document.querySelector('[data-testid=result-scroll]'); \
                 s.scrollTop = s.scrollHeight * {fraction}; done(0);"
            ))?;
        }
        // Three quarters down: the rows around 750,000 are loaded and shown.
        d.wait_for_text("[data-testid=result-row]", "7500", WAIT)?;
        app.screenshot("million-rows")?;
        let rendered = d.find_all("[data-testid=result-row]")?.len();
        assert!(
            rendered < 200,
            "only the rows in view are in the page: {rendered}"
        );
        let full_kib = webview_rss_kib()?;
        let grew_mib = (full_kib.saturating_sub(empty_kib)) as f64 / 1024.0;
        eprintln!(
            "web view memory: {:.0} MiB with an empty result, {:.0} MiB after scrolling 1,000,000 rows (+{grew_mib:.1} MiB)",
            empty_kib as f64 / 1024.0,
            full_kib as f64 / 1024.0
        );
        assert!(grew_mib < 50.0, "the web view grew by {grew_mib:.1} MiB");
        Ok(())
    })
}

#[test]
fn a_statement_is_cancelled_while_its_warehouse_starts() -> Result<()> {
    run("sql-cancel", |app| {
        let d = open_sql(app)?;
        choose_warehouse(d, "Reporting")?;
        type_sql(d, "SELECT count(*) FROM samples.nyctaxi.trips")?;
        d.click("[data-testid=run-statement]", WAIT)?;
        d.wait_for_text(
            "[data-testid=run-status]",
            "Waiting for the warehouse",
            WAIT,
        )
        .context("a stopped warehouse keeps the statement pending")?;
        d.click("[data-testid=cancel-statement]", WAIT)?;
        let message = d.wait_for_text("[data-testid=run-error]", "cancelled", WAIT)?;
        assert!(message.contains("You cancelled the statement"), "{message}");
        assert!(
            d.find_all("[data-testid=run-statement]")?.len() == 1,
            "Run is back"
        );
        Ok(())
    })
}
