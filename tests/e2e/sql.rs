//! End-to-end SQL runner: the real app signed in to the demo workspace (the emulator), a
//! parameterized query on `samples.nyctaxi.trips`, a million-row result scrolled to its last
//! row with the web view's memory measured, a statement cancelled while its warehouse
//! starts, and a result past the memory limit sorted from disk and exported past one sheet.

use anyhow::{Context, Result};
use brickdesk_e2e::ui::{self, choose_warehouse, run_and_wait, type_sql};
use brickdesk_e2e::{AppSession, Options, WebDriver, run, run_with, wait_until, webview_rss_kib};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

fn open_sql(app: &AppSession) -> Result<&WebDriver> {
    ui::open_sql(&app.driver)?;
    Ok(&app.driver)
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
        // The result's source names the statement the warehouse ran.
        let sql = app.shown_statement_sql()?;
        assert!(sql.contains(":date"), "{sql}");

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

/// Data rows of a CSV file (RFC 4180: a quoted field may hold line breaks).
fn csv_rows(text: &str) -> usize {
    let mut records = 0;
    let mut quoted = false;
    let mut in_record = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => {
                records += usize::from(in_record);
                in_record = false;
                continue;
            }
            '\r' => continue,
            _ => {}
        }
        in_record = true;
    }
    records + usize::from(in_record) - 1
}

/// Exports the result as `extension` and checks that every row was saved; the file's path.
fn export(
    d: &WebDriver,
    button: &str,
    dir: &std::path::Path,
    extension: &str,
) -> Result<std::path::PathBuf> {
    let (message, path) = ui::export(d, button, dir, "Query 1", extension)?;
    assert!(message.contains("Saved 21,932 rows"), "{message}");
    Ok(path)
}

#[test]
fn exports_open_as_csv_and_excel_and_history_runs_a_statement_again() -> Result<()> {
    run("sql-export-history", |app| {
        let exports = app.world.exports_dir();
        let d = open_sql(app)?;
        type_sql(d, "SELECT * FROM samples.nyctaxi.trips")?;
        let status = run_and_wait(d)?;
        assert!(
            status.contains("21932 rows") || status.contains("21,932 rows"),
            "{status}"
        );

        let csv = export(d, "export-csv", &exports, "csv")?;
        let text = std::fs::read_to_string(&csv)?;
        assert!(text.starts_with('\u{feff}'), "a byte-order mark for Excel");
        assert!(
            text.trim_start_matches('\u{feff}')
                .starts_with("\"tpep_pickup_datetime (UTC)\","),
            "a header row: {}",
            &text[..80.min(text.len())]
        );
        assert_eq!(csv_rows(&text), 21_932, "every row in the CSV");

        let xlsx = export(d, "export-xlsx", &exports, "xlsx")?;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx)?;
        let sheet = book.worksheet_range("Result")?;
        assert_eq!(sheet.height(), 21_933, "the header and every row");
        use calamine::{Data, Reader as _};
        assert!(
            matches!(sheet.get_value((1, 0)), Some(Data::DateTime(_))),
            "pickup times are Excel dates: {:?}",
            sheet.get_value((1, 0))
        );
        assert!(
            matches!(sheet.get_value((1, 2)), Some(Data::Float(_))),
            "distances are numbers: {:?}",
            sheet.get_value((1, 2))
        );
        app.screenshot("exported")?;

        // History: the statement is there, and "Run again" runs it in a new tab.
        d.click("[data-testid=toggle-history]", WAIT)?;
        d.wait_for_text("[data-testid=history-entry]", "samples.nyctaxi.trips", WAIT)?;
        let rows = d.texts("[data-testid=history-entry]")?;
        assert!(rows[0].contains("21,932 rows"), "{rows:?}");
        d.click("[data-testid=history-rerun]", WAIT)?;
        wait_until("a second tab", WAIT, || {
            Ok((d.find_all("[data-testid=sql-tab]")?.len() == 2).then_some(()))
        })?;
        let status = wait_until(
            "the statement to run again",
            Duration::from_secs(60),
            || {
                let status = d.texts("[data-testid=run-status]")?.join(" ");
                Ok(
                    (status.contains("21932 rows") || status.contains("21,932 rows"))
                        .then_some(status),
                )
            },
        )?;
        assert!(status.contains("rows"), "{status}");
        let active = d
            .texts("[data-testid=sql-tab][aria-current=true]")?
            .join(" ");
        assert!(active.contains("Query 2"), "{active}");
        wait_until("both runs in history", WAIT, || {
            Ok((d.find_all("[data-testid=history-entry]")?.len() >= 2).then_some(()))
        })?;
        app.screenshot("history")?;

        // Saved queries: the tab's query under a name of the user's, kept across the restart.
        d.click("[data-testid=show-saved]", WAIT)?;
        d.click("[data-testid=save-query]", WAIT)?;
        let name = d.wait_for("[data-testid=save-query-name]", WAIT)?;
        name.clear()?;
        name.send_keys("All taxi trips")?;
        d.click("[data-testid=save-query-confirm]", WAIT)?;
        d.wait_for_text("[data-testid=saved-query]", "All taxi trips", WAIT)?;

        // Tabs come back after a restart, with their SQL.
        app.restart()?;
        let d = &app.driver;
        d.wait_for_text("[data-testid=signed-in-user]", "alice@example.com", WAIT)?;
        d.click("[data-testid=nav-sql]", WAIT)?;
        wait_until("the two tabs restored", WAIT, || {
            let tabs = d.texts("[data-testid=sql-tab]")?;
            Ok((tabs.len() == 2).then_some(tabs))
        })?;
        let editor = d.texts("[data-testid=sql-editor]")?.join("\n");
        assert!(editor.contains("samples.nyctaxi.trips"), "{editor}");
        d.click("[data-testid=toggle-history]", WAIT)?;
        d.click("[data-testid=show-saved]", WAIT)?;
        let saved = d.wait_for_text("[data-testid=saved-query]", "All taxi trips", WAIT)?;
        assert!(saved.contains("samples.nyctaxi.trips"), "{saved}");
        Ok(())
    })
}

#[test]
fn a_result_kept_on_disk_sorts_and_a_long_excel_export_says_its_sheets_first() -> Result<()> {
    // 8 MiB of rows in memory: the rest of these 1.1 million rows go to the spill folder. In
    // the dark theme, which the other SQL tests do not see.
    let options = Options {
        env: vec![
            ("BRICKDESK_RESULT_MEMORY_MB".into(), "8".into()),
            ("GTK_THEME".into(), "Adwaita:dark".into()),
        ],
        ..Options::default()
    };
    run_with("sql-large", options, |app| {
        let d = open_sql(app)?;
        type_sql(
            d,
            "SELECT id, concat('customer-', CAST(id AS STRING)) AS label FROM range(1100000)",
        )?;
        run_and_wait(d)?;
        d.wait_for_text(".result-toolbar", "part kept on disk", WAIT)?;
        // Sorted by the text column, descending (a click, then another): the greatest text
        // is "customer-999999", from the middle of the rows on disk.
        let label = "[data-testid=result-grid] button[title='Sort by this column']";
        d.wait_for(label, WAIT)?;
        d.find_all(label)?
            .get(1)
            .context("the label column's header")?
            .click()?;
        d.wait_for_text("[data-testid=result-row][data-row='0']", "customer-0", WAIT)?;
        d.find_all(label)?
            .get(1)
            .context("the label column's header")?
            .click()?;
        d.wait_for_text(
            "[data-testid=result-row][data-row='0']",
            "customer-999999",
            WAIT,
        )?;
        // Excel: two sheets, said before anything is written, with CSV offered.
        d.click("[data-testid=export-xlsx]", WAIT)?;
        let ask = d.wait_for_text("[data-testid=excel-sheets]", "2 sheets", WAIT)?;
        // Digit grouping follows the system locale.
        let digits: String = ask.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        assert!(digits.contains("1048575rowspersheet"), "{ask}");
        assert!(ask.contains("CSV"), "{ask}");
        app.screenshot("excel-sheets")?;
        d.click("[data-testid=excel-sheets-cancel]", WAIT)?;
        wait_until("the question to close", WAIT, || {
            Ok(d.find_all("[data-testid=excel-sheets]")?
                .is_empty()
                .then_some(()))
        })?;
        Ok(())
    })
}
